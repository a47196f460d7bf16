"""Looped steps: items in order, ``concurrency`` iterations in flight, stopping cleanly.

Iterations run on a thread pool over the run's one shared client. At most ``concurrency`` are submitted
at a time, so a failure or a stop request is noticed before the rest of the list is queued: after a
failed iteration no new one starts (unless ``ignore_errors``), those in flight finish, and the step
fails. Results are kept by item index, so ``.results`` and ``.items`` follow the list's order whatever
order the iterations finished in. Only each item's record outlives its iteration: a loop over 20,000
objects holds 20,000 records, nothing more.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from typing import TYPE_CHECKING, Any

from ovhflow.engine.namespace import Namespace
from ovhflow.engine.outcome import Outcome, aggregate, failure
from ovhflow.engine.planned import PLANNED, caused_by_planned, is_planned
from ovhflow.engine.scope import Scope
from ovhflow.engine.stop import RunInterrupted, StopRequest

if TYPE_CHECKING:
    from ovhflow.engine.steps import StepRunner

_POLL_SECONDS = 0.1  # how often the waiting thread looks at the stop request


def run_items(
    count: int,
    work: Callable[[int], Outcome],
    concurrency: int,
    stop: StopRequest,
    keep_going: bool,
    on_done: Callable[[int, Outcome], None],
) -> BaseException | None:
    """Run ``work(index)`` for ``range(count)``, handing each outcome to ``on_done`` (in this thread);
    return the error that stopped the loop, if any.

    The error is a :class:`RunInterrupted` (stop requested) or whatever run-stopping error an iteration
    raised; step failures are outcomes, not errors.
    """
    if concurrency <= 1 or count <= 1:
        for index in range(count):
            if stop.requested:
                return RunInterrupted(stop)
            try:
                outcome = work(index)
            except Exception as error:
                return error
            on_done(index, outcome)
            if outcome.failed and not keep_going:
                break
        return None

    stopping: BaseException | None = None
    failed = False
    next_index = 0
    pending: dict[Future[Outcome], int] = {}
    with ThreadPoolExecutor(max_workers=min(concurrency, count), thread_name_prefix="ovhflow-loop") as pool:
        while True:
            while stopping is None and not failed and next_index < count and len(pending) < concurrency:
                if stop.requested:
                    stopping = RunInterrupted(stop)
                    break
                pending[pool.submit(work, next_index)] = next_index
                next_index += 1
            if not pending:
                break
            done, _ = wait(pending, timeout=_POLL_SECONDS, return_when=FIRST_COMPLETED)
            for future in done:
                index = pending.pop(future)
                try:
                    outcome = future.result()
                except Exception as error:
                    stopping = stopping or error
                    continue
                on_done(index, outcome)
                failed = failed or (outcome.failed and not keep_going)
            if stopping is None and stop.requested and next_index < count:
                stopping = RunInterrupted(stop)
    return stopping


def run_loop(
    runner: StepRunner, step: Any, scope: Scope
) -> tuple[Outcome, list[dict[str, Any]], BaseException | None]:
    """Run a looped step; return its overall outcome, one record per item that ran, and the error that
    stops the run (interrupt, rejected credentials, a bug), for the caller to raise once it reported the
    step."""
    runtime = runner.runtime
    context = scope.context()
    try:
        values = runtime.renderer.render(step.loop, context)
        if is_planned(values):
            runtime.count("planned")
            return Outcome("planned", PLANNED, counted=True), [], None
        if not isinstance(values, (list, tuple)):
            raise TypeError(f"loop: expected a list, got {type(values).__name__}")
        concurrency = runtime.default_concurrency
        if step.concurrency is not None:
            concurrency = int(runtime.renderer.render(step.concurrency, context))
    except Exception as error:
        if runtime.check and caused_by_planned(error):
            runtime.count("planned")
            return Outcome("planned", PLANNED, counted=True), [], None
        outcome = failure(error, step.location)
        runtime.count("failed")
        runtime.add_error(outcome.error or "loop failed", str(outcome.location), None)
        return outcome, [], None

    items = list(values)
    variable = step.as_ or "item"
    records: list[dict[str, Any] | None] = [None] * len(items)
    failures: dict[int, Outcome] = {}

    def names(index: int) -> dict[str, Any]:
        loop = {"index": index, "first": index == 0, "last": index == len(items) - 1, "length": len(items)}
        return {variable: items[index], "loop": Namespace(loop)}

    def on_done(index: int, outcome: Outcome) -> None:
        record = {
            "item": items[index],
            "status": outcome.status,
            "result": outcome.result,
            "error": outcome.error,
            "query_id": outcome.query_id,
        }
        records[index] = record
        if outcome.failed:
            failures[index] = outcome
        runtime.emit(
            "ovhflow_item_end", step_id=step.id, index=index, record={**record, "length": len(items)}
        )

    from ovhflow.engine.batch import batch_requested, run_batched

    if batch_requested(step):
        stopping = run_batched(runner, step, scope, items, names, on_done, concurrency)
    else:
        stopping = run_items(
            len(items),
            lambda index: runner.run_once(step, scope, names(index)),
            concurrency,
            runtime.stop,
            bool(step.ignore_errors),
            on_done,
        )
    ordered = [record for record in records if record is not None]
    first_failure = failures[min(failures)] if failures else None
    overall = Outcome(aggregate(record["status"] for record in ordered), counted=True)
    if first_failure is not None:
        overall.error = first_failure.error
        overall.query_id = first_failure.query_id
        overall.location = first_failure.location
    if stopping is not None and not isinstance(stopping, RunInterrupted):
        stopped = failure(stopping, step.location)
        overall.status, overall.error, overall.location = "failed", stopped.error, stopped.location
        overall.query_id = getattr(stopping, "query_id", None)
    return overall, ordered, stopping
