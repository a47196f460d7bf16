"""`ovhflow run` as a cron job: lock, JSON log, verbosity, report, readable-conf warning, against the
sandbox. In-process, but as a subprocess where the process is the subject: the runs that meet a lock
another process holds, a terminal, SIGTERM, and what reaches stderr from libraries' logging when the
process has no logging set-up."""

from __future__ import annotations

import json
import os
import pty
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

from tests.cli_invoke import invoke_ovhflow
from tests.helpers import REPO_ROOT, run_ovhflow, start_ovhflow

WAIT_FOR_BURST = """\
name: wait for burst
inputs:
  tries: {type: integer, default: 1000}
steps:
  - id: servers
    get: /dedicated/server
  - id: wait
    name: Wait until burst is active
    get: /dedicated/server/{{ steps.servers.result[0] }}/burst
    until: result.status == "active"
    retries: "{{ inputs.tries }}"
    delay: 0.1
"""

MIXED = """\
name: mixed run
inputs:
  dc: {type: string, default: sbg1}
steps:
  - id: servers
    get: /dedicated/server
  - id: missing
    name: Read a server that does not exist
    get: /dedicated/server/does-not-exist
    ignore_errors: true
  - id: burst
    name: Enable burst
    loop: "{{ steps.servers.result[:3] }}"
    put: /dedicated/server/{{ item }}/burst
    body: {status: active}
    log: "burst on {{ item }}"
"""

FAILING = """\
name: failing run
steps:
  - id: servers
    get: /dedicated/server
  - id: broken
    get: /dedicated/server/does-not-exist
"""


def _events(stderr: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in stderr.splitlines()]  # every line must be one JSON object


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def test_overlapping_runs_exit_4_naming_the_holder_and_wait_lock_waits(
    sandbox, full_env, tmp_path: Path
) -> None:
    recipe = _write(tmp_path, "wait.yaml", WAIT_FOR_BURST)
    first_server = invoke_ovhflow("call", "GET", "/dedicated/server", env=full_env, cwd=tmp_path)
    server = json.loads(first_server.stdout)[0]
    sandbox.state["bursts"][server]["status"] = "inactive"
    first = start_ovhflow(["run", str(recipe), "--log-format", "json"], full_env, tmp_path)
    assert first.stderr is not None
    for line in first.stderr:  # the lock is taken before the run starts: wait until the run is polling
        if json.loads(line).get("event") == "request" and line.count("/burst"):
            break
    else:
        raise AssertionError(f"the first run ended early (exit {first.wait()})")
    rest: list[str] = []
    drain = threading.Thread(target=lambda: rest.extend(first.stderr))  # keep the pipe from filling up
    drain.start()
    try:
        second = run_ovhflow("run", str(recipe), env=full_env, cwd=tmp_path)
        assert second.returncode == 4, second.stderr
        assert f"pid {first.pid}, started 20" in second.stderr
        assert "already running" in second.stderr and str(recipe) in second.stderr
        report = tmp_path / "locked.json"
        second_json = run_ovhflow(
            "run", str(recipe), "--log-format", "json", "--report", str(report), env=full_env, cwd=tmp_path
        )
        locked_report = json.loads(report.read_text())  # the report says why this run did not happen
        assert locked_report["exit_status"] == 4 and f"pid {first.pid}" in locked_report["error"]
        assert second_json.returncode == 4
        (event,) = _events(second_json.stderr)
        assert (
            event["event"] == "error" and event["exit_status"] == 4 and f"pid {first.pid}" in event["message"]
        )
        waiter = start_ovhflow(["run", str(recipe), "--wait-lock", "120"], full_env, tmp_path)
        unlocked = run_ovhflow("run", str(recipe), "--no-lock", "-p", "tries=0", env=full_env, cwd=tmp_path)
        assert unlocked.returncode == 1 and "already running" not in unlocked.stderr  # --no-lock ignores it
        tried = run_ovhflow("run", str(recipe), "--sandbox", "-p", "tries=0", env=full_env, cwd=tmp_path)
        assert tried.returncode == 1 and "already running" not in tried.stderr  # the sandbox is another world
    finally:
        released = invoke_ovhflow(
            "call", "PUT", f"/dedicated/server/{server}/burst", "status=active", env=full_env, cwd=tmp_path
        )
    assert released.returncode == 0, released.stderr
    first.wait(timeout=60)
    drain.join()
    assert first.returncode == 0, "".join(rest)
    waiter_out, waiter_err = waiter.communicate(timeout=60)
    assert waiter.returncode == 0, waiter_err  # it waited for the first run instead of exiting 4


def test_json_log_line_by_line(sandbox, full_env, tmp_path: Path) -> None:
    recipe = _write(tmp_path, "mixed.yaml", MIXED)
    result = invoke_ovhflow("run", str(recipe), "--log-format", "json", env=full_env, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    events = _events(result.stderr)
    kinds = [event["event"] for event in events]
    assert kinds[0] == "run_start" and kinds[-1] == "run_end"
    assert {"step_start", "step_end", "item_end", "request", "log"} <= set(kinds)
    assert all("time" in event and "level" in event for event in events)
    requests_ = [event for event in events if event["event"] == "request"]
    assert all({"method", "path", "status", "duration"} <= set(event) for event in requests_)
    failed = [event for event in requests_ if event["status"] == 404]
    assert (
        len(failed) == 1 and failed[0]["query_id"] and failed[0]["path"] == "/dedicated/server/does-not-exist"
    )
    assert [event["method"] for event in requests_].count("PUT") == 3
    items = [event for event in events if event["event"] == "item_end"]
    # a loop of PUTs runs 16 at a time by default: its items end in the order their answers come
    assert sorted((event["index"], event["status"]) for event in items) == [
        (0, "changed"),
        (1, "changed"),
        (2, "changed"),
    ]
    ends = {event["step"]: event for event in events if event["event"] == "step_end"}
    assert ends["missing"]["status"] == "ignored" and ends["missing"]["query_id"] == failed[0]["query_id"]
    assert ends["burst"]["items"] == {"changed": 3}
    assert events[-1]["exit_status"] == 0 and events[-1]["counts"]["changed"] == 3


def test_json_log_on_failure_and_invalid_recipe(sandbox, full_env, tmp_path: Path) -> None:
    failing = invoke_ovhflow(
        "run", str(_write(tmp_path, "f.yaml", FAILING)), "--log-format", "json", env=full_env, cwd=tmp_path
    )
    assert failing.returncode == 1
    events = _events(failing.stderr)
    assert (
        events[-1]["event"] == "run_end" and events[-1]["exit_status"] == 1 and events[-1]["level"] == "error"
    )
    assert "query id" in events[-1]["error"].lower()
    invalid = invoke_ovhflow(
        "run",
        str(_write(tmp_path, "bad.yaml", "name: x\nsteps: []\n")),
        "--log-format",
        "json",
        env=full_env,
        cwd=tmp_path,
    )
    assert invalid.returncode == 2
    assert not (tmp_path / "bad-report.json").exists()
    reported = invoke_ovhflow(
        "run",
        str(tmp_path / "bad.yaml"),
        "--report",
        str(tmp_path / "bad-report.json"),
        env=full_env,
        cwd=tmp_path,
    )
    assert reported.returncode == 2
    report = json.loads((tmp_path / "bad-report.json").read_text())
    assert report["exit_status"] == 2 and "bad.yaml" in report["error"] and report["steps"] == []
    good = _write(tmp_path, "good.yaml", "name: me\nsteps:\n  - get: /me\n")
    nowhere = invoke_ovhflow(
        "run", str(good), "--report", str(tmp_path / "no" / "r.json"), env=full_env, cwd=tmp_path
    )
    assert nowhere.returncode == 2 and "folder" in nowhere.stderr and "does not exist" in nowhere.stderr
    assert not any("/me" in entry["path"] for entry in sandbox.journal)  # refused before any request
    (event,) = _events(invalid.stderr)
    assert event["event"] == "error" and event["exit_status"] == 2 and "bad.yaml" in event["message"]


def test_quiet_and_verbose(sandbox, full_env, tmp_path: Path) -> None:
    recipe = _write(tmp_path, "mixed.yaml", MIXED)
    quiet = invoke_ovhflow("run", str(recipe), "-q", env=full_env, cwd=tmp_path)
    default = invoke_ovhflow("run", str(recipe), env=full_env, cwd=tmp_path)
    verbose = invoke_ovhflow("run", str(recipe), "-v", env=full_env, cwd=tmp_path)
    for result in (quiet, default, verbose):
        assert result.returncode == 0, result.stderr
    # -q: errors only; the one failure is under ignore_errors, so a cron mail stays empty
    assert quiet.stderr == ""
    assert " ignored  " in default.stderr and "1 ignored, 0 failed" in default.stderr
    assert "burst on" not in quiet.stderr and "done in" not in quiet.stderr
    assert "burst on" in default.stderr and "done in" in default.stderr
    assert "PUT /dedicated/server/" not in default.stderr
    assert verbose.stderr.count("PUT /dedicated/server/") == 3 and "-> 200" in verbose.stderr
    assert "GET /dedicated/server -> 200" in verbose.stderr


def test_report_of_real_and_check_runs(sandbox, full_env, tmp_path: Path) -> None:
    recipe = _write(tmp_path, "mixed.yaml", MIXED)
    report_path = tmp_path / "reports" / "mixed.json"
    report_path.parent.mkdir()
    checked = invoke_ovhflow(
        "run", str(recipe), "--check", "--report", str(report_path), env=full_env, cwd=tmp_path
    )
    assert checked.returncode == 0, checked.stderr
    assert sandbox.writes() == []
    plan = json.loads(report_path.read_text())
    assert plan["check"] is True and plan["exit_status"] == 0
    assert plan["recipe"]["name"] == "mixed run" and plan["inputs"] == {"dc": "sbg1"}
    assert len(plan["changes"]) == 3 and all(c["method"] == "PUT" for c in plan["changes"])
    assert [s["id"] for s in plan["steps"]] == ["servers", "missing", "burst"]
    assert plan["steps"][2]["item_counts"] == {"planned": 3}
    assert plan["errors"] and plan["errors"][0]["query_id"]

    real = invoke_ovhflow("run", str(recipe), "--report", str(report_path), env=full_env, cwd=tmp_path)
    assert real.returncode == 0, real.stderr
    done = json.loads(report_path.read_text())
    assert done["check"] is False and len(done["changes"]) == 3
    changed_paths = sorted(c["path"] for c in done["changes"])
    assert changed_paths == sorted(w["path"].removeprefix("/1.0") for w in sandbox.writes())
    assert done["counts"]["changed"] == 3 and done["duration"] >= 0
    assert sorted(p.name for p in report_path.parent.iterdir()) == ["mixed.json"]

    failing = invoke_ovhflow(
        "run",
        str(_write(tmp_path, "f.yaml", FAILING)),
        "--report",
        str(report_path),
        env=full_env,
        cwd=tmp_path,
    )
    assert failing.returncode == 1
    failed = json.loads(report_path.read_text())
    assert failed["exit_status"] == 1 and failed["errors"][0]["query_id"]
    assert failed["errors"][0]["query_id"] in failing.stderr


def test_run_warns_about_readable_conf(sandbox, isolated_env, tmp_path: Path) -> None:
    creds = sandbox.credentials
    conf = _write(
        tmp_path,
        "ovh.conf",
        f"[default]\nendpoint = {sandbox.url}\n\n[{sandbox.url}]\n"
        f"application_key = {creds['application_key']}\napplication_secret = {creds['application_secret']}\n"
        f"consumer_key = {creds['consumer_key']}\n",
    )
    conf.chmod(0o644)
    recipe = _write(tmp_path, "f.yaml", "name: me\nsteps:\n  - get: /me\n")
    result = invoke_ovhflow("run", str(recipe), env=isolated_env, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert f"warning: {conf} is readable by other users" in result.stderr
    as_json = invoke_ovhflow("run", str(recipe), "--log-format", "json", env=isolated_env, cwd=tmp_path)
    warning = _events(as_json.stderr)[0]  # still one JSON object per line
    assert warning["event"] == "warning" and warning["message"].startswith(
        f"{conf} is readable by other users"
    )


def _run_on_terminal(args: list[str], env: dict[str, str], cwd: Path) -> tuple[int, str]:
    """Run the CLI with its stderr on a pseudo-terminal, as a person at a terminal would."""
    master, slave = pty.openpty()
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("OVH_")}
    full_env.update(env)
    full_env["PYTHONPATH"] = str(REPO_ROOT)
    process = subprocess.Popen(
        [sys.executable, "-m", "ovhflow", *args],
        stdout=subprocess.DEVNULL,
        stderr=slave,
        stdin=subprocess.DEVNULL,
        env=full_env,
        cwd=cwd,
    )
    os.close(slave)
    chunks: list[bytes] = []
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:  # the terminal is closed once the process has exited
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(master)
    return process.wait(timeout=60), b"".join(chunks).decode("utf-8", "replace")


def test_progress_bar_on_a_terminal_only(sandbox, full_env, tmp_path: Path) -> None:
    recipe = _write(
        tmp_path,
        "loop.yaml",
        "name: loop\nsteps:\n  - id: servers\n    get: /dedicated/server\n"
        "  - id: each\n    loop: '{{ steps.servers.result }}'\n    get: /dedicated/server/{{ item }}\n",
    )
    status, terminal = _run_on_terminal(["run", str(recipe)], full_env, tmp_path)
    assert status == 0, terminal
    total = len(sandbox.state["servers"])
    assert "\u2501" in terminal and f"{total}/{total}" in terminal  # rich's bar, counting the items
    piped = invoke_ovhflow("run", str(recipe), env=full_env, cwd=tmp_path)
    assert piped.returncode == 0
    assert "\x1b[" not in piped.stderr and "\u2501" not in piped.stderr  # never in cron's output
    status, json_terminal = _run_on_terminal(["run", str(recipe), "--log-format", "json"], full_env, tmp_path)
    assert status == 0 and "\u2501" not in json_terminal


def test_sigterm_ends_with_report_log_and_released_lock(sandbox, full_env, tmp_path: Path) -> None:
    recipe = _write(tmp_path, "wait.yaml", WAIT_FOR_BURST)
    servers = json.loads(
        invoke_ovhflow("call", "GET", "/dedicated/server", env=full_env, cwd=tmp_path).stdout
    )
    sandbox.state["bursts"][servers[0]]["status"] = "inactive"
    report = tmp_path / "report.json"
    args = ["run", str(recipe), "--log-format", "json", "--report", str(report)]
    first = start_ovhflow(args, full_env, tmp_path)
    assert first.stderr is not None
    lines = []
    for line in first.stderr:
        lines.append(line)
        if json.loads(line).get("event") == "request" and "/burst" in line:
            break
    else:
        raise AssertionError(f"the run ended early (exit {first.wait()})")
    first.terminate()
    lines += first.stderr.readlines()
    assert first.wait(timeout=60) == 143
    events = _events("".join(lines))
    assert events[-1]["event"] == "run_end" and events[-1]["exit_status"] == 143
    assert json.loads(report.read_text())["exit_status"] == 143
    again = invoke_ovhflow("run", str(recipe), "-p", "tries=0", env=full_env, cwd=tmp_path)
    assert again.returncode == 1 and "already running" not in again.stderr  # the lock went with the process


def test_library_retry_warnings_stay_in_the_json_log(sandbox_factory, isolated_env, tmp_path: Path) -> None:
    flaky = sandbox_factory(servers=6, bills=2, drop_rate=0.3)  # seeded: the same connections drop each time
    recipe = _write(
        tmp_path,
        "loop.yaml",
        "name: loop\nsteps:\n  - id: servers\n    get: /dedicated/server\n"
        "  - id: each\n    loop: '{{ steps.servers.result }}'\n    get: /dedicated/server/{{ item }}\n",
    )
    # a subprocess: urllib3's own "Retrying ..." lines reach stderr through a process without logging set-up
    # (in pytest's process its log capture would take them, and this test could not see them)
    result = run_ovhflow(
        "run", str(recipe), "--log-format", "json", env={**isolated_env, **flaky.env()}, cwd=tmp_path
    )
    events = _events(result.stderr)  # urllib3's own "Retrying ..." lines would not parse
    retried = [e for e in events if e["event"] == "warning" and "trying again" in e["message"]]
    assert retried and all(e["level"] == "warning" for e in retried)
    assert result.returncode == 0, result.stderr
