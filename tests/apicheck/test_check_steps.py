"""check_recipe on hand-built steps: each check, independent of the recipe loader."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ovhflow.apicheck import Catalog, check_recipe
from ovhflow.errors import Location


@dataclass
class Step:
    action: str
    args: Any = None
    options: dict[str, Any] = field(default_factory=dict)
    steps: list[Any] = field(default_factory=list)
    location: Location = Location("r.yaml", 1, 3)
    key_locations: dict[str, Location] = field(default_factory=dict)


@dataclass
class Recipe:
    steps: list[Step]


def findings(catalog: Catalog, *steps: Step) -> list[str]:
    return [f"{f.severity}: {f.message}" for f in check_recipe(Recipe(list(steps)), catalog)]


def test_good_steps_have_no_findings(catalog: Catalog) -> None:
    assert (
        findings(
            catalog,
            Step("get", "/dedicated/server"),
            Step("put", "/dedicated/server/{{ s.name }}/burst", {"body": {"status": "active"}}),
            Step("get", "/me/bill", {"query": {"date.from": "{{ inputs.since }}"}}),
            Step(
                "post",
                "/email/domain/{{ d }}/redirection",
                {"body": {"from": "a@x", "to": "b@y", "localCopy": False}},
            ),
            Step("get", "/auth/time", {"auth": False}),
            Step("get", "/v2/iam/resource", {"query": {"resourceType": ["dedicatedServer"]}}),
            Step("log", "hello"),
        )
        == []
    )


def test_unknown_path_with_suggestion(catalog: Catalog) -> None:
    assert findings(catalog, Step("get", "/dedicated/servr/{{ item }}")) == [
        "error: unknown API path '/dedicated/servr/{{ item }}' "
        "(did you mean /dedicated/server/{serviceName}?)"
    ]


def test_path_of_an_api_without_loaded_schema_is_a_not_checked_warning(schema_subset) -> None:
    subset = Catalog.from_dir(schema_subset)  # the listing names /cloud; its document is absent
    assert findings(subset, Step("get", "/cloud/project/{{ p }}/instance")) == [
        "warning: not checked: the schemas in use have no document for the /cloud API"
    ]


def test_wrong_method(catalog: Catalog) -> None:
    assert findings(catalog, Step("post", "/dedicated/server/{{ s }}/burst")) == [
        "error: POST is not an operation of /dedicated/server/{serviceName}/burst (it has GET, PUT)"
    ]


def test_query_parameters(catalog: Catalog) -> None:
    assert findings(catalog, Step("get", "/me/bill", {"query": {"date.fro": "2024-01-01"}})) == [
        "error: unknown query parameter 'date.fro' for GET /me/bill (did you mean 'date.from'?)"
    ]
    assert findings(catalog, Step("get", "/me/api/credential?status=valide")) == [
        "error: query parameter 'status': 'valide' is not one of auth.CredentialStateEnum: expired,"
        " pendingValidation, refused, validated (did you mean 'validated'?)"
    ]


def test_body_fields_types_enums_required(catalog: Catalog) -> None:
    found = findings(
        catalog,
        Step(
            "post",
            "/email/domain/{{ d }}/redirection",
            {"body": {"from": "a@x", "too": "b@y", "localCopy": "no"}},
        ),
    )
    assert sorted(found) == [
        "error: body.localCopy: expected boolean, got string",
        "error: missing required field 'to' of email.domain.RedirectionCreation",
        "error: unknown field 'too' in email.domain.RedirectionCreation (did you mean 'to'?)",
    ]
    assert findings(catalog, Step("put", "/dedicated/server/{{ s }}/burst", {"body": {"status": "on"}})) == [
        "error: body.status: 'on' is not one of dedicated.server.BurstStatusEnum: "
        "active, inactive, inactiveLocked"
    ]


def test_old_style_flat_body_parameters(catalog: Catalog) -> None:
    path = "/email/domain/delegatedAccount/{{ e }}/filter"
    body = {
        "action": "accept",
        "active": 1,
        "header": "From",
        "name": "f",
        "operand": "contains",
        "priority": 1,
        "value": "x",
    }
    assert findings(catalog, Step("post", path, {"body": body})) == []  # 0/1 for a boolean is tolerated
    found = findings(
        catalog,
        Step("post", path, {"body": {**body, "operand": "contain", "priority": "high", "colour": "red"}}),
    )
    assert sorted(found) == [
        "error: body.operand: 'contain' is not one of domain.DomainFilterOperandEnum: checkspf, contains,"
        " noContains (did you mean 'contains'?)",
        "error: body.priority: expected long (a number), got string",
        "error: unknown body field 'colour' for POST /email/domain/delegatedAccount/{email}/filter",
    ]
    missing = dict(body)
    del missing["header"]
    assert findings(catalog, Step("post", path, {"body": missing})) == [
        "error: missing required field 'header' of POST /email/domain/delegatedAccount/{email}/filter"
    ]


def test_templated_values_skip_type_checks(catalog: Catalog) -> None:
    step = Step(
        "post",
        "/domain/zone/{{ z }}/record",
        {"body": {"fieldType": "{{ t }}", "target": "{{ x }}", "ttl": "{{ inputs.ttl }}"}},
    )
    assert findings(catalog, step) == []


def test_deprecated_and_no_authentication_warnings(catalog: Catalog) -> None:
    assert findings(catalog, Step("get", "/domain/data/extension", {"auth": False})) == [
        "warning: GET /domain/data/extension is deprecated since 2021-02-01, to be removed on 2021-08-31; "
        "use /domain/extensions instead",
    ]
    assert findings(catalog, Step("get", "/auth/time")) == [
        "warning: GET /auth/time needs no authentication: add 'auth: false' so no credentials are sent"
    ]


def test_group_children_are_checked_with_their_locations(catalog: Catalog) -> None:
    child = Step(
        "get", "/me/bil", location=Location("r.yaml", 7, 7), key_locations={"get": Location("r.yaml", 7, 12)}
    )
    found = check_recipe(Recipe([Step("steps", None, steps=[child])]), catalog)
    assert [str(f.location) for f in found] == ["r.yaml:7:12"]
    assert str(found[0]).startswith("r.yaml:7:12: error: unknown API path '/me/bil'")


def test_a_template_stands_for_a_param_segment_only(catalog: Catalog) -> None:
    assert findings(catalog, Step("get", "/me/{{ what }}", {"query": {"anything": 1}})) == [
        "error: unknown API path '/me/{{ what }}' (a templated segment stands for a {param} segment only, "
        "not for a fixed word of /me/abuse or /me/account ...: write the fixed words out)"
    ]
    assert findings(
        catalog, Step("put", "/dedicated/{{ kind }}/{{ s }}/burst", {"body": {"status": "on"}})
    ) == [
        "error: unknown API path '/dedicated/{{ kind }}/{{ s }}/burst' (a templated segment stands for a "
        "{param} segment only, not for a fixed word of /dedicated/server/{serviceName}/burst: write the "
        "fixed words out)"
    ]


def test_body_missing_or_not_taken(catalog: Catalog) -> None:
    assert findings(catalog, Step("put", "/dedicated/server/{{ s }}/burst")) == [
        "error: PUT /dedicated/server/{serviceName}/burst needs a body (dedicated.server.ServerBurst)"
    ]
    assert findings(catalog, Step("post", "/dedicated/server/{{ s }}/reboot", {"body": {"force": True}})) == [
        "error: POST /dedicated/server/{serviceName}/reboot takes no body"
    ]
    assert findings(catalog, Step("post", "/dedicated/server/{{ s }}/reboot", {"body": {}})) == []
    assert findings(catalog, Step("put", "/dedicated/server/{{ s }}/burst", {"body": "{{ payload }}"})) == []


def test_paths_whose_api_is_chosen_at_run_time_are_not_checked(catalog: Catalog) -> None:
    for path in ("{{ inputs.path }}", "/{{ api }}/anything", "/v2/{{ api }}/x"):
        assert findings(catalog, Step("get", path, {"query": {"x": 1}})) == [
            f"warning: not checked: the API of '{path}' is only known at run time"
        ], path
