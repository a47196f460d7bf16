"""What the log says a run is about: the endpoint in its first line, the account once /me was read."""

from __future__ import annotations

import json
from pathlib import Path

from tests.cli_invoke import invoke
from tests.helpers import RECIPES_DIR

LOG_ONLY = "name: Hello\nsteps:\n  - log: hello\n"
READS_SERVERS = "name: Servers\nsteps:\n  - get: /dedicated/server\n"
FAKE_KEYS = {
    "OVH_APPLICATION_KEY": "key",
    "OVH_APPLICATION_SECRET": "not-a-real-secret",
    "OVH_CONSUMER_KEY": "not-a-real-consumer-key",
}


def _events(stderr: str) -> list[dict]:
    return [json.loads(line) for line in stderr.splitlines()]


def test_first_line_names_the_local_sandbox_and_the_account_follows() -> None:
    result = invoke("run", "--sandbox", str(RECIPES_DIR / "welcome.yaml"))
    assert result.exit_code == 0, result.stderr
    first, second = result.stderr.splitlines()[:2]
    url = first.rsplit(" (", 1)[1].rstrip(")")
    recipe = RECIPES_DIR / "welcome.yaml"
    assert first.endswith(f"running 'Welcome' ({recipe}) against the local sandbox ({url})")
    assert url.startswith("http://127.0.0.1:") and url.endswith("/1.0")
    account = second.split(" account ", 1)[1]
    assert account.endswith(f"-ovh on {url}")


def test_json_run_start_carries_the_endpoint_and_an_account_event_the_nichandle() -> None:
    result = invoke("run", "--sandbox", "--log-format", "json", str(RECIPES_DIR / "welcome.yaml"))
    assert result.exit_code == 0, result.stderr
    events = _events(result.stderr)
    start = events[0]
    assert start["event"] == "run_start" and start["endpoint"] == "sandbox"
    assert start["endpoint_url"].startswith("http://127.0.0.1:") and start["endpoint_url"].endswith("/1.0")
    accounts = [event for event in events if event["event"] == "account"]
    assert len(accounts) == 1
    nichandle = accounts[0]["account"]
    assert nichandle.endswith("-ovh") and accounts[0]["endpoint_url"] == start["endpoint_url"]
    assert events[-1]["event"] == "run_end" and events[-1]["account"] == nichandle
    greeting = [event["message"] for event in events if event["event"] == "log"]
    assert nichandle in greeting[0]  # the recipe printed the same account the event named


def test_a_named_endpoint_is_shown_with_its_url(tmp_path: Path, isolated_env: dict[str, str]) -> None:
    recipe = tmp_path / "hello.yaml"
    recipe.write_text(LOG_ONLY)
    env = {**isolated_env, **FAKE_KEYS, "OVH_ENDPOINT": "ovh-ca"}
    result = invoke("run", str(recipe), env=env, cwd=tmp_path)  # a log step sends nothing
    assert result.exit_code == 0, result.stderr
    first = result.stderr.splitlines()[0]
    assert first.endswith(f"running 'Hello' ({recipe}) against ovh-ca (https://ca.api.ovh.com/1.0)")


def test_a_url_endpoint_is_shown_without_its_password(tmp_path: Path, isolated_env: dict[str, str]) -> None:
    recipe = tmp_path / "hello.yaml"
    recipe.write_text(LOG_ONLY)
    env = {**isolated_env, **FAKE_KEYS, "OVH_ENDPOINT": "https://ops:proxy-password@proxy.example.com/1.0"}
    result = invoke("run", "--check", str(recipe), env=env, cwd=tmp_path)
    assert result.exit_code == 0, result.stderr
    first = result.stderr.splitlines()[0]
    assert " against https://proxy.example.com/1.0 in check mode" in first
    assert "proxy-password" not in result.stderr


def test_the_account_costs_no_extra_call(sandbox, tmp_path: Path, isolated_env: dict[str, str]) -> None:
    recipe = tmp_path / "servers.yaml"
    recipe.write_text(READS_SERVERS)
    result = invoke("run", "--log-format", "json", str(recipe), env={**isolated_env, **sandbox.env()})
    assert result.exit_code == 0, result.stderr
    events = _events(result.stderr)
    assert events[0]["endpoint"] == sandbox.url and events[0]["endpoint_url"] == sandbox.url
    assert not [event for event in events if event["event"] == "account"]
    assert "account" not in events[-1]
    assert [entry["path"] for entry in sandbox.journal if entry["path"].endswith("/me")] == []
