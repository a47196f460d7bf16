"""Applying a plan: only the writes a person reviewed are sent.

Registered for ``ovhflow run --plan FILE``, in front of every other implementation of the HTTP hook (as
check mode is), so every write of the run, whatever step or plugin makes it, meets it before it can be
sent. A write must equal a planned write not used yet (method, path, query and body; a placeholder of
the plan, :mod:`ovhflow.plan.placeholders`, matches any value of its type) *of the same step*: the
step at the same place in the recipe. Anything else is not sent and stops the run with exit 5: the API
(or the account) changed since the plan was made.

Order: steps run one after the other, so the writes of a step all come after those of the steps before
it, as in the plan; the gate adds that a write can only use its own step's planned writes (the same
request made by another step, because the run took another branch than the check did, is refused).
Among one step's writes any order is accepted: a loop runs its items concurrently. Each planned write
lets through at most one write, or as many as its ``attempts`` when its step (or one around it) retries
with ``until:``: the same write sent again by a retry. Reads are never gated. Planned writes are found by key
(:mod:`ovhflow.plan.index`), not by a walk of the plan: applying a plan of 10,000 writes stays linear.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from typing import Any

from ovhflow import hookimpl
from ovhflow.engine.runtime import sending_step
from ovhflow.errors import PlanMismatch
from ovhflow.plan.document import relative_to_recipe
from ovhflow.plan.index import Entry, PlannedIndex, canonical
from ovhflow.plan.placeholders import filled_in
from ovhflow.plugin_api import ApiClient, HttpRequest, HttpResponse, RunInfo, describe_write
from ovhflow.reporting.redaction import Redactor

PLUGIN_NAME = "plan-gate"


def matches(planned: Mapping[str, Any], request: HttpRequest) -> bool:
    """Whether ``request`` is the write ``planned`` describes (its placeholders matching their type)."""
    if planned.get("method") != request.method:
        return False
    if planned.get("placeholders"):
        filled = filled_in(planned, request)
        if filled is None:
            return False
        planned = filled
    return (
        planned.get("path") == request.path
        and canonical(planned.get("query") or {}) == canonical(dict(request.query or {}))
        and canonical(planned.get("body")) == canonical(request.body)
    )


def step_key(location: Any, recipe_path: str) -> str | None:
    """A step's location relative to the recipe's folder: the same step whether the plan and the
    apply spell the recipe's path alike (``burst.yaml``) or not (``/etc/ovhflow/burst.yaml``)."""
    return None if location is None else relative_to_recipe(str(location), recipe_path)


def _likeness(planned: Mapping[str, Any], request: HttpRequest) -> tuple[int, int]:
    same_path = planned.get("path") == request.path
    segments = zip(str(planned.get("path", "")).split("/"), request.path.split("/"), strict=False)
    return (
        int(planned.get("method") == request.method) + 2 * int(same_path),
        sum(a == b for a, b in segments),
    )


def _nearest(left: list[Mapping[str, Any]], request: HttpRequest, same: Mapping[str, Any] | None) -> str:
    """What the refusal says of the plan: the same write planned for another step, or the nearest."""
    if same is not None:
        return f"the plan has it for another step, at {same.get('location')}"
    nearest = max(left, key=lambda p: _likeness(p, request), default=None)
    if nearest is None:
        return "the plan has no write left"
    where = f" (planned at {nearest['location']})" if nearest.get("location") else ""
    text = describe_write(nearest["method"], nearest["path"], nearest.get("query"), nearest.get("body"))
    return f"the nearest planned write is {text}{where}"


class PlanGate:
    """The plugin object; :attr:`unused` lists the planned writes the run did not need."""

    def __init__(
        self,
        writes: list[Mapping[str, Any]],
        redactor: Redactor,
        planned_from: str = "",
        applied_to: str = "",
    ) -> None:
        """``planned_from`` and ``applied_to``: the recipe's path as the plan and this run spell it."""
        entries = (
            Entry(n, step_key(w.get("location"), planned_from), w, int(w.get("attempts") or 1))
            for n, w in enumerate(writes)
        )
        self._planned = PlannedIndex(entries, matches)
        self._recipe = applied_to
        self._redactor = redactor  # a plan holds secrets masked: writes are compared masked the same way
        self._lock = threading.Lock()
        self._refused = False  # the run stopped at a write the plan does not have

    @property
    def unused(self) -> list[Mapping[str, Any]]:
        with self._lock:
            return [entry.write for entry in self._planned.entries if not entry.used]

    @hookimpl(tryfirst=True)
    def ovhflow_http_request(
        self, request: HttpRequest, client: ApiClient, check: bool
    ) -> HttpResponse | None:
        if check or not request.is_write:
            return None
        masked = HttpRequest(
            request.method,
            self._redactor.text(request.path),
            self._redactor.data(request.query),
            self._redactor.data(request.body),
        )
        step = step_key(sending_step(), self._recipe)
        with self._lock:
            if self._planned.take(step, masked) is not None:
                return None  # reviewed: the next implementation sends it
            self._refused = True
            remaining = self._planned.left()
            left = [entry.write for entry in remaining]
            same = next((e.write for e in remaining if e.step != step and matches(e.write, masked)), None)
        described = describe_write(masked.method, masked.path, masked.query, masked.body)
        raise PlanMismatch(masked.method, masked.path, described, _nearest(left, masked, same))

    @hookimpl(tryfirst=True)
    def ovhflow_run_end(self, run: RunInfo) -> None:
        """The planned writes the run did not need (the account already had them) join the report, or
        those it did not reach, when it stopped at a write the plan does not have."""
        status = "not reached" if self._refused else "not needed"
        for planned in self.unused:
            run.changes.append({**planned, "status": status})
