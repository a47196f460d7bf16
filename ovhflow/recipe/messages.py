"""Turning jsonschema errors into one located sentence a person can act on.

jsonschema's own messages quote whole instances and talk about schemas; here every error names the key
path in words (``steps[2].retries``), says what was expected and what was found, and points at the
FILE:LINE:COL of the offending key or value.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError, best_match, relevance

from ovhflow.errors import Location, RecipeError
from ovhflow.plugin.blocking import DISABLE_ENV, disabled_names
from ovhflow.recipe.yaml_loader import LocatedDict, LocatedList
from ovhflow.text.suggestions import did_you_mean

_TYPE_WORDS = {
    "object": "a mapping",
    "array": "a list",
    "string": "a string",
    "integer": "an integer",
    "number": "a number",
    "boolean": "true or false",
    "null": "null",
}


def describe(value: Any) -> str:
    """What kind of YAML value this is, in words, with a short preview."""
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if isinstance(value, int):
        return f"the integer {value}"
    if isinstance(value, float):
        return f"the number {value}"
    if isinstance(value, str):
        return f"the string {preview(value)}"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return type(value).__name__


def kind(value: Any) -> str:
    """What kind of value this is and its size, never its content: for a file that may not be a recipe
    at all (an ``include:`` of an EnvironmentFile holding a credential), whose content must not be shown."""
    if isinstance(value, str):
        return f"a string of {len(value)} characters"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    return describe(value)


def preview(value: Any, limit: int = 60) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 4] + "...'"


def path_words(parts: Iterable[Any]) -> str:
    """``["steps", 2, "put"]`` -> ``steps[2].put``."""
    words = ""
    for part in parts:
        if isinstance(part, int):
            words += f"[{part}]"
        else:
            words += f".{part}" if words else str(part)
    return words


def missing_plugin_hint(key: str) -> str:
    """Why a key nothing provides may be unknown: the plugin that would provide it is not loaded."""
    if key in disabled_names():
        return f" (the plugin {key!r} would provide it, but {DISABLE_ENV} blocks it)"
    return (
        " (no loaded plugin provides it: if it comes from a plugin, install that plugin or load it with "
        "--plugins-dir; `ovhflow plugins` lists the loaded ones)"
    )


def follow(document: Any, parts: Sequence[Any]) -> tuple[Any, Location | None]:
    """The value at ``parts`` inside a located document, and where it is (the closest known place)."""
    value, where = document, getattr(document, "location", None)
    for part in parts:
        if isinstance(value, LocatedDict) and part in value:
            where = value.value_locations.get(part, where)
        elif isinstance(value, LocatedList) and isinstance(part, int) and part < len(value):
            where = value.item_locations[part]
        try:
            value = value[part]
        except (KeyError, IndexError, TypeError):
            break
    return value, where


_JSON_TYPES: dict[str, type | tuple[type, ...]] = {
    "object": dict,
    "array": list,
    "string": str,
    "boolean": bool,
    "null": type(None),
    "number": (int, float),
    "integer": int,
}


def _is_template_schema(schema: Any) -> bool:
    return isinstance(schema, dict) and schema.get("type") == "string" and schema.get("pattern") == r"\{\{"


def _alternatives_words(schema: dict[str, Any]) -> list[str]:
    """What a schema accepts, in words: ['a string', 'a {{ template }}', ...]."""
    if _is_template_schema(schema):
        return ["a {{ template }}"]
    for keyword in ("anyOf", "oneOf"):
        if keyword in schema:
            return [word for sub in schema[keyword] for word in _alternatives_words(sub)]
    if "enum" in schema:
        return ["one of " + ", ".join(str(choice) for choice in schema["enum"])]
    types = schema.get("type")
    if isinstance(types, str):
        types = [types]
    return [_TYPE_WORDS.get(t, t) for t in types] if types else ["another value"]


def accepted(schema: dict[str, Any]) -> str:
    """What a schema accepts, in words: ``a string or a {{ template }}``."""
    return " or ".join(dict.fromkeys(_alternatives_words(schema)))


def _fits(schema: Any, value: Any) -> bool:
    """Whether ``value`` has the JSON type of an alternative (a template alternative wants "{{")."""
    if not isinstance(schema, dict):
        return True
    if _is_template_schema(schema):
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
    parts = [*prefix, *error.absolute_path]
    where_words = path_words(parts) or "the recipe"
    instance, location = follow(document, parts)
    found = error.instance
    # A top-level value may be the first thing read of a file that is no recipe at all (an include: of a
    # credentials file): its content is never quoted there, only its kind and size.
    shown = kind(found) if len(parts) <= 1 else describe(found)
    validator, schema, value = error.validator, error.schema, error.validator_value
    if "x-accepts" in schema:
        return RecipeError(f"{where_words}: expected {schema['x-accepts']}, got {shown}", location)
    if "propertyNames" in error.relative_schema_path:
        key = error.instance
        if isinstance(instance, LocatedDict):
            location = instance.key_locations.get(key, location)
        pattern = str(schema.get("pattern", ""))
        letters = "letters" if "A-Z" in pattern or not pattern else "lowercase letters"
        hint = schema.get("x-hint") or f"use {letters}, digits and _, not starting with a digit"
        return RecipeError(f"{where_words}: {key!r} is not a valid name: {hint}", location)
    if validator == "additionalProperties" and isinstance(instance, dict):
        known = list(schema.get("properties", {}))
        extra = [key for key in instance if key not in known]
        key = extra[0] if extra else "?"
        if isinstance(instance, LocatedDict):
            location = instance.key_locations.get(key, location)
        hint = did_you_mean(key, known)
        if isinstance(instance, LocatedDict) and instance.get(key, "") is None and not hint:
            mapping_line = instance.location.line
            if instance.key_locations.get(key, instance.location).line == mapping_line:
                hint = " (in a {...} mapping a comma ends the value: quote text that holds commas)"
        if not hint and not error.absolute_path and not prefix:  # a top-level section comes from plugins
            hint = missing_plugin_hint(key)
        return RecipeError(f"unknown key {key!r} in {where_words}{hint}", location)
    if validator == "required":
        missing = [key for key in value if not isinstance(instance, dict) or key not in instance]
        key = missing[0] if missing else value[0]
        return RecipeError(f"{where_words}: missing required key {key!r}", location)
    if validator == "type":
        return RecipeError(f"{where_words}: expected {accepted(schema)}, got {shown}", location)
    if validator == "enum":
        choices = ", ".join(str(choice) for choice in value)
        return RecipeError(f"{where_words}: must be one of {choices}; got {shown}", location)
    if validator == "const":
        return RecipeError(f"{where_words}: must be {value!r}; got {shown}", location)
    if validator in ("anyOf", "oneOf"):
        return RecipeError(f"{where_words}: expected {accepted(schema)}, got {shown}", location)
    if validator == "minProperties" and value == 1:
        return RecipeError(f"{where_words}: must not be empty", location)
    if validator == "minItems" and value == 1:
        return RecipeError(f"{where_words}: must not be empty", location)
    if validator == "minLength" and value == 1:
        return RecipeError(f"{where_words}: must not be empty", location)
    if validator in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
        relation = {"minimum": ">=", "maximum": "<=", "exclusiveMinimum": ">", "exclusiveMaximum": "<"}[
            validator
        ]
        return RecipeError(f"{where_words}: must be {relation} {value}, got {preview(found)}", location)
    if validator == "pattern":
        hint = schema.get("x-hint")
        why = f": {hint}" if hint else f" (must match {value})"
        return RecipeError(f"{where_words}: {preview(found)} is not valid{why}", location)
    if validator == "dependentRequired":
        needing = next((k for k in value if isinstance(instance, dict) and k in instance), "?")
        if isinstance(instance, LocatedDict):
            location = instance.key_locations.get(needing, location)
        needed = " and ".join(repr(k) for k in value.get(needing, []))
        return RecipeError(f"{where_words}: {needing!r} only applies with {needed}", location)
    return RecipeError(f"{where_words}: {error.message}", location)


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
