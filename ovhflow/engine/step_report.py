"""The :class:`StepReport` a step's end hands to ``ovhflow_step_end``, made JSON-ready when it is read.

A report's ``result`` and ``items`` are copies of the step's records with namespaces turned into dicts
and failures under ``ignore_errors`` shown as ``ignored``. For a loop over 10,000 servers those copies
are 10,000 new records, made at the step's end when every record of the loop is still held: the run's
peak memory. The built-in reporters only count the items' statuses (:meth:`StepReport.item_counts`), so
the copies are made the first time a plugin reads ``result`` or ``items``, and never when none does.
What a plugin reads is the same either way.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ovhflow.engine.namespace import json_ready
from ovhflow.engine.outcome import shown_status
from ovhflow.plugin_api import StepReport

_FIELDS = tuple(StepReport.__dataclass_fields__)


class LazyStepReport(StepReport):
    """A :class:`StepReport` whose ``result`` and ``items`` are made from the step's own records when
    first read (see the module docstring); the other fields are set as usual."""

    def __init__(self, result: Callable[[], Any], items: Callable[[], list[dict[str, Any]]],
                 statuses: list[str], **fields: Any) -> None:  # fmt: skip
        self._made: dict[str, Any] = {}
        super().__init__(**fields)
        self._made.clear()  # what the dataclass's __init__ set: the defaults
        self._make = {"result": result, "items": items}
        self._statuses = statuses

    def _get(self, name: str) -> Any:
        if name not in self._made:
            self._made[name] = self._make[name]()
        return self._made[name]

    @property
    def result(self) -> Any:
        return self._get("result")

    @result.setter
    def result(self, value: Any) -> None:
        self._made["result"] = value

    @property
    def items(self) -> list[dict[str, Any]]:
        return self._get("items")

    @items.setter
    def items(self, value: list[dict[str, Any]]) -> None:
        self._made["items"] = value

    def __eq__(self, other: object) -> bool:
        """Equal to a :class:`StepReport` with the same fields, as two of those are."""
        if not isinstance(other, StepReport):
            return NotImplemented
        return all(getattr(self, name) == getattr(other, name) for name in _FIELDS)

    __hash__ = None  # type: ignore[assignment]  # as the dataclass's: mutable, compared by value

    def __repr__(self) -> str:
        return f"StepReport({', '.join(f'{name}={getattr(self, name)!r}' for name in _FIELDS)})"

    def item_counts(self) -> dict[str, int]:
        if "items" in self._made:
            return super().item_counts()
        counts: dict[str, int] = {}
        for status in self._statuses:
            counts[status] = counts.get(status, 0) + 1
        return counts


def step_report(
    step: Any, result: Any, statuses: list[str] | None, looped: list[dict[str, Any]] | None, **fields: Any
) -> StepReport:
    """The report of ``step``: ``statuses`` are a loop's items' statuses (``None`` for a step without
    loop), ``looped`` their records (``None`` too when the loop did not keep them, engine/loop_records.py:
    no plugin then reads them); ``result`` is the result of a step without loop or the loop's results."""
    if statuses is None:
        return LazyStepReport(lambda: json_ready(result), list, [], **fields)
    shown = [shown_status(step, status) for status in statuses]

    def items() -> list[dict[str, Any]]:
        if looped is None:
            raise RuntimeError(f"the items of step {step.label!r} were not kept: no plugin was to read them")
        return [json_ready(_shown(item, status)) for item, status in zip(looped, shown, strict=True)]

    return LazyStepReport(lambda: json_ready(result), items, shown, **fields)


def _shown(item: dict[str, Any], status: str) -> dict[str, Any]:
    return {**item, "status": status}
