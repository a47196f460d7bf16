"""Read-only objects templates see: ``inputs``, ``steps``, ``loop``, ``run`` and each step's record.

They are read-only mappings (``row is mapping``, ``row.get('x')``, ``row | dictsort`` work as on any
record), and the template environment reads a dotted name as a key before a method, so a step or input
named ``items``, ``keys`` or ``get`` stays reachable with a dot. Only their data is exposed; their class
name never appears in a message (see :func:`ovhflow.templating.values.kind_of`).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from ovhflow.engine.planned import PLAIN_TYPES, holds, is_planned_answer


class Namespace(Mapping[str, Any]):
    """Names to values, read with dots or brackets; an unknown name is an undefined template name."""

    __slots__ = ("_data",)

    def __init__(self, data: Mapping[str, Any]) -> None:
        self._data = data

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        try:
            return self._data[name]
        except KeyError:
            raise AttributeError(name) from None

    def __getitem__(self, name: str) -> Any:
        return self._data[name]

    def __contains__(self, name: object) -> bool:
        return name in self._data

    def __iter__(self) -> Iterator[str]:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)

    def __repr__(self) -> str:
        return f"record with {', '.join(sorted(self._data)) or 'no keys'}"


class StepRecord(Namespace):
    """``steps.<id>``: ``status``, ``error``, and ``result`` (one call) or ``results``/``items`` (a loop)."""

    __slots__ = ()

    @classmethod
    def single(cls, status: str, result: Any, error: str | None = None) -> StepRecord:
        return cls({"status": status, "result": result, "error": error})

    @classmethod
    def looped(cls, status: str, items: list[dict[str, Any]], error: str | None = None) -> StepRecord:
        results = [record["result"] for record in items if record["status"] not in ("skipped", "failed")]
        return cls({"status": status, "results": results, "items": items, "error": error})


def json_ready(value: Any) -> Any:
    """``value`` with namespaces turned into dicts and planned answers into ``"(planned)"``: JSON-ready.

    A value holding neither (API data, almost always) is returned as it is, not copied: the report of a
    loop over thousands of API objects must not double the memory the run uses.
    """
    return _converted(value) if _needs_conversion(value) else value


def _needs_conversion(value: Any) -> bool:
    return holds(value, _converts)


_NAMESPACE_TYPES: dict[type, bool] = {}  # type -> whether it is a Namespace: one ABC check per type


def _is_namespace(kind: type) -> bool:
    known = _NAMESPACE_TYPES.get(kind)
    if known is None:
        known = _NAMESPACE_TYPES[kind] = issubclass(kind, Namespace)
    return known


def _converts(value: Any) -> bool:
    return is_planned_answer(value) or _is_namespace(type(value))


def _converted(value: Any) -> Any:
    kind = type(value)
    if kind in PLAIN_TYPES:
        return value
    if is_planned_answer(value):
        return "(planned)"
    if _is_namespace(kind):
        return {key: _converted(value[key]) for key in value}
    if isinstance(value, dict):
        return {key: _converted(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_converted(item) for item in value]
    return value
