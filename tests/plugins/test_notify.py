"""Notifications, against a real HTTP receiver and a real SMTP server on 127.0.0.1 (no mocks)."""

from __future__ import annotations

import time
from typing import Any

import jsonschema
import pytest
from ovhflow_plugins import notify

from ovhflow.plugin_api import RunInfo
from tests.plugins.helpers import free_port

STARTED = 1_700_000_000.0


def run_info(exit_status: int, settings: dict[str, Any] | None, error: str | None = None) -> RunInfo:
    return RunInfo(
        recipe_name="Export bills",
        recipe_path="recipes/bills-csv.yaml",
        inputs={"output": "bills.csv"},
        check=False,
        started_at=STARTED,
        counts={"ok": 3, "failed": 1 if exit_status else 0},
        exit_status=exit_status,
        error=error,
        settings={"notify": settings} if settings is not None else {},
    )


def test_webhook_on_failure_posts_the_summary(webhook_receiver, capsys) -> None:
    run = run_info(1, {"webhook": webhook_receiver.url}, error="recipe.yaml:7: GET /me/bill/X: 404 Not Found")
    notify.ovhflow_run_end(run)
    (request,) = webhook_receiver.requests
    body = request["json"]
    assert request["path"] == "/hooks/T000/SECRETTOKEN"
    assert request["headers"]["Content-Type"] == "application/json"
    assert body["recipe"] == "Export bills"
    assert body["recipe_path"] == "recipes/bills-csv.yaml"
    assert body["status"] == "failed"
    assert body["exit_code"] == 1
    assert body["counts"] == {"ok": 3, "failed": 1}
    assert body["error"] == "recipe.yaml:7: GET /me/bill/X: 404 Not Found"
    assert body["started_at"] == "2023-11-14T22:13:20+00:00"
    assert body["ended_at"] >= body["started_at"]
    assert body["text"].startswith("ovhflow: Export bills failed (exit 1): ok 3, failed 1")
    assert "404 Not Found" in body["text"]
    assert capsys.readouterr().err == ""


def test_failure_only_by_default(webhook_receiver) -> None:
    notify.ovhflow_run_end(run_info(0, {"webhook": webhook_receiver.url}))
    assert webhook_receiver.requests == []
    notify.ovhflow_run_end(run_info(0, {"webhook": webhook_receiver.url, "when": "always"}))
    assert webhook_receiver.requests[0]["json"]["status"] == "succeeded"


def test_interrupted_run_is_a_failure(webhook_receiver) -> None:
    notify.ovhflow_run_end(run_info(143, {"webhook": webhook_receiver.url}))
    assert webhook_receiver.requests[0]["json"]["status"] == "interrupted"


def test_webhook_headers(webhook_receiver) -> None:
    settings = {"webhook": {"url": webhook_receiver.url, "headers": {"Authorization": "Bearer tok-123"}}}
    notify.ovhflow_run_end(run_info(1, settings))
    assert webhook_receiver.requests[0]["headers"]["Authorization"] == "Bearer tok-123"


def test_no_section_sends_nothing(webhook_receiver) -> None:
    notify.ovhflow_run_end(run_info(1, None))
    assert webhook_receiver.requests == []


def failure_of(run: RunInfo) -> str:
    """The message of the exception ``ovhflow_run_end`` raises (the engine logs it as a warning)."""
    with pytest.raises(notify.NotificationFailed) as failed:
        notify.ovhflow_run_end(run)
    return str(failed.value)


def test_webhook_error_status_is_reported(webhook_receiver, capsys) -> None:
    webhook_receiver.status = 500
    message = failure_of(run_info(1, {"webhook": webhook_receiver.url}))
    assert message == f"webhook {webhook_receiver.url.split('/hooks')[0]} answered HTTP 500"
    assert "SECRETTOKEN" not in message
    assert capsys.readouterr().err == ""  # nothing printed: the run log reports it


def test_unreachable_webhook_is_reported_without_its_token() -> None:
    url = f"http://127.0.0.1:{free_port()}/services/T0/B0/TOKEN-XYZ"
    message = failure_of(run_info(1, {"webhook": url}))
    assert message.startswith("webhook http://127.0.0.1:")
    assert "ConnectionError" in message
    assert "TOKEN-XYZ" not in message


def test_email_on_failure(smtp_server, capsys) -> None:
    inbox, port = smtp_server
    settings = {
        "email": {"to": "ops@example.com", "from": "cron@example.com", "host": "127.0.0.1", "port": port}
    }
    notify.ovhflow_run_end(run_info(1, settings, error="step failed"))
    (mail,) = inbox.messages
    assert mail["from"] == "cron@example.com"
    assert mail["to"] == ["ops@example.com"]
    assert mail["message"]["Subject"] == "ovhflow: Export bills failed"
    assert mail["message"]["Date"] and mail["message"]["Message-ID"].endswith("@ovhflow.local>")
    text = mail["message"].get_payload(decode=True).decode()
    assert "ovhflow: Export bills failed (exit 1)" in text
    assert "step failed" in text
    assert capsys.readouterr().err == ""


def test_email_login_and_several_recipients(smtp_server, capsys) -> None:
    inbox, port = smtp_server
    settings = {
        "when": "always",
        "email": {
            "to": ["a@example.com", "b@example.com"],
            "host": "127.0.0.1",
            "port": port,
            "subject": "nightly export",
            "username": "bot",
            "password": "s3cret-pw",
        },
    }
    notify.ovhflow_run_end(run_info(0, settings))
    assert inbox.logins == [("bot", "s3cret-pw")]
    (mail,) = inbox.messages
    assert mail["to"] == ["a@example.com", "b@example.com"]
    assert mail["message"]["Subject"] == "nightly export"
    assert capsys.readouterr().err == ""


def test_password_from_the_environment(smtp_server, monkeypatch: pytest.MonkeyPatch) -> None:
    inbox, port = smtp_server
    monkeypatch.setenv("TEST_SMTP_PASSWORD", "s3cret-pw")
    email = {"to": "a@example.com", "host": "127.0.0.1", "port": port, "username": "bot"}
    notify.ovhflow_run_end(run_info(1, {"email": {**email, "password_env": "TEST_SMTP_PASSWORD"}}))
    assert inbox.logins == [("bot", "s3cret-pw")]
    assert len(inbox.messages) == 1


def test_rejected_login_is_reported_without_the_password(smtp_server) -> None:
    inbox, port = smtp_server
    settings = {
        "email": {
            "to": "a@example.com",
            "host": "127.0.0.1",
            "port": port,
            "username": "bot",
            "password": "wrong-pw-value",
        }
    }
    message = failure_of(run_info(1, settings))
    assert inbox.messages == []
    assert message.startswith(f"e-mail via 127.0.0.1:{port} failed: SMTPAuthenticationError")
    assert "wrong-pw-value" not in message


def test_starttls_refused_is_reported(smtp_server) -> None:
    _, port = smtp_server
    settings = {"email": {"to": "a@example.com", "host": "127.0.0.1", "port": port, "starttls": True}}
    assert failure_of(run_info(1, settings)).startswith("e-mail via")


def test_unreachable_smtp_server_is_reported() -> None:
    settings = {"email": {"to": "a@example.com", "host": "127.0.0.1", "port": free_port()}}
    assert "ConnectionRefusedError" in failure_of(run_info(1, settings))


def test_webhook_and_email_together(webhook_receiver, smtp_server) -> None:
    inbox, port = smtp_server
    notify.ovhflow_run_end(
        run_info(
            1,
            {"webhook": webhook_receiver.url, "email": {"to": "a@x.org", "host": "127.0.0.1", "port": port}},
        )
    )
    assert len(webhook_receiver.requests) == 1
    assert len(inbox.messages) == 1


def test_section_schema_accepts_the_documented_forms_and_rejects_others() -> None:
    schema = notify.ovhflow_recipe_sections()["notify"]
    good = [
        {"webhook": "https://hooks.example.com/x"},
        {"when": "always", "webhook": {"url": "https://h/x", "headers": {"X-Token": "t"}}},
        {
            "email": {
                "to": ["a@b.c"],
                "host": "smtp",
                "port": 587,
                "starttls": True,
                "username": "u",
                "password": "p",
            }
        },
    ]
    for value in good:
        jsonschema.Draft202012Validator(schema).validate(value)
    bad = [{"when": "sometimes"}, {"webhook": 3}, {"email": {"host": "x"}}, {"email": {"to": []}}, {"sms": 1}]
    for value in bad:
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.Draft202012Validator(schema).validate(value)


def test_summary_timestamps_are_utc() -> None:
    body = notify.summary(run_info(0, {}), ended_at=STARTED + 61)
    assert (body["started_at"], body["ended_at"]) == (
        "2023-11-14T22:13:20+00:00",
        "2023-11-14T22:14:21+00:00",
    )
    assert time.time() > STARTED


def test_a_check_run_notifies_with_its_planned_writes(webhook_receiver) -> None:
    run = run_info(0, {"webhook": webhook_receiver.url, "when": "always"})
    run.check = True
    run.changes = [
        {
            "method": "PUT",
            "path": f"/dedicated/server/ns{n}/burst",
            "body": {"status": "active"},
            "status": "planned",
        }
        for n in range(52)
    ]
    run.changes.append({"action": "csv", "status": "planned"})  # not an API write: not in the plan
    notify.ovhflow_run_end(run)
    body = webhook_receiver.requests[0]["json"]
    assert len(body["planned"]) == 52
    assert body["planned"][0] == 'PUT /dedicated/server/ns0/burst {"status": "active"}'
    assert '52 planned write(s):\nPUT /dedicated/server/ns0/burst {"status": "active"}' in body["text"]
    assert "ns49/burst" in body["text"] and "ns50/burst" not in body["text"]
    assert body["text"].endswith("\n... and 2 more")
    notify.ovhflow_run_end(run_info(0, {"webhook": webhook_receiver.url, "when": "always"}))
    assert "planned" not in webhook_receiver.requests[1]["json"]  # a real run sends no plan
