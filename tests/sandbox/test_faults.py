"""Fault injection over real HTTP: latency, rate limit, 5xx answers, dropped connections."""

from __future__ import annotations

import time

import pytest
import requests

from ovhflow.sandbox.faults import NetworkFaults
from tests.sandbox.helpers import SignedSession


def test_latency_delays_answers(sandbox_factory) -> None:
    sb = sandbox_factory(servers=1, bills=1, latency=0.05, latency_jitter=0.01)
    session = requests.Session()
    started = time.monotonic()
    for _ in range(3):
        assert session.get(sb.url + "/auth/time", timeout=5).status_code == 200
    assert time.monotonic() - started >= 3 * 0.04  # a lower bound only: never flaky on a slow machine


def test_rate_limit_answers_429_with_retry_after(sandbox_factory) -> None:
    sb = sandbox_factory(servers=1, bills=1, rate_limit=2)
    session = requests.Session()
    statuses = [session.get(sb.url + "/auth/time", timeout=5) for _ in range(6)]
    limited = [r for r in statuses if r.status_code == 429]
    assert statuses[0].status_code == 200
    assert limited, [r.status_code for r in statuses]
    assert int(limited[0].headers["Retry-After"]) >= 1
    assert limited[0].json()["class"] == "Client::TooManyRequests"
    assert limited[0].headers["X-OVH-QueryID"]
    assert [e["status"] for e in sb.journal].count(429) == len(limited)


def test_error_rate_answers_5xx_without_applying_writes(sandbox_factory) -> None:
    sb = sandbox_factory(servers=1, bills=1, error_rate=1.0)
    api = SignedSession(sb.credentials)
    name = next(iter(sb.state["servers"]))
    before = sb.state["bursts"][name]["status"]
    response = api.request("PUT", f"/dedicated/server/{name}/burst", {"status": "inactiveLocked"})
    assert response.status_code in (500, 502, 503)
    assert response.json()["class"].startswith("Server::")
    assert sb.state["bursts"][name]["status"] == before
    assert sb.writes()[0]["status"] == response.status_code


def test_partial_error_rate_is_a_share(sandbox_factory) -> None:
    sb = sandbox_factory(servers=1, bills=1, error_rate=0.5, seed=4)
    session = requests.Session()
    codes = [session.get(sb.url + "/auth/time", timeout=5).status_code for _ in range(60)]
    assert 10 <= sum(code >= 500 for code in codes) <= 50
    assert codes.count(200) >= 10


def test_drop_rate_closes_connections_without_answer(sandbox_factory) -> None:
    sb = sandbox_factory(servers=1, bills=1, drop_rate=1.0)
    with pytest.raises(requests.ConnectionError):
        requests.post(sb.url + "/auth/credential", json={"accessRules": []}, timeout=5)
    assert sb.journal[0]["method"] == "POST" and sb.journal[0].get("dropped") is True
    assert sb.journal[0]["status"] is None


def test_faults_change_while_running_and_the_api_can_restart(sandbox_factory, tmp_path) -> None:
    journal_file = tmp_path / "journal.jsonl"
    sb = sandbox_factory(servers=2, bills=1, journal_path=journal_file)
    api = SignedSession(sb.credentials)
    name = api.ok("GET", "/dedicated/server")[0]
    sb.faults.error_rate = 1.0
    assert api.get("/me").status_code >= 500
    sb.faults.error_rate = 0.0
    sb.faults.rate_limit = 1
    assert [api.get("/me").status_code for _ in range(3)].count(429) >= 1
    sb.faults.rate_limit = None
    api.ok("PUT", f"/dedicated/server/{name}/burst", {"status": "inactiveLocked"})

    port = sb.port
    sb.stop()
    with pytest.raises(requests.ConnectionError):
        api.get("/me")
    sb.start()
    assert sb.port == port
    assert api.ok("GET", f"/dedicated/server/{name}/burst")["status"] == "inactiveLocked"
    assert len(journal_file.read_text().splitlines()) == len(sb.journal)


def test_network_faults_select_requests_only_once_one_is_set() -> None:
    faults = NetworkFaults(applies_to="GET /me")
    assert not faults.misbehaves() and not faults.selects("GET", "/1.0/me")  # nothing to do: no parsing
    faults.throttle = 1  # set while the sandbox runs
    assert faults.misbehaves() and faults.selects("GET", "/1.0/me?x=1")
    assert not faults.selects("POST", "/1.0/me") and not faults.selects("GET", "/1.0/meh")
    assert NetworkFaults(text="").misbehaves()  # an empty text body is a fault too
