"""The client on a hostile network, over loopback HTTP: deadlines per request and per call, redirections
never followed, requests kept on the endpoint's host, signatures masked in API messages, retries told in
ovhflow's words (issue 14 "The network", issue 19 "An unreachable API")."""

from __future__ import annotations

import contextlib
import logging
import socket
import threading
import time
from collections.abc import Iterator
from unittest import mock

import ovh as python_ovh
import pytest
import urllib3.connection

from ovhflow import ovh
from ovhflow.ovh.retries import retry_policy
from ovhflow.ovh.transport import build_session
from ovhflow.sandbox import NetworkFaults, Sandbox
from tests.helpers import Listener
from tests.ovh.helpers import CREDENTIALS, CaptureServer, Reply

FAST = retry_policy(3, backoff_factor=0)


def test_a_trickling_answer_is_cut_at_the_deadline() -> None:
    with Sandbox(servers=2, bills=1, network=NetworkFaults(trickle=0.2, applies_to="GET /me")) as sb:
        client = ovh.Client(**sb.credentials, deadline=1, retries=FAST)
        started = time.monotonic()
        with pytest.raises(ovh.HTTPError) as caught:
            client.get("/me")  # about 100 s at one byte every 0.2 s
        elapsed = time.monotonic() - started
        assert caught.value.message.startswith("GET /me: 127.0.0.1:")
        assert "no complete answer within 1 s (deadline)" in caught.value.message
        assert elapsed < 12, elapsed  # the call's deadline: 3 x 1 s, whatever the retries (not ~100 s)
        assert client.get("/dedicated/server") == list(sb.state["servers"])  # other calls are unharmed


def test_a_hanging_post_is_not_retried_and_ends_at_its_deadline() -> None:
    with Sandbox(servers=2, bills=1, network=NetworkFaults(hang=30, applies_to="POST")) as sb:
        client = ovh.Client(**sb.credentials, deadline=1)
        started = time.monotonic()
        with pytest.raises(ovh.HTTPError) as caught:
            client.post("/email/domain/example.com/redirection", _from="a@example.com", to="b@example.net")
        elapsed = time.monotonic() - started
        assert "deadline" in caught.value.message and "attempts" not in caught.value.message
        assert elapsed < 5, elapsed


def test_the_session_never_follows_a_redirect(listener: Listener) -> None:
    with Sandbox(
        servers=2, bills=1, network=NetworkFaults(redirect=f"http://127.0.0.1:{listener.port}")
    ) as sb:
        session = build_session(retry_policy())
        for method in ("GET", "POST", "PUT", "DELETE"):
            answer = session.request(method, sb.url + "/me", headers={"X-Ovh-Application": "k"}, data="{}")
            assert answer.status_code == 307 and answer.history == []
        time.sleep(0.2)
        assert listener.connections == 0 and bytes(listener.received) == b""


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
def test_a_redirect_is_an_api_error_naming_the_location_host(server: CaptureServer, status: int) -> None:
    def respond(request):  # noqa: ANN001, ANN202
        if request.path.endswith("/auth/time"):
            return Reply(body=1_700_000_000)
        return Reply(status=status, raw=b"", headers={"Location": "https://collector.example.net/steal"})

    server.responder = respond
    client = ovh.Client(server.url, **CREDENTIALS)
    with pytest.raises(ovh.APIError) as caught:
        client.post("/email/domain/example.com/redirection", to="x@example.net")
    assert f"HTTP {status}, a redirection to collector.example.net" in str(caught.value)
    assert [r.method for r in server.requests if not r.path.endswith("/auth/time")] == ["POST"]


def test_a_path_cannot_leave_the_endpoint_host(listener: Listener) -> None:
    client = ovh.Client(f"http://127.0.0.1:{listener.port}", **CREDENTIALS)
    with pytest.raises(ovh.InvalidRegion, match="does not stay on the endpoint"):
        client.get(".evil.example/me", _need_auth=False)
    with pytest.raises(ovh.InvalidRegion):
        client.call("GET", "@evil.example/me", None, False)
    time.sleep(0.2)
    assert listener.connections == 0


def test_a_signature_quoted_by_the_api_is_masked(server: CaptureServer) -> None:
    quoted = "$1$" + "ab" * 20

    def respond(request):  # noqa: ANN001, ANN202
        if request.path.endswith("/auth/time"):
            return Reply(body=1_700_000_000)
        message = f"Invalid signature {quoted} (expected %241%24{'cd' * 20})"
        return Reply(status=400, body={"errorCode": "INVALID_SIGNATURE", "message": message})

    server.responder = respond
    with pytest.raises(ovh.BadParametersError) as caught:
        ovh.Client(server.url, **CREDENTIALS).get("/me")
    assert str(caught.value) == "Invalid signature $1$*** (expected $1$***)"
    assert isinstance(caught.value, ovh.InvalidKey)  # a credentials problem, as ovhflow run reports it
    assert "application secret" in caught.value.explained


def test_each_retry_is_one_line_in_ovhflow_words(caplog: pytest.LogCaptureFixture) -> None:
    with socket.create_server(("127.0.0.1", 0)) as closed:
        port = closed.getsockname()[1]
    client = ovh.Client(f"http://127.0.0.1:{port}/1.0", **CREDENTIALS, retries=FAST)
    with caplog.at_level(logging.DEBUG), pytest.raises(ovh.HTTPError) as caught:
        client.get("/me")
    lines = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    where = f"GET /1.0/auth/time on 127.0.0.1:{port}"
    assert lines == [
        f"{where}: connection refused (attempt {n} of 4); trying again in 0.0 s" for n in (1, 2, 3)
    ]
    assert caught.value.message == f"GET /auth/time: 127.0.0.1:{port}: connection refused (4 attempts)"
    assert isinstance(caught.value.args[1], Exception)  # python-ovh's shape: the cause comes second


@contextlib.contextmanager
def _silent_address(address: str, port: int) -> Iterator[None]:
    """``address:port`` accepts no connection: its listener's accept queue is full, so a connect to it
    times out (on loopback, like an address whose packets are dropped)."""
    with socket.create_server((address, port), backlog=0) as silent, contextlib.ExitStack() as held:
        for _ in range(4):
            try:
                held.enter_context(socket.create_connection((address, port), timeout=0.3))
            except TimeoutError:
                break
        else:
            pytest.fail(f"{address}:{port} still accepts connections")
        assert silent.fileno() >= 0
        yield


def test_an_address_that_does_not_answer_is_passed_over_for_the_next_one_as_python_ovh_does(
    server: CaptureServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A host name with two addresses, the first silent: urllib3 (under python-ovh) tries the next one
    once the first's connect timeout is over, within the same attempt; so does the resolution that
    ovhflow waits for within the deadline."""
    port = int(server.root.rsplit(":", 1)[1])
    resolve = socket.getaddrinfo

    def two_addresses(host, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003, ANN202
        if host == "api.two-addresses.example":
            return [*resolve("127.0.0.2", *args, **kwargs), *resolve("127.0.0.1", *args, **kwargs)]
        return resolve(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", two_addresses)
    url = server.url.replace("127.0.0.1", "api.two-addresses.example")
    with _silent_address("127.0.0.2", port), mock.patch.dict(python_ovh.client.ENDPOINTS, {"two": url}):
        theirs = python_ovh.Client("two", **CREDENTIALS, timeout=(0.5, 5)).get("/me")
        ours = ovh.Client(url, **CREDENTIALS, timeout=(0.5, 5), retries=0).get("/me")
    assert ours == theirs == {"path": "/1.0/me"}
    assert {r.header("Host") for r in server.requests} == {f"api.two-addresses.example:{port}"}


def test_the_connection_goes_to_the_address_resolved_within_the_deadline_not_resolved_again(
    server: CaptureServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """ovhflow resolves the name itself (within the deadline) and hands urllib3 the address through its
    ``host`` setter, reading the name from the private ``HTTPConnection._dns_host``: a urllib3 that drops
    the attribute, or connects to anything else, fails here rather than in production."""
    named = urllib3.connection.HTTPConnection("api.example.", 443)
    assert named._dns_host == "api.example." and named.host == "api.example"
    named.host = "127.0.0.1"
    assert named._dns_host == "127.0.0.1"
    port = int(server.root.rsplit(":", 1)[1])
    resolve = socket.getaddrinfo

    def on_the_resolver_thread_only(host, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003, ANN202
        if host == "api.resolved-once.example":
            if threading.current_thread().name != "ovhflow-resolve":
                raise socket.gaierror(socket.EAI_NONAME, "resolved again, outside the deadline")
            host = "127.0.0.1"
        return resolve(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", on_the_resolver_thread_only)
    url = server.url.replace("127.0.0.1", "api.resolved-once.example")
    assert ovh.Client(url, **CREDENTIALS, timeout=(0.5, 5), retries=0).get("/me") == {"path": "/1.0/me"}
    assert {r.header("Host") for r in server.requests} == {f"api.resolved-once.example:{port}"}


def test_an_address_that_does_not_answer_is_said_to_time_out_connecting(server: CaptureServer) -> None:
    port = int(server.root.rsplit(":", 1)[1])
    with _silent_address("127.0.0.2", port), pytest.raises(ovh.HTTPError) as caught:
        ovh.Client(f"http://127.0.0.2:{port}/1.0", **CREDENTIALS, timeout=(0.3, 5), retries=0).get("/me")
    assert caught.value.message == f"GET /auth/time: 127.0.0.2:{port}: connecting timed out"
    assert server.requests == []
