"""`ovhflow call`: JSON out, arguments as query or body, errors as one line with exit codes."""

from __future__ import annotations

import json
import os
import pty
import subprocess
import sys
from pathlib import Path

from tests.cli_invoke import invoke, invoke_ovhflow
from tests.helpers import REPO_ROOT, copy_schema_subset


def test_get_prints_compact_json_off_a_terminal(sandbox, full_env, tmp_path: Path) -> None:
    result = invoke_ovhflow("call", "GET", "/dedicated/server", env=full_env, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.count("\n") == 1  # one compact line for a pipe
    assert sorted(json.loads(result.stdout)) == sorted(sandbox.state["servers"])
    assert result.stderr == ""


def test_query_and_body_arguments(sandbox, full_env, tmp_path: Path) -> None:
    bills = invoke_ovhflow(
        "call", "get", "/me/bill", "date.from=2000-01-01", "date.to=2000-01-02", env=full_env, cwd=tmp_path
    )
    assert bills.returncode == 0, bills.stderr
    assert json.loads(bills.stdout) == []
    sent = [e for e in sandbox.journal if e["path"].endswith("/me/bill")][-1]
    assert sent["query"] == {"date.from": "2000-01-01", "date.to": "2000-01-02"}
    domain = next(iter(sandbox.state["emailDomains"]))
    created = invoke_ovhflow(
        "call",
        "POST",
        f"/email/domain/{domain}/redirection",
        f"from=a@{domain}",
        "to=b@example.net",
        "localCopy:=false",
        env=full_env,
        cwd=tmp_path,
    )
    assert created.returncode == 0, created.stderr
    assert sandbox.writes()[-1]["body"] == {"from": f"a@{domain}", "to": "b@example.net", "localCopy": False}


def test_api_error_is_one_line_with_query_id_and_exit_1(sandbox, full_env, tmp_path: Path) -> None:
    result = invoke_ovhflow("call", "GET", "/dedicated/server/nope.example.net", env=full_env, cwd=tmp_path)
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ResourceNotFoundError")
    assert "OVH query id " in lines[0]
    assert result.stdout == ""


def test_credential_problems_exit_3(sandbox, full_env, isolated_env, tmp_path: Path) -> None:
    wrong = invoke_ovhflow("call", "GET", "/me", env={**full_env, "OVH_CONSUMER_KEY": "X" * 32}, cwd=tmp_path)
    assert wrong.returncode == 3 and "InvalidCredential" in wrong.stderr
    assert "X" * 32 not in wrong.stderr
    missing = invoke_ovhflow("call", "GET", "/me", env=isolated_env, cwd=tmp_path)
    assert missing.returncode == 3 and "Traceback" not in missing.stderr


def test_no_auth_call(sandbox, full_env, tmp_path: Path) -> None:
    result = invoke_ovhflow("call", "GET", "/auth/time", "--no-auth", env=full_env, cwd=tmp_path)
    assert result.returncode == 0 and isinstance(json.loads(result.stdout), int)
    unsigned = [e for e in sandbox.journal if e["path"].endswith("/auth/time")]
    assert unsigned


def test_usage_errors_exit_2(full_env, tmp_path: Path) -> None:
    for args, expected in [
        (("FETCH", "/me"), "method 'FETCH'"),
        (("GET", "me"), "must start with /"),
        (
            ("GET", "/me#x"),
            "path '/me#x' has a '#'",
        ),  # a fragment is never sent: it failed as a bad signature
        (
            ("POST", "/me/x", "a=1", "hunter22"),
            "argument #2: expected NAME=VALUE or NAME:=JSON (no '=' found)",
        ),
        (("POST", "/me/x", "a=1", "a:=2"), "argument a: given more than once"),
        (("POST", "/me/x", "n:={bad"), "n:= is not valid JSON"),
    ]:
        result = invoke_ovhflow("call", *args, env=full_env, cwd=tmp_path)
        assert result.returncode == 2, (args, result.stderr)
        assert expected in result.stderr and "Traceback" not in result.stderr
        assert "hunter22" not in result.stderr  # a secret typed without its name is never echoed


def test_readable_conf_is_warned_about(sandbox, isolated_env, tmp_path: Path) -> None:
    conf = tmp_path / "ovh.conf"
    creds = sandbox.credentials
    conf.write_text(
        f"[default]\nendpoint = {sandbox.url}\n\n[{sandbox.url}]\n"
        f"application_key = {creds['application_key']}\n"
        f"application_secret = {creds['application_secret']}\nconsumer_key = {creds['consumer_key']}\n"
    )
    conf.chmod(0o644)
    result = invoke_ovhflow("call", "GET", "/me", env=isolated_env, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert f"warning: {conf} is readable by other users (mode 0644)" in result.stderr
    for secret in (creds["application_secret"], creds["consumer_key"]):
        assert secret not in result.stderr + result.stdout
    conf.chmod(0o600)
    quiet = invoke_ovhflow("call", "GET", "/me", env=isolated_env, cwd=tmp_path)
    assert quiet.returncode == 0 and "warning" not in quiet.stderr


def test_pretty_json_on_a_terminal(sandbox, full_env, tmp_path: Path) -> None:
    master, slave = pty.openpty()
    env = {k: v for k, v in os.environ.items() if not k.startswith("OVH_")}
    env.update(full_env)
    env["PYTHONPATH"] = str(REPO_ROOT)
    process = subprocess.Popen(
        [sys.executable, "-m", "ovhflow", "call", "GET", "/me"],
        stdout=slave,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        env=env,
        cwd=tmp_path,
    )
    os.close(slave)
    chunks = []
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(master)
    assert process.wait(timeout=60) == 0
    text = b"".join(chunks).decode().replace("\r\n", "\n")
    assert text.startswith('{\n  "') and json.loads(text)["nichandle"]


def test_all_follows_v2_cursor_pages(sandbox, full_env, tmp_path: Path) -> None:
    first_page = invoke_ovhflow("call", "GET", "/v2/iam/resource", env=full_env, cwd=tmp_path)
    everything = invoke_ovhflow(
        "call", "GET", "/v2/iam/resource", "--all", "--page-size", "5", env=full_env, cwd=tmp_path
    )
    assert everything.returncode == 0, everything.stderr
    items = json.loads(everything.stdout)
    assert [item["id"] for item in items] == [item["id"] for item in sandbox.state["iamResources"]]
    assert len(items) > 5
    pages = [e for e in sandbox.journal if e["path"].endswith("/v2/iam/resource")]
    assert len(pages) == 1 + -(-len(items) // 5)  # the plain call, then one request per page of 5
    assert json.loads(first_page.stdout)
    misuse = invoke_ovhflow("call", "GET", "/me", "--all", env=full_env, cwd=tmp_path)
    assert misuse.returncode == 2 and "--all" in misuse.stderr


def test_call_sandbox_needs_no_account(isolated_env: dict[str, str], tmp_path: Path) -> None:
    from tests.cli_invoke import invoke

    result = invoke("call", "--sandbox", "GET", "/me", env=isolated_env, cwd=tmp_path)
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["nichandle"].endswith("-ovh")
    both = invoke("call", "--sandbox", "--endpoint", "ovh-eu", "GET", "/me", env=isolated_env, cwd=tmp_path)
    assert both.exit_code == 2 and "--sandbox calls a local sandbox" in both.stderr


def test_a_write_answered_with_no_content_says_so(sandbox, full_env, tmp_path: Path) -> None:
    from tests.cli_invoke import invoke

    server = sorted(sandbox.state["servers"])[0]
    path = f"/dedicated/server/{server}/burst"
    result = invoke("call", "PUT", path, "status=active", env=full_env, cwd=tmp_path)
    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""  # not `null`
    assert result.stderr == f"PUT {path}: 200 OK, no content\n"
    assert sandbox.writes()[-1]["body"] == {"status": "active"}


def test_call_sandbox_serves_the_api_run_sandbox_serves(tmp_path: Path) -> None:
    """Both build their sandbox one way: with the schemas pulled for the endpoint, the whole API."""
    cache = tmp_path / "cache"
    copy_schema_subset(cache / "ovhflow" / "schemas" / "eu.api.ovh.com", ("v1/vps.json",))
    env = {"XDG_CACHE_HOME": str(cache), "HOME": str(tmp_path)}
    listed = invoke("call", "--sandbox", "GET", "/vps", env=env, cwd=tmp_path)
    assert listed.exit_code == 0, listed.stderr
    assert json.loads(listed.stdout) and all(isinstance(name, str) for name in json.loads(listed.stdout))
    nothing_pulled = {**env, "XDG_CACHE_HOME": str(tmp_path / "empty")}
    missing = invoke("call", "--sandbox", "GET", "/vps", env=nothing_pulled, cwd=tmp_path)
    assert missing.exit_code == 1 and "ovhflow schemas pull" in missing.stderr
