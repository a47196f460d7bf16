"""The secret guard (tests/secret_guard.py) itself: it catches what it must, and stays quiet otherwise."""

from __future__ import annotations

import os
import stat
import textwrap
from pathlib import Path

import pytest

from tests.cli_invoke import invoke_ovhflow
from tests.helpers import REPO_ROOT
from tests.secret_guard import find_leaks

pytest_plugins = ["pytester"]

SECRETS = {"A" * 20 + "secretvalue1": "an application secret", "ck-0123456789abcdefXYZ": "a consumer key"}


def test_find_leaks_names_what_and_where_never_the_value() -> None:
    texts = [
        ("stdout", "nothing here"),
        ("stderr", f"error: key={'ck-0123456789abcdefXYZ'} rejected"),
        ("report", "signature $1$" + "0a" * 20 + " sent"),
    ]
    leaks = find_leaks(texts, SECRETS)
    assert leaks == ["a consumer key in stderr", "a request signature in report"]
    assert not any(value in " ".join(leaks) for value in SECRETS)
    assert find_leaks([("stdout", "$1$" + "0a" * 19 + " is too short, AAAA is partial")], SECRETS) == []


@pytest.mark.shows_secrets
def test_the_guard_fails_a_test_that_leaks(pytester: pytest.Pytester, monkeypatch) -> None:
    monkeypatch.setenv("PYTHONPATH", str(REPO_ROOT))
    pytester.makepyfile(
        test_leaky=textwrap.dedent(
            """
            from ovhflow.sandbox import Sandbox
            from tests.secret_guard import record_output

            def test_prints_the_application_secret():
                with Sandbox(servers=1, bills=1) as sb:
                    print("the secret is", sb.credentials["application_secret"])

            def test_subprocess_output_with_the_consumer_key():
                sb = Sandbox(servers=1, bills=1).start()
                sb.stop()
                record_output("", "consumer key " + sb.credentials["consumer_key"])

            def test_logs_a_signature(capfd):
                import os
                os.write(2, b"X-Ovh-Signature: $1$" + b"9f" * 20 + b"\\n")

            def test_clean():
                with Sandbox(servers=1, bills=1) as sb:
                    print("endpoint", sb.url)
            """
        )
    )
    result = pytester.runpytest_subprocess("-p", "tests.secret_guard", "-q", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=4, errors=3)
    result.stdout.fnmatch_lines(
        [
            "*ERROR at teardown of test_prints_the_application_secret*",
            "secret leaked: a sandbox application secret in captured stdout call",
            "*ERROR at teardown of test_subprocess_output_with_the_consumer_key*",
            "secret leaked: a sandbox consumer key in a command's output",
            "*ERROR at teardown of test_logs_a_signature*",
            "secret leaked: a request signature in captured stderr call",
        ]
    )


def test_ovh_conf_saved_by_auth_is_0600_whatever_the_umask(sandbox, tmp_path: Path) -> None:
    """tests/cli/test_auth_cmd.py checks the file auth saves after validation; here a readable file it
    replaces and a new one, under a umask that would make them world-readable."""
    env = {
        "HOME": str(tmp_path),
        "OVHFLOW_LOCK_DIR": str(tmp_path / "locks"),
        **{k: v for k, v in sandbox.env().items() if k != "OVH_CONSUMER_KEY"},
    }
    existing = tmp_path / "existing.conf"
    existing.write_text("[default]\nendpoint = ovh-eu\n")
    existing.chmod(0o666)
    previous = os.umask(0)
    try:
        for target in (existing, tmp_path / "new.conf"):
            done = invoke_ovhflow("auth", "--no-wait", "--save", str(target), env=env, cwd=tmp_path)
            assert done.returncode == 0, done.stderr
            assert stat.S_IMODE(target.stat().st_mode) == 0o600
            assert "consumer_key" in target.read_text()
    finally:
        os.umask(previous)
