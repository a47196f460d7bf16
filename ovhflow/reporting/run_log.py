"""The run's log on stderr: readable lines for a person, or one JSON object per event for a machine.

A :class:`RunLogger` is a pluggy plugin object the ``run`` command registers: it listens to the run-event
hooks and wraps ``ovhflow_http_request`` to time each call. Results go to stdout elsewhere; this module
only ever writes to its stream (stderr). Every line passes through the run's :class:`Redactor` first, so a
secret that slipped into an error message or a path is masked before it is written. What each line says
(level, text, fields) is built in reporting/log_lines.py; this module decides whether and where it goes.

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
from ovhflow.plugin_api import ApiClient, HttpRequest, HttpResponse, RunInfo, StepReport
from ovhflow.reporting.log_forwarding import LibraryLogForwarder
from ovhflow.reporting.log_lines import (
    DEBUG,
    ERROR,
    INFO,
    LEVEL_NAMES,
    WARNING,
    item_line,
    request_failed_line,
    request_line,
    run_end_line,
    run_start_line,
    status_level,
    step_end_line,
    unknown_outcome_lines,
)
from ovhflow.reporting.redaction import Redactor
from ovhflow.reporting.reporter import write_result
from ovhflow.reporting.run_progress import LoopProgress

LOG_FORMATS = ("text", "json")


def iso_time(timestamp: float | None = None) -> str:
    """A local time with offset and milliseconds, as every JSON event carries (now by default)."""
    moment = datetime.fromtimestamp(time.time() if timestamp is None else timestamp, timezone.utc)
    return moment.astimezone().isoformat(timespec="milliseconds")


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
        text, fields = run_start_line(run)
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
        level = status_level(status)
        if level == INFO and self.fmt == "text":
            level = DEBUG  # in text, an item that went well is a detail (-v)
        if level > self._threshold():  # the common case without -v: a line per item nobody sees
            return
        text, fields = item_line(step_id, index, record)
        self._emit(level, "item_end", text, fields)

    @hookimpl
    def ovhflow_step_end(self, run: RunInfo, report: StepReport) -> None:
        self._stop_bar()
        text, fields = step_end_line(report)
        self._emit(status_level(report.status), "step_end", text, fields)

    @hookimpl
    def ovhflow_run_end(self, run: RunInfo) -> None:
        self._stop_bar()
        self._library_logs.detach()
        for text, fields in unknown_outcome_lines(run):  # the operator must check each one
            self._emit(ERROR, "outcome_unknown", text, fields)
        level, text, fields = run_end_line(run)
        self._emit(level, "run_end", text, fields)

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
        text, fields = request_line(request, response, elapsed)
        self._emit(DEBUG, "request", text, fields)

    def _request_failed(self, request: HttpRequest, error: BaseException, elapsed: float) -> None:
        level, text, fields = request_failed_line(request, error, elapsed)
        self._emit(level, "request", text, fields)

    # --- progress bar --------------------------------------------------------------------------------

    def _advance_bar(self, step_id: str | None, record: Mapping[str, Any]) -> None:
        if self.progress and self.verbosity >= 0:
            with self._lock:
                self._bar.advance(step_id, record)

    def _stop_bar(self) -> None:
        with self._lock:
            self._bar.stop()
