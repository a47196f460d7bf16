"""Jinja filters for OVH data: dates, price sums and grouping.

OVH returns dates as ISO 8601 text with an offset (``2024-03-01T00:00:00+01:00``) and prices as
``{"value": 12.5, "currencyCode": "EUR", "text": "12.50 €"}``; these filters turn them into what a
bill export or a monthly summary needs without Python in the recipe.

- ``{{ bill.date | ovh_date('%d/%m/%Y') }}``: parse an OVH date and format it (strftime format).
  Without a format, ``ovh_date`` gives a timezone-aware datetime: ``(now() - (c.lastUse | ovh_date)).days``.
- ``{{ bills | sum_prices }}``: the sum of ``priceWithTax.value`` over a list, as a number;
  ``sum_prices('priceWithoutTax.value')`` sums another (dotted) attribute.
- ``{{ bills | group_by('orderId') }}``: a dict of lists keyed by a (dotted) attribute;
  ``group_by('date', date_format='%Y-%m')`` groups dates by the formatted date (here, the month).
- ``{{ bills | sum_by('date', date_format='%Y-%m') }}``: the same keys, each with the sum of its items'
  ``priceWithTax.value`` (or ``value='other.attribute'``).
- ``{{ bills | subelements('lines.results') }}``: ``[bill, line]`` for every line of every bill (as
  Ansible's ``subelements``), to export nested results one row per inner element.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date, datetime, timezone
from decimal import Decimal
from typing import Any

from ovhflow import hookimpl
from ovhflow_plugins import is_mapping_like, kind_name, plural

DEFAULT_PRICE = "priceWithTax.value"


def parse_ovh_date(value: Any) -> datetime:
    """An OVH date (ISO 8601 text) as a timezone-aware datetime; a date without offset is taken as UTC."""
    if isinstance(value, datetime):
        parsed = value
    elif isinstance(value, date):
        parsed = datetime(value.year, value.month, value.day)
    else:
        text = str(value).strip()
        if text.endswith("Z"):  # fromisoformat accepts "Z" only from Python 3.11
            text = text[:-1] + "+00:00"
        try:
            parsed = datetime.fromisoformat(text)
        except ValueError:
            raise ValueError(f"ovh_date: {value!r} is not an ISO 8601 date") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)


def ovh_date(value: Any, format: str | None = None) -> datetime | str | None:
    """Parse an OVH date; with a strftime ``format``, return it formatted (in its own offset).

    Without ``format`` the result is an aware datetime, so ``now() - (x | ovh_date)`` is a duration.
    Null (a credential never used) gives null, or an empty string when formatting.
    """
    if value is None or value == "":
        return "" if format is not None else None
    parsed = parse_ovh_date(value)
    return parsed.strftime(format) if format is not None else parsed


def _days_between(start: datetime | date, end: datetime | date) -> int:
    """Whole days from ``start`` to ``end``: both dates or both datetimes (see :func:`_as_moment`)."""
    return (end - start).days  # type: ignore[operator]  # never a date minus a datetime


def _as_moment(value: Any, filter_name: str) -> tuple[datetime | date, datetime | date]:
    """``(value, now)`` to subtract: calendar dates for an OVH date (``2026-01-31``), aware datetimes for
    a datetime, so "days until" a date is 0 on that day and 1 the day before, whatever the hour."""
    if value is None or value == "":
        raise ValueError(f"{filter_name}: no date (null)")
    text = value if isinstance(value, str) else None
    if (isinstance(value, date) and not isinstance(value, datetime)) or (text and len(text.strip()) == 10):
        day = value if isinstance(value, date) else parse_ovh_date(value).date()
        return day, datetime.now().astimezone().date()
    return parse_ovh_date(value), datetime.now(timezone.utc)


def days_until(value: Any) -> int:
    """Whole days from now until an OVH date or datetime; negative once it is past."""
    moment, current = _as_moment(value, "days_until")
    return _days_between(current, moment)


def days_since(value: Any) -> int:
    """Whole days from an OVH date or datetime until now; negative while it is still ahead."""
    moment, current = _as_moment(value, "days_since")
    return _days_between(moment, current)


def attribute(item: Any, path: str) -> Any:
    """``item``'s value at a dotted ``path`` (``priceWithTax.value``); list positions are numbers.

    Only mapping keys and list positions are followed, never Python attributes, so a filter cannot
    reach past the sandboxed template environment.
    """
    value = item
    for part in path.split("."):
        if is_mapping_like(value) and part in value:
            value = value[part]
        elif isinstance(value, Sequence) and not isinstance(value, str) and part.lstrip("-").isdigit():
            try:
                value = value[int(part)]
            except IndexError:
                raise KeyError(path) from None
        else:
            raise KeyError(path)
    return value


def _items(value: Any, filter_name: str) -> Iterable[Any]:
    if isinstance(value, (str, bytes)) or is_mapping_like(value) or not isinstance(value, Iterable):
        raise ValueError(f"{filter_name}: expected a list, got {kind_name(value)}")
    return value


def _value_at(item: Any, path: str, filter_name: str, index: int) -> Any:
    try:
        return attribute(item, path)
    except KeyError:
        raise ValueError(f"{filter_name}: item {index} has no {path!r}") from None


def _add(items: Iterable[Any], path: str, filter_name: str) -> float:
    # Decimal of the text form: 0.1 + 0.2 gives 0.3, as an accountant expects, not 0.30000000000000004.
    total = Decimal(0)
    for index, item in enumerate(items):
        value = _value_at(item, path, filter_name, index)
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, (int, float, str, Decimal)):
            raise ValueError(f"{filter_name}: item {index} has a non-numeric {path!r}: {value!r}")
        try:
            total += Decimal(str(value))
        except ArithmeticError:
            raise ValueError(f"{filter_name}: item {index} has a non-numeric {path!r}: {value!r}") from None
    return float(total)


def sum_prices(items: Any, value: str = DEFAULT_PRICE) -> float:
    """The sum of ``value`` (a dotted attribute, ``priceWithTax.value`` by default) over ``items``."""
    return _add(_items(items, "sum_prices"), value, "sum_prices")


def group_by(items: Any, key: str, date_format: str | None = None) -> dict[Any, list[Any]]:
    """Items grouped by their dotted ``key`` attribute, in first-seen order.

    With ``date_format`` the key is an OVH date, formatted first (``'%Y-%m'`` groups by month).
    """
    groups: dict[Any, list[Any]] = {}
    for index, item in enumerate(_items(items, "group_by")):
        group = _value_at(item, key, "group_by", index)
        if date_format is not None:
            group = ovh_date(group, date_format)
        elif isinstance(group, list) or is_mapping_like(group):
            raise ValueError(f"group_by: item {index} has a list or object as {key!r}, not a key")
        groups.setdefault(group, []).append(item)
    return groups


def sum_by(
    items: Any, key: str, value: str = DEFAULT_PRICE, date_format: str | None = None
) -> dict[Any, float]:
    """Like :func:`group_by`, each group replaced by the sum of its items' ``value`` attribute."""
    return {
        group: _add(members, value, "sum_by") for group, members in group_by(items, key, date_format).items()
    }


def subelements(
    items: Any, path: str, skip_missing: bool = False, keep_empty: bool = False
) -> list[list[Any]]:
    """``[item, element]`` for every element of each item's list at dotted ``path``, as Ansible's filter.

    It flattens nested results while keeping each element's parent: one CSV row per bill detail line,
    with the bill it belongs to (``row[0]`` the bill, ``row[1]`` the line). An item whose list is empty
    or null gives no pair, unless ``keep_empty=true``: then it gives ``[item, none]`` (an outer join, so
    an IP block with no reverse still gets its row). ``skip_missing=true`` skips an item that lacks
    ``path`` instead of failing (or keeps it, with ``keep_empty``).
    """
    pairs: list[list[Any]] = []
    for index, item in enumerate(_items(items, "subelements")):
        try:
            elements = attribute(item, path)
        except KeyError:
            if not skip_missing:
                raise ValueError(f"subelements: item {index} has no {path!r}") from None
            elements = None
        found = list(_items(elements, "subelements")) if elements is not None else []
        if not found and keep_empty:
            pairs.append([item, None])
        pairs.extend([item, element] for element in found)
    return pairs


FILTERS: dict[str, Callable[..., Any]] = {
    "ovh_date": ovh_date,
    "days_until": days_until,
    "days_since": days_since,
    "sum_prices": sum_prices,
    "group_by": group_by,
    "sum_by": sum_by,
    "subelements": subelements,
    "plural": plural,  # {{ bills | length | plural('bill') }}: "1 bill", "24 bills"
}


@hookimpl
def ovhflow_template_filters() -> Mapping[str, Callable[..., Any]]:
    return dict(FILTERS)
