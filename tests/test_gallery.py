"""Every recipe of the gallery is documented, validates, and runs against the sandbox, also in check mode.

The seed recipes have detailed tests in tests/engine and tests/plugins; the maintenance recipes (reboot,
DNS record, credential revocation, server inventory) are checked here against what the sandbox received.
"""

from __future__ import annotations

import csv
import re
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
import yaml

from tests.helpers import RECIPES_DIR

GALLERY = sorted(RECIPES_DIR.glob("*.yaml"))
WRITES = {"POST", "PUT", "DELETE"}


def _params(name: str, sandbox, tmp_path: Path) -> list[str]:
    """The inputs a recipe needs to run against the sandbox's account."""
    server = sorted(sandbox.state["servers"])[0]
    needed = {
        "reboot-and-wait": ["-p", f"server={server}", "-p", "interval=0.05"],
        "dns-record": ["-p", "zone=example.com", "-p", "subdomain=www", "-p", "target=203.0.113.10"],
        "mail-redirection": ["-p", "from=sales@example.com", "-p", "to=contact@example.org"],
    }
    params = needed.get(name, [])
    inputs = yaml.safe_load((RECIPES_DIR / f"{name}.yaml").read_text()).get("inputs") or {}
    if "output" in inputs:
        params += ["-p", "output=out.csv", "--output-dir", str(tmp_path)]
    return params


def test_the_gallery_holds_the_seed_examples_and_maintenance_jobs() -> None:
    names = {path.stem for path in GALLERY}
    assert {
        "welcome",
        "consumer-key",
        "mail-redirection",
        "bills-csv",
        "burst-sbg1",
        "authorized-apps-table",
        "bills-by-date",
        "auth-time",
        "reboot-and-wait",
        "dns-record",
        "revoke-unused-credentials",
        "server-inventory-csv",
        "bill-list",
        "service-list",
        "services-expiring",
    } <= names


@pytest.mark.parametrize("recipe", GALLERY, ids=lambda p: p.stem)
def test_recipe_says_what_it_does_and_how_to_run_it(recipe: Path) -> None:
    text = recipe.read_text(encoding="utf-8")
    assert text.startswith("# "), "a recipe starts with a comment saying what it does"
    header = text.split("\nname:")[0]
    assert "ovhflow run" in header and recipe.name in header
    for name, spec in (yaml.safe_load(text).get("inputs") or {}).items():
        assert spec.get("description"), f"input {name!r} has no description"


@pytest.mark.parametrize("recipe", GALLERY, ids=lambda p: p.stem)
def test_recipe_validates(recipe: Path, ovhflow_invoke) -> None:
    done = ovhflow_invoke("validate", str(recipe))
    assert done.returncode == 0, done.stderr
    assert f"{recipe}: ok" in done.stdout + done.stderr


@pytest.mark.parametrize("recipe", GALLERY, ids=lambda p: p.stem)
def test_recipe_runs_against_the_sandbox_and_check_mode_writes_nothing(
    recipe, sandbox, ovhflow_invoke, tmp_path
):
    params = _params(recipe.stem, sandbox, tmp_path)
    checked = ovhflow_invoke("run", "--check", str(recipe), *params, env=sandbox.env(), cwd=tmp_path)
    assert checked.returncode == 0, checked.stderr
    assert sandbox.writes() == []
    assert not (tmp_path / "out.csv").exists(), "check mode must not write files"

    done = ovhflow_invoke("run", str(recipe), *params, env=sandbox.env(), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr


def test_reboot_waits_until_the_task_is_done(sandbox, ovhflow_invoke, tmp_path):
    server = sorted(sandbox.state["servers"])[0]
    recipe = RECIPES_DIR / "reboot-and-wait.yaml"
    done = ovhflow_invoke(
        "run", str(recipe), "-p", f"server={server}", "-p", "interval=0.05", env=sandbox.env()
    )
    assert done.returncode == 0, done.stderr
    calls = [(e["method"], e["path"]) for e in sandbox.journal if e["path"] != "/auth/time"]
    assert calls[0] == ("POST", f"/dedicated/server/{server}/reboot")
    polls = calls[1:]
    assert len(polls) >= 2 and all(m == "GET" and "/task/" in p for m, p in polls), "the task is polled"
    task_id = polls[0][1].rsplit("/", 1)[1]
    assert sandbox.state["tasks"][server][task_id]["status"] == "done"
    assert "done" in done.stderr


def test_dns_record_is_created_then_updated_in_place(sandbox, ovhflow_invoke):
    recipe = str(RECIPES_DIR / "dns-record.yaml")
    args = ["-p", "zone=example.com", "-p", "subdomain=ovhflow-test", "-p", "type=TXT"]
    first = ovhflow_invoke("run", recipe, *args, "-p", "target=one", env=sandbox.env())
    assert first.returncode == 0, first.stderr
    second = ovhflow_invoke("run", recipe, *args, "-p", "target=two", "-p", "ttl=60", env=sandbox.env())
    assert second.returncode == 0, second.stderr

    records = [
        r
        for r in sandbox.state["zones"]["example.com"]["records"].values()
        if r["subDomain"] == "ovhflow-test" and r["fieldType"] == "TXT"
    ]
    assert len(records) == 1 and records[0]["target"] == "two" and records[0]["ttl"] == 60
    writes = [(e["method"], e["path"].rsplit("/", 1)[-1]) for e in sandbox.writes()]
    assert [w[0] for w in writes] == ["POST", "POST", "PUT", "POST"]  # create, refresh, update, refresh
    assert writes[1][1] == writes[3][1] == "refresh"


def test_revoke_deletes_only_old_credentials_and_never_its_own(sandbox, ovhflow_invoke):
    days = 90
    cutoff = datetime.now(timezone.utc) - timedelta(days=days)
    own = set(sandbox.state["consumerKeys"].values())  # consumer key -> its credential id
    done = ovhflow_invoke(
        "run", str(RECIPES_DIR / "revoke-unused-credentials.yaml"), "-p", f"days={days}", env=sandbox.env()
    )
    assert done.returncode == 0, done.stderr
    deleted = {int(e["path"].rsplit("/", 1)[1]) for e in sandbox.writes() if e["method"] == "DELETE"}
    assert deleted, "the seeded account has credentials unused for 90 days"
    assert not deleted & own
    for credential_id in deleted:
        journal_get = [e for e in sandbox.journal if e["path"] == f"/me/api/credential/{credential_id}"]
        assert journal_get, "each revoked credential was read first"
    remaining = sandbox.state["credentials"]
    for credential in remaining.values():
        last = credential.get("lastUse") or credential["creation"]
        if datetime.fromisoformat(last) < cutoff - timedelta(days=1):
            assert credential["credentialId"] in own, (
                f"credential {credential['credentialId']} should be gone"
            )


def test_server_inventory_csv_lists_every_server(sandbox, ovhflow_invoke, tmp_path):
    out = tmp_path / "servers.csv"
    done = ovhflow_invoke(
        "run",
        str(RECIPES_DIR / "server-inventory-csv.yaml"),
        "-p",
        f"output={out.name}",
        "--output-dir",
        str(tmp_path),
        env=sandbox.env(),
    )
    assert done.returncode == 0, done.stderr
    with out.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    servers = sandbox.state["servers"]
    assert sorted(r["name"] for r in rows) == sorted(servers)
    for row in rows:
        server = servers[row["name"]]
        assert (row["datacenter"], row["state"], row["ip"]) == (
            server["datacenter"],
            server["state"],
            server["ip"],
        )
    listing_calls = [e for e in sandbox.journal if e["path"].startswith("/dedicated/server")]
    assert len(listing_calls) < len(servers), "the expanded listing replaces one GET per server"


def test_service_recipes_show_rows_against_the_hand_written_sandbox(sandbox, ovhflow_invoke, tmp_path):
    """A new user's first run, without pulled schemas: the hand-written sandbox answers serviceInfos for
    its servers, DNS zone and mail domain, so both tables have rows (they were empty)."""
    listed = ovhflow_invoke("run", str(RECIPES_DIR / "service-list.yaml"), env=sandbox.env(), cwd=tmp_path)
    assert listed.returncode == 0, listed.stderr
    rows = listed.stdout.strip().splitlines()[2:]  # after the header and its underline
    assert len(rows) == len(sandbox.state["servers"]) + 2, listed.stdout
    assert {row.split()[0] for row in rows} == {"dedicated/server", "domain/zone", "email/domain"}
    expiring = ovhflow_invoke(
        "run", str(RECIPES_DIR / "services-expiring.yaml"), "-p", "days=60", env=sandbox.env(), cwd=tmp_path
    )
    assert expiring.returncode == 0, expiring.stderr
    rows = expiring.stdout.strip().splitlines()[2:]
    assert 0 < len(rows) < len(sandbox.state["servers"]) + 2, expiring.stdout
    limit = (datetime.now(timezone.utc) + timedelta(days=60)).date().isoformat()
    assert all(re.search(r"\d{4}-\d\d-\d\d", row).group(0) <= limit for row in rows), rows
