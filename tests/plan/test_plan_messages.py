"""What an operator reads when applying a plan stops at a write the plan does not have (exit 5): the
whole story once, in the run's error; the request's and the step's lines say what they add."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ovhflow.sandbox import Sandbox
from tests.plan.test_plan_apply import BURST, client, make_plan, run, sbg1_servers


@pytest.fixture
def sandbox():
    with Sandbox(servers=12, bills=1, seed=7) as sb:
        yield sb


def changed_since_the_plan(sandbox: Sandbox, tmp_path: Path) -> tuple[Path, str, str]:
    """A plan of the burst recipe, then a server's burst turned off: its PUT is not in the plan."""
    before = sbg1_servers(sandbox)
    plan_file, _ = make_plan(sandbox, tmp_path)
    server = sorted(n for n, status in before.items() if status == "active")[0]
    client(sandbox).put(f"/dedicated/server/{server}/burst", status="inactive")
    step = json.loads(plan_file.read_text())["writes"][0]["location"]
    return plan_file, f"/dedicated/server/{server}/burst", step


def test_the_refusal_is_said_once_in_text(sandbox: Sandbox, tmp_path: Path) -> None:
    plan_file, path, step = changed_since_the_plan(sandbox, tmp_path)
    applied = run(sandbox, tmp_path, "--plan", str(plan_file), str(BURST))
    assert applied.exit_code == 5, applied.stderr
    lines = applied.stderr.splitlines()
    request = [line for line in lines if f"  PUT {path} -> " in line]
    assert len(request) == 1 and request[0].endswith(f"PUT {path} -> not in the reviewed plan, so not sent")
    failed = [line for line in lines if "failed   Enable burst where it is off" in line]
    assert len(failed) == 1 and failed[0].endswith(f": PUT {path}: not in the reviewed plan, so not sent")
    assert lines[-1].startswith(f'error: {step}: PUT {path} {{"status": "active"}}: not in the reviewed plan')
    assert applied.stderr.count("the nearest planned write is") == 1  # in the error line only
    assert applied.stderr.count('{"status": "active"}') == 2  # the refused write and the nearest, once each
    assert "no answer" not in applied.stderr  # it was never sent


def test_the_refusal_is_said_once_in_the_json_log(sandbox: Sandbox, tmp_path: Path) -> None:
    plan_file, path, step = changed_since_the_plan(sandbox, tmp_path)
    applied = run(sandbox, tmp_path, "--plan", str(plan_file), str(BURST), "--log-format", "json")
    assert applied.exit_code == 5, applied.stderr
    events = [json.loads(line) for line in applied.stderr.splitlines()]
    request = next(e for e in events if e["event"] == "request" and e["method"] == "PUT")
    assert request["path"] == path and request["status"] is None
    assert request["error"] == "not in the reviewed plan, so not sent"
    failed = next(e for e in events if e["event"] == "step_end" and e["status"] == "failed")
    assert failed["error"] == f"PUT {path}: not in the reviewed plan, so not sent"
    end = events[[e["event"] for e in events].index("run_end")]
    assert end["exit_status"] == 5
    assert end["error"].startswith(f'{step}: PUT {path} {{"status": "active"}}: not in the reviewed plan')
    assert sum("the nearest planned write is" in json.dumps(e) for e in events) == 1
