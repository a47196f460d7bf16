"""The catalog: loading OVH's schema documents and matching recipe paths to their operations."""

from __future__ import annotations

import json

import pytest

from ovhflow.apicheck.catalog import Catalog, split_path
from ovhflow.errors import ConfigError


def test_loads_every_shared_document(catalog: Catalog) -> None:
    assert {"/me", "/dedicated/server", "/domain", "/email/domain", "/ip", "/auth"} <= catalog.loaded_apis
    assert {"/v2/iam", "/v2/domain"} <= catalog.loaded_apis
    assert catalog.operation("/me/bill/{billId}", "GET") is not None
    assert catalog.operation("/v2/iam/resource", "GET") is not None
    assert "/cloud" in catalog.listed_apis  # named by the root listing, document not present


def test_split_path_keeps_templates_whole() -> None:
    assert split_path("/a/{{ x ~ '/' ~ y }}/b/") == ["a", "{{ x ~ '/' ~ y }}", "b"]


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/dedicated/server/{{ item }}/burst", "/dedicated/server/{serviceName}/burst"),
        ("/dedicated/server/ns123.ip-51-68-12.eu/burst", "/dedicated/server/{serviceName}/burst"),
        ("/me/bill/{{ b }}/details/{{ d }}", "/me/bill/{billId}/details/{billDetailId}"),
        ("/1.0/me/", "/me"),
        ("/v1/me", "/me"),
        ("/v2/iam/resource?resourceType=dedicatedServer", "/v2/iam/resource"),
        ("/domain/zone/{{ z }}/record/{{ id }}", "/domain/zone/{zoneName}/record/{id}"),
    ],
)
def test_match(catalog: Catalog, path: str, expected: str) -> None:
    assert catalog.match(path) == [expected]


def test_literal_segments_win_over_parameters(catalog: Catalog) -> None:
    # also a match for /dedicated/server/{serviceName}/...: the literal segment wins
    assert catalog.match("/dedicated/server/datacenter/availabilities") == [
        "/dedicated/server/datacenter/availabilities"
    ]


def test_literal_segment_must_match(catalog: Catalog) -> None:
    assert catalog.match("/dedicated/servers/{{ x }}") == []
    assert "/dedicated/server/{serviceName}" in catalog.suggest_paths("/dedicated/servr/{{ x }}")


def test_unloaded_api_is_told_apart_from_unknown(schema_subset) -> None:
    catalog = Catalog.from_dir(schema_subset)  # the listing names /cloud; its document is absent
    assert catalog.unloaded_api("/cloud/project/{{ p }}") == "/cloud"
    assert catalog.unloaded_api("/v2/okms/resource") == "/v2/okms"
    assert catalog.unloaded_api("/nosuchapi/x") is None
    assert catalog.unloaded_api("/me/nosuch") is None


def test_old_documents_with_flags_as_numbers(tmp_path) -> None:
    document = {
        "basePath": "https://api.ovh.com/1.0",
        "resourcePath": "/old",
        "models": {},
        "apis": [
            {
                "path": "/old/{id}",
                "operations": [
                    {
                        "httpMethod": "POST",
                        "noAuthentication": 1,
                        "apiStatus": "PRODUCTION",
                        "parameters": [
                            {"name": "id", "dataType": "long", "paramType": "path", "required": 1},
                            {"name": "flag", "dataType": "boolean", "paramType": "body", "required": 0},
                        ],
                    }
                ],
            }
        ],
    }
    (tmp_path / "old.json").write_text(json.dumps(document))
    op = Catalog.from_dir(tmp_path).operation("/old/{id}", "POST")
    assert op is not None and op.no_authentication is True
    assert op.flat_body_params["flag"].required is False
    assert op.params_of("path")[0].required is True


def test_missing_or_empty_folder_is_a_config_error(tmp_path) -> None:
    with pytest.raises(ConfigError, match="not found"):
        Catalog.from_dir(tmp_path / "nope")
    with pytest.raises(ConfigError, match="no API schema documents"):
        Catalog.from_dir(tmp_path)


def test_every_schema_path_is_found_from_a_recipe_path_and_a_request_path(catalog: Catalog) -> None:
    """Round trip over all ~670 paths: ``{param}`` written as a template, or as a concrete value."""
    for path in catalog.paths:
        templated = "/".join("{{ x }}" if s.startswith("{") else s for s in path.split("/"))
        concrete = "/".join("value-1" if s.startswith("{") else s for s in path.split("/"))
        assert path in catalog.match(templated), path
        found = catalog.match(concrete)  # a more literal path may win: /a/b beats /a/{x}
        assert path in found or found[0].count("{") < path.count("{"), path
