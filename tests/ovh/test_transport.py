"""Retries (urllib3 Retry through requests' HTTPAdapter), the shared rate limit, the pooled session, the
lazily cached time delta and use of one client from many threads."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from unittest import mock

import pytest
from urllib3.util import Retry

from ovhflow import ovh
from ovhflow.ovh.retries import IDEMPOTENT_METHODS, retry_policy
from ovhflow.ovh.throttle import RateLimiter
from tests.ovh.helpers import CREDENTIALS, SERVER_TIME, CaptureServer, Reply, fail_first

FAST = retry_policy(3, backoff_factor=0)  # the default policy's rules without the waiting


def test_default_policy_retries_5xx_for_idempotent_methods_only() -> None:
    policy = retry_policy()
    assert policy.total == 3
    assert set(policy.allowed_methods) == IDEMPOTENT_METHODS and "POST" not in policy.allowed_methods
    assert {500, 502, 503, 504} <= set(policy.status_forcelist)
    assert 429 not in policy.status_forcelist  # the client's shared limiter handles 429 (test_throttle.py)
    assert policy.backoff_factor > 0 and policy.backoff_jitter > 0
    assert policy.raise_on_status is False
    assert "POST" in retry_policy(retry_post=True).allowed_methods
    assert retry_policy(False).total == 0 and retry_policy(0).total == 0
    given = Retry(total=7)
    assert retry_policy(given) is given


@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE"])
@pytest.mark.parametrize("status", [500, 502, 503, 429])
def test_idempotent_calls_are_retried_on_5xx_and_429(server: CaptureServer, method: str, status: int) -> None:
    fail_first(server, 2, Reply(status=status, body={"message": "busy"}, headers={"Retry-After": "0"}))
    client = ovh.Client(server.url, **CREDENTIALS, retries=FAST)
    assert client.call(method, "/thing") == {"ok": method}
    assert [r.method for r in server.requests if r.path == "/1.0/thing"] == [method] * 3


def test_retry_after_is_honoured(server: CaptureServer) -> None:
    fail_first(server, 1, Reply(status=429, body={"message": "slow down"}, headers={"Retry-After": "1"}))
    client = ovh.Client(server.url, **CREDENTIALS, retries=FAST)
    with mock.patch("ovhflow.ovh.throttle.time.sleep") as slept:
        assert client.get("/thing") == {"ok": "GET"}
    # the refused call waits Retry-After plus a little jitter (then, as the mocked sleep takes no time,
    # for its slot at the lowered rate: the limiter counts the second as not passed yet)
    assert 1.0 <= slept.call_args_list[0].args[0] <= 1.3
    assert [r.path for r in server.requests].count("/1.0/thing") == 2


def test_post_is_not_retried_by_default(server: CaptureServer) -> None:
    fail_first(server, 1, Reply(status=503, body={"message": "busy"}))
    client = ovh.Client(server.url, **CREDENTIALS, retries=FAST)
    with pytest.raises(ovh.APIError, match="busy"):
        client.post("/thing", a=1)
    assert [r.method for r in server.requests if r.path == "/1.0/thing"] == ["POST"]


def test_post_is_retried_when_the_caller_opts_in(server: CaptureServer) -> None:
    fail_first(server, 1, Reply(status=503, body={"message": "busy"}))
    client = ovh.Client(server.url, **CREDENTIALS, retries=retry_policy(3, retry_post=True, backoff_factor=0))
    assert client.post("/thing", a=1) == {"ok": "POST"}
    assert [r.method for r in server.requests if r.path == "/1.0/thing"] == ["POST", "POST"]


def test_dropped_connection_is_retried_for_get_but_not_for_post(server: CaptureServer) -> None:
    fail_first(server, 1, Reply(close=True))
    client = ovh.Client(server.url, **CREDENTIALS, retries=FAST)
    assert client.get("/thing") == {"ok": "GET"}
    with pytest.raises(ovh.HTTPError):
        client.post("/thing")
    assert [r.method for r in server.requests if r.path == "/1.0/thing"] == ["GET", "GET", "POST"]


def test_exhausted_retries_raise_the_last_answer(server: CaptureServer) -> None:
    fail_first(server, 10, Reply(status=503, body={"message": "still busy"}, headers={"X-OVH-QUERYID": "q1"}))
    client = ovh.Client(server.url, **CREDENTIALS, retries=retry_policy(2, backoff_factor=0))
    with pytest.raises(ovh.APIError) as caught:
        client.get("/thing")
    assert (caught.value.message, caught.value.query_id) == ("still busy", "q1")
    assert len([r for r in server.requests if r.path == "/1.0/thing"]) == 3


@pytest.mark.parametrize("disabled", [False, 0])
def test_retries_can_be_switched_off(server: CaptureServer, disabled: object) -> None:
    fail_first(server, 1, Reply(status=503, body={"message": "busy"}))
    client = ovh.Client(server.url, **CREDENTIALS, retries=disabled)  # type: ignore[arg-type]
    with pytest.raises(ovh.APIError):
        client.get("/thing")
    assert len([r for r in server.requests if r.path == "/1.0/thing"]) == 1


def test_pool_size_sizes_the_connection_pool() -> None:
    client = ovh.Client("ovh-eu", "ak", "as", pool_size=32)
    assert client._session.get_adapter("https://eu.api.ovh.com/1.0")._pool_maxsize == 32


def test_rate_limiter_hands_out_evenly_spaced_slots_across_threads() -> None:
    limiter = RateLimiter(4)  # one request every 0.25 s
    sleeps: list[float] = []
    with (
        mock.patch("ovhflow.ovh.throttle.time.monotonic", return_value=100.0),
        mock.patch("ovhflow.ovh.throttle.time.sleep", side_effect=sleeps.append),
    ):
        threads = [threading.Thread(target=limiter.wait) for _ in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert sorted(sleeps) == pytest.approx([0.25 * n for n in range(1, 8)])


def test_rate_limiter_rejects_a_non_positive_rate() -> None:
    with pytest.raises(ValueError, match="rate_limit"):
        RateLimiter(0)


def test_client_waits_on_its_rate_limiter_for_every_request(server: CaptureServer) -> None:
    client = ovh.Client(server.url, **CREDENTIALS, rate_limit=1000)
    assert client._rate_limiter.rate == 1000
    with mock.patch.object(client._rate_limiter, "wait") as waited:
        client.get("/a")
        client.get("/b")
    assert waited.call_count == 3  # /auth/time, /a, /b


def test_time_delta_is_fetched_once_and_not_for_unauthenticated_calls(server: CaptureServer) -> None:
    client = ovh.Client(server.url, **CREDENTIALS)
    client.get("/public", _need_auth=False)
    assert server.paths() == ["/1.0/public"]
    with mock.patch("time.time", return_value=SERVER_TIME - 42):
        assert client.time_delta == 42
        client.get("/a")
        client.put("/b", x=1)
    assert server.paths() == ["/1.0/public", "/1.0/auth/time", "/1.0/a", "/1.0/b"]
    assert server.requests[2].header("X-Ovh-Timestamp") == str(SERVER_TIME)
    assert server.requests[1].header("X-Ovh-Signature") is None


def test_one_client_shared_by_many_threads(server: CaptureServer) -> None:
    client = ovh.Client(server.url, **CREDENTIALS, pool_size=8)
    paths = [f"/item/{n}" for n in range(200)]
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(lambda p: client.get(p, n=1), paths))
    assert results == [{"path": f"/1.0{p}?n=1"} for p in paths]
    assert server.paths().count("/1.0/auth/time") == 1
    assert all(r.header("X-Ovh-Signature") for r in server.requests if "/item/" in r.target)


def test_close_and_context_manager(server: CaptureServer) -> None:
    with ovh.Client(server.url, **CREDENTIALS) as client:
        client.get("/a")
        pools = client._session.get_adapter(server.url).poolmanager.pools
        assert len(pools) == 1  # a kept-alive connection pool to the server
    assert len(pools) == 0


def test_environment_proxies_are_read_once_per_host_and_still_honoured(monkeypatch) -> None:
    import requests

    from ovhflow.ovh.transport import build_session

    calls: list[str] = []
    original = requests.Session.merge_environment_settings

    def counting(self, url, *args):
        calls.append(url)
        return original(self, url, *args)

    monkeypatch.setattr(requests.Session, "merge_environment_settings", counting)
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.invalid:3128")
    monkeypatch.setenv("NO_PROXY", "api.internal")
    session = build_session(retry_policy(0))
    first = session.merge_environment_settings("https://eu.api.ovh.com/1.0/me", {}, None, None, None)
    again = session.merge_environment_settings("https://eu.api.ovh.com/1.0/auth/time", {}, None, None, None)
    bypassed = session.merge_environment_settings("https://api.internal/1.0/me", {}, None, None, None)
    assert first["proxies"].get("https") == "http://proxy.invalid:3128" == again["proxies"].get("https")
    assert "https" not in bypassed["proxies"]
    assert len(calls) == 2  # one lookup per host, not per request
