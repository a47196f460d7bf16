"""A saved plan is applied at most once: a second ``run --plan`` of it is refused (exit 2), even when the
first one stopped midway; the record of applied plans lives in ovhflow's state folder (next to the locks)."""

from __future__ import annotations

import json
from pathlib import Path

from ovhflow.sandbox import Sandbox
from tests.helpers import RECIPES_DIR
from tests.plan.test_plan_apply import BURST, client, make_plan, run, sbg1_servers

REBOOT = RECIPES_DIR / "reboot-and-wait.yaml"


def reboot_plan(sb: Sandbox, tmp_path: Path) -> tuple[Path, tuple[str, ...]]:
    server = client(sb).get("/dedicated/server")[0]
    args = ("-p", f"server={server}", "-p", "interval=0.05")
    plan = tmp_path / "plan.json"
    made = run(sb, tmp_path, "--check", "--plan-out", str(plan), str(REBOOT), *args)
    assert made.exit_code == 0, made.stderr
    return plan, args


def test_a_plan_applied_once_is_refused_the_second_time(sandbox: Sandbox, tmp_path: Path) -> None:
    plan, _ = reboot_plan(sandbox, tmp_path)
    first = run(sandbox, tmp_path, "--plan", str(plan), str(REBOOT))
    assert first.exit_code == 0, first.stderr
    del sandbox.journal[:]
    again = run(sandbox, tmp_path, "--plan", str(plan), str(REBOOT))
    assert again.exit_code == 2, again.stderr
    assert f"plan {plan} was already applied at " in again.stderr
    assert "make a new plan (--check --plan-out)" in again.stderr and "Traceback" not in again.stderr
    assert sandbox.writes() == []  # the reboot is not sent again
    assert [e for e in sandbox.journal if e["method"] != "GET"] == []


def test_a_copy_of_an_applied_plan_is_refused_too(sandbox: Sandbox, tmp_path: Path) -> None:
    """The record is the plan's content, not its file name: a copy, even re-indented, is the same plan."""
    plan, _ = reboot_plan(sandbox, tmp_path)
    assert run(sandbox, tmp_path, "--plan", str(plan), str(REBOOT)).exit_code == 0
    copy = tmp_path / "copy.json"
    copy.write_text(json.dumps(json.loads(plan.read_text()), indent=4))
    del sandbox.journal[:]
    again = run(sandbox, tmp_path, "--plan", str(copy), str(REBOOT))
    assert again.exit_code == 2 and "already applied" in again.stderr, again.stderr
    assert sandbox.writes() == []


def test_an_apply_that_stopped_midway_consumes_the_plan(sandbox_factory, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Applying stopped at a write the plan does not have (exit 5): the writes before it were sent, so
    the plan is consumed all the same; a new plan plans only what is left."""
    sandbox = sandbox_factory(servers=12, bills=1, seed=7)
    active = sorted(n for n, status in sbg1_servers(sandbox).items() if status == "active")
    assert active, "the seed must leave some sbg1 server with burst on"
    plan, _ = make_plan(sandbox, tmp_path)
    client(sandbox).put(f"/dedicated/server/{active[0]}/burst", status="inactive")  # changed since the plan
    assert run(sandbox, tmp_path, "--plan", str(plan), str(BURST)).exit_code == 5
    del sandbox.journal[:]
    again = run(sandbox, tmp_path, "--plan", str(plan), str(BURST))
    assert again.exit_code == 2 and "already applied" in again.stderr, again.stderr
    assert sandbox.writes() == []


def test_a_refused_plan_is_not_consumed(sandbox: Sandbox, tmp_path: Path) -> None:
    """A plan refused before any write (here: another input value) can still be applied afterwards."""
    plan, args = reboot_plan(sandbox, tmp_path)
    refused = run(sandbox, tmp_path, "--plan", str(plan), str(REBOOT), "-p", "interval=9")
    assert refused.exit_code == 2 and "already applied" not in refused.stderr
    applied = run(sandbox, tmp_path, "--plan", str(plan), str(REBOOT))
    assert applied.exit_code == 0, applied.stderr
    assert len(sandbox.writes()) == 1
