"""``plan show`` tells a reviewer where each write comes from, even from a step with no id or name."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ovhflow import __version__
from ovhflow.sandbox import Sandbox
from tests.cli_invoke import invoke
from tests.plan.test_plan_apply import make_plan, run

ZONE = "/domain/zone/example.com"
UNNAMED = f"""name: unnamed
steps:
  - post: {ZONE}/record
    body: {{fieldType: TXT, subDomain: review, target: x}}
  - id: refresh
    post: {ZONE}/refresh
"""


def test_a_step_without_id_or_name_is_shown_by_its_action_and_place(sandbox: Sandbox, tmp_path: Path) -> None:
    recipe = tmp_path / "unnamed.yaml"
    recipe.write_text(UNNAMED)
    plan_file, _ = make_plan(sandbox, tmp_path, recipe)
    writes = json.loads(plan_file.read_text())["writes"]
    assert [(w["step"], w["action"]) for w in writes] == [(None, "post"), ("refresh", "post")]
    assert writes[0]["location"].startswith(f"{recipe}:3:")
    shown = invoke("plan", "show", str(plan_file))
    assert shown.exit_code == 0, shown.stderr
    assert f"\nunnamed post step ({writes[0]['location']}): 1 write(s)\n" in shown.stdout
    assert f"\nstep refresh ({writes[1]['location']}): 1 write(s)\n" in shown.stdout
    assert "step ?" not in shown.stdout


def test_a_plan_without_actions_still_shows_where_its_steps_are(sandbox: Sandbox, tmp_path: Path) -> None:
    recipe = tmp_path / "unnamed.yaml"
    recipe.write_text(UNNAMED)
    plan_file, _ = make_plan(sandbox, tmp_path, recipe)
    plan = json.loads(plan_file.read_text())
    for write in plan["writes"]:  # as a plan made before writes recorded their action
        del write["action"]
    plan_file.write_text(json.dumps(plan))
    shown = invoke("plan", "show", str(plan_file))
    assert shown.exit_code == 0, shown.stderr
    assert f"\nunnamed step ({plan['writes'][0]['location']}): 1 write(s)\n" in shown.stdout


def test_a_plan_records_the_ovhflow_that_made_it(sandbox: Sandbox, tmp_path: Path) -> None:
    recipe = tmp_path / "unnamed.yaml"
    recipe.write_text(UNNAMED)
    plan_file, _ = make_plan(sandbox, tmp_path, recipe)
    plan = json.loads(plan_file.read_text())
    assert plan["ovhflow_version"] == __version__
    shown = invoke("plan", "show", str(plan_file))
    assert f" by ovhflow {__version__} against " in shown.stdout
    plan["ovhflow_version"] = "0.0.1"
    plan_file.write_text(json.dumps(plan))
    assert " by ovhflow 0.0.1 against " in invoke("plan", "show", str(plan_file)).stdout
    del plan["ovhflow_version"]
    plan_file.write_text(json.dumps(plan))
    shown = invoke("plan", "show", str(plan_file))
    assert " by an ovhflow that did not record its version against " in shown.stdout


@pytest.mark.parametrize("made_by", [__version__, "0.0.1", None])
def test_applying_a_plan_of_another_ovhflow_warns(
    sandbox: Sandbox, tmp_path: Path, made_by: str | None
) -> None:
    recipe = tmp_path / "unnamed.yaml"
    recipe.write_text(UNNAMED)
    plan_file, _ = make_plan(sandbox, tmp_path, recipe)
    plan = json.loads(plan_file.read_text())
    plan.pop("ovhflow_version")
    plan_file.write_text(json.dumps({**plan, **({"ovhflow_version": made_by} if made_by else {})}))
    applied = run(sandbox, tmp_path, "--plan", str(plan_file), str(recipe))
    assert applied.exit_code == 0, applied.stderr  # a warning, not a refusal
    assert len(sandbox.writes()) == 2
    warned = [line for line in applied.stderr.splitlines() if f"plan {plan_file} was made by" in line]
    if made_by == __version__:
        assert warned == []
    else:
        who = f"ovhflow {made_by}" if made_by else "an ovhflow that did not record its version"
        assert len(warned) == 1 and f"made by {who}, this is ovhflow {__version__}" in warned[0]
