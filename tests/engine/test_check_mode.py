"""Check mode: GETs run, writes are planned, and whatever depends on a planned write is planned too."""

from __future__ import annotations

from tests.engine.helpers import FakeClient, step


def test_writes_are_planned_not_sent(run_steps):
    client = FakeClient({"GET /server": ["a", "b"]})
    steps = [
        step("get", "/server", id="ids"),
        step(
            "put",
            "/server/{{ item }}/burst",
            id="burst",
            loop="{{ steps.ids.result }}",
            options={"body": {"s": 1}},
        ),
        step("delete", "/server/a"),
    ]
    result, events = run_steps(steps, client, check=True)
    assert result.exit_status == 0, result.error
    assert client.writes() == [] and client.calls == [("GET", "/server", None, True)]
    expected = {"ok": 1, "changed": 0, "planned": 3, "skipped": 0, "ignored": 0, "failed": 0}
    assert result.info.counts == expected
    assert [c["status"] for c in result.info.changes] == ["planned"] * 3
    assert result.info.changes[0] == {
        "method": "PUT",
        "path": "/server/a/burst",
        "body": {"s": 1},
        "step": str(steps[1].location),
        "status": "planned",
        "http_status": 0,
        "query_id": None,
    }
    assert events.reports()["burst"].status == "planned"


def test_steps_depending_on_a_planned_write_are_planned(run_steps):
    client = FakeClient()
    steps = [
        step("post", "/server/a/reboot", id="reboot"),
        step(
            "get",
            "/server/a/task/{{ steps.reboot.result.taskId }}",
            id="task",
            until="result.status == 'done'",
        ),
        step("log", "task {{ steps.reboot.result.taskId }}"),
        step("set", {"task": "{{ steps.reboot.result.taskId }}"}, id="vars"),
        step("post", "/x", when="steps.reboot.result.taskId > 3"),
        step("assert", "steps.reboot.result.taskId"),
        step("get", "/y/{{ item }}", loop="{{ steps.reboot.result.ids }}"),
        step("log", "still runs {{ run.check }}"),
    ]
    result, events = run_steps(steps, client, check=True)
    assert result.exit_status == 0, result.error
    assert client.calls == []
    assert events.messages == ["still runs True"]
    expected = {"ok": 1, "changed": 0, "planned": 7, "skipped": 0, "ignored": 0, "failed": 0}
    assert result.info.counts == expected
    assert events.reports()["task"].status == "planned"


def test_planned_log_beside_action_says_so(run_steps):
    _, events = run_steps([step("put", "/a", log="changed a")], check=True)
    assert events.messages == ["(planned) changed a"]


def test_real_failures_still_fail_in_check_mode(run_steps):
    result, _ = run_steps([step("log", "{{ nothing.here }}")], check=True)
    assert result.exit_status == 1


def test_without_check_mode_writes_are_sent(run_steps):
    client = FakeClient({"POST /server/a/reboot": {"taskId": 7}, "GET /server/a/task/7": {"status": "done"}})
    steps = [
        step("post", "/server/a/reboot", id="reboot"),
        step("get", "/server/a/task/{{ steps.reboot.result.taskId }}", until="result.status == 'done'"),
    ]
    result, _ = run_steps(steps, client)
    assert result.exit_status == 0, result.error
    assert [c[1] for c in client.calls] == ["/server/a/reboot", "/server/a/task/7"]
    assert result.info.counts["changed"] == 1 and result.info.changes[0]["status"] == "changed"


PLUGIN = """
from ovhflow import hookimpl
from ovhflow.plugin_api import ActionSpec

RAN = []


@hookimpl
def ovhflow_actions():
    return [ActionSpec("touch", lambda call: RAN.append(call.args), {"type": "string"}, writes=True)]
"""


def test_plugin_actions_that_write_are_planned_in_check_mode(run_steps, tmp_path):
    (tmp_path / "touch_plugin.py").write_text(PLUGIN)
    touch = step("touch", "file-{{ 1 + 1 }}", id="t")
    result, events = run_steps([touch], check=True, plugins_dir=tmp_path)
    assert events.plugins.manager.get_plugin("touch_plugin").RAN == []
    assert events.reports()["t"].status == "planned"
    assert result.info.changes == [{"action": "touch", "step": str(touch.location), "status": "planned"}]
    result, events = run_steps([touch], plugins_dir=tmp_path)
    assert events.plugins.manager.get_plugin("touch_plugin").RAN == ["file-2"]
    assert events.reports()["t"].status == "ok"
