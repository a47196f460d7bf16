"""Applying a plan: only the writes a person reviewed are sent.

Registered for ``ovhflow run --plan FILE``, in front of every other implementation of the HTTP hook (as
check mode is), so every write of the run, whatever step or plugin makes it, meets it before it can be
sent. A write must equal a planned write not used yet (method, path, query and body); anything else is
not sent and stops the run with exit 5: the API (or the account) changed since the plan was made.
Writes of a loop that runs items concurrently may come in another order than planned; each planned
write still lets through at most one write. Reads are never gated.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Mapping
from typing import Any

from ovhflow import hookimpl
from ovhflow.errors import PlanMismatch
from ovhflow.plan.document import describe_write
from ovhflow.plugin_api import ApiClient, HttpRequest, HttpResponse, RunInfo
from ovhflow.reporting.redaction import Redactor

PLUGIN_NAME = "plan-gate"


def _same_json(a: Any, b: Any) -> bool:
    return json.dumps(a, sort_keys=True, default=str) == json.dumps(b, sort_keys=True, default=str)


def matches(planned: Mapping[str, Any], request: HttpRequest) -> bool:
    """Whether ``request`` is the write ``planned`` describes."""
    return (
        planned.get("method") == request.method
        and planned.get("path") == request.path
        and _same_json(planned.get("query") or {}, dict(request.query or {}))
        and _same_json(planned.get("body"), request.body)
    )


def _likeness(planned: Mapping[str, Any], request: HttpRequest) -> tuple[int, int]:
    same_path = planned.get("path") == request.path
    segments = zip(str(planned.get("path", "")).split("/"), request.path.split("/"), strict=False)
    return (
        int(planned.get("method") == request.method) + 2 * int(same_path),
        sum(a == b for a, b in segments),
    )


class PlanGate:
    """The plugin object; :attr:`unused` lists the planned writes the run did not need."""

    def __init__(self, writes: list[Mapping[str, Any]], redactor: Redactor) -> None:
        self._remaining = list(writes)
        self._redactor = redactor  # a plan holds secrets masked: writes are compared masked the same way
        self._lock = threading.Lock()

    @property
    def unused(self) -> list[Mapping[str, Any]]:
        with self._lock:
            return list(self._remaining)

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
        with self._lock:
            for index, planned in enumerate(self._remaining):
                if matches(planned, masked):
                    del self._remaining[index]
                    return None  # reviewed: the next implementation sends it
            nearest = max(self._remaining, key=lambda p: _likeness(p, masked), default=None)
        sent = describe_write(masked.method, masked.path, masked.query, masked.body)
        if nearest is None:
            reason = "the plan has no write left"
        else:
            where = f" (planned at {nearest['location']})" if nearest.get("location") else ""
            planned_text = describe_write(
                nearest["method"], nearest["path"], nearest.get("query"), nearest.get("body")
            )
            reason = f"the nearest planned write is {planned_text}{where}"
        raise PlanMismatch(f"{sent}: not in the reviewed plan, so not sent; {reason}")

    @hookimpl(tryfirst=True)
    def ovhflow_run_end(self, run: RunInfo) -> None:
        """The planned writes the run did not need (the account already had them) join the report."""
        for planned in self.unused:
            run.changes.append({**planned, "status": "not needed"})
