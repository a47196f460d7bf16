"""jsonschema's errors as one located sentence a person can act on (see :mod:`ovhflow.recipe.messages`).

Imported only when a document may be invalid (:mod:`ovhflow.recipe.schema_check` could not pass it):
jsonschema is the heaviest import of the recipe language, and a valid recipe never needs it.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping, Sequence
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError, best_match, relevance

from ovhflow.errors import RecipeError
from ovhflow.recipe.messages import (
    accepted,
    follow,
    is_template_schema,
    kind,
    missing_plugin_hint,
    path_words,
    preview,
    unquoted,
)
from ovhflow.recipe.yaml_loader import LocatedDict
from ovhflow.text.suggestions import did_you_mean

_JSON_TYPES: dict[str, type | tuple[type, ...]] = {
    "object": dict,
    "array": list,
    "string": str,
    "boolean": bool,
    "null": type(None),
    "number": (int, float),
    "integer": int,
}


def _fits(schema: Any, value: Any) -> bool:
    """Whether ``value`` has the JSON type of an alternative (a template alternative wants "{{")."""
    if not isinstance(schema, dict):
        return True
    if is_template_schema(schema):
        return isinstance(value, str) and "{{" in value
    for keyword in ("anyOf", "oneOf"):
        if keyword in schema:
            return any(_fits(sub, value) for sub in schema[keyword])
    types = schema.get("type")
    if types is None:
        return True
    for name in [types] if isinstance(types, str) else types:
        wanted = _JSON_TYPES.get(name, object)
        if isinstance(value, wanted) and not (isinstance(value, bool) and name in ("integer", "number")):
            return True
    return False


def choose(error: ValidationError) -> ValidationError:
    """The error to report for an ``anyOf``/``oneOf`` failure: the deepest one in the alternative whose
    type the value has; the failure itself (reported as "expected A or B") when it has none of them."""
    if error.validator not in ("anyOf", "oneOf") or "x-accepts" in error.schema or not error.context:
        return error
    fitting = {index for index, sub in enumerate(error.validator_value) if _fits(sub, error.instance)}
    deeper = [
        sub for sub in error.context if sub.relative_schema_path and sub.relative_schema_path[0] in fitting
    ]
    return choose(best_match(deeper)) if deeper else error


def _format(error: ValidationError, document: Any, prefix: Sequence[Any]) -> RecipeError:
    """One error as a sentence at its place: the key for a bad or unknown key, else the value."""
    parts = [*prefix, *error.absolute_path]
    where_words = path_words(parts) or "the recipe"
    instance, location = follow(document, parts)
    # A top-level value may be the first thing read of a file that is no recipe at all (an include: of a
    # credentials file): its content is never quoted there, only its kind and size; deeper, a string may
    # be a secret pasted in: its size only.
    shown = kind(error.instance) if len(parts) <= 1 else unquoted(error.instance)
    schema = error.schema
    if "x-accepts" in schema:
        return RecipeError(f"{where_words}: expected {schema['x-accepts']}, got {shown}", location)
    if "propertyNames" in error.relative_schema_path:
        key = error.instance
        if isinstance(instance, LocatedDict):
            location = instance.key_locations.get(key, location)
        return RecipeError(f"{where_words}: {key!r} is not a valid name: {_name_hint(schema)}", location)
    if error.validator == "additionalProperties" and isinstance(instance, dict):
        top_level = not error.absolute_path and not prefix  # a top-level section comes from plugins
        return _unknown_key(instance, list(schema.get("properties", {})), where_words, location, top_level)
    if error.validator == "dependentRequired":
        value = error.validator_value
        needing = next((k for k in value if isinstance(instance, dict) and k in instance), "?")
        if isinstance(instance, LocatedDict):
            location = instance.key_locations.get(needing, location)
        needed = " and ".join(repr(k) for k in value.get(needing, []))
        return RecipeError(f"{where_words}: {needing!r} only applies with {needed}", location)
    return RecipeError(f"{where_words}: {_sentence(error, instance, shown)}", location)


def _name_hint(schema: Mapping[str, Any]) -> str:
    """What a key's name may be made of: the schema's own hint, else read from its pattern."""
    pattern = str(schema.get("pattern", ""))
    letters = "letters" if "A-Z" in pattern or not pattern else "lowercase letters"
    return str(schema.get("x-hint") or f"use {letters}, digits and _, not starting with a digit")


def _unknown_key(
    instance: dict[str, Any], known: list[str], where_words: str, location: Any, top_level: bool
) -> RecipeError:
    """The first key the schema does not know, at the key, with the nearest known one or a hint."""
    extra = [key for key in instance if key not in known]
    key = extra[0] if extra else "?"
    if isinstance(instance, LocatedDict):
        location = instance.key_locations.get(key, location)
    hint = did_you_mean(key, known)
    if isinstance(instance, LocatedDict) and instance.get(key, "") is None and not hint:
        mapping_line = instance.location.line
        if instance.key_locations.get(key, instance.location).line == mapping_line:
            hint = " (in a {...} mapping a comma ends the value: quote text that holds commas)"
    if not hint and top_level:
        hint = missing_plugin_hint(key)
    return RecipeError(f"unknown key {key!r} in {where_words}{hint}", location)


_RELATIONS = {"minimum": ">=", "maximum": "<=", "exclusiveMinimum": ">", "exclusiveMaximum": "<"}


def _sentence(error: ValidationError, instance: Any, shown: str) -> str:
    """What is wrong with a value, after its place (``steps[2].put: ...``)."""
    validator, schema, value, found = error.validator, error.schema, error.validator_value, error.instance
    if validator == "required":
        missing = [key for key in value if not isinstance(instance, dict) or key not in instance]
        return f"missing required key {missing[0] if missing else value[0]!r}"
    if validator in ("type", "anyOf", "oneOf"):
        return f"expected {accepted(schema)}, got {shown}"
    if validator == "enum":
        return f"must be one of {', '.join(str(choice) for choice in value)}; got {shown}"
    if validator == "const":
        return f"must be {value!r}; got {shown}"
    if validator in ("minProperties", "minItems", "minLength") and value == 1:
        return "must not be empty"
    if validator in _RELATIONS:
        return f"must be {_RELATIONS[validator]} {value}, got {preview(found)}"
    if validator == "pattern":
        hint = schema.get("x-hint")
        return f"{unquoted(found)} is not valid" + (f": {hint}" if hint else f" (must match {value})")
    return str(error.message)


def schema_errors(
    validator: Draft202012Validator, instance: Any, document: Any, prefix: Sequence[Any] = (), limit: int = 10
) -> list[RecipeError]:
    """Validate ``instance`` (found at ``prefix`` in ``document``) and return its errors, most relevant first.

    ``oneOf``/``anyOf`` failures are replaced by their most relevant sub-error, and each key path is
    reported once.
    """
    chosen_errors = []
    seen: set[tuple[Any, ...]] = set()
    for error in sorted(validator.iter_errors(instance), key=relevance):
        chosen = choose(error)
        key = (tuple(chosen.absolute_path), chosen.validator)
        if key not in seen:
            seen.add(key)
            chosen_errors.append(chosen)
    misspelt = _misspelt_required(chosen_errors)
    found = [_format(error, document, prefix) for error in chosen_errors if id(error) not in misspelt]
    return found[:limit]


def _misspelt_required(errors: list[ValidationError]) -> set[int]:
    """'missing key steps' errors explained by an unknown key 'stpes' beside it: report the typo only."""
    unknown: dict[tuple[Any, ...], set[str]] = {}
    for error in errors:
        if error.validator == "additionalProperties" and isinstance(error.instance, dict):
            known = error.schema.get("properties", {})
            unknown.setdefault(tuple(error.absolute_path), set()).update(
                k for k in error.instance if k not in known
            )
    skipped = set()
    for error in errors:
        if error.validator != "required" or not isinstance(error.instance, dict):
            continue
        missing = [key for key in error.validator_value if key not in error.instance]
        typos = unknown.get(tuple(error.absolute_path), set())
        if missing and all(difflib.get_close_matches(key, typos, n=1, cutoff=0.7) for key in missing):
            skipped.add(id(error))
    return skipped
