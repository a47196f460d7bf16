"""Plain helpers of the template environment: what counts as a template, the ``now()`` global, how one
value becomes a path segment, and how a native result becomes data."""

from __future__ import annotations

from collections.abc import ItemsView, Iterator, KeysView, ValuesView
from datetime import date, datetime, timedelta, timezone
from types import ModuleType
from typing import Any
from urllib.parse import quote

from jinja2.runtime import TemplateReference, Undefined
from markupsafe import Markup

from ovhflow.templating.environment import budget_iter
from ovhflow.templating.formats import check_strftime

TEMPLATE_MARKERS = ("{{", "{%", "{#")


def is_template(value: Any) -> bool:
    """True for a string that holds Jinja syntax (anything else is used as it is, without rendering)."""
    return isinstance(value, str) and any(marker in value for marker in TEMPLATE_MARKERS)


def now(utc: bool = False, fmt: str | None = None) -> datetime | str:
    """The current time, local (aware) or UTC; formatted with ``strftime`` when ``fmt`` is given."""
    moment = datetime.now(timezone.utc) if utc else datetime.now().astimezone()
    if fmt is None:
        return moment
    check_strftime(fmt)
    return moment.strftime(fmt)


def days_ago(days: float, utc: bool = False) -> datetime:
    """``now()`` minus ``days`` days (aware): ``(c.lastUse | ovh_date) < days_ago(90)``."""
    return _moved(days, -1, utc, "days_ago")


def days_from_now(days: float, utc: bool = False) -> datetime:
    """``now()`` plus ``days`` days (aware): ``(s.expiration | ovh_date) < days_from_now(60)``."""
    return _moved(days, 1, utc, "days_from_now")


def _moved(days: Any, sign: int, utc: bool, name: str) -> datetime:
    if isinstance(days, bool) or not isinstance(days, (int, float)):
        raise ValueError(f"{name}(): expected a number of days, got {days!r}")
    if not -1_000_000 < days < 1_000_000:
        raise ValueError(f"{name}(): {days} days is out of range")
    moment = now(utc)
    assert isinstance(moment, datetime)
    return moment + sign * timedelta(days=days)


def short(source: str) -> str:
    text = source if len(source) <= 80 else source[:77] + "..."
    return repr(text)


class PathSegmentError(Exception):
    """A value rendered into an API path cannot be one path segment (null, empty, ``.`` or ``..``)."""


class PathSegments:
    """What ``{{ value | segments }}`` gives: a value to splice into an API path as several segments.

    ``/{{ 'dedicated/server' | segments }}/{{ name }}`` calls ``/dedicated/server/NAME``: each part is
    still percent-encoded on its own, and an empty, ``.`` or ``..`` part is refused, so the value can add
    segments but never climb out of the path or change its query. Outside a path it is the joined text.
    """

    __slots__ = ("parts",)

    def __init__(self, parts: list[str]) -> None:
        self.parts = parts

    def __str__(self) -> str:
        return "/".join(self.parts)

    def __repr__(self) -> str:
        return f"segments({str(self)!r})"


def segments(value: Any) -> PathSegments:
    """The ``segments`` filter: text split on ``/``, or a list whose items are one segment each."""
    if isinstance(value, Undefined):
        value._fail_with_undefined_error()
    if isinstance(value, str):
        parts = value.split("/")
    elif isinstance(value, (list, tuple)):
        parts = [_segment_text(item) for item in value]
    else:
        raise PathSegmentError(f"segments: expected text such as 'dedicated/server' or a list, got {value!r}")
    if not parts or any(part in ("", ".", "..") for part in parts):
        raise PathSegmentError(
            f"segments: {value!r} has an empty, '.' or '..' segment (write 'dedicated/server', "
            "without a leading or trailing /)"
        )
    return PathSegments(parts)


def _segment_text(value: Any) -> str:
    if isinstance(value, Undefined):
        value._fail_with_undefined_error()
    if value is None:
        raise PathSegmentError("a value rendered into the path is null")
    return ("true" if value else "false") if isinstance(value, bool) else str(value)


def path_segment(value: Any) -> str:
    """Percent-encode one ``{{ }}`` output of a path so that it stays inside its path segment (or its
    segments, for a value marked with the ``segments`` filter)."""
    if isinstance(value, PathSegments):
        return "/".join(quote(part, safe="") for part in value.parts)
    text = _segment_text(value)
    if text == "":
        raise PathSegmentError("a value rendered into the path is empty")
    if text in (".", ".."):  # percent-encoding does not help: HTTP libraries and proxies decode %2E
        raise PathSegmentError(f"a value rendered into the path is {text!r}, which would move along it")
    return quote(text, safe="")


def single_expression(source: str) -> str | None:
    """The inner expression of a string that is exactly one ``{{ ... }}`` (a trailing newline allowed)."""
    core = source[:-1] if source.endswith("\n") else source
    if not (core.startswith("{{") and core.endswith("}}")):
        return None
    inner = core[2:-2]
    if inner[:1] in "-+":
        inner = inner[1:]
    if inner[-1:] in "-+":
        inner = inner[:-1]
    return inner


_SCALARS = (str, int, float, bool, type(None), date)
_LAZY = (range, Iterator, KeysView, ValuesView, ItemsView, set, frozenset)


def as_data(value: Any) -> Any:
    """A native result as data: lazy sequences (``map``, ``range``, dict views) become lists, an
    undefined value anywhere inside is an error, and functions, classes and template internals become
    their text (as ``{{ }}`` inside text would print them). Other objects (the engine's) pass as they are.
    """
    if isinstance(value, Undefined):
        value._fail_with_undefined_error()
    if isinstance(value, (Markup, PathSegments)):
        return str(value)
    if isinstance(value, _SCALARS):
        return value
    if isinstance(value, (list, tuple)):
        return [as_data(item) for item in value] if any(_needs_work(item) for item in value) else value
    if isinstance(value, dict):
        if any(_needs_work(item) for item in value.values()):
            return {key: as_data(item) for key, item in value.items()}
        return value
    if isinstance(value, _LAZY):
        return [as_data(item) for item in budget_iter(value)]
    if callable(value) or isinstance(value, (type, ModuleType, TemplateReference)):
        return str(value)
    return value


def _needs_work(value: Any) -> bool:
    if isinstance(value, _SCALARS):
        return False
    if isinstance(value, (list, tuple)):
        return any(_needs_work(item) for item in value)
    if isinstance(value, dict):
        return any(_needs_work(item) for item in value.values())
    return isinstance(
        value, (Undefined, Markup, PathSegments, *_LAZY, type, ModuleType, TemplateReference)
    ) or callable(value)
