"""What the ``csv`` and ``table`` outputs share about rows: the ``sort`` option and telling numbers apart.

``sort`` names a column header (``sort: Date``) or several (``sort: [Datacenter, Name]``); a ``-`` before a
header sorts that column in descending order (``sort: -Amount``). Rows are compared on their rendered
values: numbers as numbers, text as text, empty cells last.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from functools import cmp_to_key
from typing import Any

SORT_SCHEMA: dict[str, Any] = {
    "anyOf": [
        {"type": "string", "minLength": 1},
        {"type": "array", "items": {"type": "string", "minLength": 1}, "minItems": 1},
    ],
    "description": "Column header(s) to sort the rows by; '-Header' sorts that column descending.",
}

_NUMBER = re.compile(r"^[-+]?(\d+|\d{1,3}(,\d{3})+)(\.\d+)?$")


def as_number(value: Any) -> float | None:
    """The number a cell holds (``42``, ``12.5``, ``"1,234.50"``), or None when it holds anything else."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str) and _NUMBER.match(value.strip()):
        return float(value.strip().replace(",", ""))
    return None


def is_numeric_column(values: Sequence[Any]) -> bool:
    """True when every non-empty value is a number (such a column is right-aligned)."""
    present = [value for value in values if value not in (None, "")]
    return bool(present) and all(as_number(value) is not None for value in present)


def sort_keys(spec: Any, headers: Sequence[str], action: str) -> list[tuple[str, bool]]:
    """``sort:`` as ``[(header, descending), ...]``; an unknown header is an error naming the columns."""
    names = [spec] if isinstance(spec, str) else list(spec)
    keys = []
    for name in names:
        text = str(name)
        descending = text.startswith("-") and text not in headers
        header = text[1:] if descending else text
        if header not in headers:
            raise ValueError(f"{action}: sort: no column {header!r} (columns: {', '.join(headers)})")
        keys.append((header, descending))
    return keys


def _compare(a: Any, b: Any) -> int:
    """Empty cells last; numbers before text and by value; text by its text."""
    if a in (None, "") or b in (None, ""):
        return (a in (None, "")) - (b in (None, ""))
    number_a, number_b = as_number(a), as_number(b)
    if number_a is not None and number_b is not None:
        return (number_a > number_b) - (number_a < number_b)
    if (number_a is None) != (number_b is None):
        return -1 if number_a is not None else 1
    text_a, text_b = str(a), str(b)
    return (text_a > text_b) - (text_a < text_b)


def sorted_records(
    records: list[Mapping[str, Any]], spec: Any, headers: Sequence[str], action: str
) -> list[Mapping[str, Any]]:
    """``records`` (header -> rendered value) in the order ``sort:`` asks for; stable for ties."""
    keys = sort_keys(spec, headers, action)

    def compare(first: Mapping[str, Any], second: Mapping[str, Any]) -> int:
        for header, descending in keys:
            a, b = first[header], second[header]
            result = _compare(a, b)
            if result and descending and a not in (None, "") and b not in (None, ""):
                result = -result  # descending, with empty cells still last
            if result:
                return result
        return 0

    return sorted(records, key=cmp_to_key(compare))
