"""Notifications for unattended runs: a webhook POST and/or an e-mail when a run ends.

A recipe's ``notify:`` section (and ``ovhflow run --notify-webhook URL``) says where to send them and
whether always or only on failure. They are sent from ``ovhflow_run_end``, which the engine calls also
when a step failed or the run was interrupted. Sending is best effort: a notification that cannot be
delivered raises :class:`NotificationFailed`, which the engine reports as a warning through the run log
(so ``--log-format json`` stays one object per line); it never changes the run's outcome or exit status.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from datetime import datetime, timezone
from typing import Any
from urllib.parse import urlsplit

from ovhflow import hookimpl
from ovhflow.plugin_api import ENV_SETTING, ExitStatus, RunInfo, describe_write, read_environment

TIMEOUT_SECONDS = 5.0  # a night job must not hang on an unreachable receiver
PLANNED_IN_TEXT = 50  # a chat message stays readable; the summary's `planned` and the plan have them all

STRING_LIST = {
    "anyOf": [
        {"type": "string", "minLength": 1},
        {"type": "array", "minItems": 1, "items": {"type": "string", "minLength": 1}},
    ]
}

SECTION_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "Send a notification when the run ends.",
    "additionalProperties": False,
    "properties": {
        "when": {"enum": ["always", "failure"], "default": "failure"},
        "webhook": {
            "description": "URL to POST the run summary to (JSON, with a Slack-compatible `text`).",
            "anyOf": [
                {"type": "string", "minLength": 1},
                {
                    "type": "object",
                    "required": ["url"],
                    "additionalProperties": False,
                    "properties": {
                        "url": {"type": "string", "minLength": 1},
                        "headers": {"type": "object", "additionalProperties": {"type": "string"}},
                    },
                },
            ],
        },
        "email": {
            "type": "object",
            "required": ["to"],
            "additionalProperties": False,
            "properties": {
                "to": STRING_LIST,
                "from": {"type": "string", "minLength": 1, "default": "ovhflow@localhost"},
                "host": {"type": "string", "minLength": 1, "default": "localhost"},
                "port": {"type": "integer", "minimum": 1, "maximum": 65535, "default": 25},
                "subject": {"type": "string"},
                "starttls": {"type": "boolean", "default": False},
                "username": {"type": "string"},
                "password": {"type": "string", "writeOnly": True, "description": "Secret: never printed."},
                "password_env": {
                    "type": "string",
                    "minLength": 1,
                    ENV_SETTING: True,  # never a variable holding an API credential
                    "description": "Environment variable holding the password (keeps it out of the recipe).",
                },
            },
        },
    },
}


def run_status(run: RunInfo) -> str:
    """``succeeded``, ``failed`` or ``interrupted``, from the run's exit status."""
    if run.exit_status in (0, None) and not run.error:
        return "succeeded"
    if run.exit_status in (ExitStatus.INTERRUPTED_INT, ExitStatus.INTERRUPTED_TERM):
        return "interrupted"
    return "failed"


def _iso(timestamp: float) -> str:
    return datetime.fromtimestamp(timestamp, timezone.utc).isoformat(timespec="seconds")


def summary(run: RunInfo, ended_at: float) -> dict[str, Any]:
    """The run summary sent to webhooks: plain fields for programs, ``text`` for chat tools."""
    status = run_status(run)
    counts = ", ".join(f"{name} {count}" for name, count in run.counts.items()) or "no steps"
    text = f"ovhflow: {run.recipe_name} {status} (exit {run.exit_status}): {counts}"
    if run.check:
        text += " [check mode]"
    if run.error:
        text += f"\n{run.error}"
    planned = planned_writes(run) if run.check else None
    if planned:
        text += f"\n{len(planned)} planned write(s):\n" + "\n".join(planned[:PLANNED_IN_TEXT])
        if len(planned) > PLANNED_IN_TEXT:
            text += f"\n... and {len(planned) - PLANNED_IN_TEXT} more"
    return {
        "text": text,
        "recipe": run.recipe_name,
        "recipe_path": run.recipe_path,
        "status": status,
        "exit_code": run.exit_status,
        "check": run.check,
        "counts": dict(run.counts),
        "error": run.error,
        "errors": list(run.errors),
        "started_at": _iso(run.started_at),
        "ended_at": _iso(ended_at),
        **({"planned": planned} if planned is not None else {}),
    }


def planned_writes(run: RunInfo) -> list[str]:
    """A check run's planned writes, one line each as its plan shows them (``PUT /path {"json": 1}``)."""
    return [
        describe_write(str(change["method"]), str(change["path"]), change.get("query"), change.get("body"))
        for change in run.changes
        if change.get("status") == "planned" and change.get("method")
    ]


class NotificationFailed(Exception):
    """A notification could not be delivered; the message names the receiver's host, never its URL."""


def _where(url: str) -> str:
    # Webhook URLs often carry a token in their path (Slack's do): name only the host in messages.
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.hostname}" + (f":{parts.port}" if parts.port else "")


def send_webhook(webhook: str | Mapping[str, Any], body: Mapping[str, Any]) -> None:
    """POST ``body`` as JSON; raises :class:`NotificationFailed` if it is not accepted."""
    import requests  # lazy: only a run that sends a webhook pays for importing requests

    config: dict[str, Any] = {"url": webhook} if isinstance(webhook, str) else dict(webhook)
    url = str(config["url"])
    try:
        response = requests.post(
            url, json=body, headers=dict(config.get("headers") or {}), timeout=TIMEOUT_SECONDS
        )
    except requests.RequestException as error:
        raise NotificationFailed(f"webhook {_where(url)} failed: {type(error).__name__}") from None
    if response.status_code >= 400:
        raise NotificationFailed(f"webhook {_where(url)} answered HTTP {response.status_code}")


def _password(config: Mapping[str, Any]) -> str:
    if config.get("password_env"):
        try:
            return read_environment(str(config["password_env"])) or ""
        except Exception as refused:  # a variable holding an API credential: ovhflow_plugins never send it
            raise NotificationFailed(f"e-mail not sent: {refused}") from None
    return str(config.get("password", ""))


def send_email(config: Mapping[str, Any], body: Mapping[str, Any]) -> None:
    """Send the summary by SMTP; raises :class:`NotificationFailed` (without the password) if it fails."""
    # Imported here: e-mail is rarely configured, and every ovhflow command loads this plugin.
    import smtplib
    from email.message import EmailMessage
    from email.utils import formatdate, make_msgid

    recipients = config["to"] if isinstance(config["to"], list) else [config["to"]]
    message = EmailMessage()
    message["From"] = str(config.get("from", "ovhflow@localhost"))
    message["To"] = ", ".join(recipients)
    message["Subject"] = str(config.get("subject") or f"ovhflow: {body['recipe']} {body['status']}")
    message["Date"] = formatdate(localtime=True)
    message["Message-ID"] = make_msgid(domain="ovhflow.local")
    message.set_content(body["text"] + f"\n\nstarted {body['started_at']}, ended {body['ended_at']}\n")
    host, port = str(config.get("host", "localhost")), int(config.get("port", 25))
    try:
        with smtplib.SMTP(host, port, timeout=TIMEOUT_SECONDS) as smtp:
            if config.get("starttls"):
                smtp.starttls()
            if config.get("username"):
                smtp.login(str(config["username"]), _password(config))
            smtp.send_message(message, to_addrs=recipients)
    except (OSError, smtplib.SMTPException) as error:
        # smtplib's messages quote the server's reply, never the password we sent.
        reason = f"{type(error).__name__}: {error}"
        raise NotificationFailed(f"e-mail via {host}:{port} failed: {reason}") from None


def notify(run: RunInfo, settings: Mapping[str, Any], ended_at: float) -> None:
    """Send what ``settings`` (a validated ``notify:`` section) asks for, if the outcome calls for it.

    Both are tried even if the first fails; then one :class:`NotificationFailed` names every failure.
    """
    if settings.get("when", "failure") == "failure" and run_status(run) == "succeeded":
        return
    body = summary(run, ended_at)
    failures = []
    if settings.get("webhook"):
        try:
            send_webhook(settings["webhook"], body)
        except NotificationFailed as failure:
            failures.append(str(failure))
    if settings.get("email"):
        try:
            send_email(settings["email"], body)
        except NotificationFailed as failure:
            failures.append(str(failure))
    if failures:
        raise NotificationFailed("; ".join(failures))


@hookimpl
def ovhflow_recipe_sections() -> Mapping[str, Mapping[str, Any]]:
    return {"notify": SECTION_SCHEMA}


@hookimpl
def ovhflow_run_end(run: RunInfo) -> None:
    settings = run.settings.get("notify")
    if not settings:
        return
    notify(run, settings, time.time())  # the engine reports an exception from here as a warning
