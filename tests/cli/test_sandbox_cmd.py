"""``ovhflow sandbox`` as a subprocess: prints URL and sandbox-only credentials, stops on SIGTERM/Ctrl-C;
its option errors in-process."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys

import pytest
import requests

from tests.cli_invoke import invoke_ovhflow
from tests.helpers import REPO_ROOT


def finish(process: subprocess.Popen[str]) -> tuple[str, str]:
    """Wait for the end; read through the text wrappers (``communicate`` would skip what they buffered)."""
    process.wait(timeout=20)
    return process.stdout.read(), process.stderr.read()


def start(*args: str) -> tuple[subprocess.Popen[str], str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("OVH_")}
    process = subprocess.Popen(
        [sys.executable, "-m", "ovhflow", "sandbox", "--servers", "2", "--bills", "1", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=REPO_ROOT,
        env=env,
    )
    first = process.stdout.readline()
    match = re.search(r"(http://127\.0\.0\.1:\d+/1\.0)", first)
    assert match, first + process.stderr.read()
    return process, match.group(1)


def test_serves_prints_credentials_and_stops_on_sigterm(tmp_path) -> None:
    journal = tmp_path / "journal.jsonl"
    process, url = start("--journal", str(journal), "--seed", "5")
    try:
        assert requests.get(url + "/auth/time", timeout=5).text.isdigit()
    finally:
        process.send_signal(signal.SIGTERM)
        out, err = finish(process)
    assert process.returncode == 0, err
    assert "Sandbox-only credentials" in out
    exports = dict(re.findall(r"^export (OVH_[A-Z_]+)=(\S+)$", out, re.MULTILINE))
    assert exports["OVH_ENDPOINT"] == url
    assert set(exports) == {
        "OVH_ENDPOINT",
        "OVH_APPLICATION_KEY",
        "OVH_APPLICATION_SECRET",
        "OVH_CONSUMER_KEY",
    }
    assert "Traceback" not in err
    assert '"path":"/auth/time"' in journal.read_text()


def test_stops_on_ctrl_c() -> None:
    process, url = start("--no-batch", "--no-expand", "--latency-ms", "1")
    try:
        assert requests.get(url + "/auth/time", timeout=5).status_code == 200
    finally:
        process.send_signal(signal.SIGINT)
        _, err = finish(process)
    assert process.returncode == 0, err
    assert "Traceback" not in err


@pytest.mark.timeout(30)  # a sandbox that served instead of refusing would block
def test_bad_options_get_one_message(tmp_path) -> None:
    empty_cache = {"XDG_CACHE_HOME": str(tmp_path)}  # nothing pulled: no schemas to be strict with
    strict = invoke_ovhflow("sandbox", "--strict", env=empty_cache)
    assert strict.returncode == 2 and "--strict needs API schemas" in strict.stderr
    assert "ovhflow schemas pull" in strict.stderr
    assert "Traceback" not in strict.stderr
    rate = invoke_ovhflow("sandbox", "--error-rate", "2")
    assert rate.returncode == 2 and "--error-rate" in rate.stderr


@pytest.mark.timeout(30)  # a sandbox that served instead of refusing would block
def test_state_file_that_is_not_a_state(tmp_path) -> None:
    bad = tmp_path / "state.json"
    bad.write_text("{not json")
    result = invoke_ovhflow("sandbox", "--state", str(bad))
    assert result.returncode == 2
    assert result.stderr.startswith("error: cannot prepare the sandbox") and "Traceback" not in result.stderr


@pytest.mark.timeout(30)  # a sandbox that served instead of refusing would block
def test_unusable_state_and_journal_paths(tmp_path) -> None:
    for option in ("--state", "--journal"):
        result = invoke_ovhflow("sandbox", option, str(tmp_path / "missing" / "file.json"))
        assert result.returncode == 2, result.stderr
        assert (
            result.stderr.startswith("error: cannot prepare the sandbox") and "Traceback" not in result.stderr
        )


def test_serves_every_api_given_schemas_and_says_which() -> None:
    from tests.helpers import SCHEMAS_DIR

    process, url = start("--schemas", str(SCHEMAS_DIR), "--strict")
    try:
        vps = requests.get(url + "/vps", timeout=5)  # unsigned: the API's own 403, not a 404
        assert vps.status_code == 403 and vps.json()["errorCode"] == "INVALID_KEY"
    finally:
        process.send_signal(signal.SIGTERM)
        _, err = finish(process)
    assert process.returncode == 0, err
    assert f"Serving every API described in {SCHEMAS_DIR}" in err


def test_faults_on_given_twice_selects_the_requests_of_either() -> None:
    process, url = start("--throttle", "-1", "--faults-on", "POST", "--faults-on", "get /auth/time")
    try:
        assert requests.get(url + "/auth/time", timeout=5).status_code == 429  # the second value
        assert requests.post(url + "/auth/credential", json={}, timeout=5).status_code == 429  # the first
        assert requests.get(url + "/me", timeout=5).status_code == 403  # neither: the API's own answer
    finally:
        process.send_signal(signal.SIGTERM)
        _, err = finish(process)
    assert process.returncode == 0, err


@pytest.mark.timeout(30)  # a sandbox that served instead of refusing would block
@pytest.mark.parametrize(
    ("value", "said"),
    [
        ("GTE /me", "'GTE' is neither a method"),
        ("GET dedicated/server", "'dedicated/server' is neither a method"),
        ("", "gives no method and no path"),
    ],
)
def test_a_bad_faults_on_value_is_refused(value: str, said: str) -> None:
    result = invoke_ovhflow("sandbox", "--faults-on", "POST", "--faults-on", value)
    assert result.returncode == 2, result.stderr
    assert "--faults-on" in result.stderr and said in result.stderr, result.stderr
    assert "Traceback" not in result.stderr
