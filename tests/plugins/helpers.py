"""What the first-party plugins' tests import: a small stand-in for the engine's ActionCall, an SMTP
inbox, a free port.

``FakeCall`` renders templates with a plain Jinja environment (StrictUndefined, the plugins' filters,
native types for a lone ``{{ expr }}``) so each action can be tested on its own; end-to-end tests run the
real engine through ``ovhflow run``.
"""

from __future__ import annotations

import re
import socket
from collections.abc import Mapping
from email import message_from_bytes
from typing import Any

import jinja2
from jinja2.sandbox import SandboxedEnvironment
from ovhflow_plugins.filters import FILTERS

from ovhflow.plugin_api import OutputFolder

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
        self.output_folder = OutputFolder.at(".")  # the test's folder (tests/plugins/conftest.py)
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
