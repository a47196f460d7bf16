"""Type compatibility of values with OVH API types, as the schema documents name them."""

from __future__ import annotations

import datetime

from ovhflow.apicheck.catalog import Catalog
from ovhflow.apicheck.models import TypeChecker


def messages(problems) -> list[str]:
    return [f"{'.'.join(map(str, p.path))}: {p.message}" for p in problems]


def test_scalars() -> None:
    check = TypeChecker({}).check
    assert check("x", "string") == []
    assert check(12, "long") == [] and check(1.5, "double") == []
    assert messages(check("12", "long")) == [": expected long (a number), got string"]
    assert messages(check(True, "long")) == [": expected long (a number), got boolean"]
    assert messages(check(1.5, "long")) == [": expected long (a whole number), got 1.5"]
    assert messages(check(5, "ipv4")) == [": expected ipv4 (a string), got integer"]
    assert check(datetime.date(2024, 1, 2), "date") == []


def test_booleans_accept_zero_and_one() -> None:
    check = TypeChecker({}).check
    assert check(True, "boolean") == [] and check(0, "boolean") == [] and check(1, "boolean") == []
    assert messages(check(2, "boolean")) == [": expected boolean, got integer"]
    assert messages(check("yes", "boolean")) == [": expected boolean, got string"]


def test_templates_are_unknown_until_run_time() -> None:
    assert TypeChecker({}).check("{{ inputs.ttl }}", "long") == []
    assert TypeChecker({}, templates=False).check("{{ x }}", "long") != []


def test_lists_and_maps() -> None:
    check = TypeChecker({}).check
    assert check(["a", "b"], "string[]") == []
    assert messages(check(["a", 3], "string[]")) == ["1: expected string, got integer"]
    assert messages(check("a", "string[]")) == [": expected a list of string, got string"]
    assert check({"k": "v"}, "map[string]string") == []
    assert messages(check({"k": 1}, "map[string]string")) == ["k: expected string, got integer"]


def test_a_map_in_a_query_string_is_json_text() -> None:
    tags = '{"env": [{"operator": "EQ", "value": "prod"}]}'
    assert TypeChecker({}, from_query=True).check(tags, "map[string]iam.resource.TagFilter[]") == []
    assert TypeChecker({}).check(tags, "map[string]iam.resource.TagFilter[]") != []  # in a body: an object


def test_enums_models_and_generics(catalog: Catalog) -> None:
    op = catalog.operation("/dedicated/server/{serviceName}/burst", "PUT")
    checker = TypeChecker(op.models, catalog.models)
    assert checker.check({"status": "active"}, "dedicated.server.ServerBurst") == []
    assert messages(checker.check({"status": "activ"}, "dedicated.server.ServerBurst")) == [
        "status: 'activ' is not one of dedicated.server.BurstStatusEnum: active, inactive, inactiveLocked"
        " (did you mean 'active'?)"
    ]
    assert messages(checker.check({"statu": "active"}, "dedicated.server.ServerBurst")) == [
        "statu: unknown field 'statu' in dedicated.server.ServerBurst (did you mean 'status'?)"
    ]
    ip = TypeChecker(catalog.operation("/ip/{ip}", "GET").models, catalog.models)
    assert ip.check({"from": 1, "to": 2}, "complexType.Range<long>") == []
    assert messages(ip.check({"from": "a"}, "complexType.Range<long>")) == [
        "from: expected long (a number), got string"
    ]


def test_required_fields_of_a_model(catalog: Catalog) -> None:
    op = catalog.operation("/domain/zone/{zoneName}/record", "POST")
    checker = TypeChecker(op.models, catalog.models)
    assert messages(checker.check({"target": "1.2.3.4"}, op.body_model)) == [
        ": missing required field 'fieldType' of domain.zone.RecordCreate"
    ]


def test_key_paths_read_as_written() -> None:
    from ovhflow.apicheck.models import key_path_text

    assert key_path_text(("accessRules", 0, "method")) == "accessRules[0].method"
    assert key_path_text((2, "a")) == "[2].a"
    assert key_path_text(()) == ""
