"""A plan binds the recipe as run: the main file and every file it includes (format version 3), and the
input values, whatever file gave them (a --params file that says otherwise is refused)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ovhflow import ovh
from ovhflow.sandbox import Sandbox
from tests.cli_invoke import invoke
from tests.plan.test_plan_apply import make_plan, run

ZONE = "/domain/zone/example.com"


@pytest.fixture
def sandbox():
    with Sandbox(servers=3, bills=1, seed=7) as sb:
        yield sb


def include_tree(folder: Path) -> Path:
    """main.yaml includes lib/burst.yaml, which includes ../refresh.yaml."""
    (folder / "lib").mkdir(parents=True)
    (folder / "main.yaml").write_text(
        "name: main\ninputs:\n  server: {type: string}\n"
        'steps:\n  - include: lib/burst.yaml\n    with: {server: "{{ inputs.server }}"}\n'
    )
    (folder / "lib" / "burst.yaml").write_text(
        "name: burst\ninputs:\n  server: {type: string}\nsteps:\n  - include: ../refresh.yaml\n"
        "  - put: /dedicated/server/{{ inputs.server }}/burst\n    body: {status: active}\n"
    )
    (folder / "refresh.yaml").write_text(f"name: refresh\nsteps:\n  - post: {ZONE}/refresh\n")
    return folder / "main.yaml"


def test_a_changed_include_is_refused_before_any_request(sandbox: Sandbox, tmp_path: Path) -> None:
    recipe = include_tree(tmp_path / "recipes")
    server = ovh.Client(**sandbox.credentials).get("/dedicated/server")[0]
    plan_file, _ = make_plan(sandbox, tmp_path, recipe, "-p", f"server={server}")
    plan = json.loads(plan_file.read_text())
    assert plan["version"] == 3
    assert [item["path"] for item in plan["recipe"]["includes"]] == ["lib/burst.yaml", "refresh.yaml"]
    assert "includes: lib/burst.yaml, refresh.yaml" in invoke("plan", "show", str(plan_file)).stdout

    nested = recipe.parent / "refresh.yaml"  # included by an included file
    nested.write_text(nested.read_text().replace("example.com", "example.org"))
    del sandbox.journal[:]
    refused = run(sandbox, tmp_path, "--plan", str(plan_file), str(recipe))
    assert refused.exit_code == 2, refused.stderr
    assert refused.stderr.strip().splitlines() == [
        f"error: {recipe.parent}/lib/../refresh.yaml changed since plan {plan_file} was made from it: "
        "review a new plan (--check --plan-out) before applying"
    ]
    assert sandbox.journal == []  # no request at all

    nested.write_text(f"name: refresh\nsteps:\n  - post: {ZONE}/refresh\n")  # as it was planned
    applied = run(sandbox, tmp_path, "--plan", str(plan_file), str(recipe))
    assert applied.exit_code == 0, applied.stderr
    assert [(e["method"], e["path"]) for e in sandbox.writes()] == [
        ("POST", f"{ZONE}/refresh"),
        ("PUT", f"/dedicated/server/{server}/burst"),
    ]


def test_a_plan_without_includes_is_refused_for_a_recipe_that_has_some(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    """A version 2 plan does not record the included files: refused for a recipe with includes."""
    recipe = include_tree(tmp_path / "recipes")
    server = ovh.Client(**sandbox.credentials).get("/dedicated/server")[0]
    plan_file, _ = make_plan(sandbox, tmp_path, recipe, "-p", f"server={server}")
    plan = json.loads(plan_file.read_text())
    del plan["recipe"]["includes"]
    plan_file.write_text(json.dumps({**plan, "version": 3}))
    del sandbox.journal[:]
    broken = run(sandbox, tmp_path, "--plan", str(plan_file), str(recipe))
    assert broken.exit_code == 2 and "not a valid ovhflow plan: at recipe: 'includes'" in broken.stderr
    plan_file.write_text(json.dumps({**plan, "version": 2}))
    older = run(sandbox, tmp_path, "--plan", str(plan_file), str(recipe))
    assert older.exit_code == 2, older.stderr
    assert f"plan {plan_file} (format version 2) does not record the files the recipe includes" in (
        older.stderr
    )
    assert "make a new plan with this ovhflow" in older.stderr and "Traceback" not in older.stderr
    assert sandbox.journal == []


def test_a_params_file_must_give_the_planned_values(sandbox: Sandbox, tmp_path: Path) -> None:
    """The plan binds the inputs' values, not the file they came from: applying with a params file that
    gives the same values works; one that gives another value is refused at the value, exit 2."""
    recipe = tmp_path / "one.yaml"
    recipe.write_text(
        "name: one\ninputs:\n  server: {type: string}\n  ttl: {type: integer, default: 60}\n"
        "steps:\n  - put: /dedicated/server/{{ inputs.server }}/burst\n    body: {status: active}\n"
    )
    server = ovh.Client(**sandbox.credentials).get("/dedicated/server")[0]
    params = tmp_path / "params.yaml"
    params.write_text(f"server: {server}\nttl: 60\n")
    plan_file, _ = make_plan(sandbox, tmp_path, recipe, "--params", str(params))
    params.write_text(f"server: {server}\nttl: 3600\n")
    del sandbox.journal[:]
    refused = run(sandbox, tmp_path, "--plan", str(plan_file), str(recipe), "--params", str(params))
    assert refused.exit_code == 2, refused.stderr
    assert f"error: {params}:2:6: params file: input 'ttl': the plan was made with another value" in (
        refused.stderr
    )
    assert sandbox.journal == []
    params.write_text(f"ttl: 60\nserver: {server}\n")  # the same values, another file
    applied = run(sandbox, tmp_path, "--plan", str(plan_file), str(recipe), "--params", str(params))
    assert applied.exit_code == 0, applied.stderr
    assert [(e["method"], e["path"]) for e in sandbox.writes()] == [
        ("PUT", f"/dedicated/server/{server}/burst")
    ]
