"""The run's log on stderr: readable lines for a person, or one JSON object per event for a machine.

A :class:`RunLogger` is a pluggy plugin object the ``run`` command registers: it listens to the run-event
hooks and wraps ``ovhflow_http_request`` to time each call. Results go to stdout elsewhere; this module
only ever writes to its stream (stderr). Every line passes through the run's :class:`Redactor` first, so a
secret that slipped into an error message or a path is masked before it is written.

JSON events all carry ``time``, ``level`` (error, warning, info, debug) and ``event``:
``run_start`` (recipe, path, check, inputs, endpoint, endpoint_url), ``account`` (account: the
nichandle, once the recipe read /me; endpoint, endpoint_url), ``step_start`` (step, name, location),
``request`` (method, path, status, duration; error and query_id when it failed; planned in check
mode), ``item_end`` (step, index, status, item; error), ``log`` (message, step), ``step_end`` (step,
name, action, location, status, duration; items counts for loops; error and query_id when it failed
or its failure was ignored), ``warning``/``error`` (message), ``run_end`` (counts, exit_status,
duration; account once known; error). Durations are seconds.
"""

from __future__ import annotations

import json
import sys
import threading
import time
from collections.abc import Generator, Mapping
from datetime import datetime, timezone
from typing import Any, TextIO

from ovhflow import hookimpl
from ovhflow.errors import PlanMismatch, http_status, one_line_message
from ovhflow.plugin_api import ApiClient, HttpRequest, HttpResponse, RunInfo, StepReport
from ovhflow.reporting.log_forwarding import LibraryLogForwarder
from ovhflow.reporting.redaction import Redactor
from ovhflow.reporting.reporter import write_result
from ovhflow.reporting.run_progress import LoopProgress

# Levels, most important first; a line is written when its level is at most the threshold.
ERROR, WARNING, INFO, DEBUG = 0, 1, 2, 3
LEVEL_NAMES = {ERROR: "error", WARNING: "warning", INFO: "info", DEBUG: "debug"}
LOG_FORMATS = ("text", "json")
_ITEM_TEXT_LIMIT = 80


def iso_time(timestamp: float | None = None) -> str:
    """A local time with offset and milliseconds, as every JSON event carries (now by default)."""
    moment = datetime.fromtimestamp(time.time() if timestamp is None else timestamp, timezone.utc)
    return moment.astimezone().isoformat(timespec="milliseconds")


def _seconds(duration: float) -> str:
    return f"{duration * 1000:.0f} ms" if duration < 1 else f"{duration:.1f} s"


def _short(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value, default=str, ensure_ascii=False)
    return text if len(text) <= _ITEM_TEXT_LIMIT else text[: _ITEM_TEXT_LIMIT - 3] + "..."


def endpoint_words(run: RunInfo) -> str:
    """Where the run points, for a person: ``ovh-eu (https://eu.api.ovh.com/1.0)``, ``the local sandbox
    (http://127.0.0.1:PORT/1.0)`` or a URL endpoint alone."""
    name = "the local sandbox" if run.endpoint == "sandbox" else run.endpoint
    if not run.endpoint_url or run.endpoint_url == name:
        return name or run.endpoint_url
    return f"{name} ({run.endpoint_url})" if name else run.endpoint_url


class RunLogger:
    """Writes the events of one run to ``stream`` as text lines or JSON lines.

    ``verbosity`` -1 (``-q``) writes errors only, 0 the run, steps, failures and ``log:`` messages, 1
    (``-v``) adds step starts, each loop item and each request. The JSON format always carries every
    event except under ``-q``, since a machine filters better than it guesses. ``progress`` shows a bar
    for loops; by default only when ``stream`` is a terminal and the format is text, never in cron.
    """

    # its ovhflow_step_end reads a report's item_counts(), never its items or result: a loop whose
    # records nothing else reads need not keep them (ovhflow/engine/loop_records.py)
    STEP_END_READS_STATUSES_ONLY = True

    def __init__(
        self,
        stream: TextIO | None = None,
        fmt: str = "text",
        verbosity: int = 0,
        redactor: Redactor | None = None,
        progress: bool | None = None,
        results: TextIO | None = None,
    ) -> None:
        if fmt not in LOG_FORMATS:
            raise ValueError(f"log format must be one of {', '.join(LOG_FORMATS)}, not {fmt!r}")
        self.stream = stream if stream is not None else sys.stderr
        self.results = results  # None: sys.stdout when a result is written
        self.fmt = fmt
        self.verbosity = verbosity
        self.redactor = redactor or Redactor()
        is_tty = bool(getattr(self.stream, "isatty", lambda: False)())
        self.progress = (is_tty and fmt == "text") if progress is None else progress
        self._timestamps = not is_tty  # a log file read the next morning needs times; a terminal does not
        self._lock = threading.RLock()
        self._bar = LoopProgress(self.stream)
        self._library_logs = LibraryLogForwarder(self.warning, self.error)
        self._run: RunInfo | None = None  # the run being logged, to record its account once /me is read

    # --- writing -------------------------------------------------------------------------------------

    def _threshold(self) -> int:
        if self.verbosity < 0:
            return ERROR
        if self.fmt == "json" or self.verbosity > 0:
            return DEBUG
        return INFO

    def _emit(self, level: int, event: str, text: str, fields: Mapping[str, Any]) -> None:
        if level > self._threshold():
            return
        if self.fmt == "json":
            record = {"time": iso_time(), "level": LEVEL_NAMES[level], "event": event, **fields}
            line = json.dumps(self.redactor.data(record), default=str, ensure_ascii=False)
        else:
            prefix = f"{datetime.now().strftime('%Y-%m-%d %H:%M:%S')} " if self._timestamps else ""
            line = prefix + text
        self._write(self.redactor.text(line))

    def _write(self, line: str) -> None:
        with self._lock:
            if self._bar.active:
                self._bar.print(line)
                return
            self.stream.write(line + "\n")
            self.stream.flush()

    def message(self, text: str, step_id: str | None = None) -> None:
        """Write a recipe's ``log:`` message (hidden by ``-q``)."""
        self._emit(INFO, "log", str(text), {"step": step_id, "message": str(text)})

    def warning(self, text: str) -> None:
        """Write a warning of ovhflow itself (a readable ``ovh.conf``...), in the log's format."""
        self._emit(WARNING, "warning", f"warning: {text}", {"message": str(text)})

    def error(self, text: str) -> None:
        """Write an error that does not end the run (a report that could not be written...)."""
        self._emit(ERROR, "error", f"error: {text}", {"message": str(text)})

    def output(self, text: str) -> None:
        """Write a result to ``results`` (stdout): with it, the logger is the run's one reporter."""
        with self._lock:
            write_result(self.results if self.results is not None else sys.stdout, text)

    # --- run events ----------------------------------------------------------------------------------

    @hookimpl
    def ovhflow_run_start(self, run: RunInfo) -> None:
        self._library_logs.attach()  # urllib3's "Retrying ..." must not bypass format and redactor
        self._run = run
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
        text = f"running {run.recipe_name!r} ({run.recipe_path}){against}{mode}"
        self._emit(INFO, "run_start", text, fields)

    @hookimpl
    def ovhflow_step_start(self, run: RunInfo, step_id: str | None, name: str, location: str) -> None:
        fields = {"step": step_id, "name": name, "location": location}
        self._emit(DEBUG if self.fmt == "text" else INFO, "step_start", f"step {name} ({location})", fields)

    @hookimpl
    def ovhflow_item_end(
        self, run: RunInfo, step_id: str | None, index: int, record: Mapping[str, Any]
    ) -> None:
        self._advance_bar(step_id, record)
        status = str(record.get("status", ""))
        level = (
            ERROR
            if status == "failed"
            else WARNING
            if status == "ignored"
            else INFO
            if self.fmt == "json"
            else DEBUG
        )
        if level > self._threshold():  # the common case without -v: a line per item nobody sees
            return
        error = record.get("error")
        item = record.get("item")
        # a scalar item names itself; a whole object (a server's details) would make every line huge
        shown = item if item is None or isinstance(item, (str, int, float, bool)) else _short(item)
        fields = {"step": step_id, "index": index, "status": status, "item": shown}
        if error:
            fields["error"] = str(error)
        if record.get("query_id"):
            fields["query_id"] = record["query_id"]
        text = f"  {status:<8} {step_id or 'item'}[{index}] {_short(record.get('item'))}"
        if error:
            text += f": {error}"
        self._emit(level, "item_end", text, fields)

    @hookimpl
    def ovhflow_step_end(self, run: RunInfo, report: StepReport) -> None:
        self._stop_bar()
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
        text = f"{report.status:<8} {label} ({_seconds(report.duration)})"
        if counts:
            text += " [" + ", ".join(f"{n} {status}" for status, n in counts.items()) + "]"
        if report.error:
            fields["error"] = report.error
            text += f": {report.error}"
        if report.query_id and report.status in ("failed", "ignored"):  # support asks for it on errors
            fields["query_id"] = report.query_id
            if report.query_id not in text:
                text += f" (OVH query id {report.query_id})"
        level = ERROR if report.status == "failed" else WARNING if report.status == "ignored" else INFO
        self._emit(level, "step_end", text, fields)

    @hookimpl
    def ovhflow_run_end(self, run: RunInfo) -> None:
        self._stop_bar()
        self._library_logs.detach()
        for change in run.changes:  # writes a stop abandoned or cut off: the operator must check each one
            if change.get("status") == "unknown":
                reason = change.get("reason") or "was sent and not answered before the run stopped"
                text = (
                    f"outcome unknown: {change.get('method')} {change.get('path')} {reason}; "
                    "check it before running again"
                )
                fields = {"method": change.get("method"), "path": change.get("path"), "message": text}
                self._emit(ERROR, "outcome_unknown", text, {**fields, "step": change.get("step")})
        duration = max(time.time() - run.started_at, 0.0)
        order = ("ok", "changed", "planned", "skipped", "ignored", "failed")
        counts = {key: run.counts.get(key, 0) for key in order} | run.counts
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
            self._emit(INFO, "run_end", f"done in {_seconds(duration)}: {summary}", fields)
        else:
            text = f"run failed (exit {status}) after {_seconds(duration)}: {summary}"
            self._emit(ERROR, "run_end", text, fields)

    # --- requests ------------------------------------------------------------------------------------

    @hookimpl(wrapper=True)
    def ovhflow_http_request(
        self, request: HttpRequest, client: ApiClient, check: bool
    ) -> Generator[None, HttpResponse | None, HttpResponse | None]:
        started = time.perf_counter()
        try:
            response = yield
        except Exception as error:
            self._request_failed(request, error, time.perf_counter() - started)
            raise
        self._request_done(request, response, time.perf_counter() - started)
        if request.method == "GET" and request.path == "/me" and response is not None:
            self._account_known(response.data)
        return response

    def _account_known(self, me: Any) -> None:
        """The recipe read ``/me``: say which account the run acts on (once), with no call of its own."""
        run = self._run
        nichandle = me.get("nichandle") if isinstance(me, Mapping) else None
        if run is None or run.account is not None or not isinstance(nichandle, str):
            return
        run.account = nichandle
        fields = {"account": nichandle, "endpoint": run.endpoint, "endpoint_url": run.endpoint_url}
        self._emit(INFO, "account", f"account {nichandle} on {run.endpoint_url or run.endpoint}", fields)

    def _request_done(self, request: HttpRequest, response: HttpResponse | None, elapsed: float) -> None:
        if self._threshold() < DEBUG:
            return  # not shown: skip the formatting, this runs for every request of the run
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
        text += "planned, not sent" if planned else f"{status} in {_seconds(duration)}"
        self._emit(DEBUG, "request", text, fields)

    def _request_failed(self, request: HttpRequest, error: BaseException, elapsed: float) -> None:
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
            self._emit(WARNING, "request", f"  {request.method} {request.path} -> {error.REASON}", fields)
            return
        if query_id:
            fields["query_id"] = query_id
        text = f"  {request.method} {request.path} -> {status or 'no answer'} in {_seconds(elapsed)}: "
        text += one_line_message(error) + (f" (OVH query id {query_id})" if query_id else "")
        if _optional_mode_refused(request, error):  # batch reads, expanded listings: plain calls follow
            self._emit(DEBUG, "request", text + " (refused: plain calls instead)", fields)
            return
        self._emit(WARNING, "request", text, fields)

    # --- progress bar --------------------------------------------------------------------------------

    def _advance_bar(self, step_id: str | None, record: Mapping[str, Any]) -> None:
        if self.progress and self.verbosity >= 0:
            with self._lock:
                self._bar.advance(step_id, record)

    def _stop_bar(self) -> None:
        with self._lock:
            self._bar.stop()


def _optional_mode_refused(request: HttpRequest, error: BaseException) -> bool:
    """A batch read or expanded listing the API does not offer here: the run falls back to plain
    calls, so this is no more than a detail (``-v``)."""
    from ovhflow.ovh.listing import OPTIONAL_MODE_HEADERS, refused_mode  # lazy: validate needs no requests

    headers = request.headers or {}
    return any(name in headers for name in OPTIONAL_MODE_HEADERS) and refused_mode(error)
