"""The value check mode puts where a write's answer would be, and how templates notice it.

``ovhflow run --check`` does not send POST, PUT or DELETE, so there is no answer to read. Instead of
failing on the next step that reads it, that step is reported as planned too: :data:`PLANNED` stands
for the missing answer, reading any attribute or item of it gives :data:`PLANNED` again, and anything that
needs a concrete value (truth, text, length, iteration) raises :class:`PlannedDependency`, which the
engine turns into a planned step.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


class PlannedDependency(Exception):
    """A template needed the concrete answer of a write that check mode only planned."""

    def __init__(self) -> None:
        super().__init__("depends on a write that check mode did not send")


class _Planned:
    """The answer of a planned write: every derived value is planned too."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "<planned>"

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        return self

    def __getitem__(self, key: Any) -> _Planned:
        return self

    def __call__(self, *args: Any, **kwargs: Any) -> _Planned:
        return self

    def _derived(self, *other: Any) -> _Planned:
        return self

    __eq__ = __ne__ = __lt__ = __le__ = __gt__ = __ge__ = _derived  # type: ignore[assignment]
    __add__ = __radd__ = __sub__ = __rsub__ = __mul__ = __rmul__ = _derived
    __truediv__ = __rtruediv__ = __floordiv__ = __rfloordiv__ = __mod__ = __rmod__ = _derived
    __neg__ = __pos__ = _derived

    def __hash__(self) -> int:
        return id(self)

    def _concrete(self, *args: Any) -> Any:
        raise PlannedDependency()

    __bool__ = __str__ = __iter__ = __len__ = __int__ = __float__ = __index__ = __contains__ = _concrete
    __format__ = _concrete


PLANNED: Any = _Planned()


PLAIN_TYPES = frozenset({str, int, float, bool, type(None)})  # values that hold nothing inside


def holds(value: Any, matches: Callable[[Any], bool]) -> bool:
    """Whether ``value``, or anything inside its lists, tuples and dicts, ``matches``.

    API objects are mostly strings and numbers: their type is tested before anything is called for them.
    """
    if type(value) in PLAIN_TYPES:
        return False
    if matches(value):
        return True
    if isinstance(value, dict):
        values: Any = value.values()
    elif isinstance(value, (list, tuple)):
        values = value
    else:
        return False
    return any(type(item) not in PLAIN_TYPES and holds(item, matches) for item in values)


def is_planned(value: Any) -> bool:
    """Whether ``value`` is, or contains (in lists and dicts), a planned answer."""
    return holds(value, _is_the_planned_answer)


def _is_the_planned_answer(value: Any) -> bool:
    return value is PLANNED


def caused_by_planned(error: BaseException) -> bool:
    """Whether ``error`` is, or was raised while handling, a :class:`PlannedDependency`."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        if isinstance(current, PlannedDependency):
            return True
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return False
