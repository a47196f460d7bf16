"""Fixtures for the first-party plugins: a small stand-in for the engine's ActionCall, local receivers.

``FakeCall`` renders templates with a plain Jinja environment (StrictUndefined, the plugins' filters,
native types for a lone ``{{ expr }}``) so each action can be tested on its own; end-to-end tests run the
real engine through ``ovhflow run``.
"""

from __future__ import annotations

import json
import re
import socket
import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from email import message_from_bytes
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import jinja2
import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from jinja2.sandbox import SandboxedEnvironment
from ovhflow_plugins.filters import FILTERS

LONE_EXPRESSION = re.compile(r"^\{\{(?P<expr>(?:(?!\}\}).)*)\}\}$", re.DOTALL)


class FakeCall:
    """An ActionCall with rendered ``args``; records what the action logged and printed."""

    def __init__(self, args: Any, check: bool = False, context: Mapping[str, Any] | None = None) -> None:
        self.args = args
        self.options: dict[str, Any] = {}
        self.check = check
        self.context = dict(context or {})
        self.logs: list[str] = []
        self.outputs: list[str] = []
        self.rendered = 0
        self.env = SandboxedEnvironment(undefined=jinja2.StrictUndefined)
        self.env.filters.update(FILTERS)

    def render(self, value: Any, extra: Mapping[str, Any] | None = None) -> Any:
        self.rendered += 1
        names = {**self.context, **(extra or {})}
        if isinstance(value, str):
            lone = LONE_EXPRESSION.match(value.strip())
            if lone:
                result = self.env.compile_expression(lone.group("expr"), undefined_to_none=False)(**names)
                if isinstance(result, jinja2.Undefined):
                    str(result)  # StrictUndefined raises here, naming what is missing
                return result
            return self.env.from_string(value).render(**names)
        if isinstance(value, Mapping):
            return {key: self.render(item, extra) for key, item in value.items()}
        if isinstance(value, list):
            return [self.render(item, extra) for item in value]
        return value

    def http(self, request: Any) -> Any:
        raise AssertionError("output actions must not call the API")

    def log(self, message: str) -> None:
        self.logs.append(message)

    def output(self, text: str) -> None:
        self.outputs.append(text)


@pytest.fixture
def fake_call() -> type[FakeCall]:
    return FakeCall


@dataclass
class Receiver:
    """A local HTTP server on 127.0.0.1 that records every POST and answers ``status``."""

    url: str
    requests: list[dict[str, Any]] = field(default_factory=list)
    status: int = 200
    received: threading.Event = field(default_factory=threading.Event)


@pytest.fixture
def webhook_receiver() -> Iterator[Receiver]:
    receiver = Receiver(url="")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
            length = int(self.headers.get("Content-Length", "0"))
            body = self.rfile.read(length)
            receiver.requests.append(
                {"path": self.path, "headers": dict(self.headers), "json": json.loads(body or b"null")}
            )
            self.send_response(receiver.status)
            self.send_header("Content-Length", "0")
            self.end_headers()
            receiver.received.set()

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    receiver.url = f"http://127.0.0.1:{server.server_address[1]}/hooks/T000/SECRETTOKEN"
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        server.shutdown()
        server.server_close()


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on (closed right after it was found)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Inbox:
    def __init__(self) -> None:
        self.messages: list[dict[str, Any]] = []
        self.logins: list[tuple[str, str]] = []

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: N802 (aiosmtpd's naming)
        self.messages.append(
            {
                "from": envelope.mail_from,
                "to": envelope.rcpt_tos,
                "message": message_from_bytes(envelope.content),
            }
        )
        return "250 OK"


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
