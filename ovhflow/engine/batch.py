"""``batch: true`` on a looped GET of ``…/{{ item }}``: many objects per call through the client.

Each item's ``when`` and path are rendered as usual; the items whose paths share everything but the
last segment are fetched as :meth:`ovhflow.ovh.Client.get_batch` does (``X-Ovh-Batch``, 50 keys a call,
falling back to one GET per key where the API refuses batch reads), each call through the
``ovhflow_http_request`` hook like any other request of the run. A key the API answered with an error is a
failed item, as it would be in a plain loop.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ovhflow.engine.outcome import Outcome, failure, fatal_error
from ovhflow.engine.planned import PLANNED, caused_by_planned, is_planned
from ovhflow.engine.scope import Scope
from ovhflow.engine.stop import RequestAbandoned, RunInterrupted
from ovhflow.ovh import listing
from ovhflow.recipe.model import Step

if TYPE_CHECKING:
    from ovhflow.engine.steps import StepRunner


def batch_requested(step: Step) -> bool:
    return step.action == "get" and bool((step.options or {}).get("batch")) and step.until is None


def run_batched(
    runner: StepRunner,
    step: Step,
    scope: Scope,
    items: list[Any],
    names: Callable[[int], dict[str, Any]],
    on_done: Callable[[int, Outcome], None],
    concurrency: int = 1,
) -> BaseException | None:
    """Fetch every item's object in batches (``concurrency`` batches in flight); like :func:`run_items`."""
    runtime = runner.runtime
    outcomes: dict[int, Outcome] = {}
    groups: dict[str, list[tuple[int, str]]] = {}
    for index in range(len(items)):
        here = scope.child(names(index))
        try:
            if step.when is not None:
                condition = runtime.renderer.evaluate(step.when, here.context())
                if is_planned(condition) or not condition:
                    outcomes[index] = Outcome("planned" if is_planned(condition) else "skipped")
                    continue
            path = runtime.renderer.render_path(step.args, here.context())
        except Exception as error:
            if runtime.check and caused_by_planned(error):
                outcomes[index] = Outcome("planned", PLANNED)
            else:
                outcomes[index] = failure(error, step.location)
            continue
        prefix, _, key = path.rpartition("/")
        groups.setdefault(prefix, []).append((index, key))

    stopping: BaseException | None = None
    for prefix, members in groups.items():
        if runtime.stop.requested:
            stopping = RunInterrupted(runtime.stop)
            break
        try:
            keys = [key for _, key in members]
            with runtime.stop.waiting_on_network():  # batches on other threads: this one waits
                answers = listing.get_batch(
                    runtime.get, runtime.refusals, prefix, keys, concurrency=concurrency
                )
        except RunInterrupted as interrupted:
            stopping = interrupted
            break
        except RequestAbandoned:
            stopping = RunInterrupted(runtime.stop, abandoned=True)
            break
        except Exception as error:
            fatal = fatal_error(error, step.location)
            if fatal is not None:
                stopping = fatal
                break
            for index, _ in members:
                outcomes[index] = failure(error, step.location)
            continue
        for (index, _), answer in zip(members, answers, strict=True):
            if answer.get("error"):
                outcome = Outcome("failed", error=str(answer["error"]), location=step.location)
            else:
                outcome = Outcome("ok", answer.get("value"))
            outcomes[index] = outcome

    for index in sorted(outcomes):
        outcome = outcomes.pop(index)
        if outcome.status == "ok":
            outcome = _after_answer(runner, step, scope.child(names(index)), outcome)
        runtime.count(outcome.status)
        if outcome.failed:
            runtime.add_error(
                outcome.error or "failed", str(outcome.location or step.location), outcome.query_id
            )
        outcome.counted = True
        on_done(index, outcome)
    return stopping


def _after_answer(runner: StepRunner, step: Step, here: Scope, outcome: Outcome) -> Outcome:
    """The step's ``log:`` and ``keep:`` for one answered item, as a plain loop applies them."""
    try:
        if step.log is not None:
            text = runner.runtime.renderer.render(step.log, here.context({"result": outcome.result}))
            runner.runtime.message(str(text), step.id)
        outcome.result = runner.kept(step, here, outcome.result)
    except Exception as error:
        return failure(error, step.location)
    return outcome
