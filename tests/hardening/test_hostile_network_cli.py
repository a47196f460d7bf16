"""A hostile network through the real ``ovhflow run`` (in-process) against the sandbox over loopback HTTP:
redirections, answers that hang or trickle, bodies cut mid-answer, unusable ``Retry-After``, text where
JSON was expected, an unreachable API, a wrong application secret (issue 14 "The network", issue 19)."""

from __future__ import annotations

import json
import re
import socket
import threading
import time
from pathlib import Path

import pytest

from ovhflow.sandbox import NetworkFaults
from tests.cli_invoke import Invoked, invoke
from tests.helpers import Listener

CREATE_REDIRECTION = """\
name: create a redirection
steps:
  - id: create
    post: /email/domain/example.com/redirection
    body: {from: "sales@example.com", to: "team@example.net", localCopy: false}
  - id: said
    log: "result={{ steps.create.result }}"
"""
READ_ME = """\
name: read me
steps:
  - id: me
    get: /me
  - id: said
    log: "nichandle={{ steps.me.result.nichandle }}"
"""
READ_SERVERS = """\
name: read servers
steps:
  - id: servers
    get: /dedicated/server
  - id: said
    log: "servers={{ steps.servers.result | join(',') }}"
"""
BURST_ONE = """\
name: burst one server
steps:
  - id: servers
    get: /dedicated/server
  - id: burst
    put: /dedicated/server/{{ steps.servers.result[0] }}/burst
    body: {status: active}
"""


def _run(recipe: Path, sandbox, isolated: dict[str, str], *args: str, env: dict | None = None) -> Invoked:
    done = invoke(
        "run", str(recipe), *args, env={**isolated, **sandbox.env(), **(env or {})}, cwd=recipe.parent
    )
    assert "Traceback" not in done.stderr, done.stderr
    return done


def _applied(sandbox, method: str) -> list[dict]:
    return [e for e in sandbox.journal if e["method"] == method and e["status"] and e["status"] < 300]


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
def test_a_redirected_write_fails_and_the_other_host_receives_nothing(
    sandbox_factory, isolated, write_recipe, listener: Listener, status: int
):
    sb = sandbox_factory(
        network=NetworkFaults(redirect=listener.url, redirect_status=status, applies_to="POST")
    )
    done = _run(write_recipe(CREATE_REDIRECTION), sb, isolated)
    time.sleep(0.2)  # anything sent to the listener has arrived by now
    assert listener.connections == 0 and bytes(listener.received) == b""  # no credential, no body
    assert done.exit_code == 1, done.stderr
    assert f"HTTP {status}, a redirection to 127.0.0.1:{listener.port}" in done.stderr
    assert "0 changed" in done.stderr and "1 failed" in done.stderr, done.stderr
    assert "result=" not in done.stderr  # the run stopped at the failed write
    assert _applied(sb, "POST") == []


def test_a_redirected_read_names_the_location_host_and_sends_it_nothing(
    sandbox_factory, isolated, write_recipe, listener: Listener
):
    sb = sandbox_factory(network=NetworkFaults(redirect=listener.url + "/1.0", applies_to="GET /me"))
    done = _run(write_recipe(READ_ME), sb, isolated)
    time.sleep(0.2)
    assert listener.connections == 0 and bytes(listener.received) == b""
    assert done.exit_code == 1
    assert f"a redirection to 127.0.0.1:{listener.port}" in done.stderr


def test_an_answer_trickling_a_byte_at_a_time_is_cut_at_the_deadline(sandbox_factory, isolated, write_recipe):
    sb = sandbox_factory(network=NetworkFaults(trickle=0.2, applies_to="GET /me"))  # ~100 s for /me
    started = time.monotonic()
    done = _run(write_recipe(READ_ME), sb, isolated, "--timeout", "1")
    elapsed = time.monotonic() - started
    assert done.exit_code == 1, done.stderr
    assert "GET /me: 127.0.0.1:" in done.stderr and "no complete answer within 1 s (deadline)" in done.stderr
    assert "GET /me: GET /me" not in done.stderr  # the call is named once
    assert elapsed < 20, elapsed  # the call's own deadline (3 x 1 s) ends the retries of the GET


def test_a_silent_api_costs_the_call_deadline_not_four_times_three_minutes(
    sandbox_factory, isolated, write_recipe
):
    sb = sandbox_factory(network=NetworkFaults(hang=60, applies_to="GET /me"))
    started = time.monotonic()
    done = _run(write_recipe(READ_ME), sb, isolated, "--timeout", "1")
    elapsed = time.monotonic() - started
    assert done.exit_code == 1, done.stderr
    assert "no complete answer within 1 s (deadline)" in done.stderr
    assert elapsed < 20, elapsed


def test_a_get_whose_body_is_cut_mid_answer_is_retried(sandbox_factory, isolated, write_recipe):
    sb = sandbox_factory(servers=5, network=NetworkFaults(cut_bodies=1, applies_to="GET /dedicated/server"))
    done = _run(write_recipe(READ_SERVERS), sb, isolated)
    assert done.exit_code == 0, done.stderr
    assert f"servers={','.join(sb.state['servers'])}" in done.stderr
    assert sb.faults.network.cut_bodies == 0  # the fault was used: the first answer was cut
    assert "the answer was cut off before its end (attempt 1 of 4)" in done.stderr


@pytest.mark.parametrize("retry_after", ["soon", "-5", "1.5e99x"])
def test_a_429_with_an_unusable_retry_after_backs_off_and_succeeds(
    sandbox_factory, isolated, write_recipe, retry_after: str
):
    sb = sandbox_factory(network=NetworkFaults(throttle=1, retry_after=retry_after, applies_to="GET /me"))
    done = _run(write_recipe(READ_ME), sb, isolated)
    assert done.exit_code == 0, done.stderr
    assert f"nichandle={sb.state['me']['nichandle']}" in done.stderr
    assert sb.faults.network.throttle == 0


def test_a_write_answered_2xx_with_text_is_changed_with_the_text_as_result(
    sandbox_factory, isolated, write_recipe
):
    sb = sandbox_factory(network=NetworkFaults(text="Redirection created", applies_to="POST"))
    done = _run(write_recipe(CREATE_REDIRECTION), sb, isolated, "-v")
    assert done.exit_code == 0, done.stderr
    assert "result=Redirection created" in done.stderr
    assert "1 changed" in done.stderr, done.stderr
    assert len(_applied(sb, "POST")) == 1


def test_an_unreachable_api_says_each_retry_in_one_line_and_names_the_call_that_failed(
    isolated, write_recipe
):
    with socket.create_server(("127.0.0.1", 0)) as closed:
        port = closed.getsockname()[1]  # nothing listens once closed: connections are refused
    env = {
        **isolated,
        "OVH_ENDPOINT": f"http://127.0.0.1:{port}/1.0",
        "OVH_APPLICATION_KEY": "ak-unreachable",
        "OVH_APPLICATION_SECRET": "as-unreachable",
        "OVH_CONSUMER_KEY": "ck-unreachable",
    }
    recipe = write_recipe(READ_ME)
    done = invoke("run", str(recipe), env=env, cwd=recipe.parent)
    assert done.exit_code == 1
    lines = done.stderr.splitlines()
    retries = [line for line in lines if "trying again" in line]
    assert [re.search(r"attempt (\d) of 4", line).group(1) for line in retries] == ["1", "2", "3"]
    assert all(f"127.0.0.1:{port}: connection refused" in line for line in retries), retries
    assert "Retrying (Retry(" not in done.stderr and "Max retries exceeded" not in done.stderr
    [final] = [line for line in lines if line.startswith("error:")]
    assert f"GET /auth/time: 127.0.0.1:{port}: connection refused (4 attempts)" in final, final


def test_a_wrong_application_secret_is_a_credentials_problem_exit_3_with_a_hint(
    sandbox_factory, isolated, write_recipe
):
    sb = sandbox_factory()
    done = _run(write_recipe(READ_ME), sb, isolated, env={"OVH_APPLICATION_SECRET": "not-the-right-secret"})
    assert done.exit_code == 3, done.stderr
    assert "Invalid signature" in done.stderr
    assert "check the application secret" in done.stderr and "endpoint" in done.stderr
    assert "not-the-right-secret" not in done.stderr


def test_a_signature_in_any_output_is_masked(sandbox_factory, isolated, write_recipe):
    quoted = "$1$" + "0123456789abcdef0123456789abcdef01234567"
    sb = sandbox_factory()
    recipe = write_recipe(f'name: quote\nsteps:\n  - log: "refused {quoted} and %241%24{quoted[3:]}"\n')
    done = _run(recipe, sb, isolated)
    assert done.exit_code == 0, done.stderr
    assert quoted[3:] not in done.stderr
    assert "refused $1$*** and $1$***" in done.stderr


def test_call_has_the_same_deadline_option(sandbox_factory, isolated):
    sb = sandbox_factory(network=NetworkFaults(trickle=0.2, applies_to="GET /me"))
    started = time.monotonic()
    done = invoke("call", "GET", "/me", "--timeout", "1", env={**isolated, **sb.env()})
    assert done.exit_code == 1, done.stderr
    assert "no complete answer within 1 s (deadline)" in done.stderr
    assert time.monotonic() - started < 20


def test_the_documented_default_deadline_is_the_client_s():
    from ovhflow.ovh.deadline import CALL_DEADLINE_FACTOR, DEFAULT_DEADLINE

    for command in ("run", "call"):
        shown = " ".join(invoke(command, "--help").stdout.split())
        assert f"(default: {DEFAULT_DEADLINE:g})" in shown and f"{CALL_DEADLINE_FACTOR} times that" in shown
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    assert f"`--timeout SECONDS` (default {DEFAULT_DEADLINE:g})" in readme


@pytest.mark.parametrize("method", ["POST", "PUT"])
def test_a_write_answered_2xx_with_a_cut_body_is_applied_with_an_unreadable_answer(
    sandbox_factory, isolated, write_recipe, tmp_path, method
):
    sb = sandbox_factory(servers=2, network=NetworkFaults(cut_bodies=1, applies_to=method))
    recipe = CREATE_REDIRECTION if method == "POST" else BURST_ONE
    report = tmp_path / "report.json"
    done = _run(write_recipe(recipe), sb, isolated, "--report", str(report), "--log-format", "json")
    assert done.exit_code == 1, done.stderr
    assert len(_applied(sb, method)) == 1  # applied once, never sent again
    document = json.loads(report.read_text())
    [change] = document["changes"]
    assert change["method"] == method and change["status"] == "unknown" and change["http_status"] == 200
    [error] = document["errors"]
    assert "answered HTTP 200, then its answer was cut off before its end: applied" in error["message"]
    assert "check it before running again" in error["message"]
    events = [json.loads(line) for line in done.stderr.splitlines() if line.startswith("{")]
    [unknown] = [event for event in events if event["event"] == "outcome_unknown"]
    assert unknown["method"] == method and unknown["level"] == "error"


def test_call_prints_a_write_answered_2xx_with_text_and_exits_0_as_run_counts_it_changed(
    sandbox_factory, isolated
):
    sb = sandbox_factory(servers=1, network=NetworkFaults(text="Burst updated", applies_to="PUT"))
    path = f"/dedicated/server/{next(iter(sb.state['servers']))}/burst"
    done = invoke("call", "PUT", path, "status=active", env={**isolated, **sb.env()})
    assert done.exit_code == 0, done.stderr
    assert done.stdout == "Burst updated\n"  # the text as it came, not a JSON string
    assert len(_applied(sb, "PUT")) == 1
    read = invoke("call", "GET", path, env={**isolated, **sb.env()})  # reads still answer JSON here
    assert read.exit_code == 0 and json.loads(read.stdout)["status"] == "active"


def test_a_read_answered_with_text_says_its_status_once(sandbox_factory, isolated, write_recipe):
    sb = sandbox_factory(network=NetworkFaults(text="maintenance", applies_to="GET /me"))
    done = _run(write_recipe(READ_ME), sb, isolated)
    assert done.exit_code == 1, done.stderr
    said = [line for line in done.stderr.splitlines() if "not JSON" in line]
    assert said and all(line.count("HTTP 200") == 1 for line in said), said


def test_a_hung_name_resolution_ends_at_the_deadline(sandbox_factory, isolated, write_recipe, monkeypatch):
    sb = sandbox_factory()
    resolve = socket.getaddrinfo
    released = threading.Event()

    def hung_resolver(host, *args, **kwargs):  # a resolver that never answers for this one name
        if host == "api.hung-resolver.example":
            released.wait(60)
            raise socket.gaierror(socket.EAI_AGAIN, "temporary failure")
        return resolve(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", hung_resolver)
    endpoint = sb.url.replace("127.0.0.1", "api.hung-resolver.example")
    started = time.monotonic()
    try:
        done = _run(write_recipe(READ_ME), sb, isolated, "--timeout", "1", env={"OVH_ENDPOINT": endpoint})
    finally:
        released.set()
    elapsed = time.monotonic() - started
    assert done.exit_code == 1, done.stderr
    assert "api.hung-resolver.example" in done.stderr, done.stderr
    assert "the host name was not resolved within 1 s (deadline)" in done.stderr, done.stderr
    assert elapsed < 15, elapsed  # the call's deadline (3 x 1 s) and backoffs, not the resolver's mercy
