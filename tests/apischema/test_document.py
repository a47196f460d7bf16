"""The one schema model: the sandbox and the schema checks read the same operations, and matching a
concrete path through the segment index finds what a scan of every template finds, in the same order."""

from __future__ import annotations

import json
from urllib.parse import unquote

import pytest

from ovhflow.apicheck.catalog import Catalog
from ovhflow.apischema.document import ApiDocument, Operation, is_param, segments
from ovhflow.apischema.types import STRING_TYPES, as_bool, resolve_model
from ovhflow.sandbox.schema_store import SchemaStore
from ovhflow.sandbox.strict import make_lazy_checker
from tests.helpers import SCHEMAS_DIR

DOCUMENTS = ("v1/dedicated/server.json", "v1/domain.json", "v1/telephony.json", "v2/iam.json")


def _scan(document: ApiDocument, path: str) -> list[tuple[str, dict[str, str]]]:
    """Every template ``path`` fits, most literal segments first, then in document order: the rule."""
    parts = segments(path)
    found = []
    for order, (template, pattern) in enumerate(document.template_segments.items()):
        if len(pattern) != len(parts):
            continue
        if all(is_param(p) or p == part for p, part in zip(pattern, parts, strict=True)):
            literal = sum(not is_param(p) for p in pattern)
            params = {p[1:-1]: unquote(part) for p, part in zip(pattern, parts, strict=True) if is_param(p)}
            found.append((-literal, order, template, params))
    return [(template, params) for _, _, template, params in sorted(found, key=lambda hit: hit[:2])]


@pytest.mark.parametrize("source", DOCUMENTS)
def test_the_index_finds_what_a_scan_finds(source: str) -> None:
    document = ApiDocument(source, json.loads((SCHEMAS_DIR / source).read_text(encoding="utf-8")))
    literals = sorted({s for parts in document.template_segments.values() for s in parts if not is_param(s)})
    checked = 0
    for pattern in document.template_segments.values():
        # each {param} filled with a plain value, then with a word that is a literal elsewhere
        for filler in ("x%2Fy", *literals[:: max(1, len(literals) // 7)]):
            path = "/" + "/".join(filler if is_param(p) else p for p in pattern)
            assert document.match(path) == _scan(document, path), path
            checked += 1
    assert checked > 100 and document.match("/no/such/path") == []


def test_sandbox_and_checks_share_one_operation_model() -> None:
    store = SchemaStore(SCHEMAS_DIR)
    document = store.document_for("v1", "/dedicated/server/ns1.example.net")
    assert document is not None
    answered = document.operation("/dedicated/server/{serviceName}", "GET")
    catalog = Catalog.from_dir(SCHEMAS_DIR, wanted=lambda relative: relative == "v1/dedicated/server.json")
    checked = catalog.operation("/dedicated/server/{serviceName}", "GET")
    assert isinstance(answered, Operation) and isinstance(checked, Operation)
    assert (answered.path, answered.response_type, answered.parameters) == (
        checked.path,
        checked.response_type,
        checked.parameters,
    )
    assert answered.param_type("serviceName") == "string" and answered.segments[-1] == "{serviceName}"
    # the strict sandbox checks a v1 request against the very operations it answers from
    check = make_lazy_checker(store)
    assert check("GET", "/dedicated/server/ns1.example.net", {}, None) == []
    assert check("PUT", "/dedicated/server/ns1.example.net/nope", {}, {}) != []


def test_v2_templates_take_the_prefix_they_are_addressed_by() -> None:
    raw = json.loads((SCHEMAS_DIR / "v2/iam.json").read_text(encoding="utf-8"))
    sandbox_view, checks_view = ApiDocument("v2/iam.json", raw), ApiDocument("v2/iam.json", raw, "/v2")
    assert "/iam/policy" in sandbox_view.operations and "/v2/iam/policy" in checks_view.operations
    assert checks_view.match("/v2/iam/policy/abc") == [("/v2/iam/policy/{policyId}", {"policyId": "abc"})]


def test_schema_types_and_flags() -> None:
    assert {"urn", "ipv4Block", "coreTypes.AccountId"} <= STRING_TYPES
    assert [as_bool(v) for v in (1, "1", "true", True, 0, "0", "false", None)] == [True] * 4 + [False] * 4


def test_generic_models_resolve_in_both_spellings() -> None:
    older = {"complexType.Range<T>": {"generics": ["T"], "properties": {"from": {"type": "T"}}}}
    newer = {"complexType.Range_long": {"properties": {"from": {"type": "long"}}}}
    assert resolve_model(older, "complexType.Range<long>") == (older["complexType.Range<T>"], {"T": "long"})
    assert resolve_model(newer, "complexType.Range<long>") == (newer["complexType.Range_long"], {})
    assert resolve_model({}, "complexType.Range<long>", older)[1] == {"T": "long"}  # from the fallback
    assert resolve_model(older, "nope.Model") == (None, {})
