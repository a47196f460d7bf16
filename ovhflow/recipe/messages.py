"""The words of recipe messages: what a value is, where a key path is, what a schema accepts.

jsonschema's own messages quote whole instances and talk about schemas; here every error names the key
path in words (``steps[2].retries``), says what was expected and what was found, and points at the
FILE:LINE:COL of the offending key or value. Turning jsonschema's errors into such sentences is
:mod:`ovhflow.recipe.schema_errors`, imported only when a document may be invalid.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from ovhflow.errors import Location
from ovhflow.plugin.blocking import DISABLE_ENV, disabled_names
from ovhflow.recipe.yaml_loader import LocatedDict, LocatedList

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


def unquoted(value: Any) -> str:
    """A value for an error message about a recipe: a string by its size only (it may be a secret
    pasted in, or a credentials file's line), any other value as :func:`describe` says it."""
    return kind(value) if isinstance(value, str) else describe(value)


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


def is_template_schema(schema: Any) -> bool:
    return isinstance(schema, dict) and schema.get("type") == "string" and schema.get("pattern") == r"\{\{"


def _alternatives_words(schema: dict[str, Any]) -> list[str]:
    """What a schema accepts, in words: ['a string', 'a {{ template }}', ...]."""
    if is_template_schema(schema):
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
