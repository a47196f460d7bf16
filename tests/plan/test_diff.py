"""``--diff``: what each PUT changes, field by field, in check mode and in a real run, text and JSON."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ovhflow import ovh
from ovhflow.plan.diff import change_lines, field_changes
from ovhflow.sandbox import Sandbox
from tests.cli_invoke import invoke
from tests.helpers import RECIPES_DIR

DNS = ("-p", "zone=example.com", "-p", "subdomain=www", "-p", "target=203.0.113.10")


@pytest.fixture
def sandbox():
    with Sandbox(servers=12, bills=1, seed=7) as sb:
        yield sb


def run(sb: Sandbox, tmp_path: Path, *args: str):
    return invoke(
        "run", *args, env={**sb.env(), "OVHFLOW_LOCK_DIR": str(tmp_path), "XDG_CACHE_HOME": str(tmp_path)}
    )


def test_field_changes() -> None:
    current = {"status": "inactive", "ttl": 3600, "nested": {"a": 1, "b": 2}}
    assert field_changes(current, {"status": "active", "ttl": "3600", "nested": {"b": 3}}) == [
        ("status", "inactive", "active"),
        ("nested.b", 2, 3),
    ]
    assert change_lines(field_changes(current, {"status": "inactive"})) == ["no change"]
    assert change_lines(field_changes({}, {"x": ""})) == ['x: (absent) -> ""']


def test_check_diff_shows_the_burst_fields(sandbox: Sandbox, tmp_path: Path) -> None:
    done = run(sandbox, tmp_path, "--check", "--diff", str(RECIPES_DIR / "burst-sbg1.yaml"))
    assert done.exit_code == 0, done.stderr
    plans = [line for line in done.stdout.splitlines() if line.startswith("plan: PUT")]
    assert plans
    assert done.stdout.count("    status: inactive -> active") == len(plans)
    assert sandbox.writes() == []


def test_diff_of_the_dns_record_in_a_real_run_text_and_json(sandbox: Sandbox, tmp_path: Path) -> None:
    recipe = str(RECIPES_DIR / "dns-record.yaml")
    client = ovh.Client(**sandbox.credentials)
    [record_id] = client.get("/domain/zone/example.com/record", fieldType="A", subDomain="www")
    before = client.get(f"/domain/zone/example.com/record/{record_id}")
    checked = run(sandbox, tmp_path, "--check", "--diff", recipe, *DNS)
    assert checked.exit_code == 0, checked.stderr
    assert f"    target: {before['target']} -> 203.0.113.10" in checked.stdout
    done = run(sandbox, tmp_path, "--diff", "--log-format", "json", recipe, *DNS)
    assert done.exit_code == 0, done.stderr
    events = [json.loads(line) for line in done.stderr.splitlines()]
    said = [e["message"] for e in events if e.get("event") == "log" and e.get("step") == "update"]
    assert (
        f"PUT /domain/zone/example.com/record/{record_id}: target: {before['target']} -> 203.0.113.10"
        in said[0]
    )
    again = run(sandbox, tmp_path, "--check", "--diff", recipe, *DNS)
    assert "target:" not in again.stdout and "    no change" in again.stdout  # the record holds it now
