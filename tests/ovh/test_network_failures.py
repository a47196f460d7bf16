"""What a network failure is blamed on: a proxy that cannot be reached is named (never its user and
password), not the API host; a certificate that does not verify fails at once, not after four tries."""

from __future__ import annotations

import logging
import socket

import pytest

from ovhflow import ovh
from ovhflow.ovh.retries import retry_policy
from tests.ovh.helpers import CREDENTIALS

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
    assert not any("hunter22" in text or "bob" in text for text in [caught.value.message, *retries])
