"""`ovhflow run` exit codes and messages: 0, 1 (with FILE:LINE and query id), 2, 3, 130, 143."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys

import pytest

from tests.helpers import RECIPES_DIR


def _write(tmp_path, text, name="recipe.yaml"):
    path = tmp_path / name
    path.write_text(text)
    return str(path)


def test_api_error_exit_1_with_location_and_query_id(sandbox, ovhflow_invoke, tmp_path):
    recipe = _write(
        tmp_path, "name: x\nsteps:\n  - get: /me\n  - id: missing\n    get: /dedicated/server/nope\n"
    )
    done = ovhflow_invoke("run", recipe, env=sandbox.env())
    assert done.returncode == 1
    error_line = done.stderr.strip().splitlines()[-1]
    assert error_line.startswith(f"error: {recipe}:4:")
    query_id = [e for e in sandbox.journal if e["path"] == "/dedicated/server/nope"][0]["queryId"]
    assert query_id in error_line and "does not exist" in error_line
    assert "Traceback" not in done.stderr


def test_assert_and_fail_exit_1(sandbox, ovhflow_invoke, tmp_path):
    recipe = _write(
        tmp_path,
        "name: x\nsteps:\n  - id: me\n    get: /me\n"
        "  - assert: steps.me.result.country == 'XX'\n"
        "    message: 'country is {{ steps.me.result.country }}'\n",
    )
    done = ovhflow_invoke("run", recipe, env=sandbox.env())
    assert done.returncode == 1
    assert f"{recipe}:5:" in done.stderr and f"country is {sandbox.state['me']['country']}" in done.stderr
    failing = _write(tmp_path, "name: x\nsteps:\n  - fail: stop here\n", "fail.yaml")
    done = ovhflow_invoke("run", failing, env=sandbox.env())
    assert done.returncode == 1 and f"{failing}:3:" in done.stderr and "stop here" in done.stderr


def test_invalid_recipe_exit_2_and_nothing_sent(sandbox, ovhflow_invoke, tmp_path):
    recipe = _write(tmp_path, "name: x\nsteps:\n  - get: /me\n    bogus: 1\n")
    done = ovhflow_invoke("run", recipe, env=sandbox.env())
    assert done.returncode == 2
    assert f"{recipe}:4:" in done.stderr
    assert sandbox.journal == []


def test_bad_input_exit_2(sandbox, ovhflow_invoke):
    recipe = str(RECIPES_DIR / "mail-redirection.yaml")
    missing = ovhflow_invoke("run", recipe, "-p", "from=a@example.com", env=sandbox.env())
    assert missing.returncode == 2 and "to" in missing.stderr
    unknown = ovhflow_invoke(
        "run", recipe, "-p", "from=a@example.com", "-p", "to=b@c.d", "-p", "x=1", env=sandbox.env()
    )
    assert unknown.returncode == 2
    wrong_type = ovhflow_invoke(
        "run",
        recipe,
        "-p",
        "from=a@example.com",
        "-p",
        "to=b@c.d",
        "-p",
        "localCopy=maybe",
        env=sandbox.env(),
    )
    assert wrong_type.returncode == 2
    assert sandbox.journal == []


def test_missing_configuration_exit_3(ovhflow_invoke, tmp_path):
    env = {"HOME": str(tmp_path)}
    done = ovhflow_invoke("run", str(RECIPES_DIR / "welcome.yaml"), env=env, cwd=tmp_path)
    assert done.returncode == 3, done.stderr
    assert "Traceback" not in done.stderr


def test_rejected_credentials_exit_3(sandbox, ovhflow_invoke):
    env = {**sandbox.env(), "OVH_CONSUMER_KEY": "not-a-valid-consumer-key-at-all"}
    done = ovhflow_invoke("run", str(RECIPES_DIR / "welcome.yaml"), env=env)
    assert done.returncode == 3, done.stderr
    assert "not-a-valid-consumer-key-at-all" not in done.stderr


def test_unknown_endpoint_exit_3(ovhflow_invoke, tmp_path):
    done = ovhflow_invoke(
        "run", str(RECIPES_DIR / "welcome.yaml"), "--endpoint", "ovh-moon", env={"HOME": str(tmp_path)}
    )
    assert done.returncode == 3, done.stderr


def test_ignore_errors_exit_0(sandbox, ovhflow_invoke, tmp_path):
    recipe = _write(
        tmp_path, "name: x\nsteps:\n  - get: /dedicated/server/nope\n    ignore_errors: true\n  - get: /me\n"
    )
    done = ovhflow_invoke("run", recipe, env=sandbox.env())
    assert done.returncode == 0, done.stderr
    assert "1 ignored, 0 failed" in done.stderr
    assert [e["path"] for e in sandbox.journal][-1] == "/me"


@pytest.mark.parametrize(("signum", "status"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_interrupt_mid_loop_finishes_in_flight_and_starts_nothing(sandbox_factory, tmp_path, signum, status):
    sandbox = sandbox_factory(servers=30, latency=0.15)
    recipe = _write(
        tmp_path,
        "name: slow\nsteps:\n  - id: ids\n    get: /dedicated/server\n"
        "  - loop: '{{ steps.ids.result }}'\n    concurrency: 3\n    get: /dedicated/server/{{ item }}\n"
        "  - get: /me\n",
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("OVH_")} | sandbox.env()
    process = subprocess.Popen(
        [sys.executable, "-m", "ovhflow", "run", "-v", recipe],
        stderr=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    )
    lines = []
    while True:  # wait until the loop is running: its first request has ended
        line = process.stderr.readline()
        lines.append(line)
        if not line or "GET /dedicated/server/ns" in line:
            break
    process.send_signal(signum)
    stderr = "".join(lines) + process.stderr.read()
    process.wait(timeout=60)
    process.stdout.close()
    process.stderr.close()
    assert process.returncode == status, stderr
    fetched = [e for e in sandbox.journal if e["path"].startswith("/dedicated/server/ns")]
    assert 0 < len(fetched) < 30
    assert not any(e["path"] == "/me" for e in sandbox.journal)
    assert f"exit {status}" in stderr and "interrupted" in stderr
    assert all(e["status"] == 200 for e in fetched)  # nothing cut off half-way


def test_debug_shows_the_traceback(sandbox, ovhflow_invoke, ovhflow_cli, tmp_path):
    recipe = _write(tmp_path, "name: x\nsteps:\n  - get: /dedicated/server/nope\n")
    quiet = ovhflow_invoke("run", recipe, env=sandbox.env())
    loud = ovhflow_cli("run", "--debug", recipe, env=sandbox.env())  # the interpreter prints it: a process
    assert quiet.returncode == 1 and "Traceback" not in quiet.stderr
    assert loud.returncode == 1 and "Traceback" in loud.stderr and "ResourceNotFoundError" in loud.stderr


def test_sandbox_with_an_endpoint_or_config_is_a_usage_error(ovhflow_invoke, tmp_path):
    recipe = _write(tmp_path, "name: me\nsteps:\n  - get: /me\n")
    for extra in (["--endpoint", "ovh-eu"], ["--config", str(tmp_path / "ovh.conf")]):
        done = ovhflow_invoke("run", "--sandbox", *extra, recipe)
        assert done.returncode == 2
        assert "--sandbox runs against the local sandbox" in done.stderr
        assert "Traceback" not in done.stderr


def test_a_plugin_failing_at_run_start_still_ends_the_run_with_a_report(ovhflow_invoke, tmp_path):
    plugins = tmp_path / "plugins"
    plugins.mkdir()
    (plugins / "startfail.py").write_text(
        "from ovhflow import hookimpl\n\n\n@hookimpl\n"
        "def ovhflow_run_start(run):\n    raise RuntimeError('boom')\n"
    )
    recipe = _write(tmp_path, "name: me\nsteps:\n  - get: /me\n")
    report = tmp_path / "report.json"
    done = ovhflow_invoke("run", "--sandbox", "--plugins-dir", str(plugins), "--report", str(report), recipe)
    assert done.returncode == 1
    assert "boom" in done.stderr and "Traceback" not in done.stderr
    assert json.loads(report.read_text())["exit_status"] == 1
