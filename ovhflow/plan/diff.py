"""Field-level differences between what the API holds and what a PUT would send.

A PUT replaces only the fields its body names (OVH's API ignores the others), so only those fields are
compared: ``burst.status: inactive -> active``. Nested objects are followed with dotted names.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

FieldChange = tuple[str, Any, Any]  # (dotted field name, current value, value the write sends)
MISSING_FIELD = "(absent)"


def field_changes(current: Any, body: Any, prefix: str = "") -> list[FieldChange]:
    """The fields of ``body`` whose value differs from ``current``'s, in the body's order."""
    if isinstance(body, Mapping) and isinstance(current, Mapping):
        changes: list[FieldChange] = []
        for key, wanted in body.items():
            name = f"{prefix}.{key}" if prefix else str(key)
            if key not in current:
                changes.append((name, MISSING_FIELD, wanted))
            else:
                changes.extend(field_changes(current[key], wanted, name))
        return changes
    if _same(current, body):
        return []
    return [(prefix or "(value)", current, body)]


def _same(current: Any, wanted: Any) -> bool:
    # "3600" sent for a long field is what the API stores as 3600: compare as the API would read it
    if isinstance(current, (int, float)) and not isinstance(current, bool) and isinstance(wanted, str):
        try:
            return float(wanted) == float(current)
        except ValueError:
            return False
    return bool(current == wanted)


def change_lines(changes: list[FieldChange] | None) -> list[str]:
    """``field: old -> new`` lines; ``no change`` when nothing differs; nothing when unknown (None)."""
    if changes is None:
        return []
    if not changes:
        return ["no change"]
    return [f"{name}: {_show(old)} -> {_show(new)}" for name, old, new in changes]


def _show(value: Any) -> str:
    if isinstance(value, str) and value and value == value.strip():
        return value
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


def as_json(changes: list[FieldChange] | None) -> list[dict[str, Any]] | None:
    """The changes as JSON objects (``field``, ``from``, ``to``), for plans and the JSON log."""
    if changes is None:
        return None
    return [{"field": name, "from": old, "to": new} for name, old, new in changes]
