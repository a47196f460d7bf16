"""A hostile or broken machine around the real ``ovhflow run`` (sandbox over HTTP): stderr closed or its
reader gone (a subprocess: the process's descriptors are the subject), a link or a folder planted at the
lock path, a report folder that cannot be written (in-process)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.cli_invoke import invoke_ovhflow
from tests.hardening.helpers import READ_AND_PUT, read_report, start_run, succeeded_paths, wait_for
from tests.helpers import REPO_ROOT


def _full_env(sandbox, isolated) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("OVH_")}
    return {**env, **isolated, **sandbox.env(), "PYTHONPATH": str(REPO_ROOT)}


def _every_burst_applied(sandbox) -> bool:
    names = list(sandbox.state["servers"])
    return succeeded_paths(sandbox.journal, "PUT") == {f"/dedicated/server/{n}/burst": 1 for n in names}


def test_a_closed_stderr_never_aborts_the_run(sandbox, isolated, write_recipe):
    recipe = write_recipe(READ_AND_PUT)
    report = recipe.parent / "report.json"
    script = 'exec "$0" -m ovhflow run -v "$1" --report "$2" 2>&-'
    done = subprocess.run(
        ["sh", "-c", script, sys.executable, str(recipe), str(report)],
        env=_full_env(sandbox, isolated),
        cwd=recipe.parent,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout
    assert _every_burst_applied(sandbox)
    document = read_report(report)
    assert document["exit_status"] == 0 and document["counts"]["changed"] == len(sandbox.state["servers"])
    assert document["lost_output"] == {"stderr": "closed when ovhflow started"}


@pytest.mark.parametrize("log_format", ["text", "json"])
def test_a_dead_stderr_reader_never_aborts_the_run(sandbox, isolated, write_recipe, log_format):
    # `ovhflow run ... 2>&1 | head -2`: the reader takes two lines and exits
    recipe = write_recipe(READ_AND_PUT)
    report = recipe.parent / "report.json"
    process = subprocess.Popen(
        [sys.executable, "-m", "ovhflow", "run", "-v", str(recipe), "--report", str(report)]
        + ["--log-format", log_format],
        env=_full_env(sandbox, isolated),
        cwd=recipe.parent,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
    )
    assert process.stdout is not None
    head = [process.stdout.readline(), process.stdout.readline()]
    process.stdout.close()
    assert process.wait(timeout=120) == 0
    assert all(line for line in head)
    assert _every_burst_applied(sandbox)
    document = read_report(report)
    assert document["exit_status"] == 0 and document["error"] is None
    assert document["lost_output"] == {"stderr": "Broken pipe"}  # the recipe prints nothing on stdout


ME = "name: me\nsteps:\n  - get: /me\n"


def _lock_file(recipe: Path, isolated: dict[str, str], monkeypatch) -> Path:
    monkeypatch.setenv("OVHFLOW_LOCK_DIR", isolated["OVHFLOW_LOCK_DIR"])
    from ovhflow.cli.locking import lock_path

    return lock_path(recipe)  # creates the (private) lock folder


def test_a_symlink_at_the_lock_path_is_never_followed(sandbox, isolated, write_recipe, tmp_path, monkeypatch):
    recipe = write_recipe(ME)
    victim = tmp_path / "precious.txt"
    victim.write_text("do not truncate me\n")
    _lock_file(recipe, isolated, monkeypatch).symlink_to(victim)
    result = invoke_ovhflow("run", str(recipe), env={**isolated, **sandbox.env()}, cwd=tmp_path)
    assert result.returncode == 3, result.stderr
    assert "is a symbolic link (refusing to follow it)" in result.stderr and "Traceback" not in result.stderr
    assert victim.read_text() == "do not truncate me\n"
    assert sandbox.journal == []


def test_a_hard_link_at_the_lock_path_is_refused(sandbox, isolated, write_recipe, monkeypatch):
    recipe = write_recipe(ME)
    lock = _lock_file(recipe, isolated, monkeypatch)
    victim = lock.parent / "precious.txt"  # a hard link must live on the same filesystem
    victim.write_text("do not truncate me\n")
    os.link(victim, lock)
    result = invoke_ovhflow("run", str(recipe), env={**isolated, **sandbox.env()}, cwd=recipe.parent)
    assert result.returncode == 3 and "has other hard links" in result.stderr, result.stderr
    assert victim.read_text() == "do not truncate me\n"


def test_a_folder_at_the_lock_path_exits_3_with_a_message(sandbox, isolated, write_recipe, monkeypatch):
    recipe = write_recipe(ME)
    lock = _lock_file(recipe, isolated, monkeypatch)
    lock.mkdir()
    result = invoke_ovhflow("run", str(recipe), env={**isolated, **sandbox.env()}, cwd=recipe.parent)
    assert result.returncode == 3, result.stderr
    assert f"lock file {lock} is a folder" in result.stderr and "internal error" not in result.stderr
    assert sandbox.journal == []


def test_a_report_folder_that_cannot_be_written_is_refused_before_any_request(
    sandbox, isolated, write_recipe
):
    # /sys refuses new files even to root, whose permission bits say otherwise
    recipe = write_recipe(ME)
    env = {**isolated, **sandbox.env()}
    result = invoke_ovhflow("run", str(recipe), "--report", "/sys/report.json", env=env, cwd=recipe.parent)
    assert result.returncode == 2, result.stderr
    assert "--report /sys/report.json: folder /sys is not writable" in result.stderr
    assert sandbox.journal == []


def test_a_report_that_cannot_be_written_at_the_end_fails_the_run(sandbox_factory, isolated, write_recipe):
    sb = sandbox_factory(servers=6, bills=1, latency=0.05)
    recipe = write_recipe(READ_AND_PUT)
    folder = recipe.parent / "reports"
    folder.mkdir()
    report = folder / "report.json"
    process = start_run(
        ["run", str(recipe), "--report", str(report), "--log-format", "json"],
        {**isolated, **sb.env()},
        recipe.parent,
    )
    wait_for(lambda: len(sb.journal) >= 2, process, "the run started")
    folder.rmdir()  # gone before the run ends: the report cannot be written
    assert process.wait(timeout=120) == 1
    events = [json.loads(line) for line in (recipe.parent / "stderr.txt").read_text().splitlines()]
    assert events[-1]["event"] == "run_end" and events[-1]["exit_status"] == 1
    assert f"cannot write the report {report}" in events[-1]["error"]
    assert _every_burst_applied(sb)  # the work itself was done
