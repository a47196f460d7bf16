"""``NAME=VALUE`` arguments from the command line: the one parser of ``-p`` (``run``, ``cron``, ``validate``)
and of ``ovhflow call``'s arguments.

Each item is split at its first ``=``; the name is stripped of spaces and may not be empty or given twice.
A ``-p`` value stays a string (the recipe's ``inputs:`` convert it to the declared type). ``call`` writes
its arguments as httpie does: ``name=value`` is a string, ``name:=json`` a JSON value (number, boolean,
list, object), never NaN or an infinity, which JSON cannot carry. A message names the item by its
position or its name and never quotes the text: it may be a secret typed without its name.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from ovhflow.errors import UsageError
from ovhflow.recipe.inputs import non_finite_number


@dataclass(frozen=True)
class ParamSyntax:
    """How a command writes its ``NAME=VALUE`` items and how its messages name one."""

    json_values: bool  # NAME:=JSON gives a JSON value
    item: str  # the Nth item: "-p option" -> "-p option #2"
    named: str  # an item by its name: "-p" -> "-p zone"


RUN_PARAMS = ParamSyntax(json_values=False, item="-p option", named="-p")
CALL_ARGUMENTS = ParamSyntax(json_values=True, item="argument", named="argument")


def parse_params(items: Iterable[str], syntax: ParamSyntax = RUN_PARAMS) -> dict[str, Any]:
    """``["a=1", "b:=2"]`` -> ``{"a": "1", "b": 2}`` (``b:=`` with :data:`CALL_ARGUMENTS` only).

    Raises :class:`UsageError` (exit 2) for an item without ``=``, an empty name, a name given twice and,
    for ``name:=json``, text that is not JSON or holds NaN or an infinity.
    """
    params: dict[str, Any] = {}
    form = "NAME=VALUE or NAME:=JSON" if syntax.json_values else "NAME=VALUE"
    for number, item in enumerate(items, start=1):
        name, equals, value = item.partition("=")
        name = name.strip()
        is_json = syntax.json_values and name.endswith(":")
        name = name[:-1].rstrip() if is_json else name
        if not equals or not name:  # the text is not echoed: it may be a secret typed without its name
            problem = "no '=' found" if not equals else "the name before '=' is empty"
            raise UsageError(f"{syntax.item} #{number}: expected {form} ({problem})")
        if name in params:
            raise UsageError(f"{syntax.named} {name}: given more than once")
        params[name] = _json_value(name, value, syntax) if is_json else value
    return params


def _json_value(name: str, text: str, syntax: ParamSyntax) -> Any:
    try:
        value = json.loads(text)
    except json.JSONDecodeError as error:
        problem = f"{error.msg} at column {error.colno}"
        raise UsageError(f"{syntax.named} {name}:= is not valid JSON: {problem}") from None
    found = non_finite_number(value, name)
    if found is not None:  # NaN, Infinity, 1e999: JSON has no such numbers (as in run)
        raise UsageError(f"{syntax.named} {name}:=: {found} is NaN or infinite, which JSON cannot carry")
    return value
