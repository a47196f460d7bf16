"""Does a value fit an OVH API type? Types are the schema's names: ``long``, ``string[]``, model names.

Used both on recipe bodies (where a ``{{ template }}`` value is unknown until run time and is
skipped) and on real request bodies in the strict sandbox. Problems carry the key path inside the
value, so the recipe checker can point at the exact YAML node.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ovhflow.apischema.types import (
    DATE_TYPES,
    INTEGER_TYPES,
    MAP,
    NUMBER_TYPES,
    STRING_TYPES,
    as_bool,
    resolve_model,
)
from ovhflow.text.suggestions import did_you_mean

KeyPath = tuple[Any, ...]

ISO_DATE = r"(?P<year>\d{4})-(?P<month>\d{2})-(?P<day>\d{2})"
ISO_TIME = r"(?P<hour>\d{2}):(?P<minute>\d{2})(?::(?P<second>\d{2})(?:\.\d+)?)?(?:[Zz]|[+-]\d{2}:?\d{2})?"
DATE_FORMS = {
    "date": re.compile(rf"{ISO_DATE}"),
    "datetime": re.compile(rf"{ISO_DATE}(?:[T ]{ISO_TIME})?"),
    "time": re.compile(ISO_TIME),
}
DATE_EXAMPLES = {
    "date": "2024-01-31",
    "datetime": "2024-01-31 or 2024-01-31T10:00:00+01:00",
    "time": "10:00:00",
}


@dataclass(frozen=True)
class Problem:
    """Something in a value that the API would refuse; ``path`` is the key path inside the value."""

    path: KeyPath
    message: str
    on_key: bool = False  # the key itself is wrong (unknown, read-only), not its value


def key_path_text(path: KeyPath) -> str:
    """``accessRules[0].method``: a key path as people write it."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def is_templated(value: Any) -> bool:
    """A recipe string with a Jinja2 expression: its run-time value, hence its type, is unknown."""
    return isinstance(value, str) and ("{{" in value or "{%" in value)


def describe(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, Mapping):
        return "object"
    if isinstance(value, (list, tuple)):
        return "list"
    if isinstance(value, (datetime.date, datetime.datetime)):
        return "date"
    return type(value).__name__


class TypeChecker:
    """Checks values against the types of one schema document, falling back to the whole catalog's."""

    def __init__(
        self,
        models: Mapping[str, Any],
        fallback: Mapping[str, Any] | None = None,
        templates: bool = True,
        from_query: bool = False,
        refuse_read_only: bool = False,
    ) -> None:
        self.models = models
        self.fallback = fallback or {}
        self.templates = templates  # skip {{ }} strings (recipes); off for real requests
        self.from_query = from_query  # values are URL strings: check they parse as the type
        self.refuse_read_only = refuse_read_only  # a field the schema marks readOnly is an error

    def model(self, type_name: str) -> tuple[Mapping[str, Any] | None, dict[str, str]]:
        """The model behind a type name and, for generics like ``Range<long>``, its type arguments."""
        return resolve_model(self.models, type_name, self.fallback)

    def check(self, value: Any, type_name: str, path: KeyPath = (), nullable: bool = True) -> list[Problem]:
        type_name = type_name.strip()
        if self.templates and is_templated(value):
            return []
        if value is None:
            return [] if nullable else [Problem(path, "must not be null")]
        if type_name.endswith("[]") or type_name.startswith("[]"):
            item_type = type_name[:-2] if type_name.endswith("[]") else type_name[2:]
            if self.from_query and isinstance(value, str):
                return self.check(value, item_type, path)
            if not isinstance(value, (list, tuple)):
                return [Problem(path, f"expected a list of {item_type}, got {describe(value)}")]
            problems: list[Problem] = []
            for index, item in enumerate(value):
                problems += self.check(item, item_type, (*path, index))
            return problems
        mapped = MAP.match(type_name)
        if mapped:
            if self.from_query and isinstance(value, str):
                return []  # a map in a query string is JSON text (iamTags={"env": [...]}): any text goes
            if not isinstance(value, Mapping):
                return [Problem(path, f"expected an object of {mapped['value']}, got {describe(value)}")]
            problems = []
            for key, item in value.items():
                problems += self.check(item, mapped["value"], (*path, key))
            return problems
        return self.check_scalar_or_model(value, type_name, path)

    def check_scalar_or_model(self, value: Any, type_name: str, path: KeyPath) -> list[Problem]:
        if type_name in STRING_TYPES or type_name in DATE_TYPES:
            return self.check_string(value, type_name, path)
        if type_name in INTEGER_TYPES or type_name in NUMBER_TYPES:
            return self.check_number(value, type_name, path)
        if type_name == "boolean":
            return self.check_boolean(value, path)
        model, generics = self.model(type_name)
        if model is None:
            return []  # a type this catalog does not describe: nothing to hold it to
        if "enum" in model:
            return self.check_enum(value, model, type_name, path)
        if "properties" in model:
            return self.check_object(value, model, type_name, generics, path)
        return []

    def check_string(self, value: Any, type_name: str, path: KeyPath) -> list[Problem]:
        if isinstance(value, str):
            if type_name in DATE_TYPES and not is_iso(value, type_name):
                example = DATE_EXAMPLES[type_name]
                return [Problem(path, f"expected {type_name} (ISO 8601, e.g. {example}), got '{value}'")]
            return []
        if type_name in DATE_TYPES and isinstance(value, (datetime.date, datetime.datetime)):
            return []
        kind = type_name if type_name == "string" else f"{type_name} (a string)"
        return [Problem(path, f"expected {kind}, got {describe(value)}")]

    def check_number(self, value: Any, type_name: str, path: KeyPath) -> list[Problem]:
        integral = type_name in INTEGER_TYPES
        if self.from_query and isinstance(value, str):
            try:
                int(value) if integral else float(value)
            except ValueError:
                return [Problem(path, f"expected {type_name}, got '{value}'")]
            return []
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return [Problem(path, f"expected {type_name} (a number), got {describe(value)}")]
        if integral and isinstance(value, float) and not value.is_integer():
            return [Problem(path, f"expected {type_name} (a whole number), got {value}")]
        return []

    def check_boolean(self, value: Any, path: KeyPath) -> list[Problem]:
        if isinstance(value, bool) or (isinstance(value, int) and value in (0, 1)):
            return []  # 0/1: how older OVH documents and clients write booleans
        if self.from_query and isinstance(value, str) and value.lower() in ("true", "false", "0", "1"):
            return []
        return [Problem(path, f"expected boolean, got {describe(value)}")]

    def check_enum(
        self, value: Any, model: Mapping[str, Any], type_name: str, path: KeyPath
    ) -> list[Problem]:
        allowed = list(model.get("enum") or [])
        if value in allowed or (not isinstance(value, bool) and str(value) in [str(a) for a in allowed]):
            return []
        shown = ", ".join(str(a) for a in allowed[:12]) + (", ..." if len(allowed) > 12 else "")
        hint = did_you_mean(str(value), [str(a) for a in allowed], cutoff=0.6)
        return [Problem(path, f"'{value}' is not one of {type_name}: {shown}{hint}")]

    def check_object(
        self, value: Any, model: Mapping[str, Any], type_name: str, generics: dict[str, str], path: KeyPath
    ) -> list[Problem]:
        if self.from_query:
            return []
        if not isinstance(value, Mapping):
            return [Problem(path, f"expected an object ({type_name}), got {describe(value)}")]
        properties: Mapping[str, Any] = model.get("properties") or {}
        problems: list[Problem] = []
        for key, item in value.items():
            spec = properties.get(key)
            if spec is None:
                if self.templates and is_templated(key):
                    continue
                hint = did_you_mean(str(key), list(properties), cutoff=0.6)
                problems.append(Problem((*path, key), f"unknown field '{key}' in {type_name}{hint}", True))
                continue
            if self.refuse_read_only and as_bool(spec.get("readOnly", False)):
                message = f"field '{key}' of {type_name} is read-only: the API sets it, a request cannot"
                problems.append(Problem((*path, key), message, True))
                continue
            field_type = str(spec.get("fullType") or spec.get("type") or "")
            field_type = generics.get(field_type, field_type)
            nullable = as_bool(spec.get("canBeNull", True)) or not as_bool(spec.get("required", False))
            problems += self.check(item, field_type, (*path, key), nullable=nullable)
        problems += missing_fields(value, required_fields(properties), type_name, path)
        return problems


def is_iso(text: str, type_name: str) -> bool:
    """Whether text is an ISO 8601 date, datetime (a date alone is one) or time with real numbers."""
    found = DATE_FORMS[type_name].fullmatch(text.strip())
    if found is None:
        return False
    parts = {k: int(v) for k, v in found.groupdict().items() if v is not None}
    try:
        if "year" in parts:
            datetime.date(parts["year"], parts["month"], parts["day"])
        if "hour" in parts:
            datetime.time(parts["hour"], parts["minute"], min(parts.get("second", 0), 59))
    except ValueError:
        return False
    return True


def required_fields(properties: Mapping[str, Any]) -> list[str]:
    """Fields a caller must send: required and not read-only (read-only ones are the API's to fill)."""
    return [
        name
        for name, spec in properties.items()
        if as_bool(spec.get("required", False)) and not as_bool(spec.get("readOnly", False))
    ]


def missing_fields(
    value: Mapping[str, Any], required: list[str], type_name: str, path: KeyPath
) -> list[Problem]:
    return [
        Problem(path, f"missing required field '{name}' of {type_name}")
        for name in required
        if name not in value
    ]
