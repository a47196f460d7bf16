"""Recovering from trouble through the real ``ovhflow run``: the API restarting mid-run, a failed run
run again, and a run killed while it writes its report."""

from __future__ import annotations

import json
import signal
import time
from pathlib import Path

import pytest

from tests.cli_invoke import invoke_ovhflow
from tests.hardening.helpers import (
    READ_AND_PUT,
    read_report,
    run_stderr,
    start_run,
    succeeded_paths,
    wait_for,
    writes_per_path,
)
from tests.helpers import RECIPES_DIR


def _details_read(sb) -> int:
    return sum(1 for e in sb.journal if e["path"].count("/") == 3 and e["status"] == 200)


def test_api_restart_mid_run_is_ridden_out_by_retries(sandbox_factory, isolated, write_recipe):
    sb = sandbox_factory(servers=12, bills=1, latency=0.02)
    recipe = write_recipe(READ_AND_PUT)
    report = recipe.parent / "report.json"
    command = ["run", str(recipe), "--report", str(report), "--concurrency", "1"]  # restart mid-reads
    process = start_run(command, {**isolated, **sb.env()}, recipe.parent)
    wait_for(lambda: _details_read(sb) >= 3, process, "three servers read")
    sb.stop()
    time.sleep(0.2)  # connections refused meanwhile; the client's retries wait longer than this
    sb.start()
    assert process.wait(timeout=60) == 0, run_stderr(recipe.parent)
    assert "Traceback" not in run_stderr(recipe.parent)
    names = list(sb.state["servers"])
    assert succeeded_paths(sb.journal, "PUT") == {f"/dedicated/server/{n}/burst": 1 for n in names}
    assert read_report(report)["exit_status"] == 0


def test_api_down_for_good_ends_exit_1_with_an_accurate_report_and_a_rerun_finishes(
    sandbox_factory, isolated, write_recipe
):
    sb = sandbox_factory(servers=12, bills=1, latency=0.02)
    recipe = write_recipe(READ_AND_PUT)
    report_path = recipe.parent / "report.json"
    env = {**isolated, **sb.env()}
    one_at_a_time = ["--concurrency", "1"]  # so that the report's counts are exact (see below)
    command = ["run", str(recipe), "--report", str(report_path), *one_at_a_time]
    process = start_run(command, env, recipe.parent)
    wait_for(lambda: _details_read(sb) >= 3, process, "three servers read")
    sb.stop()
    try:
        assert process.wait(timeout=60) == 1
    finally:
        sb.start()
    stderr = run_stderr(recipe.parent)
    assert "Traceback" not in stderr
    read = [e["path"] for e in sb.journal if e["path"].count("/") == 3 and e["status"] == 200]
    report = read_report(report_path)
    assert report["exit_status"] == 1 and report["changes"] == []
    [details] = [step for step in report["steps"] if step["id"] == "details"]
    assert details["status"] == "failed"
    ok = details["item_counts"]["ok"]
    assert details["item_counts"] == {"ok": ok, "failed": 1} and details["items"] == ok + 1
    # one item at a time, in order: the first `ok` servers were read, the next one failed; the API may
    # have answered that one just as it stopped (the answer was lost), never one further
    names = list(sb.state["servers"])
    assert read[:ok] == [f"/dedicated/server/{n}" for n in names[:ok]] and len(read) in (ok, ok + 1)
    [error] = report["errors"]
    assert error["message"].startswith(f"GET /dedicated/server/{names[ok]}:")
    assert sb.writes() == []

    again = invoke_ovhflow("run", str(recipe), env=env, cwd=recipe.parent)
    assert again.returncode == 0, again.stderr
    assert set(succeeded_paths(sb.journal, "PUT").values()) == {1}


def _to_enable(sb) -> list[str]:
    state = sb.state
    return sorted(
        f"/dedicated/server/{name}/burst"
        for name, server in state["servers"].items()
        if server["datacenter"] == "sbg1" and state["bursts"][name]["status"] != "active"
    )


def test_burst_run_again_after_a_failed_run_finishes_without_redoing(sandbox_factory, isolated, tmp_path):
    """tests/engine shows this after an interruption; here the first run fails on API errors (exit 1).

    The burst loop runs 16 writes at a time: with more bursts to enable than that and 50 ms a call,
    the faults are switched on while later writes are still to come (with 40 servers and 20 ms, the
    whole loop could end between two polls and the first run succeed).
    """
    sb = sandbox_factory(servers=200, bills=1, latency=0.05)
    expected = _to_enable(sb)
    assert len(expected) > 32
    burst = str(RECIPES_DIR / "burst-sbg1.yaml")
    env = {**isolated, **sb.env()}
    report_path = tmp_path / "report.json"
    process = start_run(["run", burst, "--report", str(report_path)], env, tmp_path)
    wait_for(lambda: bool(succeeded_paths(sb.journal, "PUT")), process, "a first burst enabled")
    sb.faults.error_rate = 1.0
    assert process.wait(timeout=60) == 1
    assert "Traceback" not in run_stderr(tmp_path)
    first = succeeded_paths(sb.journal, "PUT")
    assert 0 < len(first) < len(expected)
    changed = [c["path"] for c in read_report(report_path)["changes"] if c["status"] == "changed"]
    assert sorted(changed) == sorted(first)
    entries_before = len(sb.journal)

    sb.faults.error_rate = 0.0
    done = invoke_ovhflow("run", burst, env=env, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    second = writes_per_path(sb.journal[entries_before:], "PUT")
    assert set(second).isdisjoint(first)  # nothing done by the failed run is done again
    assert sorted([*first, *second]) == expected and set(second.values()) == {1}
    assert succeeded_paths(sb.journal, "PUT") == dict.fromkeys(expected, 1)  # each burst PUT once in all
    assert _to_enable(sb) == []


# Loaded by the ovhflow subprocess (PYTHONPATH): when the report's temporary file is flushed to disk,
# say so and wait to be killed - a SIGKILL at the worst moment, without guessing a timing.
PAUSE_IN_REPORT_WRITE = """\
import os, time
_fsync = os.fsync
def fsync(fd):
    try:
        name = os.path.basename(os.readlink(f"/proc/self/fd/{fd}"))
    except OSError:
        name = ""
    if name.startswith(".report.json."):
        open(os.environ["HARDENING_MARKER"], "w").close()
        time.sleep(60)
    return _fsync(fd)
os.fsync = fsync
"""


def _kill_while_writing_report(sb, isolated, tmp_path: Path, recipe: Path, report: Path) -> None:
    hook = tmp_path / "hook"
    hook.mkdir(exist_ok=True)
    (hook / "sitecustomize.py").write_text(PAUSE_IN_REPORT_WRITE, encoding="utf-8")
    marker = tmp_path / "writing"
    env = {**isolated, **sb.env(), "HARDENING_MARKER": str(marker)}
    process = start_run(["run", str(recipe), "--report", str(report)], env, tmp_path, extra_path=hook)
    try:
        wait_for(marker.exists, process, "the report being written")
        temporary = [p for p in tmp_path.iterdir() if p.name.startswith(".report.json.")]
        assert temporary and json.loads(temporary[0].read_text())["exit_status"] == 0  # the new report
        process.send_signal(signal.SIGKILL)
        assert process.wait(timeout=30) == -signal.SIGKILL
        assert "Traceback" not in run_stderr(tmp_path)
    finally:
        if process.poll() is None:
            process.kill()


def test_killed_while_writing_the_report_leaves_the_previous_one(sandbox, isolated, write_recipe, tmp_path):
    recipe = write_recipe("name: fails\nsteps:\n  - get: /me\n  - fail: on purpose\n")
    report = tmp_path / "report.json"
    first = invoke_ovhflow("run", str(recipe), "--report", str(report), env={**isolated, **sandbox.env()})
    assert first.returncode == 1
    previous = report.read_bytes()
    recipe.write_text("name: fails\nsteps:\n  - get: /me\n", encoding="utf-8")  # now it succeeds
    _kill_while_writing_report(sandbox, isolated, tmp_path, recipe, report)
    assert report.read_bytes() == previous and json.loads(previous)["exit_status"] == 1


def test_killed_while_writing_the_first_report_leaves_none(sandbox, isolated, write_recipe, tmp_path):
    recipe = write_recipe("name: works\nsteps:\n  - get: /me\n")
    report = tmp_path / "report.json"
    _kill_while_writing_report(sandbox, isolated, tmp_path, recipe, report)
    assert not report.exists()
    leftover = [p for p in tmp_path.iterdir() if p.name.startswith(".report.json.")]
    assert leftover  # the killed writer's temporary file, never under the report's name
    again = invoke_ovhflow("run", str(recipe), "--report", str(report), env={**isolated, **sandbox.env()})
    assert again.returncode == 0 and read_report(report)["exit_status"] == 0
    assert not any(p.exists() for p in leftover)  # the next writer cleared what the killed one left


PUT_EACH = """\
name: put each
steps:
  - id: servers
    get: /dedicated/server
  - id: burst
    loop: "{{ steps.servers.result }}"
    concurrency: 3
    put: /dedicated/server/{{ item }}/burst
    body: {status: active}
"""


@pytest.mark.parametrize(("signum", "status"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_interrupted_run_reports_exactly_the_writes_that_ran(
    sandbox_factory, isolated, write_recipe, signum, status
):
    """tests/engine shows in-flight iterations finish and nothing new starts; here the report written on
    the way out lists exactly the writes the API applied - complete for what ran, nothing cut in half."""
    sb = sandbox_factory(servers=20, bills=1, latency=0.1)
    recipe = write_recipe(PUT_EACH)
    report_path = recipe.parent / "report.json"
    env = {**isolated, **sb.env()}
    process = start_run(["run", str(recipe), "--report", str(report_path)], env, recipe.parent)
    wait_for(lambda: bool(succeeded_paths(sb.journal, "PUT")), process, "a first PUT applied")
    process.send_signal(signum)
    assert process.wait(timeout=60) == status
    assert "Traceback" not in run_stderr(recipe.parent)
    applied = succeeded_paths(sb.journal, "PUT")
    assert writes_per_path(sb.journal, "PUT") == applied and set(applied.values()) == {1}  # none cut off
    assert 0 < len(applied) < 20
    report = read_report(report_path)
    assert report["exit_status"] == status
    assert sorted(c["path"] for c in report["changes"]) == sorted(applied)
    assert {c["status"] for c in report["changes"]} == {"changed"}
    [burst] = [step for step in report["steps"] if step["id"] == "burst"]
    assert burst["items"] == len(applied) and burst["item_counts"] == {"changed": len(applied)}


def test_api_restart_during_writes_ends_with_every_write_applied(sandbox_factory, isolated, write_recipe):
    sb = sandbox_factory(servers=12, bills=1, latency=0.02)
    recipe = write_recipe(READ_AND_PUT)
    process = start_run(["run", str(recipe)], {**isolated, **sb.env()}, recipe.parent)
    wait_for(lambda: len(succeeded_paths(sb.journal, "PUT")) >= 3, process, "three PUTs applied")
    sb.stop()
    time.sleep(0.2)
    sb.start()
    assert process.wait(timeout=60) == 0, run_stderr(recipe.parent)
    assert "Traceback" not in run_stderr(recipe.parent)
    names = list(sb.state["servers"])
    assert all(sb.state["bursts"][n]["status"] == "active" for n in names)
    # PUT is idempotent: one whose answer was lost in the restart may have been applied twice
    assert set(succeeded_paths(sb.journal, "PUT")) == {f"/dedicated/server/{n}/burst" for n in names}
