"""The :class:`ovhflow.plugin_api.ActionCall` an action's ``run`` receives, bound to one step execution."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from ovhflow.engine.outcome import fatal_error
from ovhflow.engine.planned import PlannedDependency, planned_answer
from ovhflow.engine.runtime import Runtime, attempts
from ovhflow.engine.scope import Scope
from ovhflow.engine.stop import RunInterrupted
from ovhflow.engine.value_checks import check_wire_numbers
from ovhflow.errors import PlanMismatch, StepFailed, http_status, one_line_message
from ovhflow.ovh import listing
from ovhflow.ovh.exceptions import AnswerUnreadable
from ovhflow.plan.diff import as_json, change_lines, field_changes
from ovhflow.plan.placeholders import placeholder_lines, planned_with_placeholders
from ovhflow.plan.show import attempts_lines
from ovhflow.plugin_api import HttpRequest, HttpResponse, describe_write
from ovhflow.recipe.model import SET_RESERVED_NAMES, Step

ITEM_NAME_KEYS = ("name", "serviceName", "id", "ip", "domain")  # a loop item's name, for plans


def plan_line(request: HttpRequest) -> str:
    """One line of check mode's plan (stdout): the write that would be sent, body as JSON."""
    return "plan: " + describe_write(request.method, request.path, request.query, request.body)


class StepCall:
    """One run of one action: its rendered arguments, the step's context, and what it sent."""

    def __init__(
        self,
        runtime: Runtime,
        scope: Scope,
        step: Step,
        args: Any,
        options: Mapping[str, Any],
    ) -> None:
        self._runtime = runtime
        self._scope = scope
        self._step = step
        self.args = args
        self.options = options
        self.check = runtime.check
        self.output_folder = runtime.output_folder
        self.sent_writes = 0
        self.planned_writes = 0
        self.query_id: str | None = None

    def _context(self, extra: Mapping[str, Any] | None) -> dict[str, Any]:
        return self._scope.context(extra)

    def render(self, value: Any, extra: Mapping[str, Any] | None = None) -> Any:
        return self._runtime.renderer.render(value, self._context(extra))

    def render_path(self, template: str, extra: Mapping[str, Any] | None = None) -> str:
        return self._runtime.renderer.render_path(template, self._context(extra))

    def evaluate(self, expression: Any, extra: Mapping[str, Any] | None = None) -> Any:
        return self._runtime.renderer.evaluate(expression, self._context(extra))

    def set_variables(self, values: Mapping[str, Any]) -> None:
        reserved = sorted(SET_RESERVED_NAMES.intersection(values))
        if reserved:
            raise StepFailed(f"set: {', '.join(reserved)} is a reserved name, choose another")
        self._scope.set_variables(values)

    def http(self, request: HttpRequest) -> HttpResponse:
        runtime = self._runtime
        request, change = self._checked(request)
        holes = change.get("placeholders", [])
        try:
            response = runtime.send(request, change["step"])
        except RunInterrupted:
            raise  # not sent, or abandoned unanswered: the run's end reports it (engine/stop.py)
        except PlanMismatch as mismatch:
            runtime.add_change({**change, "status": "not sent"})
            mismatch.location = mismatch.location or self._step.location
            raise
        except AnswerUnreadable as error:  # applied (2xx), its answer cut off: as a write a stop abandoned
            raise self._unreadable(change, error) from error
        except Exception as error:
            self.query_id = getattr(error, "query_id", None)
            if request.is_write:
                runtime.add_change({**change, "status": "failed", "query_id": self.query_id})
            if fatal_error(error, None) is not None:
                raise
            raise self._failed(request, error) from error
        self.query_id = response.query_id
        if request.is_write:
            lines = change_lines(change.get("changes"))
            if response.planned:
                self.planned_writes += 1
                lines += placeholder_lines(holes) + attempts_lines(change.get("attempts"))
                runtime.output(runtime.redactor.text("\n    ".join([plan_line(request), *lines])))
                step_id = self._step.id
                response = dataclasses.replace(
                    response, data=planned_answer(f"steps.{step_id}.result" if step_id else "result")
                )
            else:
                self.sent_writes += 1
                if lines:
                    self.log(f"{request.method} {request.path}: {'; '.join(lines)}")
            change.pop("changes", None)
            status = "planned" if response.planned else "changed"
            runtime.add_change(
                {**change, "status": status, "http_status": response.status, "query_id": response.query_id}
            )
        return response

    def _checked(self, request: HttpRequest) -> tuple[HttpRequest, dict[str, Any]]:
        """The request to send, refused when a number cannot go on the wire, and its change record;
        in check mode, with its placeholders shown as a plan shows them."""
        locations = getattr(self._step, "value_locations", {})
        for what, value in (("body", request.body), ("query", request.query)):
            try:
                check_wire_numbers(what, value)
            except StepFailed as refused:
                refused.location = locations.get(what, self._step.location)
                raise
        holes: list[dict[str, Any]] = []
        if self.check:  # placeholders exist in check mode only (engine/planned.py)
            request, holes = planned_with_placeholders(request)
            if holes and not request.is_write:
                raise PlannedDependency()  # a read needs the answer: the step is planned, not sent
        change: dict[str, Any] = {
            "method": request.method,
            "path": request.path,
            "body": request.body,
            "step": str(self._step.location),
        }
        if holes:
            change["placeholders"] = holes
        if request.is_write and self._runtime.diff:  # a diff, or a plan (which includes diffs), is asked
            change.update(self._write_details(request, any(h["in"] == "path" for h in holes)))
        return request, change

    def _unreadable(self, change: dict[str, Any], error: AnswerUnreadable) -> StepFailed:
        """Record a write the API applied but whose answer was cut off as a change of unknown outcome
        (the operator checks it, as one a stop abandoned), and return the step's failure: its result is
        unreadable, so nothing after it may use it."""
        self.query_id = error.query_id
        status = http_status(error)
        reason = f"was answered HTTP {status} but its answer was cut off"
        unknown = {"status": "unknown", "http_status": status, "query_id": self.query_id, "reason": reason}
        self._runtime.add_change({**change, **unknown})
        message = f"{error.message}: applied, but its result is unreadable; check it before running again"
        return StepFailed(message, None, self.query_id)

    def _write_details(self, request: HttpRequest, unknown_path: bool = False) -> dict[str, Any]:
        """What a diff or a plan records of a write beyond the request: the step's id, the loop item and
        what a PUT changes (the current value is read first: a GET, allowed in check mode, unless the
        path has a placeholder: then what it would change is not known)."""
        item = self._scope.loop_item()
        if isinstance(item, Mapping):
            item = next((item[key] for key in ITEM_NAME_KEYS if key in item), None)
        details: dict[str, Any] = {
            "step_id": self._step.id or self._step.name,
            "action": self._step.action,  # how plan show names a step with neither id nor name
            "location": str(self._step.location),
            "item": item,
            "query": dict(request.query) if request.query else None,
            "diff": None,
        }
        if attempts() > 1:  # its step (or one around it) retries with until: the write may be sent again
            details["attempts"] = attempts()
        if request.method == "PUT" and not unknown_path:
            try:
                current = self._runtime.send(HttpRequest("GET", request.path)).data
            except RunInterrupted:
                raise
            except Exception:  # noqa: BLE001 - not every PUT path can be read: the diff is then unknown
                return details
            changes = field_changes(current, request.body)
            details.update(changes=changes, diff=as_json(changes))
        return details

    def expanded(self, path: str) -> list[Any]:
        runtime = self._runtime
        try:
            return list(listing.iter_expanded(runtime.get, runtime.refusals, path))
        except RunInterrupted:
            raise
        except Exception as error:
            self.query_id = getattr(error, "query_id", None)
            if fatal_error(error, None) is not None:
                raise
            raise self._failed(HttpRequest("GET", path), error) from error

    def _failed(self, request: HttpRequest, error: Exception) -> StepFailed:
        """A step failure that says which call failed: in a loop, the path tells the items apart."""
        status, text = http_status(error), one_line_message(error)
        suffix = f" (HTTP {status})" if status and f"HTTP {status}" not in text else ""  # said once
        call = f"{request.method} {request.path}"
        said = text if text.startswith(f"{call}: ") else f"{call}: {text}"  # the client's network errors
        return StepFailed(f"{said}{suffix}", None, self.query_id)

    def log(self, message: str) -> None:
        self._runtime.message(message, getattr(self._step, "id", None))

    def output(self, text: str) -> None:
        self._runtime.output(text)
