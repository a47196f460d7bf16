"""OVH's control-panel read modes: batch object reads (``X-Ovh-Batch``) and expanded listings.

Batch: ``GET /dedicated/server/a,b,c`` with ``X-Ovh-Batch: ,`` answers ``[{"key", "value", "error"}]``,
one item per key, ``value`` null and ``error`` set where that key failed. Expanded listing: a listing
sent with ``X-Pagination-Mode: CachedObjectList-Pages`` answers the objects behind the ids, filtered
(``X-Pagination-Filter: field:op=value&...``), sorted (``X-Pagination-Sort``, ``-Sort-Order``) and paged
(``X-Pagination-Size``, ``X-Pagination-Number``), with the total in ``X-Pagination-Elements``.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Callable
from typing import Any
from urllib.parse import unquote

from ovhflow.sandbox.api import ApiError, Reply, bad_request

EXPAND_MODE = "CachedObjectList-Pages"
DEFAULT_EXPAND_PAGE_SIZE = 5000
FILTER_OPERATORS = ("eq", "ne", "lt", "le", "gt", "ge", "like", "in")


def batch_paths(path: str, separator: str) -> tuple[list[str], list[str]]:
    """Split a batch path into one path per key; returns (keys, paths). No separator: one key."""
    parts = path.split("/")
    batched = [index for index, part in enumerate(parts) if separator in part]
    if len(batched) > 1:
        raise bad_request("Only one path parameter can be batched")
    if not batched:
        return [unquote(parts[-1])], [path]
    index = batched[0]
    keys = [key for key in parts[index].split(separator)]
    if any(not key for key in keys):
        raise bad_request("Empty key in batch")
    paths = ["/".join(parts[:index] + [key] + parts[index + 1 :]) for key in keys]
    return [unquote(key) for key in keys], paths


def batch_items(keys: list[str], paths: list[str], fetch: Callable[[str], Any]) -> list[dict[str, Any]]:
    items = []
    for key, path in zip(keys, paths, strict=False):
        try:
            items.append({"key": key, "value": fetch(path), "error": None})
        except ApiError as error:
            items.append({"key": key, "value": None, "error": error.body.get("message") or str(error.status)})
    return items


def _field(item: Any, name: str) -> Any:
    for part in name.split("."):
        if not isinstance(item, dict):
            return None
        item = item.get(part)
    return item


def _coerce(sample: Any, text: str) -> Any:
    if isinstance(sample, bool):
        return text.lower() in ("true", "1")
    if isinstance(sample, (int, float)):
        try:
            return type(sample)(text)
        except ValueError:
            return text
    return text


def _like(value: Any, pattern: str) -> bool:
    return fnmatch.fnmatchcase(str(value), pattern.replace("%", "*"))


def parse_filters(header: str | None) -> list[tuple[str, str, str]]:
    filters = []
    for clause in filter(None, (header or "").split("&")):
        name_op, equals, value = clause.partition("=")
        name, colon, operator = name_op.partition(":")
        if not equals or not colon or operator not in FILTER_OPERATORS or not name:
            raise bad_request(
                f"Invalid X-Pagination-Filter clause {clause!r} (expected field:op=value, op one of "
                f"{', '.join(FILTER_OPERATORS)})"
            )
        filters.append((name, operator, unquote(value)))
    return filters


def _matches(item: Any, filters: list[tuple[str, str, str]]) -> bool:
    for name, operator, text in filters:
        value = _field(item, name)
        if operator == "like":
            ok = _like(value, text)
        elif operator == "in":
            ok = str(value) in text.split(",")
        else:
            wanted = _coerce(value, text)
            try:
                ok = {"eq": value == wanted, "ne": value != wanted}.get(operator)
                if ok is None:
                    ok = {
                        "lt": value < wanted,
                        "le": value <= wanted,
                        "gt": value > wanted,
                        "ge": value >= wanted,
                    }[operator]
            except TypeError:
                ok = False
        if not ok:
            return False
    return True


def _positive(headers: Any, name: str, default: int) -> int:
    text = headers.get(name)
    if not text:
        return default
    try:
        number = int(text)
    except ValueError:
        raise bad_request(f"Invalid {name}: {text!r}") from None
    if number < 1:
        raise bad_request(f"Invalid {name}: must be at least 1")
    return number


def expanded_page(ids: Any, path: str, headers: Any, fetch: Callable[[str], Any]) -> Reply:
    """The objects behind a listing's ids, filtered, sorted and cut to the requested page."""
    if not isinstance(ids, list) or any(isinstance(i, (dict, list)) for i in ids):
        raise bad_request("This call is not a listing and cannot be expanded")
    size = _positive(headers, "X-Pagination-Size", DEFAULT_EXPAND_PAGE_SIZE)
    number = _positive(headers, "X-Pagination-Number", 1)
    filters = parse_filters(headers.get("X-Pagination-Filter"))
    objects = [fetch(f"{path}/{identifier}") for identifier in ids]
    if filters:
        objects = [item for item in objects if _matches(item, filters)]
    sort_field = headers.get("X-Pagination-Sort")
    if sort_field:
        descending = (headers.get("X-Pagination-Sort-Order") or "ASC").upper() == "DESC"

        def sort_key(item: Any) -> tuple[bool, Any]:
            value = _field(item, sort_field)
            return (value is None, value if value is not None else "")

        objects.sort(key=sort_key, reverse=descending)
    start = (number - 1) * size
    page = objects[start : start + size]
    return Reply(
        page,
        headers={
            "X-Pagination-Elements": str(len(objects)),
            "X-Pagination-Size": str(size),
            "X-Pagination-Number": str(number),
        },
    )
