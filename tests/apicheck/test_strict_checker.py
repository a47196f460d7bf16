"""The sandbox's strict-mode checker on its own: which requests fit the published schemas."""

from __future__ import annotations

import pytest

from ovhflow.apicheck.request import request_problems
from ovhflow.sandbox.schema_store import SchemaStore
from ovhflow.sandbox.strict import make_lazy_checker
from tests.helpers import SCHEMAS_DIR


@pytest.fixture(scope="module")
def check():
    return make_lazy_checker(SchemaStore(SCHEMAS_DIR))  # what a --strict sandbox checks with


def test_fitting_requests_pass(check) -> None:
    assert check("GET", "/dedicated/server", {}, None) == []
    assert check("PUT", "/dedicated/server/ns1.ovh.net/burst", {}, {"status": "inactive"}) == []
    assert check("GET", "/me/bill", {"date.from": "2024-01-01"}, None) == []
    assert check("GET", "/v2/iam/resource", {"resourceType": ["dedicatedServer"]}, None) == []
    assert (
        check(
            "POST",
            "/email/domain/example.com/redirection",
            {},
            {"from": "a@example.com", "to": "b@example.org", "localCopy": False},
        )
        == []
    )
    assert check("GET", "/cloud/project", {}, None) == []  # no document for /cloud: let through


def test_misfits_are_described(check) -> None:
    assert check("GET", "/dedicated/server/x/burstt", {}, None) == [
        "unknown path /dedicated/server/x/burstt (did you mean /dedicated/server/{serviceName}/burst?)"
    ]
    assert check("GET", "/v2/iam/resourcez", {}, None) == [
        "unknown path /v2/iam/resourcez (did you mean /v2/iam/resource?)"
    ]
    assert check("DELETE", "/dedicated/server/x/burst", {}, None) == [
        "method DELETE not allowed on /dedicated/server/{serviceName}/burst (allowed: GET, PUT)"
    ]
    assert check("GET", "/me/bill", {"date.fro": "2024"}, None) == [
        "unknown query parameter 'date.fro' for GET /me/bill (did you mean 'date.from'?)"
    ]
    assert check("GET", "/me/api/credential", {"status": "valid"}, None) == [
        "query parameter 'status': 'valid' is not one of auth.CredentialStateEnum: "
        "expired, pendingValidation, refused, validated (did you mean 'validated'?)"
    ]
    assert check("PUT", "/dedicated/server/x/burst", {}, {"status": "on"}) == [
        "body.status: 'on' is not one of dedicated.server.BurstStatusEnum: active, inactive, inactiveLocked"
    ]
    assert check(
        "POST",
        "/email/domain/example.com/redirection",
        {},
        {"from": "a@example.com", "to": 5, "localcopy": True},
    ) == [
        "body.to: expected string, got integer",
        "unknown field 'localcopy' in email.domain.RedirectionCreation (did you mean 'localCopy'?)",
        "missing required field 'localCopy' of email.domain.RedirectionCreation",
    ]
    assert check("POST", "/dedicated/server/x/reboot", {}, {"force": True}) == [
        "POST /dedicated/server/{serviceName}/reboot takes no body"
    ]


def test_a_missing_body_and_cache_busting_parameters(check) -> None:
    assert check("PUT", "/dedicated/server/x/burst", {}, None) == [
        "PUT /dedicated/server/{serviceName}/burst needs a body (dedicated.server.ServerBurst)"
    ]
    assert check("GET", "/dedicated/server", {"_": "1700000000"}, None) == []


def test_problems_carry_their_key_paths(catalog) -> None:
    op = catalog.operation("/email/domain/{domain}/redirection", "POST")
    body = {"from": "a", "to": 5, "localcopy": True}
    found = request_problems(catalog, op, {"fromm": "y"}, body)
    assert [(p.part, p.key_path, p.on_key) for p in found] == [
        ("query", ("fromm",), True),
        ("body", ("to",), False),
        ("body", ("localcopy",), True),
        ("body", (), False),
    ]
