"""SIGTERM and Ctrl-C during start-up, through the real ``ovhflow`` command (subprocess).

Start-up (plugins, recipe, inputs) runs before ``ovhflow run`` installs its own handlers; a signal then
used to kill the process without a word (SIGTERM) or end it in "Aborted!" with exit 1 (Ctrl-C). It must
end with the documented 143 or 130, one line, and, with ``--report``, a report saying nothing was sent.
A plugin in ``--plugins-dir`` that waits while it is imported holds start-up still for the signal.
"""

from __future__ import annotations

import json
import signal
import subprocess
from pathlib import Path

import pytest

from tests.hardening.helpers import read_report, run_stderr, start_run, wait_for

SLOW_PLUGIN = """\
import os
import pathlib
import time

pathlib.Path(os.environ["STARTED_MARKER"]).write_text("importing")
time.sleep(60)  # start-up stays here until the signal
"""

RECIPE = "name: never sent\nsteps:\n  - get: /me\n"


def _interrupt_start_up(tmp_path: Path, isolated: dict[str, str], signum: int, *args: str) -> tuple[int, str]:
    plugins = tmp_path / "plugins"
    plugins.mkdir()
    (plugins / "slow_start.py").write_text(SLOW_PLUGIN, encoding="utf-8")
    marker = tmp_path / "started"
    env = {**isolated, "STARTED_MARKER": str(marker)}
    process = start_run([*args, "--plugins-dir", str(plugins)], env, tmp_path)
    wait_for(marker.exists, process, "the plugin being imported")
    process.send_signal(signum)
    try:
        code = process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        raise AssertionError("the command did not end within 20 s of the signal") from None
    return code, run_stderr(tmp_path)


@pytest.mark.parametrize(
    ("signum", "exit_code", "name"), [(signal.SIGTERM, 143, "SIGTERM"), (signal.SIGINT, 130, "Ctrl-C")]
)
def test_a_signal_while_a_run_loads_exits_with_its_code_and_a_report(
    tmp_path: Path, isolated: dict[str, str], signum: int, exit_code: int, name: str
) -> None:
    recipe = tmp_path / "recipe.yaml"
    recipe.write_text(RECIPE, encoding="utf-8")
    report = tmp_path / "report.json"
    code, stderr = _interrupt_start_up(
        tmp_path, isolated, signum, "run", "--sandbox", str(recipe), "--report", str(report)
    )
    assert code == exit_code
    assert stderr.splitlines() == [f"error: interrupted by {name} during start-up: nothing was sent"]
    written = read_report(report)
    assert written["exit_status"] == exit_code
    assert written["error"] == f"interrupted by {name} during start-up: nothing was sent"
    assert written["changes"] == [] and not any(written["counts"].values())


def test_a_sigterm_while_a_run_loads_is_one_json_event(tmp_path: Path, isolated: dict[str, str]) -> None:
    recipe = tmp_path / "recipe.yaml"
    recipe.write_text(RECIPE, encoding="utf-8")
    code, stderr = _interrupt_start_up(
        tmp_path, isolated, signal.SIGTERM, "run", "--sandbox", str(recipe), "--log-format", "json"
    )
    assert code == 143
    (line,) = stderr.splitlines()
    event = json.loads(line)
    assert (event["event"], event["exit_status"]) == ("error", 143)
    assert event["message"] == "interrupted by SIGTERM during start-up: nothing was sent"


def test_a_sigterm_while_validate_loads_exits_143(tmp_path: Path, isolated: dict[str, str]) -> None:
    recipe = tmp_path / "recipe.yaml"
    recipe.write_text(RECIPE, encoding="utf-8")
    code, stderr = _interrupt_start_up(tmp_path, isolated, signal.SIGTERM, "validate", str(recipe))
    assert code == 143
    assert stderr.splitlines() == ["interrupted by SIGTERM"]
