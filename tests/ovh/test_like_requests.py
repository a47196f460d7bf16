"""What python-ovh users get from requests, kept by ovhflow's session: one kept-alive connection for
sequential calls, proxies from the environment (HTTP_PROXY, HTTPS_PROXY, NO_PROXY) and certificate
verification against REQUESTS_CA_BUNDLE. Each case runs through python-ovh 1.2.0 and through
``ovhflow.ovh`` with the same expectations, and reaches its server by a host name, so ovhflow's
resolution within the deadline (ovhflow/ovh/deadline.py) is on the path."""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable, Iterator
from typing import Any
from unittest import mock

import ovh as python_ovh
import pytest

from ovhflow import ovh
from tests.helpers import Listener
from tests.ovh.helpers import CREDENTIALS, TLS_DIR, CaptureServer

MakeClient = Callable[..., Any]


def _python_ovh(url: str, **options: Any) -> Any:
    with mock.patch.dict(python_ovh.client.ENDPOINTS, {"under-test": url}):
        return python_ovh.Client("under-test", **CREDENTIALS, **options)


def _ovhflow(url: str, **options: Any) -> Any:
    return ovh.Client(url, **CREDENTIALS, retries=0, **options)


CLIENTS = pytest.mark.parametrize("make_client", [_python_ovh, _ovhflow], ids=["python-ovh", "ovhflow"])


@pytest.fixture
def tls_server() -> Iterator[CaptureServer]:
    capture = CaptureServer(tls=True)
    yield capture
    capture.close()


@pytest.fixture
def environment(monkeypatch: pytest.MonkeyPatch) -> Callable[..., None]:
    """Sets the given variables, with no proxy variable of the machine's left."""

    def set_only(**values: str) -> None:
        for name in list(os.environ):
            if name.lower().endswith("_proxy"):
                monkeypatch.delenv(name)
        for name, value in values.items():
            monkeypatch.setenv(name, value)

    return set_only


@CLIENTS
def test_sequential_calls_share_one_kept_alive_connection(
    server: CaptureServer, make_client: MakeClient
) -> None:
    client = make_client(server.url.replace("127.0.0.1", "localhost"))
    for number in range(50):
        assert client.get(f"/me/bill/{number}") == {"path": f"/1.0/me/bill/{number}"}
    assert len(server.requests) == 51  # and one /auth/time
    assert server.connections == 1


@CLIENTS
@pytest.mark.parametrize(
    ("variable", "endpoint", "proxy_receives"),
    [
        ("HTTP_PROXY", "http://api.behind-the-proxy.invalid:8080/1.0",
         b"GET http://api.behind-the-proxy.invalid:8080/1.0/auth/time HTTP/1.1\r\n"),
        ("HTTPS_PROXY", "https://api.behind-the-proxy.invalid/1.0",
         b"CONNECT api.behind-the-proxy.invalid:443 HTTP/1.0\r\n"),
    ],
)  # fmt: skip
def test_the_proxy_of_the_environment_gets_the_request_for_a_name_only_it_resolves(
    listener: Listener,
    environment: Callable[..., None],
    make_client: MakeClient,
    variable: str,
    endpoint: str,
    proxy_receives: bytes,
) -> None:
    environment(**{variable: f"http://localhost:{listener.port}"})
    with pytest.raises(ovh.HTTPError if make_client is _ovhflow else python_ovh.HTTPError):
        make_client(endpoint, timeout=(1, 1)).get("/me")  # the proxy answers nothing
    assert bytes(listener.received).startswith(proxy_receives)
    assert listener.connections == 1


@CLIENTS
def test_no_proxy_sends_the_endpoint_s_host_direct(
    server: CaptureServer, listener: Listener, environment: Callable[..., None], make_client: MakeClient
) -> None:
    environment(HTTP_PROXY=f"http://localhost:{listener.port}", NO_PROXY="example.net,localhost")
    assert make_client(server.url.replace("127.0.0.1", "localhost")).get("/me") == {"path": "/1.0/me"}
    time.sleep(0.1)
    assert listener.connections == 0


@CLIENTS
def test_the_certificate_is_verified_against_requests_ca_bundle(
    tls_server: CaptureServer, environment: Callable[..., None], make_client: MakeClient
) -> None:
    environment(REQUESTS_CA_BUNDLE=str(TLS_DIR / "localhost.pem"))
    assert make_client(tls_server.url).get("/me") == {"path": "/1.0/me"}
    assert tls_server.requests[-1].header("Host") == f"localhost:{tls_server.port}"


@CLIENTS
def test_a_certificate_that_fails_verification_fails_the_call_at_once(
    tls_server: CaptureServer,
    environment: Callable[..., None],
    make_client: MakeClient,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A certificate that does not verify will not verify on a second try: no retry (python-ovh makes
    none), whatever ovhflow's retry policy (here the default one)."""
    environment(REQUESTS_CA_BUNDLE=str(TLS_DIR / "another-ca.pem"))
    default_retries = make_client is _ovhflow
    client = ovh.Client(tls_server.url, **CREDENTIALS) if default_retries else make_client(tls_server.url)
    with caplog.at_level(logging.WARNING), pytest.raises((ovh.HTTPError, python_ovh.HTTPError)) as caught:
        client.get("/me")
    assert "certificate verify failed" in str(caught.value)
    assert tls_server.connections == 1 and tls_server.requests == []
    assert [r.getMessage() for r in caplog.records if r.name.startswith("ovhflow")] == []
