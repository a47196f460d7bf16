"""Looped steps: items in order, ``concurrency`` iterations in flight, stopping cleanly.

Iterations run on ``concurrency`` worker threads over the run's one shared client; each takes the next
item when it is free, so a failure or a stop request is noticed before the rest of the list starts:
after a failed iteration no new one starts (unless ``ignore_errors``), those in flight finish, and the
step fails. Results are kept by item index, so ``.results`` and ``.items`` follow the list's order whatever
order the iterations finished in. Only each item's record outlives its iteration: a loop over 20,000
objects holds 20,000 records, nothing more.
"""

from __future__ import annotations

import contextvars
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ovhflow.engine.batch import ReadAhead
from ovhflow.engine.loop_records import ALL, LoopRecords
from ovhflow.engine.namespace import Namespace
from ovhflow.engine.outcome import Outcome, aggregate, failure, masked, shown_status
from ovhflow.engine.planned import PLANNED, caused_by_planned, is_planned
from ovhflow.engine.scope import Scope
from ovhflow.engine.session import MAX_CONCURRENCY
from ovhflow.engine.stop import RunInterrupted, StopRequest
from ovhflow.errors import StepFailed
from ovhflow.recipe.model import Step
from ovhflow.templating.undefined import kind_of

if TYPE_CHECKING:
    from ovhflow.engine.steps import StepRunner

_POLL_SECONDS = 0.1  # how often the waiting thread wakes (to run signal handlers)


def run_items(
    count: int,
    work: Callable[[int], Outcome],
    concurrency: int,
    stop: StopRequest,
    keep_going: bool,
    on_done: Callable[[int, Outcome], None],
    reader: ReadAhead | None = None,
) -> BaseException | None:
    """Run ``work(index)`` for ``range(count)``, handing each outcome to ``on_done`` as it ends; return
    the error that stopped the loop, if any. With a ``reader``, an index is taken only once the objects
    its iteration GETs were read ahead (engine/batch.py), so the iterations still start in order.

    The error is a :class:`RunInterrupted` (stop requested) or whatever run-stopping error an iteration
    raised; step failures are outcomes, not errors. With ``concurrency`` above 1, ``concurrency`` worker
    threads take the next index themselves and call ``on_done`` in their own thread: no hand-off through
    the calling thread per item, which with 16 threads on a GIL costs as much as the engine's own work.
    """
    items = _Iterations(count, work, stop, keep_going, on_done, reader)
    if concurrency <= 1 or count <= 1:
        return items.in_order()
    return items.in_parallel(min(concurrency, count))


@dataclass
class _Iterations:
    """What :func:`run_items` runs, held once for its two ways of running it."""

    count: int
    work: Callable[[int], Outcome]
    stop: StopRequest
    keep_going: bool
    on_done: Callable[[int, Outcome], None]
    reader: ReadAhead | None

    def in_order(self) -> BaseException | None:
        """One iteration at a time, in the calling thread: no worker thread to start or join when only
        one iteration is ever in flight."""
        for index in range(self.count):
            if self.stop.requested:
                return RunInterrupted(self.stop)
            try:
                if self.reader is not None:
                    self.reader.prepare(index)
                outcome = self.work(index)
            except Exception as error:
                return error
            self.on_done(index, outcome)
            if outcome.failed and not self.keep_going:
                break
        return None

    def in_parallel(self, threads: int) -> BaseException | None:
        """On ``threads`` worker threads that each take the next index under one lock, so a failure or a
        stop request is seen before any further iteration starts."""
        count, stop, reader = self.count, self.stop, self.reader
        lock = threading.Lock()
        taken = 0
        failed = False
        stopping: list[BaseException] = []  # the first run-stopping error, if any

        def next_index() -> int | None:
            nonlocal taken
            while True:
                with lock:
                    if stopping or failed or taken >= count:
                        return None
                    if stop.requested:
                        stopping.append(RunInterrupted(stop))
                        return None
                    if reader is None or reader.ready(taken):
                        taken += 1
                        return taken - 1
                    wanted = taken
                reader.prepare(wanted)  # joins in the batch calls of its window, waits for them

        def worker() -> None:
            nonlocal failed
            try:
                while (index := next_index()) is not None:
                    outcome = self.work(index)
                    self.on_done(index, outcome)
                    if outcome.failed and not self.keep_going:
                        with lock:
                            failed = True
                    if reader is not None:
                        reader.between(index)
            except Exception as error:
                with lock:
                    stopping.append(error)

        abandoned = _run_threads(threads, worker, stop)
        return abandoned or (stopping[0] if stopping else None)


def _run_threads(number: int, target: Callable[[], None], stop: StopRequest) -> RunInterrupted | None:
    """Run ``target`` on ``number`` worker threads until they end, or until the grace of a stop ran out
    (then the interruption that abandons them)."""
    workers = [
        # each worker in a copy of this context: a loop in a step that retries (until:) knows it retries
        threading.Thread(
            target=contextvars.copy_context().run, args=(target,), name=f"ovhflow-loop-{index}", daemon=True
        )
        for index in range(number)
    ]
    for thread in workers:
        thread.start()
    for thread in workers:
        while thread.is_alive():  # a timed join keeps this thread free to run signal handlers
            thread.join(_POLL_SECONDS)
            if stop.overdue:  # iterations still waiting for the API are abandoned (engine/stop.py)
                return RunInterrupted(stop, abandoned=True)
    return None


def rendered_concurrency(value: Any, step: Step) -> int:
    """A templated ``concurrency`` once rendered: a whole number from 1 to 256, as a literal one must be."""
    if isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_CONCURRENCY:
        where = step.value_locations.get("concurrency", step.location)
        shown = repr(value) if len(repr(value)) <= 40 else f"a {type(value).__name__}"
        raise StepFailed(f"concurrency: {shown} is not a whole number from 1 to {MAX_CONCURRENCY}", where)
    return value


def loop_names(index: int, length: int) -> Namespace:
    """The ``loop`` a template sees in iteration ``index`` (from 0), named as Jinja's own ``loop``."""
    return Namespace(
        {
            "index": index + 1,
            "index0": index,
            "revindex": length - index,
            "revindex0": length - index - 1,
            "first": index == 0,
            "last": index == length - 1,
            "length": length,
        }
    )


DEFAULT_CONCURRENCY = 16  # iterations in flight for loops of API reads and idempotent writes
PARALLEL_ACTIONS = frozenset({"get", "put", "delete"})


def automatic_concurrency(step: Any) -> int:
    """A loop's concurrency when neither the step nor ``--concurrency`` sets one.

    :data:`DEFAULT_CONCURRENCY` when every action of an iteration is a GET, PUT or DELETE (groups of
    them included): their results are kept in the list's order whatever order they finish in, and the
    client's shared limiter slows every thread down at the API's first 429. One at a time otherwise:
    a POST creates something each time it is sent, and other actions (output, variables, includes,
    plugins' actions) may depend on the order the items run in.
    """
    return DEFAULT_CONCURRENCY if _parallel_safe(step) else 1


def _parallel_safe(step: Any) -> bool:
    if step.action == "steps":
        return bool(step.steps) and all(_parallel_safe(inner) for inner in step.steps)
    return step.action in PARALLEL_ACTIONS


def run_loop(
    runner: StepRunner, step: Step, scope: Scope
) -> tuple[Outcome, LoopRecords, BaseException | None]:
    """Run a looped step; return its overall outcome, the records of the items that ran (as much of them
    as engine/loop_records.py says to keep), and the error that stops the run (interrupt, rejected
    credentials, a bug), for the caller to raise once it reported the step."""
    runtime = runner.runtime
    prepared = _loop_list(runner, step, scope)
    if isinstance(prepared, Outcome):
        return prepared, LoopRecords(0, ALL), None
    items, concurrency = prepared
    variable = step.as_ or "item"
    records = LoopRecords(len(items), runtime.loop_keeping.get(id(step), ALL))
    failures: dict[int, Outcome] = {}

    def names(index: int) -> dict[str, Any]:
        return {variable: items[index], "loop": loop_names(index, len(items))}

    def on_done(index: int, outcome: Outcome) -> None:
        record = {
            "item": items[index],
            "status": outcome.status,
            "result": outcome.result,
            "error": outcome.error,
            "query_id": outcome.query_id,
        }
        records.add(index, record)
        if outcome.failed:
            failures[index] = outcome
        shown = {**record, "status": shown_status(step, outcome.status), "length": len(items)}
        runtime.emit("ovhflow_item_end", step_id=step.id, index=index, record=shown)

    def work(index: int) -> Outcome:
        return runner.run_once(step, scope, names(index))

    with ReadAhead(runner, step, scope, len(items), names, concurrency) as reader:
        stopping = run_items(len(items), work, concurrency, runtime.stop, step.ignore_errors, on_done, reader)
    return masked(_overall(step, records, failures, stopping), runtime.redactor), records, stopping


def _loop_list(runner: StepRunner, step: Step, scope: Scope) -> Outcome | tuple[list[Any], int]:
    """The rendered ``loop:`` list and the loop's concurrency, or the outcome that ends the step before
    any item runs: planned (check mode, the list depends on a planned answer) or failed (reported here,
    pointing at ``loop:``), so that :func:`run_loop` holds only the iterations themselves."""
    runtime = runner.runtime
    context = scope.context()
    where = step.value_locations.get("loop", step.location)  # errors of the list point at `loop:`
    try:
        values = runtime.renderer.render(step.loop, context)
        if runtime.check and is_planned(values):  # planned answers exist in check mode only
            return Outcome("planned", PLANNED, counted=True)
        if not isinstance(values, (list, tuple)):
            raise StepFailed(f"loop: expected a list, got {kind_of(values)}", where)
        concurrency = runtime.default_concurrency or automatic_concurrency(step)
        if step.concurrency is not None:
            concurrency = rendered_concurrency(runtime.renderer.render(step.concurrency, context), step)
    except Exception as error:
        if runtime.check and caused_by_planned(error):
            return Outcome("planned", PLANNED, counted=True)
        outcome = masked(failure(error, where), runtime.redactor)
        runtime.add_error(outcome.error or "loop failed", str(outcome.location), None, step.ignore_errors)
        outcome.counted = True
        return outcome
    return list(values), concurrency


def _overall(
    step: Step, records: LoopRecords, failures: dict[int, Outcome], stopping: BaseException | None
) -> Outcome:
    """A looped step's own outcome: the items' statuses aggregated, the error of the first item (in list
    order) that failed, or the run-stopping error other than an interruption, which fails the step."""
    first_failure = failures[min(failures)] if failures else None
    overall = Outcome(aggregate(records.statuses()), counted=True)
    if first_failure is not None:
        overall.error = first_failure.error
        overall.query_id = first_failure.query_id
        overall.location = first_failure.location
    if stopping is not None and not isinstance(stopping, RunInterrupted):
        stopped = failure(stopping, step.location)
        overall.status, overall.error, overall.location = "failed", stopped.error, stopped.location
        overall.query_id = getattr(stopping, "query_id", None)
    return overall
