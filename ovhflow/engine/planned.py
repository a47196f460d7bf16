"""The value check mode puts where a write's answer would be, and how templates notice it.

``ovhflow run --check`` does not send POST, PUT or DELETE, so there is no answer to read. Instead of
failing on the next step that reads it, that step is reported as planned too: :data:`PLANNED` stands
for the missing answer, reading any attribute or item of it gives :data:`PLANNED` again, and anything that
needs a concrete value (truth, text, length, iteration) raises :class:`PlannedDependency`, which the
engine turns into a planned step.

A write whose path, query or body needs such an answer (``PUT /record/{{ steps.create.result.id }}``
after the POST that creates the record) is planned all the same: the engine renders the arguments of
``post``, ``put`` and ``delete`` inside :func:`placeholders`, where a planned answer written as text
becomes a token naming where it comes from (:func:`placeholder_token`); the plan records its position
(:mod:`ovhflow.plan.placeholders`) and applying the plan accepts any value there.
"""

from __future__ import annotations

import contextlib
import contextvars
import re
import secrets
from collections.abc import Callable, Iterator
from typing import Any

# Letters and digits only: percent-encoding a path segment leaves the token as it is. Random per
# process, so no API value can hold it by chance.
_TOKEN = "Zplanned" + secrets.token_hex(6) + "Z"
TOKEN_PATTERN = re.compile(f"{_TOKEN}([0-9a-f]*){_TOKEN}")
_AS_TOKEN: contextvars.ContextVar[bool] = contextvars.ContextVar("ovhflow_placeholders", default=False)


class PlannedDependency(Exception):
    """A template needed the concrete answer of a write that check mode only planned."""

    def __init__(self) -> None:
        super().__init__("depends on a write that check mode did not send")


class _Planned:
    """The answer of a planned write: every derived value is planned too.

    ``source`` says where it comes from (``steps.create.result.id``), for plans and their reviewers.
    """

    __slots__ = ("_source",)  # private: templates cannot read it

    def __init__(self, source: str = "") -> None:
        self._source = source

    def __repr__(self) -> str:
        return "<planned>"

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        return _Planned(self._joined(name))

    def __getitem__(self, key: Any) -> _Planned:
        return _Planned(self._joined(key))

    def _joined(self, key: Any) -> str:
        if isinstance(key, str) and key.isidentifier():
            return f"{self._source}.{key}" if self._source else key
        part = f"[{key}]" if isinstance(key, int) else "[?]"  # never a / (a plan shows it in paths)
        return f"{self._source}{part}"

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

    __bool__ = __iter__ = __len__ = __int__ = __float__ = __index__ = __contains__ = _concrete

    def __str__(self) -> str:
        if _AS_TOKEN.get():
            return placeholder_token(self._source or "planned")
        raise PlannedDependency()

    def __format__(self, spec: str) -> str:
        return str(self)


PLANNED: Any = _Planned()


def planned_answer(source: str) -> Any:
    """The answer of a planned write, named by where a recipe reads it (``steps.create.result``)."""
    return _Planned(source)


def placeholder_token(source: str) -> str:
    """The text a planned answer renders to inside :func:`placeholders`."""
    return f"{_TOKEN}{source.encode().hex()}{_TOKEN}"


def token_source(match: re.Match[str]) -> str:
    """Where the planned answer a :data:`TOKEN_PATTERN` match stands for comes from."""
    return bytes.fromhex(match.group(1)).decode()


@contextlib.contextmanager
def placeholders() -> Iterator[None]:
    """Within: a planned answer written as text gives its token instead of making the step planned."""
    token = _AS_TOKEN.set(True)
    try:
        yield
    finally:
        _AS_TOKEN.reset(token)


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
    return holds(value, is_planned_answer)


def is_planned_answer(value: Any) -> bool:
    """Whether ``value`` itself is a planned answer (:func:`is_planned` also looks inside)."""
    return isinstance(value, _Planned)


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
