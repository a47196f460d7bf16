"""What a network failure is blamed on: a proxy that cannot be reached is named (never its user and
password), not the API host; a certificate that does not verify fails at once, not after four tries."""

from __future__ import annotations

import logging
import socket
from pathlib import Path

import pytest

from ovhflow import ovh
from ovhflow.ovh.retries import retry_policy
from tests.cli_invoke import invoke
from tests.ovh.helpers import CREDENTIALS, CaptureServer

FAST = retry_policy(3, backoff_factor=0)


def _closed_port() -> int:
    with socket.create_server(("127.0.0.1", 0)) as closed:
        return int(closed.getsockname()[1])


@pytest.mark.parametrize("scheme", ["https", "http"])
def test_an_unreachable_proxy_is_named_not_the_api_host(
    scheme: str, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    proxy, api = _closed_port(), _closed_port()
    for name in ("NO_PROXY", "no_proxy", "ALL_PROXY", "all_proxy", "HTTP_PROXY", "HTTPS_PROXY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv(f"{scheme.upper()}_PROXY", f"http://bob:hunter22@127.0.0.1:{proxy}")
    client = ovh.Client(f"{scheme}://localhost:{api}/1.0", **CREDENTIALS, retries=FAST)
    with caplog.at_level(logging.DEBUG), pytest.raises(ovh.HTTPError) as caught:
        client.get("/me")
    said = f"the proxy 127.0.0.1:{proxy} was unreachable: connection refused"
    assert caught.value.message == f"GET /auth/time: localhost:{api}: {said} (4 attempts)"
    retries = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(retries) == 3 and all(said in line for line in retries), retries
    # each retry line names the call on the API host, as without a proxy (not the proxy's absolute URL)
    assert all(line.startswith(f"GET /1.0/auth/time on localhost:{api}: ") for line in retries), retries
    assert not any("hunter22" in text or "bob" in text for text in [caught.value.message, *retries])


def test_a_certificate_that_does_not_verify_fails_at_once_saying_so(tmp_path: Path) -> None:
    """The self-signed certificate of a local TLS server: one handshake, no retry line, and one line that
    says the certificate was not verified and why, not an OpenSSL error code."""
    server = CaptureServer(tls=True)
    try:
        env = {
            "OVH_ENDPOINT": server.url,
            "OVH_APPLICATION_KEY": CREDENTIALS["application_key"],
            "OVH_APPLICATION_SECRET": CREDENTIALS["application_secret"],
            "OVH_CONSUMER_KEY": CREDENTIALS["consumer_key"],
        }
        done = invoke("call", "GET", "/me", env=env, cwd=tmp_path)
        connections = server.connections
    finally:
        server.close()
    said = (
        f"GET /auth/time: localhost:{server.port}: TLS: certificate verify failed (self-signed certificate), "
        "not retried (it would fail again); if a proxy or firewall inspects TLS, give its CA certificate "
        "in REQUESTS_CA_BUNDLE"
    )
    assert done.exit_code != 0 and done.stderr.strip().endswith(said), done.stderr
    assert "_ssl.c" not in done.stderr and "trying again" not in done.stderr
    assert connections == 1
