"""Fixtures for the first-party plugins: ``fake_call`` (tests/plugins/helpers.py), a webhook receiver
(pytest-httpserver) and an SMTP server (aiosmtpd) on 127.0.0.1."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from tests.plugins.helpers import FakeCall, Inbox, free_port

WEBHOOK_PATH = "/hooks/T000/SECRETTOKEN"  # a secret in the URL, as Slack's are: it must never be printed


@pytest.fixture
def fake_call(tmp_path, monkeypatch: pytest.MonkeyPatch) -> type[FakeCall]:
    """FakeCall, run in ``tmp_path``: its output folder (the run's --output-dir) is the current one."""
    monkeypatch.chdir(tmp_path)
    return FakeCall


@dataclass
class Receiver:
    """The webhook's side of a test: its ``url``, every POST it received, the ``status`` it answers."""

    url: str
    requests: list[dict[str, Any]] = field(default_factory=list)
    status: int = 200


@pytest.fixture
def webhook_receiver(httpserver: HTTPServer) -> Iterator[Receiver]:
    """pytest-httpserver answering POSTs to :data:`WEBHOOK_PATH`; any other request fails the test."""
    receiver = Receiver(url=httpserver.url_for(WEBHOOK_PATH))

    def record(request: Request) -> Response:
        body = request.get_data()
        receiver.requests.append(
            {"path": request.path, "headers": request.headers, "json": json.loads(body or b"null")}
        )
        return Response(status=receiver.status)

    httpserver.expect_request(WEBHOOK_PATH, method="POST").respond_with_handler(record)
    yield receiver
    httpserver.check()  # a request no handler matched (another path or method), or a handler's error


@pytest.fixture
def smtp_server() -> Iterator[tuple[Inbox, int]]:
    inbox = Inbox()

    def authenticator(server, session, envelope, mechanism, auth_data) -> AuthResult:
        if isinstance(auth_data, LoginPassword):
            inbox.logins.append((auth_data.login.decode(), auth_data.password.decode()))
            ok = auth_data.password == b"s3cret-pw"
            return AuthResult(success=ok, handled=ok)  # handled=False: aiosmtpd answers 535
        return AuthResult(success=False, handled=False)

    port = free_port()
    controller = Controller(
        inbox,
        hostname="127.0.0.1",
        port=port,
        authenticator=authenticator,
        auth_require_tls=False,
        auth_exclude_mechanism=["LOGIN"],  # PLAIN only: one attempt, one answer
    )
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()
