"""Every hook, implemented by one local plugin and exercised by a real ``ovhflow run``.

The recorder plugin below (loaded with ``--plugins-dir``) implements all the hooks of
:mod:`ovhflow.hookspecs` and appends one JSON line per call to a file; the test then checks that each
was called, when, and with what.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli_invoke import invoke_ovhflow

RECORDER = '''
"""Test plugin: records every hook call as a JSON line in $RECORDER_FILE."""
import json
import os

from ovhflow import hookimpl
from ovhflow.plugin_api import ActionSpec

EVENTS = os.environ["RECORDER_FILE"]


def note(event, **data):
    with open(EVENTS, "a", encoding="utf-8") as stream:
        stream.write(json.dumps({"event": event, **data}, default=str) + "\\n")


def run_note(call):
    note("action", args=call.args, check=call.check)
    return "noted"


@hookimpl
def ovhflow_actions():
    return [ActionSpec(name="note", run=run_note, schema={"type": "string"})]


@hookimpl
def ovhflow_template_filters():
    return {"shout": lambda text: str(text).upper()}


@hookimpl
def ovhflow_recipe_sections():
    label = {"label": {"type": "string"}}
    return {"recorder": {"type": "object", "properties": label, "additionalProperties": False}}


@hookimpl(wrapper=True)
def ovhflow_http_request(request, client, check):
    response = yield
    note("http", method=request.method, path=request.path, status=response.status)
    return response


@hookimpl
def ovhflow_run_start(run):
    note("run_start", recipe=run.recipe_name, settings=run.settings, check=run.check)


@hookimpl
def ovhflow_step_start(run, step_id, name, location):
    note("step_start", step_id=step_id, name=name, location=location)


@hookimpl
def ovhflow_item_end(run, step_id, index, record):
    note("item_end", step_id=step_id, index=index, item=record["item"], status=record["status"])


@hookimpl
def ovhflow_step_end(run, report):
    note("step_end", step_id=report.step_id, action=report.action, status=report.status)


@hookimpl
def ovhflow_run_end(run):
    note("run_end", exit_status=run.exit_status, counts=run.counts, error=run.error)
'''

RECIPE = """\
name: Recorded run
recorder: {label: nightly}
steps:
  - id: me
    get: /me
  - id: bills
    get: /me/bill
  - id: each
    loop: "{{ steps.bills.result[:2] }}"
    get: /me/bill/{{ item }}
  - id: greet
    note: "{{ steps.me.result.firstname | shout }}"
"""


def recorded_run(sandbox, tmp_path: Path, recipe_text: str) -> tuple[int, list[dict]]:
    plugins = tmp_path / "plugins"
    plugins.mkdir()
    (plugins / "recorder.py").write_text(RECORDER, encoding="utf-8")
    recipe = tmp_path / "recorded.yaml"
    recipe.write_text(recipe_text, encoding="utf-8")
    events_file = tmp_path / "events.jsonl"
    env = {**sandbox.env(), "RECORDER_FILE": str(events_file), "OVHFLOW_LOCK_DIR": str(tmp_path / "locks")}
    result = invoke_ovhflow("run", str(recipe), "--plugins-dir", str(plugins), env=env, cwd=tmp_path)
    assert "Traceback" not in result.stderr
    events = [json.loads(line) for line in events_file.read_text(encoding="utf-8").splitlines()]
    return result.returncode, events


def test_every_hook_is_called_in_a_real_run(sandbox, tmp_path: Path) -> None:
    status, events = recorded_run(sandbox, tmp_path, RECIPE)
    assert status == 0
    kinds = [event["event"] for event in events]
    assert kinds[0] == "run_start" and kinds[-1] == "run_end"

    start = events[0]
    assert start["recipe"] == "Recorded run"
    assert start["settings"] == {"recorder": {"label": "nightly"}}  # ovhflow_recipe_sections

    bill_ids = list(sandbox.state["bills"])[:2]
    http = [(e["method"], e["path"], e["status"]) for e in events if e["event"] == "http"]
    batch_read = ("GET", f"/me/bill/{','.join(bill_ids)}", 200)  # the loop's two bills, in one call
    assert http == [("GET", "/me", 200), ("GET", "/me/bill", 200), batch_read]

    steps = [(e["event"], e["step_id"]) for e in events if e["event"] in ("step_start", "step_end")]
    assert steps == [
        (kind, sid) for sid in ("me", "bills", "each", "greet") for kind in ("step_start", "step_end")
    ]
    assert all(
        e["location"].startswith(str(tmp_path / "recorded.yaml") + ":") for e in events if "location" in e
    )

    items = [(e["step_id"], e["index"], e["item"], e["status"]) for e in events if e["event"] == "item_end"]
    assert items == [("each", 0, bill_ids[0], "ok"), ("each", 1, bill_ids[1], "ok")]
    each_end = kinds.index("step_end", kinds.index("item_end"))
    assert kinds.index("item_end") < each_end  # items end before their step

    (action,) = [e for e in events if e["event"] == "action"]  # ovhflow_actions + ovhflow_template_filters
    assert action["args"] == sandbox.state["me"]["firstname"].upper()
    assert action["check"] is False
    greet_end = [e for e in events if e["event"] == "step_end" and e["step_id"] == "greet"][0]
    assert greet_end["action"] == "note" and greet_end["status"] == "ok"

    end = events[-1]
    assert end["exit_status"] == 0
    assert end["counts"]["ok"] >= 4 and end["counts"].get("failed", 0) == 0


def test_run_end_is_called_when_a_step_fails(sandbox, tmp_path: Path) -> None:
    failing = RECIPE.replace("get: /me/bill/{{ item }}", "get: /me/bill/{{ item }}-missing")
    status, events = recorded_run(sandbox, tmp_path, failing)
    assert status == 1
    end = events[-1]
    assert end["event"] == "run_end"
    assert end["exit_status"] == 1
    assert "-missing" in end["error"]
    failed = [e for e in events if e["event"] == "step_end" and e["status"] == "failed"]
    assert [e["step_id"] for e in failed] == ["each"]
    assert not [e for e in events if e["event"] == "action"]  # the run stopped before `greet`


@pytest.mark.parametrize("section", ["recorder: {label: 3}", "recorder: {colour: red}"])
def test_a_plugin_section_is_validated_with_its_schema(sandbox, tmp_path: Path, section: str) -> None:
    plugins = tmp_path / "plugins"
    plugins.mkdir()
    (plugins / "recorder.py").write_text(RECORDER, encoding="utf-8")
    recipe = tmp_path / "bad.yaml"
    recipe.write_text(RECIPE.replace("recorder: {label: nightly}", section), encoding="utf-8")
    env = {"RECORDER_FILE": str(tmp_path / "events.jsonl")}
    result = invoke_ovhflow("validate", str(recipe), "--plugins-dir", str(plugins), env=env)
    assert result.returncode == 2
    assert f"{recipe}:2:" in result.stderr
    assert "Traceback" not in result.stderr
