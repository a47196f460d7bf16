"""Batch reads without being asked: a loop whose iterations GET paths that differ in one segment
(``/dedicated/server/{{ item }}``, ``/dedicated/server/{{ server.name }}/burst`` as the first step of a
looped group) has those objects read ahead, 50 a call, with OVH's ``X-Ovh-Batch``.

The loop then runs exactly as it would without this: each iteration evaluates its ``when``, renders
its path and asks for it, and the run's read-ahead store answers with the object from the batch call
instead of sending a GET. So results, order, ``keep:``, ``log:``, check mode and per-item events are
those of plain calls by construction. What the batch calls did not answer (a key the API reported an
error for, or skipped; every key where the API refuses batch reads, remembered per path; a failed
batch call) is simply not in the store: that iteration sends its own GET, and meets its own error,
with its own HTTP status and query id. The objects are read a window of iterations ahead (see
:class:`ReadAhead`) rather than when each iteration runs, which is also what happens to iterations
waiting for a free worker.

Turned off by ``batch: false`` on the step that GETs, or for a whole run by ``ovhflow run --no-batch``.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

from ovhflow.engine.planned import is_planned
from ovhflow.engine.scope import Scope
from ovhflow.engine.stop import RunInterrupted
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


class ReadAhead:
    """The objects a loop's iterations are about to GET, read in batch calls by the loop's own workers.

    The items are taken a window at a time (one batch call per worker: ``BATCH_SIZE`` x concurrency
    items). An iteration is taken only once its window is :meth:`ready`; until then the workers
    :meth:`prepare` it, sending the window's batch calls themselves, so iterations still start in the
    list's order. With more than one worker, a worker that ended an iteration in the second half of
    its window sends one batch call of the next window (:meth:`between`) before it takes another
    item: the next window is read while this one's last iterations run, with no pause between
    windows, and the calls in flight never outnumber the workers. At most a window and a half of
    whole objects wait for ``keep:`` to trim them: what is left of the window whose iterations run,
    and the next. What was read and not used is forgotten when the loop ends (``with``).
    """

    def __init__(
        self,
        runner: StepRunner,
        step: Step,
        scope: Scope,
        count: int,
        names: Callable[[int], dict[str, Any]],
        concurrency: int,
    ) -> None:
        self._runner, self._step, self._scope, self._names, self._count = runner, step, scope, names, count
        self._read = read_step(step) if runner.runtime.batch_reads else None
        self._size = listing.BATCH_SIZE * max(1, concurrency)
        self._ahead = concurrency > 1  # a single worker reads each window when it gets there
        self._lock = threading.Lock()
        self._windows: dict[int, _Window] = {}
        self._stored: list[str] = []

    def ready(self, index: int) -> bool:
        """Whether iteration ``index`` may start: the batch calls of its window were answered (or
        there are none). Never waits."""
        if self._read is None:
            return True
        window = self._windows.get(index // self._size)
        return window is not None and window.done.is_set()

    def prepare(self, index: int) -> None:
        """Return once the batch calls of iteration ``index``'s window were answered (or failed),
        this worker sending those still to be sent. Raises :class:`RunInterrupted` when a stop gave
        up on a batch call this worker sent."""
        if self._read is None:
            return
        window = self._window(index // self._size)
        while self._send_one(window):
            pass
        window.done.wait()

    def between(self, index: int) -> None:
        """Called by a worker that ended iteration ``index``, before it takes another: send one batch
        call of the next window, if one is still to be sent."""
        number = index // self._size + 1
        if self._read is None or not self._ahead or number * self._size >= self._count:
            return
        if (index % self._size) * 2 < self._size:  # the first half of this window: not yet
            return
        window = self._windows.get(number)
        if window is None:
            window = self._window(number)
        if window.planned.is_set() and window.calls:  # else nothing to send, or another worker plans it
            self._send_one(window)

    def __enter__(self) -> ReadAhead:
        return self

    def __exit__(self, *exc_info: object) -> None:
        """Forget what was read and not used (the loop ended early, or skipped those items)."""
        with self._lock:
            stored, self._stored = self._stored, []
        self._runner.runtime.forget_read_ahead(stored)

    def _window(self, number: int) -> _Window:
        """Window ``number``, its batch calls planned by the first worker that asks for it (the others
        wait for that)."""
        with self._lock:
            window = self._windows.get(number)
            planner = window is None
            if window is None:
                window = self._windows[number] = _Window()
        if not planner:
            window.planned.wait()
            return window
        calls: list[tuple[str, str, dict[str, str]]] = []
        try:
            start = number * self._size
            calls = self._calls(range(start, min(self._count, start + self._size)))
        finally:
            with self._lock:
                window.calls, window.unfinished = calls, len(calls)
            window.planned.set()
            if not calls:
                window.done.set()
        return window

    def _calls(self, indexes: range) -> list[tuple[str, str, dict[str, str]]]:
        """The batch calls that read the window's objects: ``(prefix, suffix, {key: path})`` each."""
        if self._read is None or len(indexes) < MIN_ITEMS:
            return []
        plan = _batch_plan(_paths(self._runner, self._step, self._read, self._scope, indexes, self._names))
        if plan is None:
            return []
        prefix, suffix, by_key = plan
        keys = list(by_key)
        return [
            (prefix, suffix, {key: by_key[key] for key in keys[start : start + listing.BATCH_SIZE]})
            for start in range(0, len(keys), listing.BATCH_SIZE)
        ]

    def _send_one(self, window: _Window) -> bool:
        """Send one of the window's batch calls still to be sent; False when none is left."""
        with self._lock:
            if not window.calls:
                return False
            call = window.calls.pop(0)
        try:
            self._store(*call)
        finally:
            with self._lock:
                window.unfinished -= 1
                if not window.unfinished:
                    window.done.set()
        return True

    def _store(self, prefix: str, suffix: str, by_key: dict[str, str]) -> None:
        """One batch call; each object it answered goes to the run's read-ahead store."""
        runtime = self._runner.runtime
        try:
            answers = listing.read_batched(runtime.get, runtime.refusals, prefix, list(by_key), suffix)
        except RunInterrupted:
            raise
        except Exception as error:  # the iterations send their own GETs and meet this in their own way
            log.debug("batch read of %s/*%s failed, reading one by one: %s", prefix, suffix, error)
            return
        decoded = {unquote(key): path for key, path in by_key.items()}  # APIs answer with decoded keys
        stored = {}
        for key, (answer, query_id) in answers.items():
            path = by_key.get(key) or decoded.get(key)
            if path is not None and answer.get("error") is None:
                stored[path] = (answer.get("value"), query_id)
        runtime.store_read_ahead(stored)
        with self._lock:
            self._stored.extend(stored)


class _Window:
    """One window of a loop's items: its batch calls still to send, how many are not answered yet,
    and when they were planned and all answered."""

    __slots__ = ("calls", "done", "planned", "unfinished")

    def __init__(self) -> None:
        self.calls: list[tuple[str, str, dict[str, str]]] = []
        self.unfinished = 0
        self.planned = threading.Event()
        self.done = threading.Event()


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
