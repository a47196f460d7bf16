"""Plans with placeholders (a value an earlier planned write's answer gives) and the gate's step rule."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from ovhflow import ovh
from ovhflow.engine.planned import placeholder_token
from ovhflow.plan.gate import matches, step_key
from ovhflow.plan.placeholders import filled_in, planned_with_placeholders
from ovhflow.plugin_api import HttpRequest
from ovhflow.sandbox import Sandbox
from tests.cli_invoke import invoke
from tests.plan.test_plan_apply import make_plan, run

ZONE = "/domain/zone/example.com"
# Creates a TXT record, then writes with its id: in a path segment, inside text, as a whole value.
CHAIN = f"""name: chain
steps:
  - id: burst
    get: /dedicated/server/{{{{ inputs.server }}}}/burst
  - id: create
    post: {ZONE}/record
    body: {{fieldType: TXT, subDomain: chained, target: first, ttl: 60}}
  - id: note
    post: {ZONE}/record
    body: {{fieldType: TXT, subDomain: note, target: "record {{{{ steps.create.result.id }}}}"}}
  - id: retarget
    put: {ZONE}/record/{{{{ steps.create.result.id }}}}
    body:
      target: "burst {{{{ steps.burst.result.status }}}}"
      ttl: "{{{{ steps.create.result.ttl }}}}"
  - name: refresh
    post: {ZONE}/refresh
inputs:
  server: {{type: string, required: true}}
"""


@pytest.fixture
def sandbox():
    with Sandbox(servers=3, bills=1, seed=7) as sb:
        yield sb


def chain_plan(sb: Sandbox, tmp_path: Path) -> tuple[Path, Path, str]:
    recipe = tmp_path / "chain.yaml"
    recipe.write_text(CHAIN)
    server = ovh.Client(**sb.credentials).get("/dedicated/server")[0]
    plan_file, made = make_plan(sb, tmp_path, recipe, "-p", f"server={server}")
    assert f"plan: PUT {ZONE}/record/{{steps.create.result.id}} " in made.stdout
    assert "(path segment 5): the answer of an earlier write, known when applying" in made.stdout
    return recipe, plan_file, server


def test_a_write_that_needs_a_posted_answer_is_planned_and_applied(sandbox: Sandbox, tmp_path: Path) -> None:
    recipe, plan_file, _ = chain_plan(sandbox, tmp_path)
    plan = json.loads(plan_file.read_text())
    assert plan["version"] == 3
    assert [(w["step"], w["method"], w["path"]) for w in plan["writes"]] == [
        ("create", "POST", f"{ZONE}/record"),
        ("note", "POST", f"{ZONE}/record"),
        ("retarget", "PUT", f"{ZONE}/record/{{steps.create.result.id}}"),
        ("refresh", "POST", f"{ZONE}/refresh"),
    ]
    source = {"from": "steps.create.result.id"}
    assert plan["writes"][1]["placeholders"] == [
        {"in": "body", "at": "/target", "type": "text", "parts": ["record ", source]}
    ]
    assert plan["writes"][2]["placeholders"] == [
        {"in": "path", "at": 5, "type": "segment", "parts": [source]},
        {"in": "body", "at": "/ttl", "type": "value", "from": "steps.create.result.ttl"},
    ]
    assert plan["writes"][2]["diff"] is None  # its path is not known: nothing was read
    import jsonschema  # the test's own check of the published schema

    jsonschema.validate(plan, json.loads(invoke("schema", "--plan").stdout))
    shown = invoke("plan", "show", str(plan_file))
    assert f"  PUT {ZONE}/record/{{steps.create.result.id}} " in shown.stdout
    assert "{steps.create.result.ttl} (body /ttl)" in shown.stdout
    assert "matches any string, number or boolean" in shown.stdout

    del sandbox.journal[:]
    applied = run(sandbox, tmp_path, "--plan", str(plan_file), str(recipe))
    assert applied.exit_code == 0, applied.stderr
    sent = sandbox.writes()
    created = next(
        e for e in sandbox.journal if e["method"] == "POST" and e["body"]["subDomain"] == "chained"
    )
    record = ovh.Client(**sandbox.credentials).get(f"{ZONE}/record")
    record_id = max(record)  # the sandbox numbers new records upwards
    assert created["status"] == 200
    assert [(e["method"], e["path"]) for e in sent] == [
        ("POST", f"{ZONE}/record"),
        ("POST", f"{ZONE}/record"),
        ("PUT", f"{ZONE}/record/{record_id - 1}"),
        ("POST", f"{ZONE}/refresh"),
    ]
    assert sent[1]["body"]["target"] == f"record {record_id - 1}" and sent[2]["body"]["ttl"] == 60


def test_a_placeholder_write_that_differs_elsewhere_is_not_sent(sandbox: Sandbox, tmp_path: Path) -> None:
    recipe, plan_file, server = chain_plan(sandbox, tmp_path)
    api = ovh.Client(**sandbox.credentials)
    status = api.get(f"/dedicated/server/{server}/burst")["status"]
    api.put(f"/dedicated/server/{server}/burst", status="active" if status != "active" else "inactive")
    del sandbox.journal[:]
    applied = run(sandbox, tmp_path, "--plan", str(plan_file), str(recipe))
    assert applied.exit_code == 5, applied.stderr
    assert [e["method"] for e in sandbox.writes()] == ["POST", "POST"]  # the PUT and the refresh: not sent
    location = json.loads(plan_file.read_text())["writes"][2]["location"]
    assert f"error: {location}: PUT {ZONE}/record/" in applied.stderr
    assert "not in the reviewed plan, so not sent" in applied.stderr
    assert "failed   retarget (" in applied.stderr and ", 1 failed" in applied.stderr  # its step line
    assert "2 planned write(s) not reached" in applied.stderr and "not needed" not in applied.stderr


def test_the_same_write_made_by_another_step_is_not_sent(sandbox: Sandbox, tmp_path: Path) -> None:
    recipe = tmp_path / "branches.yaml"
    recipe.write_text(
        f"name: branches\nsteps:\n  - id: marker\n    get: {ZONE}/record\n"
        "    query: {fieldType: TXT, subDomain: marker}\n"
        f"  - id: first\n    when: steps.marker.result | length == 0\n    post: {ZONE}/refresh\n"
        f"  - id: second\n    when: steps.marker.result | length > 0\n    post: {ZONE}/refresh\n"
    )
    plan_file, _ = make_plan(sandbox, tmp_path, recipe)
    planned = json.loads(plan_file.read_text())["writes"]
    assert [w["step"] for w in planned] == ["first"]
    ovh.Client(**sandbox.credentials).post(f"{ZONE}/record", fieldType="TXT", subDomain="marker", target="x")
    del sandbox.journal[:]
    applied = run(sandbox, tmp_path, "--plan", str(plan_file), str(recipe))
    assert applied.exit_code == 5, applied.stderr
    assert sandbox.writes() == []
    assert f"the plan has it for another step, at {planned[0]['location']}" in applied.stderr
    assert f"error: {recipe}:9:5: POST {ZONE}/refresh" in applied.stderr


def _request(path: str, body: Any = None, query: Any = None) -> HttpRequest:
    return HttpRequest("PUT", path, query, body)


def planned_write(path: str, body: Any) -> dict[str, Any]:
    """A planned write as check mode records it, from a request holding placeholder tokens."""
    shown, holes = planned_with_placeholders(_request(path, body))
    return {"method": "PUT", "path": shown.path, "query": None, "body": shown.body, "placeholders": holes}


def test_a_placeholder_matches_any_value_of_its_type_only() -> None:
    record, ttl = placeholder_token("steps.c.result.id"), placeholder_token("steps.c.result.ttl")
    planned = planned_write(f"/zone/rec-{record}/x", {"ttl": ttl, "note": f"id {record}!", "keep": "as is"})
    assert planned["path"] == "/zone/rec-{steps.c.result.id}/x"
    assert planned["body"] == {
        "ttl": "{steps.c.result.ttl}",
        "note": "id {steps.c.result.id}!",
        "keep": "as is",
    }
    body = {"ttl": 60, "note": "id 42!", "keep": "as is"}
    assert matches(planned, _request("/zone/rec-42/x", body))
    assert matches(planned, _request("/zone/rec-a%2Fb/x", {**body, "ttl": "sixty"}))
    assert not matches(planned, _request("/zone/rec-42/y/x", body))  # one segment only
    assert not matches(planned, _request("/zone/42/x", body))  # the literal text around it counts
    assert not matches(planned, _request("/zone/rec-42/x", {**body, "ttl": {"a": 1}}))  # not a value
    assert not matches(planned, _request("/zone/rec-42/x", {**body, "ttl": None}))
    assert not matches(planned, _request("/zone/rec-42/x", {**body, "note": "id 42?"}))
    assert not matches(planned, _request("/zone/rec-42/x", {**body, "keep": "changed"}))
    assert not matches(planned, _request("/zone/rec-42/x", {"ttl": 60, "keep": "as is"}))  # missing
    assert filled_in(planned, _request("/zone/rec-42/x", body)) == {
        **planned,
        "path": "/zone/rec-42/x",
        "body": body,
    }
    whole = planned_write("/zone/x", placeholder_token("steps.c.result"))
    assert whole["placeholders"] == [{"in": "body", "at": "", "type": "value", "from": "steps.c.result"}]
    assert matches(whole, _request("/zone/x", "anything")) and not matches(whole, _request("/zone/x", [1]))


def test_a_step_is_the_same_whatever_path_names_the_recipe() -> None:
    """The gate's step rule compares steps relative to the recipe's folder: a plan made with
    ``burst.yaml`` applies to ``/etc/ovhflow/burst.yaml``; another file's step stays another step."""
    assert step_key("/etc/ovhflow/burst.yaml:3:5", "/etc/ovhflow/burst.yaml") == "burst.yaml:3:5"
    assert step_key("burst.yaml:3:5", "burst.yaml") == "burst.yaml:3:5"
    assert step_key("/etc/ovhflow/inc/a.yaml:2:3", "/etc/ovhflow/burst.yaml") == "inc/a.yaml:2:3"
    assert step_key("/srv/burst.yaml:3:5", "/etc/ovhflow/burst.yaml") == "/srv/burst.yaml:3:5"
