"""A write whose step retries with ``until:`` is planned once with its number of attempts: applying the
plan lets the retries send it again, that many times at most, and nothing else."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from ovhflow import ovh
from ovhflow.plan import gate
from ovhflow.plugin_api import HttpRequest
from ovhflow.reporting.redaction import Redactor
from ovhflow.sandbox import Sandbox
from tests.cli_invoke import invoke
from tests.plan.test_gate_index import writes_through
from tests.plan.test_plan_apply import make_plan, run

ZONE = "/domain/zone/example.com"
# Each POST creates a record with the next id: `after` is the first one's, so each step runs twice; the
# group's loop runs on worker threads.
RETRY = f"""name: retry
inputs:
  after: {{type: integer}}
steps:
  - id: create
    post: {ZONE}/record
    body: {{fieldType: TXT, subDomain: retry, target: x}}
    until: result.id > inputs.after
    retries: 3
    delay: 0
  - id: round
    until: (result.create.results | map(attribute='id') | min) > inputs.after + 3
    retries: 2
    delay: 0
    steps:
      - id: create
        loop: [a, b]
        concurrency: 2
        post: {ZONE}/record
        body: {{fieldType: TXT, subDomain: "{{{{ item }}}}", target: y}}
"""


@pytest.fixture
def sandbox():
    with Sandbox(servers=2, bills=1, seed=7) as sb:
        yield sb


def test_a_retried_write_applies(sandbox: Sandbox, tmp_path: Path) -> None:
    recipe = tmp_path / "retry.yaml"
    recipe.write_text(RETRY)
    after = max(ovh.Client(**sandbox.credentials).get(f"{ZONE}/record")) + 1
    plan_file, made = make_plan(sandbox, tmp_path, recipe, "-p", f"after={after}")
    planned = json.loads(plan_file.read_text())["writes"]
    # 1 + retries; in a group that retries, the loop's write too (its workers know it)
    assert [(w["body"]["subDomain"], w.get("attempts")) for w in planned] == [
        ("retry", 4),
        ("a", 3),
        ("b", 3),
    ]
    assert "    may be sent up to 4 times: until: retries the step until its condition holds" in made.stdout
    assert "      may be sent up to 3 times: until:" in invoke("plan", "show", str(plan_file)).stdout
    del sandbox.journal[:]
    applied = run(sandbox, tmp_path, "--plan", str(plan_file), str(recipe))
    assert applied.exit_code == 0, applied.stderr
    sent = [e["body"]["subDomain"] for e in sandbox.writes()]
    assert sent[:2] == ["retry", "retry"]  # retried once: the plan let the second send through
    assert sorted(sent[2:]) == ["a", "a", "b", "b"]


def planned_write(location: str, path: str, attempts: int = 1) -> dict[str, Any]:
    write = {"location": location, "method": "PUT", "path": path, "query": None, "body": {"a": 1}}
    return {**write, "attempts": attempts} if attempts > 1 else write


def sent(
    the_gate: gate.PlanGate, path: str, monkeypatch: pytest.MonkeyPatch, step: str = "r.yaml:3:5"
) -> bool:
    return next(writes_through(the_gate, [(step, HttpRequest("PUT", path, None, {"a": 1}))], monkeypatch))


def test_retries_send_the_same_write_only_as_often_as_planned(monkeypatch: pytest.MonkeyPatch) -> None:
    the_gate = gate.PlanGate(
        [planned_write("r.yaml:3:5", "/x", 3), planned_write("r.yaml:3:5", "/y")], Redactor()
    )
    assert [sent(the_gate, "/x", monkeypatch) for _ in range(4)] == [True, True, True, False]
    assert not sent(the_gate, "/z", monkeypatch)  # another write: refused, retrying or not
    assert not sent(the_gate, "/x", monkeypatch, step="r.yaml:9:5")  # the same write, another step
    assert sent(the_gate, "/y", monkeypatch) and not sent(the_gate, "/y", monkeypatch)  # no retry: once


def test_a_write_uses_a_planned_write_not_used_yet_before_a_retry(monkeypatch: pytest.MonkeyPatch) -> None:
    """Two items planned the same write, their step retries: the two sends use both planned writes, so
    neither is reported as not needed."""
    writes = [planned_write("r.yaml:3:5", "/x", 2), planned_write("r.yaml:3:5", "/x", 2)]
    the_gate = gate.PlanGate(writes, Redactor())
    assert sent(the_gate, "/x", monkeypatch) and sent(the_gate, "/x", monkeypatch)
    assert the_gate.unused == []
    assert [sent(the_gate, "/x", monkeypatch) for _ in range(3)] == [True, True, False]
