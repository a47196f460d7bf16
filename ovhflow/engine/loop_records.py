"""What a top-level loop keeps of its items: all their records, their results only, or their statuses.

A loop keeps a record per item (``steps.<id>.items``) and the results (``steps.<id>.results``) until the
run ends, because a later template may read them: for a loop over 10,000 servers, most of the run's
memory. The recipe is known before it runs, so :func:`loop_keeping` reads the templates of the steps
after each top-level loop: when none reads ``steps.<id>.items`` (nor ``steps`` in a way that cannot be
told), only the results are kept, and when none reads the results either, only each item's status.
This holds only when every later action is one of ovhflow's own (a plugin's action may render templates
the recipe does not show) and every plugin listening to ``ovhflow_step_end`` says it reads the items'
statuses only (``STEP_END_READS_STATUSES_ONLY``): what anyone sees is then the same.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Iterator
from typing import Any

from ovhflow.engine.namespace import StepRecord
from ovhflow.recipe.model import Step

ALL, RESULTS, STATUSES = "all", "results", "statuses"
_NOT_TEMPLATES = frozenset(  # fields that are never templates, or not this step's own
    {"action", "id", "name", "as_", "included", "key_locations", "value_locations", "location", "include"}
    | {"steps"}
)
_COMPOSITE_ACTIONS = frozenset({"steps", "include"})


def loop_keeping(steps: list[Step], templates: Any, plugins: Any) -> dict[int, str]:
    """What each top-level loop of ``steps`` must keep (by ``id`` of its step): :data:`RESULTS` or
    :data:`STATUSES`; a loop not named keeps everything (:data:`ALL`)."""
    listeners = plugins.manager.hook.ovhflow_step_end.get_hookimpls()
    if not all(getattr(impl.plugin, "STEP_END_READS_STATUSES_ONLY", False) for impl in listeners):
        return {}
    keeping: dict[int, str] = {}
    later: dict[str, set[str]] | None = {}  # what the steps after this one read of steps.<id>
    for step in reversed(steps):
        if later is None:
            break
        if step.loop is not None:
            read = later.get(step.id, set()) if step.id else set()
            if not read - {"status", "error"}:
                keeping[id(step)] = STATUSES
            elif not read - {"status", "error", "results"}:
                keeping[id(step)] = RESULTS
        later = _merged(later, _reads(step, templates, plugins))
    return keeping


def _merged(reads: dict[str, set[str]], more: dict[str, set[str]] | None) -> dict[str, set[str]] | None:
    if more is None:
        return None
    for name, fields in more.items():
        reads.setdefault(name, set()).update(fields)
    return reads


def _reads(step: Step, templates: Any, plugins: Any) -> dict[str, set[str]] | None:
    """What ``step`` (its inner steps too) reads of ``steps.<id>``: ``None`` when it cannot be told."""
    spec = plugins.actions.get(step.action)
    own = step.action in _COMPOSITE_ACTIONS or (
        spec is not None and getattr(spec.run, "__module__", "").startswith("ovhflow.")
    )
    if not own:
        return None
    reads: dict[str, set[str]] | None = {}
    for text in _strings(step):
        if reads is None:
            return None
        reads = _merged(reads, templates.steps_read(text))
    for inner in step.steps:
        if reads is None:
            return None
        reads = _merged(reads, _reads(inner, templates, plugins))
    return reads


def _strings(step: Step) -> Iterator[str]:
    """Every string of the step that may be a template or an expression (a group's ``args`` are its
    steps as written: they are read as steps)."""
    for field in dataclasses.fields(step):
        if field.name not in _NOT_TEMPLATES and not (field.name == "args" and step.action == "steps"):
            yield from _texts(getattr(step, field.name))


def _texts(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _texts(key)
            yield from _texts(item)
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from _texts(item)


class LoopRecords:
    """The records of one loop's items as :func:`loop_keeping` says to keep them."""

    def __init__(self, count: int, keeping: str) -> None:
        self.keeping = keeping
        self._statuses: list[str | None] = [None] * count
        self._records: list[dict[str, Any] | None] = [None] * count if keeping == ALL else []
        self._results: dict[int, Any] = {}

    def add(self, index: int, record: dict[str, Any]) -> None:
        status = record["status"]
        self._statuses[index] = status
        if self.keeping == ALL:
            self._records[index] = record
        elif self.keeping == RESULTS and status not in ("skipped", "failed"):
            self._results[index] = record["result"]

    def statuses(self) -> list[str]:
        """The status of each item that ran, in the list's order."""
        return [status for status in self._statuses if status is not None]

    def items(self) -> list[dict[str, Any]] | None:
        """Each item's record, in the list's order; ``None`` when they were not kept."""
        return [record for record in self._records if record is not None] if self.keeping == ALL else None

    def step_record(self, status: str, error: str | None) -> StepRecord:
        """``steps.<id>`` of the loop."""
        items = self.items()
        if items is not None:
            return StepRecord.looped(status, items, error)
        results: Iterable[Any] = (self._results[index] for index in sorted(self._results))
        return StepRecord({"status": status, "results": list(results), "items": [], "error": error})
