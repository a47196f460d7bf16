"""The quick schema check agrees with jsonschema whenever it answers.

:func:`ovhflow.recipe.schema_check.decide` lets a valid recipe skip jsonschema. It may answer None (ask
jsonschema) as often as it likes, but a True must be a document jsonschema accepts, and a False one it
refuses (``not`` and ``oneOf`` turn a wrong False into a wrong True). Checked on generated schemas built
from the keywords recipe and plugin schemas use, on the real recipe schemas with recipe-shaped documents,
and on the corners where Python and JSON Schema disagree (True is not 1, NaN passes every bound).
"""

from __future__ import annotations

import math
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from ovhflow.recipe.schema import OBJECT, build_recipe_schema, step_schemas, top_level_schema
from ovhflow.recipe.schema_check import VOCABULARY, decide
from tests.recipe.test_properties import recipes, values

SETTINGS = settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def agrees(schema: Any, value: Any) -> Any:
    verdict = decide(schema, value)
    if verdict is not None:
        assert verdict == Draft202012Validator(schema).is_valid(value), (schema, value)
    return verdict


def test_vocabulary_is_jsonschemas() -> None:
    # a keyword jsonschema applies and decide() skipped as unknown would let an invalid document pass
    assert set(Draft202012Validator.VALIDATORS) == VOCABULARY


KEYS = st.sampled_from(["a", "b", "id", "x-1", ""])
SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(-3, 3), st.floats(allow_nan=True), st.sampled_from(["", "a", "1"])
)
JSON = st.recursive(
    SCALARS,
    lambda children: st.lists(children, max_size=3) | st.dictionaries(KEYS, children, max_size=3),
    max_leaves=8,
)
TYPES = st.sampled_from(["null", "boolean", "integer", "number", "string", "array", "object"])
PATTERNS = st.sampled_from([r"^[a-z_][a-z0-9_]*$", r"\{\{", "a", "^$", "["])


def _keyword(children: st.SearchStrategy[Any]) -> st.SearchStrategy[dict[str, Any]]:
    limits = st.integers(0, 3)
    bounds = st.one_of(st.integers(-2, 2), st.floats(-2, 2))
    return st.one_of(
        st.builds(lambda t: {"type": t}, TYPES | st.lists(TYPES, max_size=3)),
        st.builds(lambda e: {"enum": e}, st.lists(SCALARS, max_size=3)),
        st.builds(lambda c: {"const": c}, SCALARS),
        st.builds(lambda p: {"properties": p}, st.dictionaries(KEYS, children, max_size=2)),
        st.builds(lambda a: {"additionalProperties": a}, children),
        st.builds(lambda p: {"patternProperties": p}, st.dictionaries(PATTERNS, children, max_size=2)),
        st.builds(lambda r: {"required": r}, st.lists(KEYS, max_size=2)),
        st.builds(lambda d: {"dependentRequired": d}, st.dictionaries(KEYS, st.lists(KEYS, max_size=2))),
        st.builds(lambda n: {"propertyNames": n}, children),
        st.builds(lambda i: {"items": i}, children),
        st.builds(lambda k, n: {k: n}, st.sampled_from(["minItems", "maxItems", "minLength"]), limits),
        st.builds(
            lambda k, n: {k: n}, st.sampled_from(["maxLength", "minProperties", "maxProperties"]), limits
        ),
        st.builds(
            lambda k, n: {k: n},
            st.sampled_from(["minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"]),
            bounds,
        ),
        st.builds(lambda p: {"pattern": p}, PATTERNS),
        st.builds(
            lambda k, s: {k: s}, st.sampled_from(["anyOf", "oneOf", "allOf"]), st.lists(children, max_size=3)
        ),
        st.builds(lambda s: {"not": s}, children),
        st.just({"$ref": "#/$defs/name"}),
        st.just({"uniqueItems": True}),  # not implemented: must say None, never guess
        st.just({"description": "annotations change nothing", "x-hint": "neither do extensions"}),
    )


SCHEMAS = st.recursive(
    st.booleans() | st.just({}),
    lambda children: st.lists(_keyword(children), min_size=1, max_size=3).map(
        lambda parts: {key: value for part in parts for key, value in part.items()}
    ),
    max_leaves=6,
)


@SETTINGS
@given(schema=SCHEMAS, value=JSON)
def test_generated_schemas(schema: Any, value: Any) -> None:
    if isinstance(schema, dict):
        schema = {**schema, "$defs": {"name": {"type": "string", "pattern": r"^[a-z]+$"}}}
    try:
        Draft202012Validator(schema).is_valid(value)
    except Exception:  # a schema jsonschema itself cannot apply (a bad regex): decide() must not pass it
        assert decide(schema, value) is not True
        return
    agrees(schema, value)


@pytest.fixture(scope="module")
def recipe_schemas(plugins) -> list[dict[str, Any]]:
    return [top_level_schema(plugins, OBJECT), *step_schemas(plugins, OBJECT).values()]


@SETTINGS
@given(document=recipes)
def test_recipe_schemas_on_recipe_shaped_documents(document: Any, recipe_schemas, plugins) -> None:
    agrees(recipe_schemas[0], document)
    agrees(build_recipe_schema(plugins), document)
    for step in document["steps"]:
        for schema in recipe_schemas[1:]:
            agrees(schema, step)


@SETTINGS
@given(value=values)
def test_recipe_schemas_on_any_value(value: Any, recipe_schemas) -> None:
    for schema in recipe_schemas:
        agrees(schema, value)


def test_valid_recipe_is_decided_without_jsonschema(plugins) -> None:
    document = {
        "name": "n",
        "inputs": {"dc": {"type": "string", "default": "sbg1"}},
        "steps": [{"id": "s", "get": "/me", "loop": [1, 2], "concurrency": 4, "keep": False}],
    }
    assert decide(top_level_schema(plugins, OBJECT), document) is True
    assert decide(step_schemas(plugins, OBJECT)["get"], document["steps"][0]) is True


@pytest.mark.parametrize(
    ("schema", "value", "expected"),
    [
        ({"enum": [1]}, True, None),  # jsonschema: True is not 1; not worth deciding here
        ({"enum": [True]}, True, True),
        ({"enum": ["a"]}, 1, None),
        ({"enum": ["a", None]}, "b", False),
        ({"const": 1}, 1.0, True),
        ({"minimum": 0}, math.nan, True),  # NaN is below nothing for jsonschema either
        ({"not": {"maximum": 0}}, math.nan, False),
        ({"type": "integer"}, 2.0, True),
        ({"type": "integer"}, True, False),
        ({"type": "number"}, False, False),
        ({"type": "decimal"}, 1, None),
        ({"oneOf": [{"type": "string"}, {"pattern": "a"}]}, "a", False),
        ({"oneOf": [{"type": "string"}, {"type": "integer"}]}, "a", True),
        ({"$ref": "#/$defs/missing"}, 1, None),
        ({"$ref": "other.json"}, 1, None),
        ({"$id": "urn:x", "type": "string"}, "a", None),
        ({"items": [{"type": "string"}]}, ["a"], None),
        ({"if": {"type": "string"}, "then": {"minLength": 2}}, "a", None),
        ({"format": "email"}, "not an address", True),  # only an annotation without a format checker
        ({"additionalProperties": False, "patternProperties": {"^x-": True}}, {"x-a": 1}, True),
        ({"additionalProperties": False, "patternProperties": {"^x-": True}}, {"y": 1}, False),
        ({"propertyNames": {"pattern": "^[a-z]+$"}}, {"Bad-Name": 1}, False),
        ({"dependentRequired": {"as": ["loop"]}}, {"as": "x"}, False),
        ({"type": "string"}, b"bytes", None),  # not a JSON value
    ],
)
def test_corners(schema: dict[str, Any], value: Any, expected: Any) -> None:
    assert agrees(schema, value) is expected
