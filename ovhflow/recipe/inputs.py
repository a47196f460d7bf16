"""Recipe inputs' types: what each type name accepts, and how text from the command line or the
environment becomes a value of it (:func:`convert`), JSON-ready (no NaN, no infinity, no file positions).

The inputs' declarations are read in :mod:`ovhflow.recipe.input_specs`, a run's values resolved in
:mod:`ovhflow.recipe.input_values`.
"""

from __future__ import annotations

import copy
import math
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ovhflow.errors import RecipeError
from ovhflow.recipe.yaml_loader import parse_yaml

if TYPE_CHECKING:
    pass

TYPE_WORDS = {
    "string": "a string",
    "integer": "an integer",
    "number": "a number",
    "boolean": "true or false",
    "list": "a list",
    "object": "a mapping",
}
# ASCII digits only: Python's int() and float() also read "١٢٣" (Arabic-Indic digits) and "1_0.5".
_INTEGER = re.compile(r"[+-]?[0-9]{1,4000}")
_DECIMAL = re.compile(r"[+-]?(?:[0-9]{1,4000}(?:\.[0-9]{0,4000})?|\.[0-9]{1,4000})(?:[eE][+-]?[0-9]{1,4})?")
_TRUE = {"true", "yes", "on", "1"}
_FALSE = {"false", "no", "off", "0"}


def without_positions(value: Any) -> Any:
    """A copy without file positions: plain dicts and lists, as the engine and JSON want them."""
    if isinstance(value, dict):
        return {key: without_positions(item) for key, item in value.items()}
    if isinstance(value, list):
        return [without_positions(item) for item in value]
    return copy.copy(value)


def matches_type(value: Any, type_name: str) -> bool:
    """Whether a (YAML or JSON) value already has an input type."""
    if type_name == "string":
        return isinstance(value, str)
    if type_name == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if type_name == "number":
        return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
    if type_name == "boolean":
        return isinstance(value, bool)
    if type_name == "list":
        return isinstance(value, list)
    return isinstance(value, dict)


def convert(text: str, type_name: str, source: str) -> Any:
    """Convert text from the command line or the environment; ValueError says what was expected."""
    if type_name == "string":
        return text
    stripped = text.strip()
    if type_name == "integer":
        if not _INTEGER.fullmatch(stripped):
            raise ValueError("expected an integer such as 42")
        return int(stripped)
    if type_name == "number":
        if _INTEGER.fullmatch(stripped):
            return int(stripped)
        if _DECIMAL.fullmatch(stripped):
            number = float(stripped)
        elif stripped.lstrip("+-").lower() in ("nan", "inf", "infinity"):
            number = math.nan
        else:
            raise ValueError("expected a number such as 1.5 (ASCII digits 0-9, no '_')")
        if not math.isfinite(number):
            raise ValueError("expected a finite number (JSON has no NaN or infinity)")
        return number
    if type_name == "boolean":
        if stripped.lower() in _TRUE:
            return True
        if stripped.lower() in _FALSE:
            return False
        raise ValueError("expected true or false")
    if type_name == "list":
        if stripped.startswith("["):
            value = _parse_inline(stripped, source)
            if not isinstance(value, list):
                raise ValueError("expected a list such as [a, b] or a,b")
            return _finite(without_positions(value))
        return [part.strip() for part in stripped.split(",")] if stripped else []
    value = _parse_inline(stripped, source)
    if not isinstance(value, dict):
        raise ValueError("expected a mapping such as {key: value}")
    return _finite(without_positions(value))


def non_finite_number(value: Any, where: str = "") -> str | None:
    """Where in ``value`` (a JSON-like structure) a NaN or an infinity sits, else None.

    JSON has neither: Python's ``json`` would send them as the bare words ``NaN``/``Infinity``."""
    if isinstance(value, float) and not math.isfinite(value):
        return where or "the value"
    if isinstance(value, Mapping):
        for key, item in value.items():
            found = non_finite_number(item, f"{where}.{key}" if where else str(key))
            if found is not None:
                return found
    elif isinstance(value, (list, tuple)):
        for index, item in enumerate(value):
            found = non_finite_number(item, f"{where}[{index}]")
            if found is not None:
                return found
    return None


def _finite(value: Any) -> Any:
    found = non_finite_number(value)
    if found is not None:
        raise ValueError(f"{found} is NaN or infinite, which JSON cannot carry")
    return value


def _parse_inline(text: str, source: str) -> Any:
    try:
        return parse_yaml(text, source)
    except RecipeError as error:
        raise ValueError(f"not valid YAML/JSON ({error.message})") from None
