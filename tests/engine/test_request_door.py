"""Every request of a run goes through the ``ovhflow_http_request`` hook: plain steps, each call of
``batch: true`` and each page of ``expand: true``, so that plugins wrapping the hook, the run log and
check mode see them all."""

from __future__ import annotations

import io
import json
from typing import Any

from ovhflow import hookimpl
from ovhflow.plugin_api import HttpRequest, HttpResponse
from ovhflow.reporting.run_log import RunLogger
from tests.engine.helpers import FakeClient, step

ROUTES = {
    "GET /server": ["a", "b", "c"],
    "GET /server/a": {"n": "a"},
    "GET /server/b": {"n": "b"},
    "GET /server/c": {"n": "c"},
}


class RequestRecorder:
    """A plugin wrapping the request hook, as a third-party auditing plugin would."""

    def __init__(self) -> None:
        self.seen: list[HttpRequest] = []

    @hookimpl(wrapper=True)
    def ovhflow_http_request(self, request: HttpRequest, client: Any, check: bool) -> Any:
        self.seen.append(request)
        response = yield
        return response


def batch_and_expand_steps() -> list[Any]:
    return [
        step("get", "/server", id="ids"),
        step("get", "/server/{{ item }}", id="each", loop="{{ steps.ids.result }}", options={"batch": True}),
        step("get", "/server", id="all", options={"expand": True}),
    ]


def run_with(run_steps: Any, plugin: Any, check: bool = False) -> Any:
    """Run the batch/expand steps with ``plugin`` registered next to the built-ins."""
    return run_steps(batch_and_expand_steps(), FakeClient(ROUTES), check=check, extra_plugins=(plugin,))


def test_a_plugin_wrapping_requests_sees_batch_and_expand_calls(run_steps) -> None:
    recorder = RequestRecorder()
    result, events = run_with(run_steps, recorder)
    assert result.exit_status == 0, result.error
    assert events.reports()["each"].result == [{"n": "a"}, {"n": "b"}, {"n": "c"}]
    assert events.reports()["all"].result == [{"n": "a"}, {"n": "b"}, {"n": "c"}]
    seen = [(r.method, r.path, dict(r.headers or {})) for r in recorder.seen]
    assert ("GET", "/server/a,b,c", {"X-Ovh-Batch": ","}) in seen
    pages = [headers for method, path, headers in seen if path == "/server" and headers]
    assert pages and pages[0]["X-Pagination-Mode"] == "CachedObjectList-Pages"


class Answering:
    """A plugin that answers every request itself: the client is never asked."""

    @hookimpl(tryfirst=True)
    def ovhflow_http_request(self, request: HttpRequest, client: Any, check: bool) -> HttpResponse:
        if request.headers and "X-Ovh-Batch" in request.headers:
            keys = request.path.rpartition("/")[2].split(",")
            return HttpResponse(200, [{"key": k, "value": {"fake": k}, "error": None} for k in keys])
        if request.headers:
            return HttpResponse(200, [{"fake": "page"}], headers={"X-Pagination-Elements": "1"})
        return HttpResponse(200, ["x", "y"])


def test_a_plugin_answering_requests_answers_batch_and_expand_calls_too(run_steps) -> None:
    result, events = run_with(run_steps, Answering())
    assert result.exit_status == 0, result.error
    assert events.reports()["each"].result == [{"fake": "x"}, {"fake": "y"}]
    assert events.reports()["all"].result == [{"fake": "page"}]


def test_check_mode_sends_batch_and_expand_reads_through_the_hook(run_steps) -> None:
    recorder = RequestRecorder()
    result, events = run_with(run_steps, recorder, check=True)
    assert result.exit_status == 0, result.error
    assert events.reports()["each"].result == [{"n": "a"}, {"n": "b"}, {"n": "c"}]
    assert any(r.headers and "X-Ovh-Batch" in r.headers for r in recorder.seen)


def test_the_run_log_shows_batch_and_expand_requests(run_steps) -> None:
    stream = io.StringIO()
    logger = RunLogger(stream, fmt="json", verbosity=1)
    result, _ = run_with(run_steps, logger)
    assert result.exit_status == 0, result.error
    requests = [json.loads(line) for line in stream.getvalue().splitlines()]
    paths = [event["path"] for event in requests if event["event"] == "request"]
    assert "/server/a,b,c" in paths
    assert paths.count("/server") == 2  # the listing of ids, then the expanded page
