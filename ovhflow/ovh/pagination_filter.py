"""OVH's ``X-Pagination-Filter`` / ``X-Pagination-Sort`` semantics, applied locally.

When the API refuses expanded listings the client lists ids, fetches each object and must then filter and
sort them itself so that the caller sees the same result. The header format is the one OVH's control panel
sends: ``key:op=value`` clauses joined by ``&``; ``key`` may be dotted (``lifecycle.status``), values are
percent-encoded, ``op`` is one of ``eq ne lt le gt ge like in`` (``like`` with ``%`` wildcards, ``in`` with
comma-separated values). A sandbox can use the same functions to answer the header.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

OPERATORS = ("eq", "ne", "lt", "le", "gt", "ge", "like", "in")
_CLAUSE = re.compile(r"^(?P<key>[^:]+):(?P<op>[a-z]+)=(?P<value>.*)$", re.DOTALL)
_MISSING = object()


@dataclass(frozen=True)
class Clause:
    """One ``key:op=value`` condition, its value already decoded (a list for ``in``)."""

    key: str
    op: str
    value: str | tuple[str, ...]


def parse_filter(header: str) -> list[Clause]:
    """Parse an ``X-Pagination-Filter`` value; raise ``ValueError`` naming the bad clause."""
    clauses = []
    for text in filter(None, header.split("&")):
        match = _CLAUSE.match(text)
        if not match or match["op"] not in OPERATORS:
            raise ValueError(
                f"invalid pagination filter clause {text!r}: expected key:op=value, op in {OPERATORS}"
            )
        raw = match["value"]
        value: str | tuple[str, ...] = (
            tuple(unquote(v) for v in raw.split(",")) if match["op"] == "in" else unquote(raw)
        )
        clauses.append(Clause(unquote(match["key"]), match["op"], value))
    return clauses


def field_value(obj: Any, dotted_key: str) -> Any:
    """``obj["a"]["b"]`` for ``a.b``; a missing field is a distinct marker that matches nothing."""
    for part in dotted_key.split("."):
        if not isinstance(obj, dict) or part not in obj:
            return _MISSING
        obj = obj[part]
    return obj


def _as_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "null" if value is None else str(value)


def _ordered(left: Any, right: str) -> tuple[Any, Any]:
    """Compare numbers as numbers, everything else as text."""
    if isinstance(left, (int, float)) and not isinstance(left, bool):
        try:
            return left, float(right)
        except ValueError:
            pass
    return _as_text(left), right


def _like(text: str, pattern: str) -> bool:
    regex = ".*".join(re.escape(part) for part in pattern.split("%"))
    return re.fullmatch(regex, text, re.DOTALL) is not None


def _equals(found: Any, text: str) -> bool:
    if isinstance(found, bool):
        return found == (text.lower() in ("true", "1"))
    if isinstance(found, (int, float)):
        try:
            return found == float(text)
        except ValueError:
            return False
    return _as_text(found) == text


def clause_matches(obj: Any, clause: Clause) -> bool:
    """Whether ``obj`` satisfies one clause; a missing or null field only satisfies ``ne``."""
    found = field_value(obj, clause.key)
    if found is _MISSING or found is None:
        return clause.op == "ne"
    if clause.op == "in":
        return any(_equals(found, text) for text in clause.value)
    assert isinstance(clause.value, str)
    if clause.op == "eq":
        return _equals(found, clause.value)
    if clause.op == "ne":
        return not _equals(found, clause.value)
    if clause.op == "like":
        return _like(_as_text(found), clause.value)
    left, right = _ordered(found, clause.value)
    return {"lt": left < right, "le": left <= right, "gt": left > right, "ge": left >= right}[clause.op]


def matches(obj: Any, clauses: Iterable[Clause]) -> bool:
    """Whether ``obj`` satisfies every clause."""
    return all(clause_matches(obj, clause) for clause in clauses)


def sort_objects(objects: list[Any], key: str, order: str | None = None) -> list[Any]:
    """Sort by a dotted field, ``ASC`` (default) or ``DESC``; objects lacking the field go last."""
    descending = (order or "ASC").upper() == "DESC"

    def sort_key(obj: Any) -> tuple[int, int, Any]:
        value = field_value(obj, key)
        if value is _MISSING or value is None:
            return (1, 0, "")
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return (0, 0, value)
        return (0, 1, _as_text(value))

    present = [o for o in objects if sort_key(o)[0] == 0]
    absent = [o for o in objects if sort_key(o)[0] == 1]
    return sorted(present, key=sort_key, reverse=descending) + absent
