"""The secret scan: full recipe runs (and auth, call) with a secret input and the sandbox's credentials;
every captured stdout, stderr, report and log file is searched for the secrets."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.cli_invoke import invoke_ovhflow
from tests.helpers import RECIPES_DIR, run_ovhflow

SECRET_INPUT = "Sup3r-S3cret-Input-Value"

RECIPE = """\
name: secret handling
inputs:
  password: {type: string, secret: true}
  dc: {type: string, default: sbg1}
steps:
  - id: servers
    get: /dedicated/server
  - id: burst
    loop: "{{ steps.servers.result[:2] }}"
    put: /dedicated/server/{{ item }}/burst
    body: {status: active, note: "{{ inputs.password }}"}
    log: "burst on {{ item }} with {{ inputs.password }}"
    ignore_errors: true
  - id: lookup
    get: /dedicated/server/{{ inputs.password }}
    ignore_errors: true
  - id: tell
    log: "the password is {{ inputs.password }}"
  - id: boom
    fail: "giving up with {{ inputs.password }}"
"""

SIGNATURE = re.compile(r"\$1\$[0-9a-f]{40}")


def _captured(tmp_path: Path, env: dict[str, str]) -> list[str]:
    recipe = tmp_path / "secret.yaml"
    recipe.write_text(RECIPE)
    texts: list[str] = []
    runs = [
        ["run", str(recipe), "-p", f"password={SECRET_INPUT}", "-v", "--report", str(tmp_path / "r1.json")],
        [
            "run",
            str(recipe),
            "-p",
            f"password={SECRET_INPUT}",
            "--log-format",
            "json",
            "-v",
            "--report",
            str(tmp_path / "r2.json"),
        ],
        [
            "run",
            str(recipe),
            "-p",
            f"password={SECRET_INPUT}",
            "--check",
            "--log-format",
            "json",
            "--report",
            str(tmp_path / "r3.json"),
        ],
        ["run", str(recipe), "-p", f"password={SECRET_INPUT}", "--debug", "-v"],
        ["run", str(RECIPES_DIR / "burst-sbg1.yaml"), "-v", "--report", str(tmp_path / "r4.json")],
        ["run", str(RECIPES_DIR / "welcome.yaml"), "-v", "--log-format", "json"],
        ["call", "GET", "/me"],
        ["call", "GET", "/dedicated/server/nope"],
        ["call", "GET", "/dedicated/server/nope", "--debug"],
        ["auth", "--no-wait", "--save", str(tmp_path / "saved.conf")],
    ]
    for args in runs:
        # --debug lets the interpreter print the traceback, which only a process shows: a subprocess there
        command = run_ovhflow if "--debug" in args else invoke_ovhflow
        result = command(*args, env=env, cwd=tmp_path)
        assert "Traceback" not in result.stderr or "--debug" in args, result.stderr
        texts += [result.stdout, result.stderr]
    for report in sorted(tmp_path.glob("r*.json")):
        texts.append(report.read_text())
    return texts


def test_no_secret_in_any_output_report_or_log(sandbox, full_env, tmp_path: Path) -> None:
    texts = _captured(tmp_path, full_env)
    assert len([t for t in texts if t]) > 10
    everything = "\n".join(texts)
    assert "burst on" in everything and "the password is ***" in everything  # the runs did run
    secrets = {
        "application secret": sandbox.credentials["application_secret"],
        "consumer key": sandbox.credentials["consumer_key"],
        "secret input": SECRET_INPUT,
    }
    saved = (tmp_path / "saved.conf").read_text()
    secrets["new consumer key"] = saved.split("consumer_key = ")[1].split()[0]
    for what, value in secrets.items():
        assert value not in everything, f"the {what} leaked"
    assert not SIGNATURE.search(everything), "a request signature leaked"
    assert "$1$" not in everything


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_secret_input_masked_in_errors(sandbox, full_env, tmp_path: Path, fmt: str) -> None:
    recipe = tmp_path / "fail.yaml"
    recipe.write_text(RECIPE.split("  - id: tell")[0].replace("    ignore_errors: true\n", ""))
    result = invoke_ovhflow(
        "run", str(recipe), "-p", f"password={SECRET_INPUT}", "--log-format", fmt, env=full_env, cwd=tmp_path
    )
    assert result.returncode == 1
    assert SECRET_INPUT not in result.stdout + result.stderr
    assert "***" in result.stderr
