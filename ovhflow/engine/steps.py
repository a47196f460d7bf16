"""Running steps: ``when``, ``until``/``retries``, ``log`` beside an action, ``ignore_errors``, events.

:class:`StepRunner` walks a list of steps in a :class:`Scope`. Loops are in :mod:`ovhflow.engine.loop`,
groups and includes in :mod:`ovhflow.engine.composite`; each loop item or single execution goes through
:meth:`StepRunner.run_once`, which never raises for a step failure (it returns a failed
:class:`Outcome`) but lets run-stopping errors through (rejected credentials, interrupts).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from ovhflow.engine.action_call import StepCall
from ovhflow.engine.loop import run_loop
from ovhflow.engine.namespace import StepRecord
from ovhflow.engine.outcome import Outcome, failure, fatal_error, masked, shown_status
from ovhflow.engine.planned import PLANNED, caused_by_planned, is_planned, placeholders
from ovhflow.engine.runtime import Runtime, retried
from ovhflow.engine.scope import Scope
from ovhflow.engine.step_report import step_report
from ovhflow.engine.stop import RunInterrupted
from ovhflow.engine.value_checks import check_output_paths
from ovhflow.errors import ConfigError, PlanMismatch, StepFailed
from ovhflow.plugin_api import ActionSpec, StepReport
from ovhflow.recipe.model import DEFAULT_DELAY, DEFAULT_RETRIES, Step

# ovhflow/actions/http.py: in check mode, the path, query and body of these writes may hold placeholders
PLACEHOLDER_ACTIONS = frozenset({"post", "put", "delete"})

CompositeAction = Callable[["StepRunner", Step, Scope], Outcome]
"""How a step made of steps (a group, an include) runs: given the runner, the step and its scope."""


class StepRunner:
    """Runs steps for one run; thread-safe (loop iterations call :meth:`run_once` concurrently).

    ``composites`` maps the step keywords whose steps are steps (``steps``, ``include``) to the function
    that runs them; :func:`ovhflow.engine.runner.run_recipe` owns that table, so this module does not
    depend on :mod:`ovhflow.engine.composite`, which depends on it.
    """

    def __init__(self, runtime: Runtime, composites: Mapping[str, CompositeAction] | None = None) -> None:
        self.runtime = runtime
        self.composites: Mapping[str, CompositeAction] = composites or {}

    # -- a list of steps -------------------------------------------------------------------------

    def run_steps(self, steps: Sequence[Any], scope: Scope) -> list[str]:
        """Run ``steps`` in order; return their statuses; raise :class:`StepFailed` on a failure."""
        statuses = []
        for step in steps:
            self.runtime.stop.raise_if_requested()
            statuses.append(self.run_step(step, scope))
        return statuses

    def run_step(self, step: Step, scope: Scope) -> str:
        """Run one step (all its loop items), record it as ``steps.<id>``, report it; return its status."""
        started = time.monotonic()
        location = str(step.location)
        events = not scope.in_iteration
        if events:
            self.runtime.emit("ovhflow_step_start", step_id=step.id, name=step.label, location=location)
        # An error that stops the run (interrupt, rejected credentials) is raised once the step is reported.
        stopping: BaseException | None = None
        items: list[dict[str, Any]] | None = None
        statuses: list[str] | None = None
        if step.loop is None:
            try:
                outcome = self.run_once(step, scope)
            except (RunInterrupted, ConfigError, PlanMismatch) as stop:
                outcome, stopping = masked(failure(stop, step.location), self.runtime.redactor), stop
                # a group's inner step reported this failure already; a plain step's line shows it now,
                # and the report's errors say which step the stop (or the rejection) ended and why
                outcome.counted = step.action in self.composites
                if not outcome.counted:
                    where = str(outcome.location or step.location)
                    self.runtime.add_error(outcome.error or "step stopped", where, outcome.query_id)
            record = StepRecord.single(outcome.status, outcome.result, outcome.error)
        else:
            outcome, kept, stopping = run_loop(self, step, scope)
            record = kept.step_record(outcome.status, outcome.error)
            items, statuses = kept.items(), kept.statuses()
        scope.record(step.id, record)
        # ignore_errors ignores the step's own failure, not rejected credentials or configuration (nor a
        # refused plan write): those stop the run; the step's line and counts say 'failed', as its exit does
        fatal = stopping is not None and not isinstance(stopping, RunInterrupted)
        if events:  # a step inside a loop iteration reports through its item: no report to build
            report = step_report(
                step,
                record["results"] if step.loop is not None else outcome.result,
                statuses,
                items,
                step_id=step.id,
                name=step.label,
                action=step.action,
                location=location,
                status=outcome.status if fatal else shown_status(step, outcome.status),
                duration=time.monotonic() - started,
                error=self.runtime.redactor.text(outcome.error) if outcome.error else None,
                query_id=outcome.query_id,
            )
            self._count(step, outcome, report)
            self.runtime.emit("ovhflow_step_end", report=report)
        if stopping is not None:
            raise stopping
        if outcome.failed and not step.ignore_errors:
            raise outcome.as_error(step.location)
        return outcome.status

    def _count(self, step: Any, outcome: Outcome, report: StepReport) -> None:
        """Add what the step's log line shows to the run's counts; see "What the counts count" in the
        README. A looped step counts each item (and one failure when the loop itself failed); a step
        once; a group or include once only when its steps did not run, as their own lines count them."""
        if step.loop is not None:
            counts = report.item_counts()
            if not counts or (outcome.failed and "failed" not in counts and "ignored" not in counts):
                counts[report.status] = counts.get(report.status, 0) + 1
        elif step.action in self.composites and outcome.counted:
            counts = {}
        else:
            counts = {report.status: 1}
        self.runtime.count_many(counts)

    # -- one execution (a step without loop, or one loop item) ----------------------------------

    def run_once(self, step: Step, scope: Scope, names: Mapping[str, Any] | None = None) -> Outcome:
        """Run ``step`` once in ``scope`` plus ``names`` (the loop variable and ``loop``)."""
        here = scope.child(names) if names else scope
        try:
            outcome = self._when_then_attempts(step, here)
        except (ConfigError, RunInterrupted):
            raise
        except Exception as error:
            fatal = fatal_error(error, step.location)
            if fatal is not None:
                raise fatal from error
            if self.runtime.check and caused_by_planned(error):
                outcome = Outcome("planned", PLANNED)
            else:
                outcome = failure(error, step.location)
        masked(outcome, self.runtime.redactor)  # what steps.<id>.error and the report hold
        if outcome.failed and not outcome.counted:
            where = str(outcome.location or step.location)
            message = outcome.error or "step failed"
            self.runtime.add_error(message, where, outcome.query_id, step.ignore_errors)
        return outcome

    def _when_then_attempts(self, step: Step, scope: Scope) -> Outcome:
        if step.when is not None:
            condition = self.runtime.renderer.evaluate(step.when, scope.context())
            if is_planned(condition):
                return Outcome("planned", PLANNED)
            if not condition:
                return Outcome("skipped")
        outcome = self._attempts(step, scope)
        if step.log is not None and step.action != "log" and outcome.status != "failed":
            self._log_after(step, scope, outcome)
        if outcome.status in ("ok", "changed"):
            outcome.result = self.kept(step, scope, outcome.result)
        return outcome

    def kept(self, step: Step, scope: Scope, result: Any) -> Any:
        """What ``steps.<id>`` records of one result: all of it, nothing (``keep: false``), or the
        ``keep:`` template rendered over it. ``log`` and ``until`` saw the whole result before this."""
        if step.keep is True:
            return result
        if step.keep is False:
            return None
        return self.runtime.renderer.render(step.keep, scope.context({"result": result}))

    def _attempts(self, step: Step, scope: Scope) -> Outcome:
        """Execute the step; with ``until``, again until the condition holds or ``retries`` run out."""
        if step.until is None:
            return self.execute(step, scope)
        render = self.runtime.renderer.render
        context = scope.context()
        retries = int(render(step.retries, context)) if step.retries is not None else DEFAULT_RETRIES
        delay = float(render(step.delay, context)) if step.delay is not None else DEFAULT_DELAY
        backoff = float(render(step.backoff, context)) if step.backoff is not None else 1.0
        with retried(retries + 1):  # a plan lets its writes be sent that often (engine/runtime.py)
            return self._until(step, scope, retries, delay, backoff)

    def _until(self, step: Step, scope: Scope, retries: int, delay: float, backoff: float) -> Outcome:
        attempt = 0
        while True:
            outcome = self.execute(step, scope)
            if outcome.status in ("failed", "planned", "skipped"):
                return outcome
            done = self.runtime.renderer.evaluate(step.until, scope.context({"result": outcome.result}))
            if is_planned(done):
                return Outcome("planned", PLANNED, counted=outcome.counted)
            if done:
                return outcome
            if attempt >= retries:
                return Outcome(
                    "failed",
                    outcome.result,
                    error=f"until condition {step.until!r} still false after {attempt + 1} attempts",
                    query_id=outcome.query_id,
                    location=step.location,
                )
            self.runtime.stop.sleep(delay * (backoff**attempt))
            attempt += 1

    def _log_after(self, step: Step, scope: Scope, outcome: Outcome) -> None:
        """The ``log:`` beside an action, rendered once it ran: it sees ``result`` and ``steps.<id>``."""
        if step.loop is None:
            scope.record(step.id, StepRecord.single(outcome.status, outcome.result, outcome.error))
        text = str(self.runtime.renderer.render(step.log, scope.context({"result": outcome.result})))
        if outcome.status == "planned":  # check mode: say it would happen, not that it did
            text = f"(planned) {text}"
        self.runtime.message(text, step.id)

    # -- the action itself ------------------------------------------------------------------------

    def execute(self, step: Step, scope: Scope) -> Outcome:
        """One attempt of the step's action (a plugin action, a group or an include)."""
        composite = self.composites.get(step.action)
        if composite is not None:
            return composite(self, step, scope)
        spec = self.runtime.plugins.actions.get(step.action)
        if spec is None:  # validation rejects unknown actions; this guards a recipe built by hand
            raise StepFailed(f"unknown action {step.action!r}", step.location)
        if self.runtime.check and step.action in PLACEHOLDER_ACTIONS:
            with placeholders():  # an answer check mode only planned goes in the plan as a placeholder
                return self._run_action(spec, step, scope)
        return self._run_action(spec, step, scope)

    def _run_action(self, spec: ActionSpec, step: Step, scope: Scope) -> Outcome:
        render = self.runtime.renderer.render
        context = scope.context()
        args = step.args
        if "args" not in spec.lazy:
            if isinstance(args, Mapping):
                args = {k: v if k in spec.lazy else render(v, context) for k, v in args.items()}
            else:
                args = render(args, context)
        options = {k: v if k in spec.lazy else render(v, context) for k, v in (step.options or {}).items()}
        if spec.output_paths:
            where = getattr(step.args, "value_locations", {})
            check_output_paths(
                args, spec.output_paths, spec.name, self.runtime.output_folder, where, step.location
            )
        # planned values exist in check mode only: outside it, skip the deep scans (one per call)
        if self.runtime.check and (is_planned(args) or is_planned(options)):
            return Outcome("planned", PLANNED)
        if self.runtime.check and spec.writes:
            self.runtime.add_change({"action": spec.name, "step": str(step.location), "status": "planned"})
            return Outcome("planned", PLANNED)
        call = StepCall(self.runtime, scope, step, args, options)
        try:
            result = spec.run(call)
        except Exception as error:
            if getattr(error, "query_id", None) is None and call.query_id:
                error.query_id = call.query_id  # type: ignore[attr-defined]
            raise
        if isinstance(result, str):  # a message's text (log, print) holds secrets masked for later templates
            result = self.runtime.redactor.text(result)
        if call.sent_writes:
            status = "changed"
        elif call.planned_writes or (self.runtime.check and is_planned(result)):
            status = "planned"
        else:
            status = "ok"
        return Outcome(status, result, query_id=call.query_id)
