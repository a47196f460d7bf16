"""The request journal (in memory and as JSON lines) and the state file round trip."""

from __future__ import annotations

import json
import stat

from ovhflow.sandbox import Sandbox
from tests.sandbox.helpers import SignedSession


def test_journal_records_what_was_sent(sandbox_factory, tmp_path) -> None:
    journal_file = tmp_path / "journal.jsonl"
    sb = sandbox_factory(servers=2, bills=1, journal_path=journal_file)
    api = SignedSession(sb.credentials)
    name = api.ok("GET", "/dedicated/server?iamTags=%7B%7D")[0]
    api.ok("PUT", f"/dedicated/server/{name}/burst", {"status": "active"})
    api.get("/v2/iam/resource", headers={"X-Pagination-Size": "1"})
    listing, put, v2 = sb.journal
    assert (listing["method"], listing["path"], listing["query"], listing["status"]) == (
        "GET",
        "/dedicated/server",
        {"iamTags": "{}"},
        200,
    )
    assert (put["method"], put["path"], put["body"], put["status"]) == (
        "PUT",
        f"/dedicated/server/{name}/burst",
        {"status": "active"},
        200,
    )
    assert v2["path"] == "/v2/iam/resource" and v2["headers"]["X-Pagination-Size"] == "1"
    assert put["headers"]["X-Ovh-Application"] == sb.credentials["application_key"]
    assert isinstance(put["time"], float) and put["queryId"]
    assert sb.writes() == [put]
    lines = [json.loads(line) for line in journal_file.read_text().splitlines()]
    assert lines == sb.journal
    secrets = (sb.credentials["application_secret"], sb.credentials["consumer_key"])
    assert not any(secret in journal_file.read_text() for secret in secrets)


def test_state_file_round_trip(tmp_path) -> None:
    state_file = tmp_path / "state.json"
    with Sandbox(servers=3, bills=2, state_file=state_file) as first:
        api = SignedSession(first.credentials)
        name = api.ok("GET", "/dedicated/server")[0]
        new_status = (
            "inactiveLocked" if first.state["bursts"][name]["status"] != "inactiveLocked" else "active"
        )
        api.ok("PUT", f"/dedicated/server/{name}/burst", {"status": new_status})
        credentials = first.credentials
    assert stat.S_IMODE(state_file.stat().st_mode) == 0o600
    with Sandbox(servers=50, bills=50, seed=99, state_file=state_file) as second:
        assert {k: v for k, v in second.credentials.items() if k != "endpoint"} == {
            k: v for k, v in credentials.items() if k != "endpoint"
        }
        api = SignedSession(second.credentials)
        assert len(api.ok("GET", "/dedicated/server")) == 3
        assert api.ok("GET", f"/dedicated/server/{name}/burst")["status"] == new_status


def test_bad_state_file_is_refused(tmp_path) -> None:
    state_file = tmp_path / "state.json"
    state_file.write_text("[1, 2]")
    try:
        Sandbox(state_file=state_file)
    except ValueError as error:
        assert "not an ovhflow sandbox state file" in str(error)
    else:
        raise AssertionError("a list is not a state")


def test_repr_shows_no_secret(sandbox) -> None:
    text = repr(sandbox)
    assert sandbox.url in text
    assert (
        sandbox.credentials["application_secret"] not in text
        and sandbox.credentials["consumer_key"] not in text
    )


def test_env_points_a_client_at_the_sandbox(sandbox) -> None:
    env = sandbox.env()
    assert env["OVH_ENDPOINT"] == sandbox.url == sandbox.credentials["endpoint"]
    assert env["OVH_CONSUMER_KEY"] == sandbox.credentials["consumer_key"]
    assert sandbox.url.startswith("http://127.0.0.1:") and sandbox.url.endswith("/1.0")


def test_stop_is_clean_with_idle_keep_alive_connections(sandbox_factory) -> None:
    import threading

    import requests

    sb = sandbox_factory(servers=1, bills=1)
    sessions = [requests.Session() for _ in range(4)]
    for session in sessions:
        assert session.get(sb.url + "/auth/time", timeout=5).status_code == 200
    sb.stop()
    lingering = [
        t for t in threading.enumerate() if t.name.startswith(f"ovhflow-sandbox-{sb.port}") and t.is_alive()
    ]
    assert lingering == []
    for session in sessions:
        try:
            session.get(sb.url + "/auth/time", timeout=2)
        except requests.ConnectionError:
            pass
        else:
            raise AssertionError("a stopped sandbox answered")
