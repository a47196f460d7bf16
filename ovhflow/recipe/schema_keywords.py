"""What each JSON Schema keyword checks, for :mod:`ovhflow.recipe.schema_check`'s quick verdict.

Each checker takes the walk (:class:`~ovhflow.recipe.schema_check.Check`, to check a sub-schema or compile
a pattern once), the keyword's argument, the value, the schema and the depth, and answers ``True``
(valid), ``False`` (invalid) or ``None`` (cannot tell: jsonschema decides). A keyword without a checker
here is answered ``None``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ovhflow.recipe.schema_check import Check

Verdict = bool | None  # True: valid; False: invalid; None: cannot tell (ask jsonschema)


def _all(verdicts: Any) -> Verdict:
    """Valid when every part is; invalid as soon as one part is."""
    unknown = False
    for verdict in verdicts:
        if verdict is False:
            return False
        if verdict is None:
            unknown = True
    return None if unknown else True


def _is_type(value: Any, name: Any) -> Verdict:
    if name == "null":
        return value is None
    if name == "boolean":
        return isinstance(value, bool)
    if name == "string":
        return isinstance(value, str)
    if name == "array":
        return isinstance(value, list)
    if name == "object":
        return isinstance(value, dict)
    if name == "number":
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if name == "integer":
        if isinstance(value, bool):
            return False
        return isinstance(value, int) or (isinstance(value, float) and value.is_integer())
    return None  # a type jsonschema does not know either: let it say so


def _type(check: Check, names: Any, value: Any, schema: Any, depth: int) -> Verdict:
    names = [names] if isinstance(names, str) else names
    if not isinstance(names, list):
        return None
    verdicts = [_is_type(value, name) for name in names]
    if True in verdicts:
        return True
    return None if None in verdicts else False


def _equal(value: Any, choice: Any) -> Verdict:
    """jsonschema's equality (True is not 1), where it is easy to be sure."""
    if isinstance(value, str):
        return isinstance(choice, str) and value == choice
    if value is None:
        return choice is None
    if isinstance(value, bool):
        return True if choice is value else None
    if isinstance(value, (int, float)) and type(choice) in (int, float) and value == choice:
        return True
    return None


def _enum(check: Check, choices: Any, value: Any, schema: Any, depth: int) -> Verdict:
    if not isinstance(choices, list):
        return None
    verdicts = [_equal(value, choice) for choice in choices]
    if True in verdicts:
        return True
    return None if None in verdicts else False


def _const(check: Check, choice: Any, value: Any, schema: Any, depth: int) -> Verdict:
    return _equal(value, choice)


def _properties(check: Check, properties: Any, value: Any, schema: Any, depth: int) -> Verdict:
    if not isinstance(value, dict):
        return True
    if not isinstance(properties, Mapping):
        return None
    return _all(check.schema(sub, value[key], depth + 1) for key, sub in properties.items() if key in value)


def _additional(check: Check, extra: Any, value: Any, schema: Any, depth: int) -> Verdict:
    if not isinstance(value, dict) or extra is True:
        return True
    known = schema.get("properties", {})
    patterns = schema.get("patternProperties", {})
    if not isinstance(known, Mapping) or not isinstance(patterns, Mapping):
        return None
    joined = check.pattern("|".join(patterns)) if patterns else None
    if patterns and joined is None:
        return None
    extras = [key for key in value if key not in known and not (joined and joined.search(key))]
    if extra is False:
        return not extras
    if not isinstance(extra, Mapping):
        return None
    return _all(check.schema(extra, value[key], depth + 1) for key in extras)


def _pattern_properties(check: Check, patterns: Any, value: Any, schema: Any, depth: int) -> Verdict:
    if not isinstance(value, dict):
        return True
    if not isinstance(patterns, Mapping):
        return None
    verdicts: list[Verdict] = []
    for text, sub in patterns.items():
        compiled = check.pattern(text)
        if compiled is None:
            return None
        matching = [item for key, item in value.items() if compiled.search(key)]
        verdicts.extend(check.schema(sub, item, depth + 1) for item in matching)
    return _all(verdicts)


def _required(check: Check, names: Any, value: Any, schema: Any, depth: int) -> Verdict:
    if not isinstance(value, dict):
        return True
    return all(name in value for name in names) if isinstance(names, list) else None


def _dependent_required(check: Check, needs: Any, value: Any, schema: Any, depth: int) -> Verdict:
    if not isinstance(value, dict):
        return True
    if not isinstance(needs, Mapping):
        return None
    return all(other in value for key, others in needs.items() if key in value for other in others)


def _property_names(check: Check, sub: Any, value: Any, schema: Any, depth: int) -> Verdict:
    if not isinstance(value, dict):
        return True
    return _all(check.schema(sub, key, depth + 1) for key in value)


def _items(check: Check, sub: Any, value: Any, schema: Any, depth: int) -> Verdict:
    if not isinstance(value, list):
        return True
    if "prefixItems" in schema or not isinstance(sub, (Mapping, bool)):
        return None
    return _all(check.schema(sub, item, depth + 1) for item in value)


def _size(kind: type[list[Any]] | type[str] | type[dict[Any, Any]], at_least: bool) -> Callable[..., Verdict]:
    """minItems/maxItems, minLength/maxLength, minProperties/maxProperties."""

    def size(check: Check, limit: Any, value: Any, schema: Any, depth: int) -> Verdict:
        if not isinstance(value, kind):
            return True
        if not isinstance(limit, int) or isinstance(limit, bool):
            return None
        return len(value) >= limit if at_least else len(value) <= limit

    return size


def _bound(fails: Callable[[Any, Any], bool]) -> Callable[..., Verdict]:
    """minimum, maximum, exclusiveMinimum, exclusiveMaximum: ``fails`` is jsonschema's own test (so NaN,
    which compares false to everything, passes every bound, as there)."""

    def bound(check: Check, limit: Any, value: Any, schema: Any, depth: int) -> Verdict:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return True
        if isinstance(limit, bool) or not isinstance(limit, (int, float)):
            return None
        return not fails(value, limit)

    return bound


def _pattern(check: Check, text: Any, value: Any, schema: Any, depth: int) -> Verdict:
    if not isinstance(value, str):
        return True
    compiled = check.pattern(text)
    return None if compiled is None else compiled.search(value) is not None


def _any_of(check: Check, subs: Any, value: Any, schema: Any, depth: int) -> Verdict:
    if not isinstance(subs, list):
        return None
    verdicts = [check.schema(sub, value, depth + 1) for sub in subs]
    if True in verdicts:
        return True
    return None if None in verdicts else False


def _one_of(check: Check, subs: Any, value: Any, schema: Any, depth: int) -> Verdict:
    if not isinstance(subs, list):
        return None
    verdicts = [check.schema(sub, value, depth + 1) for sub in subs]
    if verdicts.count(True) > 1:
        return False
    if None in verdicts:
        return None
    return verdicts.count(True) == 1


def _all_of(check: Check, subs: Any, value: Any, schema: Any, depth: int) -> Verdict:
    if not isinstance(subs, list):
        return None
    return _all(check.schema(sub, value, depth + 1) for sub in subs)


def _not(check: Check, sub: Any, value: Any, schema: Any, depth: int) -> Verdict:
    verdict = check.schema(sub, value, depth + 1)
    return None if verdict is None else not verdict


def _ref(check: Check, reference: Any, value: Any, schema: Any, depth: int) -> Verdict:
    return check.ref(reference, value, depth)


KEYWORDS: dict[str, Callable[..., Verdict]] = {
    "$ref": _ref,
    "type": _type,
    "enum": _enum,
    "const": _const,
    "properties": _properties,
    "additionalProperties": _additional,
    "patternProperties": _pattern_properties,
    "required": _required,
    "dependentRequired": _dependent_required,
    "propertyNames": _property_names,
    "items": _items,
    "minItems": _size(list, True),
    "maxItems": _size(list, False),
    "minLength": _size(str, True),
    "maxLength": _size(str, False),
    "minProperties": _size(dict, True),
    "maxProperties": _size(dict, False),
    "minimum": _bound(lambda value, limit: value < limit),
    "maximum": _bound(lambda value, limit: value > limit),
    "exclusiveMinimum": _bound(lambda value, limit: value <= limit),
    "exclusiveMaximum": _bound(lambda value, limit: value >= limit),
    "pattern": _pattern,
    "anyOf": _any_of,
    "oneOf": _one_of,
    "allOf": _all_of,
    "not": _not,
}
