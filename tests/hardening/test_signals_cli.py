"""SIGTERM and Ctrl-C while the API hangs, through the real ``ovhflow run`` (subprocess): the run ends
within seconds with a complete report and log, a write left unanswered is "outcome unknown", never
"changed", and the lock is released.

The API here is a tiny local server that answers the listing and hangs on the calls under test: it
accepts them and never answers, as a stuck load balancer does.
"""

from __future__ import annotations

import json
import signal
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from tests.hardening.helpers import read_report, run_stderr, start_run, wait_for

SERVERS = ["ns1.example.net", "ns2.example.net", "ns3.example.net", "ns4.example.net"]


class HangingApi(ThreadingHTTPServer):
    """Answers /auth/time and the server listing; every other call is received and never answered.

    Written on ``http.server``, not served by pytest-httpserver: the hung calls must hold their
    connections open unanswered while the listing is still served beside them, and pytest-httpserver's
    server handles one request at a time, so a hanging handler would stall every other request."""

    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.received: list[tuple[str, str]] = []
        self.release = threading.Event()
        self.servers = SERVERS

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/1.0"

    def hung(self, method: str) -> int:
        return sum(1 for seen, path in self.received if seen == method and path.count("/") > 3)


class _Handler(BaseHTTPRequestHandler):
    server: HangingApi

    def log_message(self, *args: object) -> None:
        pass

    def _answer(self, data: object) -> None:
        body = json.dumps(data).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _handle(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        self.server.received.append((self.command, self.path))
        if self.path == "/1.0/auth/time":
            self._answer(int(time.time()))
        elif self.path == "/1.0/dedicated/server":
            self._answer(self.server.servers)
        else:
            self.server.release.wait(120)  # hang: headers never come

    do_GET = do_PUT = do_POST = do_DELETE = _handle


@pytest.fixture
def hanging_api() -> Iterator[HangingApi]:
    api = HangingApi()
    thread = threading.Thread(target=api.serve_forever, daemon=True)
    thread.start()
    yield api
    api.release.set()
    api.shutdown()
    api.server_close()


def _env(api: HangingApi, isolated: dict[str, str]) -> dict[str, str]:
    return {
        **isolated,
        "OVH_ENDPOINT": api.url,
        "OVH_APPLICATION_KEY": "hang-app-key",
        "OVH_APPLICATION_SECRET": "hang-application-secret-0123456789",
        "OVH_CONSUMER_KEY": "hang-consumer-key-0123456789abcdef",
    }


BURST = """\
name: burst against a hanging API
inputs:
  concurrency: {{type: integer, default: 1}}
steps:
  - id: servers
    get: /dedicated/server
  - id: {action}
    loop: "{{{{ steps.servers.result }}}}"
    concurrency: "{{{{ inputs.concurrency }}}}"
    {action}: /dedicated/server/{{{{ item }}}}{suffix}
"""


def _stop_while_hung(
    api: HangingApi, isolated, write_recipe, method: str, signum: int, concurrency: int
) -> tuple[int, float, Path, list[dict]]:
    action, suffix = ("put", "/burst\n    body: {status: active}") if method == "PUT" else ("get", "")
    recipe = write_recipe(BURST.format(action=action, suffix=suffix))
    report = recipe.parent / "report.json"
    args = ["run", str(recipe), "--report", str(report), "--log-format", "json"]
    process = start_run([*args, "-p", f"concurrency={concurrency}"], _env(api, isolated), recipe.parent)
    wait_for(lambda: api.hung(method) >= concurrency, process, f"{concurrency} {method} hanging")
    time.sleep(0.2)  # let them sit in the client
    process.send_signal(signum)
    stopped = time.monotonic()
    try:
        code = process.wait(timeout=20)
    except Exception:
        process.kill()
        raise AssertionError("the run did not end within 20 s of the signal") from None
    elapsed = time.monotonic() - stopped
    events = [json.loads(line) for line in run_stderr(recipe.parent).splitlines()]
    return code, elapsed, report, events


@pytest.mark.parametrize(("signum", "exit_code"), [(signal.SIGTERM, 143), (signal.SIGINT, 130)])
@pytest.mark.parametrize("concurrency", [1, 4])
def test_a_stop_while_writes_hang_ends_within_seconds_with_outcome_unknown(
    hanging_api, isolated, write_recipe, monkeypatch, signum, exit_code, concurrency
):
    code, elapsed, report, events = _stop_while_hung(
        hanging_api, isolated, write_recipe, "PUT", signum, concurrency
    )
    assert code == exit_code
    assert elapsed < 10, elapsed  # the grace is 2 s; systemd's SIGKILL comes after 90
    assert events[-1]["event"] == "run_end" and events[-1]["exit_status"] == exit_code
    assert "requests unanswered after 2 s were abandoned" in events[-1]["error"]
    document = read_report(report)
    assert document["exit_status"] == exit_code
    statuses = [(change["method"], change["status"]) for change in document["changes"]]
    assert statuses == [("PUT", "unknown")] * concurrency  # never "changed"
    assert sum("outcome is unknown" in error["message"] for error in document["errors"]) == concurrency
    assert hanging_api.hung("PUT") == concurrency  # nothing new was sent after the signal
    unknown = [
        e for e in events if e["event"] == "outcome_unknown"
    ]  # the log says it too, not only the report
    assert [(e["level"], e["method"]) for e in unknown] == [("error", "PUT")] * concurrency
    assert all("check it before running again" in e["message"] for e in unknown)
    monkeypatch.setenv("OVHFLOW_LOCK_DIR", isolated["OVHFLOW_LOCK_DIR"])
    from ovhflow.cli.locking import lock_path

    assert lock_path(report.parent / "recipe.yaml").read_text() == ""  # released by the run itself


def test_sigterm_while_a_read_hangs_ends_within_seconds(hanging_api, isolated, write_recipe):
    code, elapsed, report, events = _stop_while_hung(
        hanging_api, isolated, write_recipe, "GET", signal.SIGTERM, 1
    )
    assert code == 143 and elapsed < 10, elapsed
    assert events[-1]["event"] == "run_end" and events[-1]["exit_status"] == 143
    document = read_report(report)
    assert document["exit_status"] == 143 and document["changes"] == []
    assert [step["id"] for step in document["steps"]] == ["servers", "get"]


def _sigterm_once_hung(api: HangingApi, isolated, recipe: Path, hung_reads: int) -> Path:
    """Run ``recipe`` with a JSON log and a report, SIGTERM it once ``hung_reads`` GETs hang; check it
    exits 143 within 20 s and return the report's path."""
    report = recipe.parent / "report.json"
    args = ["run", str(recipe), "--report", str(report), "--log-format", "json"]
    process = start_run(args, _env(api, isolated), recipe.parent)
    wait_for(lambda: api.hung("GET") >= hung_reads, process, f"{hung_reads} GET hanging")
    process.send_signal(signal.SIGTERM)
    try:
        assert process.wait(timeout=20) == 143
    finally:
        process.kill()
    return report


BATCHED = """\
name: batched reads against a hanging API
steps:
  - id: servers
    get: /dedicated/server
  - id: details
    loop: "{{ steps.servers.result }}"
    batch: true
    concurrency: 3
    get: /dedicated/server/{{ item }}
"""


def test_sigterm_while_batched_reads_hang_ends_within_seconds(hanging_api, isolated, write_recipe):
    hanging_api.servers = [f"ns{number}.example.net" for number in range(120)]  # 3 batches of 50 or less
    recipe = write_recipe(BATCHED)
    report = _sigterm_once_hung(hanging_api, isolated, recipe, 3)
    events = [json.loads(line) for line in run_stderr(recipe.parent).splitlines()]
    assert events[-1]["event"] == "run_end" and events[-1]["exit_status"] == 143
    assert read_report(report)["exit_status"] == 143


def test_sigterm_while_waiting_for_the_lock_ends_with_a_report(
    hanging_api, isolated, write_recipe, monkeypatch
):
    import fcntl
    import os

    recipe = write_recipe(BURST.format(action="get", suffix=""))
    monkeypatch.setenv("OVHFLOW_LOCK_DIR", isolated["OVHFLOW_LOCK_DIR"])
    from ovhflow.cli.locking import lock_path

    holder = os.open(lock_path(recipe), os.O_RDWR | os.O_CREAT, 0o600)  # another run holds the lock
    fcntl.flock(holder, fcntl.LOCK_EX)
    try:
        report = recipe.parent / "report.json"
        args = ["run", str(recipe), "--report", str(report), "--wait-lock", "600"]
        process = start_run(args, _env(hanging_api, isolated), recipe.parent)
        lock = str(lock_path(recipe))
        fds = Path(f"/proc/{process.pid}/fd")

        def waiting_for_the_lock() -> bool:
            try:
                return any(os.readlink(fd) == lock for fd in fds.iterdir())
            except OSError:  # a descriptor closed while we looked
                return False

        wait_for(waiting_for_the_lock, process, "the run waiting for the lock")
        process.send_signal(signal.SIGTERM)
        try:
            assert process.wait(timeout=20) == 143
        finally:
            process.kill()
    finally:
        os.close(holder)
    assert read_report(report)["exit_status"] == 143
    assert "interrupted by SIGTERM" in run_stderr(recipe.parent)
    assert hanging_api.received == []  # it never started


SINGLE = """\
name: one read against a hanging API
steps:
  - id: server
    get: /dedicated/server/ns1.example.net
"""


def test_sigterm_stopping_a_single_step_says_which_step_and_why_in_the_errors(
    hanging_api, isolated, write_recipe
):
    recipe = write_recipe(SINGLE)
    report = _sigterm_once_hung(hanging_api, isolated, recipe, 1)
    document = read_report(report)
    assert document["counts"]["failed"] == 1
    [error] = document["errors"]  # the failed step is listed, as every failed step is
    assert error["step"] == f"{recipe}:3:5"
    assert error["message"].startswith("interrupted by SIGTERM")
