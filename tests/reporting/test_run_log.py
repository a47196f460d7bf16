"""RunLogger: text and JSON lines per event, verbosity levels, request timing, and redaction."""

from __future__ import annotations

import io
import json
import time
from typing import Any

import pluggy
import pytest

from ovhflow import PROJECT_NAME, hookimpl, hookspecs
from ovhflow.ovh.exceptions import ResourceNotFoundError
from ovhflow.plugin_api import HttpRequest, HttpResponse, RunInfo, StepReport
from ovhflow.reporting.redaction import Redactor
from ovhflow.reporting.run_log import RunLogger

SECRET = "s3cr3t-value-xyz"


class FakeApi:
    """Answers requests like the real HTTP plugin would: 200 for /ok, a 404 APIError otherwise."""

    @hookimpl
    def ovhflow_http_request(self, request: HttpRequest, client: Any, check: bool) -> HttpResponse:
        if request.path.startswith("/missing"):
            import requests

            response = requests.Response()
            response.status_code = 404
            response.headers["X-OVH-QueryID"] = "EU.ext-1.abc"
            raise ResourceNotFoundError("This service does not exist", response=response)
        if check and request.is_write:
            return HttpResponse(status=0, planned=True)
        return HttpResponse(status=200, data={"ok": True}, duration=0.002)


def _manager(logger: RunLogger) -> pluggy.PluginManager:
    manager = pluggy.PluginManager(PROJECT_NAME)
    manager.add_hookspecs(hookspecs)
    manager.register(FakeApi())
    manager.register(logger)
    return manager


def _run(check: bool = False) -> RunInfo:
    return RunInfo("Burst", "/r/burst.yaml", {"dc": "sbg1", "token": "***"}, check, time.time())


def _drive(logger: RunLogger, check: bool = False) -> None:
    manager = _manager(logger)
    run = _run(check)
    hook = manager.hook
    hook.ovhflow_run_start(run=run)
    hook.ovhflow_step_start(run=run, step_id="servers", name="servers", location="r.yaml:3:5")
    hook.ovhflow_http_request(request=HttpRequest("GET", "/ok"), client=None, check=check)
    with pytest.raises(ResourceNotFoundError):
        hook.ovhflow_http_request(request=HttpRequest("GET", f"/missing/{SECRET}"), client=None, check=check)
    hook.ovhflow_http_request(
        request=HttpRequest("PUT", "/ok/burst", body={"a": 1}), client=None, check=check
    )
    hook.ovhflow_item_end(run=run, step_id="servers", index=0, record={"item": "ns1", "status": "ok"})
    hook.ovhflow_item_end(
        run=run,
        step_id="servers",
        index=1,
        record={"item": "ns2", "status": "failed", "error": f"boom {SECRET}"},
    )
    logger.message(f"enabled burst with {SECRET}", step_id="servers")
    report = StepReport(
        "servers",
        "servers",
        "get",
        "r.yaml:3:5",
        "failed",
        0.5,
        error="boom",
        query_id="EU.ext-1.abc",
        items=[{"status": "ok"}, {"status": "failed"}],
    )
    hook.ovhflow_step_end(run=run, report=report)
    run.counts = {"ok": 1, "failed": 1}
    run.exit_status = 1
    run.error = "r.yaml:3:5: boom (OVH query id EU.ext-1.abc)"
    hook.ovhflow_run_end(run=run)


def _redactor() -> Redactor:
    redactor = Redactor()
    redactor.add(SECRET)
    return redactor


def test_json_log_has_one_valid_object_per_event() -> None:
    stream = io.StringIO()
    _drive(RunLogger(stream, fmt="json", redactor=_redactor()))
    lines = stream.getvalue().splitlines()
    events = [json.loads(line) for line in lines]  # each line on its own is valid JSON
    kinds = [event["event"] for event in events]
    assert kinds == [
        "run_start",
        "step_start",
        "request",
        "request",
        "request",
        "item_end",
        "item_end",
        "log",
        "step_end",
        "run_end",
    ]
    requests_ = [event for event in events if event["event"] == "request"]
    assert [(r["method"], r["status"]) for r in requests_] == [("GET", 200), ("GET", 404), ("PUT", 200)]
    assert all(r["duration"] >= 0 for r in requests_)
    assert requests_[1]["query_id"] == "EU.ext-1.abc" and requests_[1]["level"] == "warning"
    assert "query_id" not in requests_[0]
    assert events[-1]["exit_status"] == 1 and events[-1]["counts"]["failed"] == 1
    assert events[-2]["items"] == {"ok": 1, "failed": 1}
    assert events[0]["inputs"] == {"dc": "sbg1", "token": "***"}
    assert SECRET not in stream.getvalue()


def test_json_quiet_keeps_errors_only() -> None:
    stream = io.StringIO()
    _drive(RunLogger(stream, fmt="json", verbosity=-1, redactor=_redactor()))
    events = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert {event["level"] for event in events} == {"error"}
    assert [event["event"] for event in events] == ["item_end", "step_end", "run_end"]


def test_text_levels() -> None:
    default, verbose, quiet = io.StringIO(), io.StringIO(), io.StringIO()
    _drive(RunLogger(default, redactor=_redactor()))
    _drive(RunLogger(verbose, verbosity=1, redactor=_redactor()))
    _drive(RunLogger(quiet, verbosity=-1, redactor=_redactor()))
    text = default.getvalue()
    assert "running 'Burst'" in text and "enabled burst with ***" in text
    assert "GET /ok -> 200" not in text  # requests only with -v
    assert "GET /missing/*** -> 404" in text and "EU.ext-1.abc" in text  # a failed request is a warning
    assert "GET /ok -> 200" in verbose.getvalue() and "step servers (r.yaml:3:5)" in verbose.getvalue()
    assert "ns1" in verbose.getvalue() and "ns1" not in text
    assert "enabled burst" not in quiet.getvalue() and "running" not in quiet.getvalue()
    assert "failed   servers" in quiet.getvalue() and "run failed (exit 1)" in quiet.getvalue()
    for stream in (default, verbose, quiet):
        assert SECRET not in stream.getvalue()


def test_check_mode_requests_say_planned() -> None:
    stream = io.StringIO()
    _drive(RunLogger(stream, fmt="json", redactor=_redactor()), check=True)
    puts = [json.loads(line) for line in stream.getvalue().splitlines() if '"PUT"' in line]
    assert puts and puts[0]["planned"] is True
    assert json.loads(stream.getvalue().splitlines()[0])["check"] is True


def test_no_progress_bar_off_a_terminal() -> None:
    stream = io.StringIO()
    logger = RunLogger(stream)
    assert logger.progress is False
    _drive(logger)
    assert "\x1b[" not in stream.getvalue()  # no terminal control sequences in a log file


def test_progress_bar_on_request_does_not_lose_lines() -> None:
    stream = io.StringIO()
    _drive(RunLogger(stream, progress=True, redactor=_redactor()))
    assert "enabled burst with ***" in stream.getvalue()
    assert SECRET not in stream.getvalue()


def test_unknown_format_is_refused() -> None:
    with pytest.raises(ValueError, match="text, json"):
        RunLogger(io.StringIO(), fmt="xml")


def test_object_items_are_summarised_in_json() -> None:
    stream = io.StringIO()
    logger = RunLogger(stream, fmt="json")
    run = _run()
    big = {"name": "ns1", "description": "x" * 500}
    logger.ovhflow_item_end(run=run, step_id="s", index=0, record={"item": big, "status": "ok"})
    logger.ovhflow_item_end(run=run, step_id="s", index=1, record={"item": 42, "status": "ok"})
    first, second = (json.loads(line) for line in stream.getvalue().splitlines())
    assert (
        isinstance(first["item"], str)
        and first["item"].startswith('{"name": "ns1"')
        and len(first["item"]) <= 80
    )
    assert second["item"] == 42


def test_library_warnings_are_forwarded_only_during_the_run() -> None:
    import logging

    stream = io.StringIO()
    logger = RunLogger(stream, fmt="json", redactor=_redactor())
    run = _run()
    logger.ovhflow_run_start(run=run)
    logging.getLogger("urllib3.connectionpool").warning("Retrying after %s: /x?pw=%s", "reset", SECRET)
    logging.getLogger("ovhflow.ovh").error("gave up")
    logging.getLogger("urllib3.connectionpool").info("not a warning")
    run.exit_status = 0
    logger.ovhflow_run_end(run=run)
    logging.getLogger("urllib3.connectionpool").warning("after the run")
    events = [json.loads(line) for line in stream.getvalue().splitlines()]
    forwarded = [(e["level"], e["message"]) for e in events if e["event"] in ("warning", "error")]
    assert forwarded == [
        ("warning", "urllib3.connectionpool: Retrying after reset: /x?pw=***"),
        ("error", "ovhflow.ovh: gave up"),
    ]
