"""The gallery's seed recipes through the real command line against the sandbox, checking what it received."""

from __future__ import annotations

import json

from tests.helpers import RECIPES_DIR

BURST = str(RECIPES_DIR / "burst-sbg1.yaml")


def _bursts_to_enable(sandbox, datacenter="sbg1"):
    state = sandbox.state
    return sorted(
        name
        for name, server in state["servers"].items()
        if server["datacenter"] == datacenter and state["bursts"][name]["status"] != "active"
    )


def test_welcome(sandbox, ovhflow_invoke):
    done = ovhflow_invoke("run", str(RECIPES_DIR / "welcome.yaml"), env=sandbox.env())
    assert done.returncode == 0, done.stderr
    me = sandbox.state["me"]
    assert f"Welcome {me['firstname']}" in done.stderr
    assert [(e["method"], e["path"]) for e in sandbox.journal] == [("GET", "/auth/time"), ("GET", "/me")] or [
        (e["method"], e["path"]) for e in sandbox.journal if e["path"] != "/auth/time"
    ] == [("GET", "/me")]


def test_welcome_with_builtin_sandbox(ovhflow_invoke):
    done = ovhflow_invoke("run", "--sandbox", str(RECIPES_DIR / "welcome.yaml"), "-p", "greeting=Hello")
    assert done.returncode == 0, done.stderr
    assert "Hello " in done.stderr


def test_burst_puts_only_inactive_sbg1_servers_and_rerun_changes_nothing(sandbox, ovhflow_invoke):
    expected = _bursts_to_enable(sandbox)
    assert expected, "the sandbox account should have sbg1 servers without burst"
    done = ovhflow_invoke("run", BURST, env=sandbox.env())
    assert done.returncode == 0, done.stderr
    writes = sandbox.writes()
    assert sorted(e["path"] for e in writes) == [f"/dedicated/server/{name}/burst" for name in expected]
    assert all(e["method"] == "PUT" and e["body"] == {"status": "active"} for e in writes)
    assert _bursts_to_enable(sandbox) == []
    assert f"{len(expected)} changed" in done.stderr

    again = ovhflow_invoke("run", BURST, env=sandbox.env())
    assert again.returncode == 0, again.stderr
    assert len(sandbox.writes()) == len(writes)
    assert "0 changed" in again.stderr


def test_burst_check_mode_sends_no_write_and_prints_the_plan(sandbox, ovhflow_invoke):
    expected = _bursts_to_enable(sandbox)
    done = ovhflow_invoke("run", "--check", BURST, env=sandbox.env())
    assert done.returncode == 0, done.stderr
    assert sandbox.writes() == []
    assert any(e["path"].endswith("/burst") for e in sandbox.journal)  # GETs did run
    plan = [line for line in done.stdout.splitlines() if line.startswith("plan: ")]
    assert plan == [
        f'plan: PUT /dedicated/server/{name}/burst {{"status": "active"}}'
        for name in _in_order(sandbox, expected)
    ]
    assert f"{len(expected)} planned" in done.stderr and "0 changed" in done.stderr


def _in_order(sandbox, names):
    return [name for name in sandbox.state["servers"] if name in names]


def test_burst_other_datacenter_input(sandbox, ovhflow_invoke):
    expected = _bursts_to_enable(sandbox, "rbx8")
    done = ovhflow_invoke("run", BURST, "-p", "datacenter=rbx8", env=sandbox.env())
    assert done.returncode == 0, done.stderr
    assert sorted(e["path"] for e in sandbox.writes()) == [f"/dedicated/server/{n}/burst" for n in expected]


def test_mail_redirection_created_once(sandbox, ovhflow_invoke):
    args = [
        "run",
        str(RECIPES_DIR / "mail-redirection.yaml"),
        "-p",
        "from=info@example.com",
        "-p",
        "to=me@example.org",
    ]
    done = ovhflow_invoke(*args, env=sandbox.env())
    assert done.returncode == 0, done.stderr
    writes = sandbox.writes()
    assert [(e["method"], e["path"], e["body"]) for e in writes] == [
        (
            "POST",
            "/email/domain/example.com/redirection",
            {"from": "info@example.com", "to": "me@example.org", "localCopy": False},
        )
    ]
    lookup = [e for e in sandbox.journal if e["method"] == "GET" and e["path"].endswith("/redirection")][0]
    assert lookup["query"] == {"from": "info@example.com", "to": "me@example.org"}
    again = ovhflow_invoke(*args, env=sandbox.env())
    assert again.returncode == 0, again.stderr
    assert len(sandbox.writes()) == 1
    assert "already redirected" in again.stderr


def test_bills_by_date_sends_the_period(sandbox, ovhflow_invoke):
    done = ovhflow_invoke(
        "run",
        str(RECIPES_DIR / "bills-by-date.yaml"),
        "-p",
        "from=2000-01-01",
        "-p",
        "to=2100-01-01",
        env=sandbox.env(),
    )
    assert done.returncode == 0, done.stderr
    listing = [e for e in sandbox.journal if e["path"] == "/me/bill"][0]
    assert listing["query"] == {"date.from": "2000-01-01", "date.to": "2100-01-01"}
    bills = sandbox.state["bills"]
    assert f"{len(bills)} bills from 2000-01-01" in done.stderr
    for bill_id in bills:
        assert bill_id in done.stderr


def test_auth_time_is_unauthenticated(sandbox, ovhflow_invoke):
    done = ovhflow_invoke("run", str(RECIPES_DIR / "auth-time.yaml"), env=sandbox.env())
    assert done.returncode == 0, done.stderr
    assert "API time" in done.stderr
    entry = [e for e in sandbox.journal if e["path"] == "/auth/time"][-1]
    assert "X-Ovh-Timestamp" not in entry["headers"]


def test_consumer_key_request(sandbox, ovhflow_invoke):
    done = ovhflow_invoke("run", str(RECIPES_DIR / "consumer-key.yaml"), "-p", "path=/me", env=sandbox.env())
    assert done.returncode == 0, done.stderr
    (post,) = sandbox.writes()
    assert post["path"] == "/auth/credential"
    assert post["body"]["accessRules"] == [{"method": "GET", "path": "/me"}]
    assert "X-Ovh-Timestamp" not in post["headers"]
    assert "credentialToken=" in done.stderr


def test_secrets_never_printed(sandbox, ovhflow_invoke):
    done = ovhflow_invoke("run", "-v", BURST, env=sandbox.env())
    assert done.returncode == 0, done.stderr
    for secret in (sandbox.env()["OVH_APPLICATION_SECRET"], sandbox.env()["OVH_CONSUMER_KEY"]):
        assert secret not in done.stdout and secret not in done.stderr


def test_json_body_of_journal_is_native(sandbox, ovhflow_invoke, tmp_path):
    recipe = tmp_path / "native.yaml"
    recipe.write_text(
        "name: native\ninputs:\n  n: {type: integer, default: 3}\nsteps:\n"
        "  - post: /auth/credential\n    auth: false\n    body: {accessRules: [], n: '{{ inputs.n }}', "
        "flags: '{{ [true, none] }}'}\n"
    )
    done = ovhflow_invoke("run", str(recipe), env=sandbox.env())
    (post,) = [e for e in sandbox.journal if e["path"] == "/auth/credential"]
    assert post["body"]["n"] == 3 and post["body"]["flags"] == [True, None], (done.stderr, json.dumps(post))
