"""python-ovh style calls against the sandbox: through ``ovhflow.ovh`` and through python-ovh 1.2 itself."""

from __future__ import annotations

import ovh as python_ovh
import pytest

from ovhflow import ovh


def make_client(module, sandbox, **overrides):
    """A client of ``module`` on the sandbox (python-ovh takes endpoint names only: its URL is swapped in)."""
    settings = {**sandbox.credentials, **overrides}
    if module is ovh:
        return ovh.Client(**settings)
    client = python_ovh.Client(**{**settings, "endpoint": "ovh-eu"})
    client._endpoint = settings["endpoint"]
    return client


@pytest.fixture(params=["ovhflow.ovh", "python-ovh"])
def client(request, sandbox):
    return make_client(ovh if request.param == "ovhflow.ovh" else python_ovh, sandbox)


def test_seed_examples_run_unchanged(client, sandbox) -> None:
    me = client.get("/me")
    assert f"Welcome {me['firstname']}" == f"Welcome {sandbox.state['me']['firstname']}"

    bills = client.get("/me/bill", **{"date.from": "2000-01-01", "date.to": "2100-01-01"})
    assert sorted(bills) == sorted(sandbox.state["bills"])
    assert client.get(f"/me/bill/{bills[0]}")["billId"] == bills[0]

    changed = []
    for name in client.get("/dedicated/server"):
        if client.get(f"/dedicated/server/{name}")["datacenter"] == "sbg1":  # noqa: SIM102 (the seed's shape)
            if client.get(f"/dedicated/server/{name}/burst")["status"] == "active":
                client.put(f"/dedicated/server/{name}/burst", status="inactive")
                changed.append(name)
    assert all(sandbox.state["bursts"][name]["status"] == "inactive" for name in changed)
    assert [e["path"] for e in sandbox.writes()] == [f"/dedicated/server/{n}/burst" for n in changed]

    client.post(
        "/email/domain/example.com/redirection", _from="hello@example.com", to="me@else.org", localCopy=False
    )
    assert client.get("/email/domain/example.com/redirection", _from="hello@example.com")
    assert sandbox.writes()[-1]["body"] == {
        "from": "hello@example.com",
        "to": "me@else.org",
        "localCopy": False,
    }

    for credential_id in client.get("/me/api/credential", status="validated"):
        application = client.get(f"/me/api/credential/{credential_id}/application")
        assert application["applicationKey"]


def test_errors_map_to_the_client_exceptions(client, sandbox) -> None:
    module = ovh if isinstance(client, ovh.Client) else python_ovh
    with pytest.raises(module.exceptions.ResourceNotFoundError):
        client.get("/dedicated/server/ns0.nowhere.eu")
    with pytest.raises(module.exceptions.BadParametersError):
        client.put(f"/dedicated/server/{next(iter(sandbox.state['servers']))}/burst", status="on")
    bad = make_client(module, sandbox, application_key="unknownKey12345")
    with pytest.raises(module.exceptions.InvalidKey):
        bad.get("/me")
    bad = make_client(module, sandbox, consumer_key="unknownConsumerKey")
    with pytest.raises(module.exceptions.InvalidCredential):
        bad.get("/me")


def test_consumer_key_request_and_validation(client, sandbox) -> None:
    import requests

    module = ovh if isinstance(client, ovh.Client) else python_ovh
    fresh = make_client(module, sandbox, consumer_key=None)
    request = fresh.new_consumer_key_request()
    request.add_rules(module.API_READ_ONLY, "/me")
    answer = request.request()
    assert answer["state"] == "pendingValidation"
    assert requests.get(answer["validationUrl"], timeout=5).status_code == 200
    assert fresh.get("/auth/currentCredential")["status"] == "validated"
    assert fresh.get("/me")["nichandle"]
    with pytest.raises(module.exceptions.NotGrantedCall):
        fresh.get("/me/bill")


def test_ovhflow_client_batch_and_expand(sandbox) -> None:
    client = ovh.Client(**sandbox.credentials)
    names = client.get("/dedicated/server")
    batch = client.get_batch("/dedicated/server", names)
    assert [item["key"] for item in batch] == names
    expanded = list(client.iter_expanded("/dedicated/server"))
    assert expanded == [sandbox.state["servers"][name] for name in names]
    resources = list(client.iter_v2("/v2/iam/resource", page_size=4))
    assert len(resources) == len(sandbox.state["iamResources"])
    headers = [e["headers"] for e in sandbox.journal]
    assert any(h.get("X-Ovh-Batch") == "," for h in headers)
    assert any(h.get("X-Pagination-Mode") == "CachedObjectList-Pages" for h in headers)
