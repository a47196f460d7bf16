"""The schema-driven sandbox: kept writes, progressing tasks, consistency, determinism, errors, the CLI."""

from __future__ import annotations

import json
from urllib.parse import quote

import pytest
from click.testing import CliRunner

from ovhflow import ovh
from ovhflow.cli import main
from ovhflow.sandbox import Sandbox
from tests.helpers import SCHEMAS_DIR


@pytest.fixture(scope="module")
def box():
    with Sandbox(servers=2, bills=2, schema_dir=SCHEMAS_DIR) as sb:
        yield sb


@pytest.fixture(scope="module")
def client(box: Sandbox) -> ovh.Client:
    return ovh.Client(**box.credentials)


def test_dns_record_create_update_delete(client: ovh.Client) -> None:
    zone = client.get("/domain/zone")[0]
    created = client.post(
        f"/domain/zone/{zone}/record", fieldType="A", subDomain="app", target="51.68.1.2", ttl=60
    )
    record = f"/domain/zone/{zone}/record/{created['id']}"
    assert created["id"] in client.get(f"/domain/zone/{zone}/record")
    client.put(record, target="51.68.1.3")
    assert client.get(record)["target"] == "51.68.1.3"
    client.delete(record)
    assert created["id"] not in client.get(f"/domain/zone/{zone}/record")
    with pytest.raises(ovh.ResourceNotFoundError):
        client.get(record)


def test_api_credential_create_update_delete(box: Sandbox, client: ovh.Client) -> None:
    created = client.post(
        "/auth/credential", accessRules=[{"method": "GET", "path": "/vps/*"}], _need_auth=False
    )
    assert created["consumerKey"] not in json.dumps(box.journal)
    credential_id = max(client.get("/me/api/credential"))
    path = f"/me/api/credential/{credential_id}"
    assert client.get(path)["rules"] == [{"method": "GET", "path": "/vps/*"}]
    client.put(path, allowedIPs=["192.0.2.0/24"])
    assert client.get(path)["allowedIPs"] == ["192.0.2.0/24"]
    client.delete(path)
    assert credential_id not in client.get("/me/api/credential")


def test_ip_reverse_create_update_delete(client: ovh.Client) -> None:
    block = quote(client.get("/ip")[0], safe="")
    made = client.post(f"/ip/{block}/reverse", ipReverse="192.0.2.10", reverse="host.example.com.")
    assert made == {"ipReverse": "192.0.2.10", "reverse": "host.example.com."}
    assert "192.0.2.10" in client.get(f"/ip/{block}/reverse")
    client.post(f"/ip/{block}/reverse", ipReverse="192.0.2.10", reverse="other.example.com.")  # OVH: replaces
    assert client.get(f"/ip/{block}/reverse/192.0.2.10")["reverse"] == "other.example.com."
    client.delete(f"/ip/{block}/reverse/192.0.2.10")
    assert "192.0.2.10" not in client.get(f"/ip/{block}/reverse")
    with pytest.raises(ovh.ResourceNotFoundError):
        client.get(f"/ip/{block}/reverse/192.0.2.10")


def test_cloud_sshkey_create_update_delete(client: ovh.Client) -> None:
    project = client.get("/cloud/project")[0]
    keys = f"/cloud/project/{project}/sshkey"
    before = client.get(keys)
    made = client.post(keys, name="deploy", publicKey="ssh-ed25519 AAAAC3Nza deploy@ci")
    assert made["name"] == "deploy" and made["publicKey"].startswith("ssh-ed25519")
    listed = client.get(keys)
    assert len(listed) == len(before) + 1 and made["id"] in [key["id"] for key in listed]
    assert client.get(f"{keys}/{made['id']}")["name"] == "deploy"
    client.delete(f"{keys}/{made['id']}")
    assert [key["id"] for key in client.get(keys)] == [key["id"] for key in before]


def test_put_changes_the_next_get_and_services_are_consistent(client: ovh.Client) -> None:
    names = client.get("/vps")
    assert names and all(client.get(f"/vps/{name}")["name"] == name for name in names)
    client.put(f"/vps/{names[0]}", displayName="front-1")
    assert client.get(f"/vps/{names[0]}")["displayName"] == "front-1"
    infos = client.get(f"/vps/{names[0]}/serviceInfos")
    assert infos["domain"] == names[0] and infos["status"] == "ok"
    assert infos["expiration"] > infos["creation"]
    with pytest.raises(ovh.ResourceNotFoundError, match="serviceName = nope"):
        client.get("/vps/nope/serviceInfos")


def test_a_task_progresses_to_done(client: ovh.Client) -> None:
    name = client.get("/vps")[0]
    task = client.post(f"/vps/{name}/reboot")
    assert task["state"] == "todo" and task["id"] in client.get(f"/vps/{name}/tasks")
    states = [client.get(f"/vps/{name}/tasks/{task['id']}")["state"] for _ in range(3)]
    assert states == ["doing", "done", "done"]


def test_seeded_and_kept_in_the_state_file(tmp_path) -> None:
    state = tmp_path / "state.json"
    with Sandbox(seed=7, schema_dir=SCHEMAS_DIR, state_file=state) as sb:
        client = ovh.Client(**sb.credentials)
        first = client.get("/hosting/web")
        details = client.get(f"/hosting/web/{first[0]}")
        client.put(f"/hosting/web/{first[0]}", displayName="shop")
    with Sandbox(seed=7, schema_dir=SCHEMAS_DIR, state_file=state) as sb:
        client = ovh.Client(**sb.credentials)
        assert client.get("/hosting/web") == first
        assert client.get(f"/hosting/web/{first[0]}") == {**details, "displayName": "shop"}
    with Sandbox(seed=8, schema_dir=SCHEMAS_DIR) as sb:
        assert ovh.Client(**sb.credentials).get("/hosting/web") != first


def test_strict_checks_generated_operations_as_ovh_does() -> None:
    with Sandbox(servers=1, bills=1, schema_dir=SCHEMAS_DIR, strict=True) as sb:
        client = ovh.Client(**sb.credentials)
        name = client.get("/vps")[0]
        with pytest.raises(ovh.BadParametersError, match="netbootMod"):
            client.put(f"/vps/{name}", netbootMod="rescue")
        with pytest.raises(ovh.ResourceNotFoundError):
            client.get("/vps/x/nothing-here")
        assert sb.journal[-1]["status"] == 404


def test_without_schemas_it_says_how_to_get_every_api(sandbox: Sandbox) -> None:
    with pytest.raises(ovh.ResourceNotFoundError, match="ovhflow schemas pull"):
        ovh.Client(**sandbox.credentials).get("/vps")


def test_run_sandbox_serves_every_api_with_schemas(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))  # nothing pulled
    recipe = tmp_path / "vps.yaml"
    recipe.write_text("name: vps\nsteps:\n  - id: list\n    get: /vps\n    log: listed\n")
    runner = CliRunner()
    served = runner.invoke(main, ["run", "--sandbox", "--schemas", str(SCHEMAS_DIR), str(recipe)])
    assert served.exit_code == 0, served.output
    missing = runner.invoke(main, ["run", "--sandbox", str(recipe)])
    assert missing.exit_code != 0 and "ovhflow schemas pull" in missing.output
    alone = runner.invoke(main, ["run", "--schemas", str(SCHEMAS_DIR), str(recipe)])
    assert alone.exit_code == 2 and "use it with --sandbox" in alone.output


def test_python_ovh_example_service_types_all_answer(box: Sandbox) -> None:
    """python-ovh's example scripts walk 39 service types: each with a schema and a serviceInfos has services.

    Left out, as on OVH: hosting/windows (no document), email/exchange (its services sit one level
    deeper) and partner (it lists objects, not names).
    """
    import datetime as dt
    import re

    import ovh as python_ovh

    script = (SCHEMAS_DIR.parent / "reference/python-ovh-examples/serviceList.py").read_text()
    service_types = re.findall(r'^    "([^"]+)",$', script, re.M)
    assert len(service_types) == 39
    client = python_ovh.Client(**{**box.credentials, "endpoint": "ovh-eu"})
    client._endpoint = box.url  # python-ovh takes endpoint names only
    answered, refused = set(), set()
    for service_type in service_types:
        try:
            for service in client.get(f"/{service_type}"):
                infos = client.get(f"/{service_type}/{service}/serviceInfos")
                assert dt.datetime.strptime(infos["expiration"], "%Y-%m-%d") > dt.datetime(2000, 1, 1)
                assert infos["domain"] == service and isinstance(infos["status"], str)
                answered.add(service_type)
        except python_ovh.exceptions.ResourceNotFoundError:
            refused.add(service_type)
    assert refused == {"hosting/windows", "email/exchange", "partner"}
    assert answered == set(service_types) - refused


def test_batch_and_expanded_reads_of_generated_listings(box: Sandbox, client: ovh.Client) -> None:
    names = client.get("/vps")
    start = len(box.journal)
    batch = client.get_batch("/vps", [*names, "nope"])
    assert [item["value"]["name"] for item in batch[:-1]] == names and batch[-1]["value"] is None
    expanded = list(client.iter_expanded("/vps"))
    assert [item["name"] for item in expanded] == names
    sent = [entry["headers"] for entry in box.journal[start:]]
    assert len(sent) == 2  # one batch read and one expanded listing, answered by the sandbox
    assert "X-Ovh-Batch" in sent[0] and "X-Pagination-Mode" in sent[1]


def test_routes_are_looked_up_once_per_path(box: Sandbox) -> None:
    generated = box._app.generated  # the bench's and this test's window on the lookup
    assert generated is not None
    first, params, _ = generated.route("v1", "GET", "/vps/vps-1.example.net/ips")
    params["serviceName"] = "changed by a caller"
    again, params_again, _ = generated.route("v1", "GET", "/vps/vps-1.example.net/ips")
    assert first is again and params_again == {"serviceName": "vps-1.example.net"}
    assert generated.route("v1", "PATCH", "/vps/vps-1.example.net/ips")[::2] == (None, True)


def test_a_schema_path_with_more_literal_segments_beats_a_hand_written_parameter(client: ovh.Client) -> None:
    # /dedicated/server/{serviceName} is hand-written; /dedicated/server/log only in the document
    server = client.get("/dedicated/server")[0]
    assert client.get(f"/dedicated/server/{server}")["name"] == server
    log = client.get("/dedicated/server/log")  # 404 if the hand-written route took it as a server name
    assert {"cacheDate", "count", "data"} <= set(log)
