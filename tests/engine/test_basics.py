"""Single steps: HTTP actions, set, log, assert, fail, when, native types, errors with locations."""

from __future__ import annotations

from ovhflow.ovh.exceptions import ResourceNotFoundError
from tests.engine.helpers import FakeClient, step


def test_get_result_and_native_types(run_steps):
    client = FakeClient({"GET /me": {"firstname": "Ada", "nic": "ab1-ovh"}})
    steps = [
        step("get", "/me", id="me"),
        step("set", {"name": "{{ steps.me.result.firstname }}", "pair": "{{ [1, 2] }}"}, id="vars"),
        step("log", "Welcome {{ name }} ({{ pair | length }})"),
    ]
    result, events = run_steps(steps, client)
    assert result.exit_status == 0, result.error
    assert events.messages == ["Welcome Ada (2)"]
    assert events.reports()["vars"].result == {"name": "Ada", "pair": [1, 2]}
    expected = {"ok": 3, "changed": 0, "planned": 0, "skipped": 0, "ignored": 0, "failed": 0}
    assert result.info.counts == expected


def test_path_values_are_percent_encoded(run_steps):
    client = FakeClient()
    run_steps([step("get", "/x/{{ inputs.name }}", id="x")], client, inputs={"name": "../a b/?c"})
    assert client.calls[0][1] == "/x/..%2Fa%20b%2F%3Fc"


def test_query_body_and_auth(run_steps):
    client = FakeClient()
    steps = [
        step("get", "/me/bill", options={"query": {"date.from": "{{ inputs.since }}"}}),
        step("post", "/auth/credential", options={"body": {"n": "{{ 3 }}"}, "auth": False}),
    ]
    result, _ = run_steps(steps, client, inputs={"since": "2024-01-01"})
    assert result.exit_status == 0, result.error
    assert client.calls == [
        ("GET", "/me/bill?date.from=2024-01-01", None, True),
        ("POST", "/auth/credential", {"n": 3}, False),
    ]
    assert result.info.counts["changed"] == 1
    assert result.info.changes[0]["method"] == "POST"
    assert result.info.changes[0]["status"] == "changed"


def test_when_skips(run_steps):
    client = FakeClient()
    steps = [step("get", "/a", when="inputs.go"), step("get", "/b", when="not inputs.go")]
    result, _ = run_steps(steps, client, inputs={"go": False})
    assert [call[1] for call in client.calls] == ["/b"]
    assert result.info.counts["skipped"] == 1


def test_assert_with_message_fails_with_location(run_steps):
    steps = [step("assert", ["1 == 1", "inputs.n > 5"], options={"message": "n is {{ inputs.n }}"})]
    result, _ = run_steps(steps, inputs={"n": 2})
    assert result.exit_status == 1
    assert str(result.error) == f"{steps[0].location}: n is 2"
    assert result.info.errors == [{"message": "n is 2", "step": str(steps[0].location), "query_id": None}]


def test_fail_message_and_run_stops(run_steps):
    client = FakeClient()
    steps = [step("fail", "nothing in {{ inputs.dc }}"), step("get", "/never")]
    result, _ = run_steps(steps, client, inputs={"dc": "sbg1"})
    assert result.exit_status == 1
    assert "recipe.yaml:" in str(result.error) and "nothing in sbg1" in str(result.error)
    assert client.calls == []


def test_api_error_carries_query_id_and_location(run_steps):
    error = ResourceNotFoundError("The requested object (x) does not exist")
    error.query_id = "EU.ext-3.abc"
    client = FakeClient({"GET /x": error})
    steps = [step("get", "/x", id="x")]
    result, _ = run_steps(steps, client)
    assert result.exit_status == 1
    text = str(result.error)
    assert text.startswith(f"{steps[0].location}: ")
    assert "does not exist" in text and "EU.ext-3.abc" in text
    assert result.info.errors[0]["query_id"] == "EU.ext-3.abc"


def test_ignore_errors_records_and_goes_on(run_steps):
    client = FakeClient({"GET /x": ResourceNotFoundError("gone")})
    steps = [
        step("get", "/x", id="x", ignore_errors=True),
        step("log", "{{ steps.x.status }}: {{ steps.x.error }}"),
    ]
    result, events = run_steps(steps, client)
    assert result.exit_status == 0
    assert events.messages == ["failed: GET /x: gone"]  # the recipe still sees the failure
    assert result.info.counts["ignored"] == 1 and result.info.counts["failed"] == 0
    assert events.reports()["x"].status == "ignored"


def test_undefined_name_fails_the_step(run_steps):
    result, _ = run_steps([step("log", "{{ typo.name }}")])
    assert result.exit_status == 1
    assert "typo" in str(result.error)


def test_log_beside_action_sees_result_and_own_id(run_steps):
    client = FakeClient({"GET /me": {"firstname": "Ada"}})
    steps = [step("get", "/me", id="me", log="{{ result.firstname }}/{{ steps.me.result.firstname }}")]
    _, events = run_steps(steps, client)
    assert events.messages == ["Ada/Ada"]


def test_set_reserved_name_is_an_error(run_steps):
    result, _ = run_steps([step("set", {"steps": 1})])
    assert result.exit_status == 1
    assert "reserved" in str(result.error)


def test_run_names(run_steps):
    _, events = run_steps([step("log", "{{ run.check }} {{ run.started_at[:2] }} {{ now().year > 2000 }}")])
    assert events.messages == ["False 20 True"]
