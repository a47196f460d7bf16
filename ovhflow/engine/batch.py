"""Batch reads without being asked: a loop whose iterations GET paths that differ in one segment
(``/dedicated/server/{{ item }}``, ``/dedicated/server/{{ server.name }}/burst`` as the first step of a
looped group) has those objects read ahead, 50 a call, with OVH's ``X-Ovh-Batch``.

The loop then runs exactly as it would without this: each iteration evaluates its ``when``, renders
its path and asks for it, and the run's read-ahead store answers with the object from the batch call
instead of sending a GET. So results, order, ``keep:``, ``log:``, check mode and per-item events are
those of plain calls by construction. What the batch calls did not answer (a key the API reported an
error for, or skipped; every key where the API refuses batch reads, remembered per path; a failed
batch call) is simply not in the store: that iteration sends its own GET, and meets its own error,
with its own HTTP status and query id. The objects are read when the loop starts rather than when each
iteration runs, which is also what happens to iterations waiting for a free worker.

Turned off by ``batch: false`` on the step that GETs, or for a whole run by ``ovhflow run --no-batch``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

from ovhflow.engine.planned import is_planned
from ovhflow.engine.scope import Scope
from ovhflow.engine.stop import RequestAbandoned, RunInterrupted
from ovhflow.ovh import listing
from ovhflow.recipe.model import Step

if TYPE_CHECKING:
    from ovhflow.engine.steps import StepRunner

log = logging.getLogger("ovhflow.engine")

MIN_ITEMS = 2  # one object is one plain GET either way


def read_step(step: Step) -> Step | None:
    """The GET whose objects a looped ``step`` can read ahead: the step itself, or the first step of a
    looped group; ``None`` when there is none, or it must not be read ahead."""
    read = step
    if step.action == "steps" and step.steps:
        read = step.steps[0]
        if read.loop is not None:
            return None
    if read.action != "get" or read.until is not None:
        return None
    options = read.options or {}
    if options.get("batch") is False or options.get("query") or options.get("expand"):
        return None
    return read if options.get("auth", True) is True else None


def read_ahead(
    runner: StepRunner,
    step: Step,
    scope: Scope,
    indexes: range,
    names: Callable[[int], dict[str, Any]],
    concurrency: int,
) -> list[str]:
    """Fill the run's read-ahead store with the objects the loop's iterations are about to GET; return
    the paths stored, for :meth:`Runtime.forget_read_ahead` once the loop is over. Raises
    :class:`RunInterrupted` when a stop gave up on a batch call; a stop before it leaves the store
    empty, and the loop starts nothing."""
    read = read_step(step)
    if read is None or len(indexes) < MIN_ITEMS:
        return []
    plan = _batch_plan(_paths(runner, step, read, scope, indexes, names))
    if plan is None:
        return []
    prefix, suffix, by_key = plan
    runtime = runner.runtime
    try:
        with runtime.stop.waiting_on_network():  # batches on other threads: this one waits
            answers = listing.read_batched(
                runtime.get, runtime.refusals, prefix, list(by_key), suffix, concurrency
            )
    except RequestAbandoned:  # the stop's grace ran out while a batch call was unanswered
        raise RunInterrupted(runtime.stop, abandoned=True) from None
    except Exception as error:  # the iterations send their own GETs and meet this in their own way
        log.debug("batch reads of %s/*%s failed, reading one by one: %s", prefix, suffix, error)
        return []
    decoded = {unquote(key): path for key, path in by_key.items()}  # APIs answer with decoded keys
    stored = {}
    for key, (answer, query_id) in answers.items():
        path = by_key.get(key) or decoded.get(key)
        if path is not None and answer.get("error") is None:
            stored[path] = (answer.get("value"), query_id)
    runtime.store_read_ahead(stored)
    return list(stored)


def _paths(
    runner: StepRunner,
    step: Step,
    read: Step,
    scope: Scope,
    indexes: range,
    names: Callable[[int], dict[str, Any]],
) -> list[str]:
    """The path each iteration that will GET renders, as the iteration itself will render it."""
    renderer = runner.runtime.renderer
    paths = []
    for index in indexes:
        here = scope.child(names(index))
        try:
            if step.when is not None and not _holds(renderer.evaluate(step.when, here.context())):
                continue
            if read is not step:
                here = here.child()  # a group's steps run in a scope of their own
                if read.when is not None and not _holds(renderer.evaluate(read.when, here.context())):
                    continue
            paths.append(renderer.render_path(read.args, here.context()))
        except Exception:  # the iteration will meet this again and report it
            continue
    return paths


def _holds(condition: Any) -> bool:
    return bool(condition) and not is_planned(condition)


def _batch_plan(paths: list[str]) -> tuple[str, str, dict[str, str]] | None:
    """``(prefix, suffix, {key: path})`` when the paths differ in exactly one segment, else ``None``."""
    unique = [path for path in dict.fromkeys(paths) if "?" not in path]
    if len(unique) < MIN_ITEMS:
        return None
    split = [path.split("/") for path in unique]
    first = split[0]
    if any(len(parts) != len(first) for parts in split):
        return None
    varying = [i for i in range(len(first)) if any(parts[i] != first[i] for parts in split)]
    if len(varying) != 1:
        return None
    position = varying[0]
    by_key = {parts[position]: path for parts, path in zip(split, unique, strict=True)}
    by_key = {key: path for key, path in by_key.items() if listing.batchable([key])}
    if len(by_key) < MIN_ITEMS:
        return None
    prefix = "/".join(first[:position])
    suffix = "".join("/" + part for part in first[position + 1 :])
    return prefix, suffix, by_key
