"""OVH's control-panel read modes: batch object reads (``X-Ovh-Batch``) and expanded listings.

Batch: ``GET /dedicated/server/a,b,c`` with ``X-Ovh-Batch: ,`` answers ``[{"key", "value", "error"}]``,
one item per key, ``value`` null and ``error`` set where that key failed. Expanded listing: a listing
sent with ``X-Pagination-Mode: CachedObjectList-Pages`` answers the objects behind the ids, filtered
(``X-Pagination-Filter: field:op=value&...``), sorted (``X-Pagination-Sort``, ``-Sort-Order``) and paged
(``X-Pagination-Size``, ``X-Pagination-Number``), with the total in ``X-Pagination-Elements``. The filter
and sort rules are the ones the client applies when it falls back to plain calls
(:mod:`ovhflow.ovh.pagination_filter`), so both modes give the same answer.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import quote, unquote

from ovhflow.ovh import pagination_filter
from ovhflow.sandbox.api import ApiError, Reply, bad_request

EXPAND_MODE = "CachedObjectList-Pages"
DEFAULT_EXPAND_PAGE_SIZE = 5000


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
    try:
        clauses = pagination_filter.parse_filter(headers.get("X-Pagination-Filter") or "")
    except ValueError as error:
        raise bad_request(str(error)) from None
    objects = [fetch(f"{path}/{quote(str(identifier), safe='')}") for identifier in ids]
    objects = [item for item in objects if pagination_filter.matches(item, clauses)]
    sort_field = headers.get("X-Pagination-Sort")
    if sort_field:
        objects = pagination_filter.sort_objects(objects, sort_field, headers.get("X-Pagination-Sort-Order"))
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
