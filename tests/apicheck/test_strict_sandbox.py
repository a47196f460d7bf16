"""The strict sandbox over loopback HTTP: requests that do not fit the schemas get OVH's 400."""

from __future__ import annotations

import pytest

from ovhflow import ovh
from ovhflow.sandbox import Sandbox
from tests.helpers import SCHEMAS_DIR


@pytest.fixture(scope="module")
def strict_sandbox():
    with Sandbox(servers=2, bills=2, schema_dir=SCHEMAS_DIR, strict=True) as sb:
        yield sb


@pytest.fixture(scope="module")
def client(strict_sandbox: Sandbox) -> ovh.Client:
    return ovh.Client(**strict_sandbox.credentials)


def test_fitting_requests_are_answered(strict_sandbox: Sandbox, client: ovh.Client) -> None:
    servers = client.get("/dedicated/server")
    assert client.put(f"/dedicated/server/{servers[0]}/burst", status="inactive") is None
    assert isinstance(client.get("/me/bill", **{"date.from": "2020-01-01"}), list)
    assert strict_sandbox.journal[-1]["status"] == 200


def test_misfit_body_is_refused_with_400(strict_sandbox: Sandbox, client: ovh.Client) -> None:
    server = client.get("/dedicated/server")[0]
    with pytest.raises(ovh.BadParametersError) as refused:
        client.put(f"/dedicated/server/{server}/burst", status="on", colour="red")
    message = str(refused.value)
    assert "'on' is not one of dedicated.server.BurstStatusEnum" in message
    assert "unknown field 'colour' in dedicated.server.ServerBurst" in message
    last = strict_sandbox.journal[-1]
    assert (last["method"], last["status"]) == ("PUT", 400)
    assert client.get(f"/dedicated/server/{server}/burst")["status"] == "inactive"  # nothing changed


def test_unknown_query_parameter_is_refused(strict_sandbox: Sandbox, client: ovh.Client) -> None:
    with pytest.raises(ovh.BadParametersError, match="unknown query parameter 'date.fro'.*'date.from'"):
        client.get("/me/bill", **{"date.fro": "2020-01-01"})


def test_lenient_sandbox_lets_the_same_request_through() -> None:
    with Sandbox(servers=1, bills=1, schema_dir=SCHEMAS_DIR) as sb:
        client = ovh.Client(**sb.credentials)
        assert isinstance(client.get("/me/bill", **{"date.fro": "2020-01-01"}), list)
