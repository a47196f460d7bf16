"""`ovhflow auth` end to end against the sandbox: the test plays the account owner visiting the URL."""

from __future__ import annotations

import configparser
import os
import pty
import subprocess
import sys
import time
from pathlib import Path

import requests

from tests.cli_invoke import invoke_ovhflow
from tests.helpers import REPO_ROOT, start_ovhflow


def _saved_key(path: Path, section: str) -> str:
    parser = configparser.RawConfigParser()
    parser.read(path)
    return parser.get(section, "consumer_key")


def test_auth_waits_for_validation_then_saves_a_working_key(sandbox, app_env, tmp_path: Path) -> None:
    work = tmp_path / "work"
    work.mkdir()
    (work / "ovh.conf").write_text("# kept\n[other]\nname = value\n")
    process = start_ovhflow(
        ["auth", "--rule", "GET:/me", "--rule", "GET:/me/*", "--poll-interval", "0.1", "--timeout", "60"],
        app_env,
        work,
    )
    assert process.stdout is not None
    url = process.stdout.readline().strip()
    assert url.startswith(sandbox.root + "/")  # the validation page is served by the sandbox itself
    assert not (work / "ovh.conf").read_text().count("consumer_key")  # nothing saved before validation
    page = requests.get(url, timeout=10)
    assert page.status_code == 200 and "validated" in page.text
    out, err = process.communicate(timeout=60)
    assert process.returncode == 0, err
    conf = work / "ovh.conf"
    assert (conf.stat().st_mode & 0o777) == 0o600
    key = _saved_key(conf, sandbox.url)
    assert "# kept" in conf.read_text() and "name = value" in conf.read_text()
    assert f"saved to {conf}" in err
    assert key not in out + err + url
    assert sandbox.credentials["application_secret"] not in out + err
    # the saved key works: /me is granted, /dedicated/server is outside its rules
    me = invoke_ovhflow("call", "GET", "/me", env=app_env, cwd=work)
    assert me.returncode == 0, me.stderr
    assert '"nichandle"' in me.stdout
    refused = invoke_ovhflow("call", "GET", "/dedicated/server", env=app_env, cwd=work)
    assert refused.returncode == 1 and "NotGrantedCall" in refused.stderr


def test_auth_times_out_without_saving(sandbox, app_env, tmp_path: Path) -> None:
    result = invoke_ovhflow(
        "auth", "--read-only", "--timeout", "0.3", "--poll-interval", "0.1", env=app_env, cwd=tmp_path
    )
    assert result.returncode == 3
    assert "not validated within 0.3 seconds" in result.stderr
    assert not (tmp_path / "ovh.conf").exists()


def test_auth_no_wait_saves_to_chosen_file_and_presets_rules(sandbox, app_env, tmp_path: Path) -> None:
    target = tmp_path / "conf" / "my.conf"
    target.parent.mkdir()
    result = invoke_ovhflow("auth", "--full", "--no-wait", "--save", str(target), env=app_env, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    key = _saved_key(target, sandbox.url)
    assert key not in result.stdout + result.stderr
    assert "Rules asked for: GET /*, POST /*, PUT /*, DELETE /*" in result.stderr
    credential = sandbox.state["credentials"][str(sandbox.state["consumerKeys"][key])]
    assert credential["status"] == "pendingValidation"
    assert {(r["method"], r["path"]) for r in credential["rules"]} == {
        (m, "/*") for m in ("GET", "POST", "PUT", "DELETE")
    }


def test_auth_bad_rule_and_missing_application_key(sandbox, app_env, isolated_env, tmp_path: Path) -> None:
    bad = invoke_ovhflow("auth", "--rule", "FETCH:/me", env=app_env, cwd=tmp_path)
    assert bad.returncode == 2 and "--rule 'FETCH:/me'" in bad.stderr and "Traceback" not in bad.stderr
    missing = invoke_ovhflow(
        "auth", "--no-wait", env={**isolated_env, "OVH_ENDPOINT": sandbox.url}, cwd=tmp_path
    )
    assert missing.returncode == 3 and "application_key" in missing.stderr
    assert "Traceback" not in missing.stderr


def test_enter_on_a_terminal_checks_at_once(sandbox, app_env, tmp_path: Path) -> None:
    # Polls are an hour apart: only the Enter key can make the command notice the validation in time.
    master, slave = pty.openpty()
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("OVH_")}
    full_env.update(app_env)
    full_env["PYTHONPATH"] = str(REPO_ROOT)
    process = subprocess.Popen(
        [sys.executable, "-m", "ovhflow", "auth", "--poll-interval", "3600", "--timeout", "7200"],
        stdin=slave,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=full_env,
        cwd=tmp_path,
    )
    os.close(slave)
    try:
        assert process.stdout is not None
        url = process.stdout.readline().strip()
        while not any(e["path"].endswith("/auth/currentCredential") for e in sandbox.journal):
            time.sleep(0.05)  # validate only after the first poll saw the key pending
        assert requests.get(url, timeout=10).status_code == 200
        os.write(master, b"\n")
        out, err = process.communicate(timeout=60)
    finally:
        process.kill()
        os.close(master)
    assert process.returncode == 0, err
    assert "checking..." in err and "The consumer key is validated." in err, err
    assert _saved_key(tmp_path / "ovh.conf", sandbox.url)


def test_auth_with_unknown_application_key_exits_3(sandbox, app_env, tmp_path: Path) -> None:
    env = {**app_env, "OVH_APPLICATION_KEY": "UnknownAppKey123"}
    result = invoke_ovhflow("auth", "--no-wait", env=env, cwd=tmp_path)
    assert result.returncode == 3
    assert result.stderr.startswith("error: InvalidKey") and "OVH query id" in result.stderr
    assert app_env["OVH_APPLICATION_SECRET"] not in result.stderr
    assert not (tmp_path / "ovh.conf").exists()


def test_unsaveable_target_is_refused_before_asking_for_a_key(sandbox, app_env, tmp_path: Path) -> None:
    broken = tmp_path / "broken.conf"
    broken.write_text("endpoint = x\n[unclosed\n")
    for target, expected, status in [
        (tmp_path / "missing" / "ovh.conf", "does not exist", 3),
        (broken, "not a valid INI file", 3),
        (tmp_path, "is a directory", 2),  # click's own check of the option
    ]:
        result = invoke_ovhflow("auth", "--no-wait", "--save", str(target), env=app_env, cwd=tmp_path)
        assert result.returncode == status and expected in result.stderr, result.stderr
    assert not any(e["path"].endswith("/auth/credential") for e in sandbox.journal)  # no key was asked for


def test_read_write_grants_get_post_put_and_help_says_which(sandbox, app_env, tmp_path: Path) -> None:
    target = tmp_path / "ovh.conf"
    args = ("auth", "--read-write", "--no-wait", "--save", str(target))
    result = invoke_ovhflow(*args, env=app_env, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "Rules asked for: GET /*, POST /*, PUT /*\n" in result.stderr
    key = _saved_key(target, sandbox.url)
    credential = sandbox.state["credentials"][str(sandbox.state["consumerKeys"][key])]
    assert sorted(r["method"] for r in credential["rules"]) == ["GET", "POST", "PUT"]
    shown = " ".join(invoke_ovhflow("auth", "--help").stdout.split())
    assert "--read-write Grant GET, POST and PUT on everything, not DELETE" in shown
    assert "--full Grant GET, POST, PUT and DELETE on everything" in shown
