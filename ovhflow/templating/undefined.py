"""Undefined names and values, said in the recipe's words.

Jinja's own messages name Python classes (``'ovhflow.engine.namespace.Namespace object' has no element
0``); a recipe author knows mappings, lists and text, and what keys a record has.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from typing import Any

from jinja2 import StrictUndefined
from jinja2.utils import missing

_KEYS_SHOWN = 8


def kind_of(value: Any) -> str:
    """What a value is, in a recipe author's words: ``a mapping (keys: a, b)``, ``a list of 3 items``."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if isinstance(value, (int, float)):
        return f"the number {value}"
    if isinstance(value, str):
        shown = value if len(value) <= 40 else value[:37] + "..."
        return f"the text {shown!r}"
    if isinstance(value, date):
        return f"the date {value.isoformat()}"
    if isinstance(value, Mapping):
        keys = [str(key) for key in list(value)[: _KEYS_SHOWN + 1]]
        if not keys:
            return "an empty mapping"
        more = ", ..." if len(keys) > _KEYS_SHOWN else ""
        return f"a mapping (keys: {', '.join(keys[:_KEYS_SHOWN])}{more})"
    if isinstance(value, (list, tuple)):
        return f"a list of {len(value)} item{'s' if len(value) != 1 else ''}"
    return "a value"


class RecipeUndefined(StrictUndefined):
    """StrictUndefined whose message describes the value that lacked the key, never its class."""

    __slots__ = ()

    @property
    def _undefined_message(self) -> str:
        if self._undefined_hint:
            return self._undefined_hint
        if self._undefined_obj is missing:
            return f"{self._undefined_name!r} is undefined"
        what = "element" if not isinstance(self._undefined_name, str) else "attribute"
        return f"{kind_of(self._undefined_obj)} has no {what} {self._undefined_name!r}"


_INTERNAL = re.compile(r"(?:\bovhflow(?:_plugins)?\.[\w.]*\.)?\b(?:Namespace|StepRecord)\b( object)?")


def public_message(text: str) -> str:
    """``text`` with the engine's record classes named as what they are to a recipe: a record."""
    return _INTERNAL.sub("record", text)
