"""What each line of the run's log says: its level, its text for a person and its fields for JSON.

Kept apart from :class:`~ovhflow.reporting.run_log.RunLogger`, which decides whether and where a line is
written (threshold, format, redaction, progress bar): the functions here build a line from the event
alone, with no state of the logger, so the wording of the log reads in one place.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator, Mapping
from typing import Any

from ovhflow.errors import PlanMismatch, http_status, one_line_message
from ovhflow.plugin_api import HttpRequest, HttpResponse, RunInfo, StepReport

# Levels, most important first; a line is written when its level is at most the threshold.
ERROR, WARNING, INFO, DEBUG = 0, 1, 2, 3
LEVEL_NAMES = {ERROR: "error", WARNING: "warning", INFO: "info", DEBUG: "debug"}
_ITEM_TEXT_LIMIT = 80
_COUNT_ORDER = ("ok", "changed", "planned", "skipped", "ignored", "failed")

Line = tuple[str, dict[str, Any]]  # a line's text for a person and its fields for JSON


def seconds(duration: float) -> str:
    """A duration for a person: milliseconds under a second, tenths of seconds above."""
    return f"{duration * 1000:.0f} ms" if duration < 1 else f"{duration:.1f} s"


def short(value: Any) -> str:
    """``value`` as text cut to one short line (an item may be a whole object)."""
    text = value if isinstance(value, str) else json.dumps(value, default=str, ensure_ascii=False)
    return text if len(text) <= _ITEM_TEXT_LIMIT else text[: _ITEM_TEXT_LIMIT - 3] + "..."


def endpoint_words(run: RunInfo) -> str:
    """Where the run points, for a person: ``ovh-eu (https://eu.api.ovh.com/1.0)``, ``the local sandbox
    (http://127.0.0.1:PORT/1.0)`` or a URL endpoint alone."""
    name = "the local sandbox" if run.endpoint == "sandbox" else run.endpoint
    if not run.endpoint_url or run.endpoint_url == name:
        return name or run.endpoint_url
    return f"{name} ({run.endpoint_url})" if name else run.endpoint_url


def run_start_line(run: RunInfo) -> Line:
    """``run_start``: the recipe, its inputs (secrets already masked) and the endpoint."""
    mode = " in check mode (no change will be made)" if run.check else ""
    fields = {
        "recipe": run.recipe_name,
        "path": run.recipe_path,
        "check": run.check,
        "inputs": run.inputs,
        "endpoint": run.endpoint,
        "endpoint_url": run.endpoint_url,
    }
    against = f" against {endpoint_words(run)}" if run.endpoint or run.endpoint_url else ""
    return f"running {run.recipe_name!r} ({run.recipe_path}){against}{mode}", fields


def item_line(step_id: str | None, index: int, record: Mapping[str, Any]) -> Line:
    """``item_end``: one loop item's status, the item itself (shortened) and its error."""
    status = str(record.get("status", ""))
    error = record.get("error")
    item = record.get("item")
    # a scalar item names itself; a whole object (a server's details) would make every line huge
    shown = item if item is None or isinstance(item, (str, int, float, bool)) else short(item)
    fields = {"step": step_id, "index": index, "status": status, "item": shown}
    if error:
        fields["error"] = str(error)
    if record.get("query_id"):
        fields["query_id"] = record["query_id"]
    text = f"  {status:<8} {step_id or 'item'}[{index}] {short(record.get('item'))}"
    if error:
        text += f": {error}"
    return text, fields


def status_level(status: str) -> int:
    """The level of a step's or item's end: an error when it failed, a warning when its failure was
    ignored, otherwise information."""
    return ERROR if status == "failed" else WARNING if status == "ignored" else INFO


def step_end_line(report: StepReport) -> Line:
    """``step_end``: status, duration, a loop's item counts, and the error with its OVH query id."""
    label = report.name or report.step_id or report.action
    counts = report.item_counts()
    fields: dict[str, Any] = {
        "step": report.step_id,
        "name": report.name,
        "action": report.action,
        "location": report.location,
        "status": report.status,
        "duration": round(report.duration, 6),
    }
    if counts:
        fields["items"] = counts
    text = f"{report.status:<8} {label} ({seconds(report.duration)})"
    if counts:
        text += " [" + ", ".join(f"{n} {status}" for status, n in counts.items()) + "]"
    if report.error:
        fields["error"] = report.error
        text += f": {report.error}"
    if report.query_id and report.status in ("failed", "ignored"):  # support asks for it on errors
        fields["query_id"] = report.query_id
        if report.query_id not in text:
            text += f" (OVH query id {report.query_id})"
    return text, fields


def unknown_outcome_lines(run: RunInfo) -> Iterator[Line]:
    """``outcome_unknown``: each write a stop abandoned or cut off, for the operator to check."""
    for change in run.changes:
        if change.get("status") == "unknown":
            reason = change.get("reason") or "was sent and not answered before the run stopped"
            text = (
                f"outcome unknown: {change.get('method')} {change.get('path')} {reason}; "
                "check it before running again"
            )
            fields = {"method": change.get("method"), "path": change.get("path"), "message": text}
            yield text, {**fields, "step": change.get("step")}


def run_end_line(run: RunInfo) -> tuple[int, str, dict[str, Any]]:
    """``run_end``: counts, exit status and duration; an error line when the run failed."""
    duration = max(time.time() - run.started_at, 0.0)
    counts = {key: run.counts.get(key, 0) for key in _COUNT_ORDER} | run.counts
    summary = ", ".join(f"{counts[key]} {key}" for key in counts)
    status = run.exit_status if run.exit_status is not None else 0
    fields = {
        "recipe": run.recipe_name,
        "check": run.check,
        "counts": counts,
        "exit_status": status,
        "duration": round(duration, 6),
    }
    if run.account:
        fields["account"] = run.account
    if run.error:
        fields["error"] = run.error
    if status == 0:
        return INFO, f"done in {seconds(duration)}: {summary}", fields
    return ERROR, f"run failed (exit {status}) after {seconds(duration)}: {summary}", fields


def request_line(request: HttpRequest, response: HttpResponse | None, elapsed: float) -> Line:
    """``request`` (answered): method, path, status and duration; planned in check mode."""
    status = response.status if response is not None else None
    planned = bool(response is not None and response.planned)
    duration = response.duration if response is not None and response.duration else elapsed
    fields: dict[str, Any] = {
        "method": request.method,
        "path": request.path,
        "status": status,
        "duration": round(duration, 6),
    }
    if planned:
        fields["planned"] = True
    text = f"  {request.method} {request.path} -> "
    text += "planned, not sent" if planned else f"{status} in {seconds(duration)}"
    return text, fields


def request_failed_line(
    request: HttpRequest, error: BaseException, elapsed: float
) -> tuple[int, str, dict[str, Any]]:
    """``request`` (failed): a warning, or a detail (debug) when the run falls back to plain calls."""
    status = http_status(error)
    query_id = getattr(error, "query_id", None)
    fields: dict[str, Any] = {
        "method": request.method,
        "path": request.path,
        "status": status,
        "duration": round(elapsed, 6),
        "error": one_line_message(error),
    }
    if isinstance(error, PlanMismatch):  # refused before sending: the run's error says the rest, once
        fields["error"] = error.REASON
        return WARNING, f"  {request.method} {request.path} -> {error.REASON}", fields
    if query_id:
        fields["query_id"] = query_id
    text = f"  {request.method} {request.path} -> {status or 'no answer'} in {seconds(elapsed)}: "
    text += one_line_message(error) + (f" (OVH query id {query_id})" if query_id else "")
    if _optional_mode_refused(request, error):  # batch reads, expanded listings: plain calls follow
        return DEBUG, text + " (refused: plain calls instead)", fields
    return WARNING, text, fields


def _optional_mode_refused(request: HttpRequest, error: BaseException) -> bool:
    """A batch read or expanded listing the API does not offer here: the run falls back to plain
    calls, so this is no more than a detail (``-v``)."""
    from ovhflow.ovh.listing import OPTIONAL_MODE_HEADERS, refused_mode  # lazy: validate needs no requests

    headers = request.headers or {}
    return any(name in headers for name in OPTIONAL_MODE_HEADERS) and refused_mode(error)
