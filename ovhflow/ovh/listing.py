"""Reading many objects in few calls: batch reads, expanded v1 listings and v2 cursor pagination.

Batch reads and expanded listings are what OVH's control panel uses, not documented guarantees, so each
falls back to plain calls (with the same result) where the API refuses them, and remembers the refusal
per path so that it is not tried again on every chunk or page.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any

from ovhflow.ovh.exceptions import (
    CREDENTIAL_ERRORS,
    APIError,
    BadParametersError,
    HTTPError,
    ResourceNotFoundError,
)
from ovhflow.ovh.pagination_filter import matches, parse_filter, sort_objects

BATCH_SIZE = 50  # what OVH's control panel sends per batch call
EXPANDED_PAGE_SIZE = 500
BATCH_HEADER = "X-Ovh-Batch"
BATCH_SEPARATOR = ","
_REFUSAL_STATUSES = frozenset({400, 404, 405, 406, 501})

Get = Callable[[str, Mapping[str, str] | None], tuple[Any, Mapping[str, str]]]
"""How the functions here send a GET: ``get(path, extra_headers)`` returns ``(decoded JSON, response
headers)`` or raises :class:`APIError`. The client passes its own; a recipe run passes one that goes
through the ``ovhflow_http_request`` hook, so the run log, check mode and plugins see every call."""


class Refusals:
    """The optional modes (``batch``, ``expanded``) the API refused, per path, so none is tried twice."""

    def __init__(self) -> None:
        self._refused: set[tuple[str, str]] = set()
        self._lock = threading.Lock()

    def note(self, mode: str, path: str) -> None:
        with self._lock:
            self._refused.add((mode, path))

    def refused(self, mode: str, path: str) -> bool:
        return (mode, path) in self._refused


OPTIONAL_MODE_HEADERS = (BATCH_HEADER, "X-Pagination-Mode")


def refused_mode(error: BaseException) -> bool:
    """Whether an error means "this optional mode is not supported here" rather than a real failure."""
    if not isinstance(error, APIError):
        return False
    if isinstance(error, (BadParametersError, ResourceNotFoundError)):
        return True
    return error.response is not None and error.response.status_code in _REFUSAL_STATUSES


def _get_one(get: Get, path: str, key: Any) -> dict[str, Any]:
    """One plain GET, its API error (not network or credential errors) reported per key."""
    try:
        return {"key": key, "value": get(f"{path}/{key}", None)[0], "error": None}
    except HTTPError:
        raise
    except CREDENTIAL_ERRORS:
        raise
    except APIError as error:
        return {"key": key, "value": None, "error": error.message}


def _batch_call(
    get: Get, path: str, chunk: list[Any], suffix: str = ""
) -> tuple[dict[str, Any], str | None] | None:
    """One batch call for ``chunk`` (``path/k1,k2,...suffix``): the API's answer per key, keyed by
    ``str(key)``, and the call's query id; ``None`` when the API refuses batch reads here."""
    joined = BATCH_SEPARATOR.join(str(key) for key in chunk)
    try:
        answer, headers = get(f"{path}/{joined}{suffix}", {BATCH_HEADER: BATCH_SEPARATOR})
    except APIError as error:
        if isinstance(error, CREDENTIAL_ERRORS) or not refused_mode(error):
            raise
        return None
    if not isinstance(answer, list) or not all(isinstance(item, dict) and "key" in item for item in answer):
        return None
    return {str(item["key"]): item for item in answer}, (headers or {}).get("X-OVH-QUERYID")


def _get_chunk_batched(get: Get, path: str, chunk: list[Any]) -> list[dict[str, Any]] | None:
    """One batch call for ``chunk``, results in ``chunk`` order; ``None`` when the API refuses batching."""
    called = _batch_call(get, path, chunk)
    if called is None:
        return None
    by_key, _ = called
    results = []
    for key in chunk:
        item = by_key.get(str(key))
        if item is None:  # the API skipped it: ask for it alone
            results.append(_get_one(get, path, key))
        else:
            results.append({"key": key, "value": item.get("value"), "error": item.get("error")})
    return results


def batchable(keys: Iterable[Any]) -> bool:
    """Whether keys can share one batch call: none holds the separator, plainly or percent-encoded."""
    return not any(BATCH_SEPARATOR in str(key) or "%2c" in str(key).lower() or not str(key) for key in keys)


def read_batched(
    get: Get,
    refusals: Refusals,
    path: str,
    keys: list[str],
    suffix: str = "",
    concurrency: int = 1,
) -> dict[str, tuple[dict[str, Any], str | None]]:
    """Batch calls only, for a caller that reads what is missing itself (a recipe's loop): for each key
    the API answered, its answer (``{"key", "value", "error"}``) and the call's query id, from
    ``BATCH_SIZE`` keys a call to ``path/<keys>suffix``, ``concurrency`` calls at once. Nothing once
    the API refuses batch reads there.
    """
    mode_path = f"{path}/*{suffix}"  # how get_batch remembers refusals too
    chunks = [keys[start : start + BATCH_SIZE] for start in range(0, len(keys), BATCH_SIZE)]

    def fetch(chunk: list[str]) -> dict[str, tuple[dict[str, Any], str | None]]:
        if refusals.refused("batch", mode_path):
            return {}
        called = _batch_call(get, path, chunk, suffix)
        if called is None:
            refusals.note("batch", mode_path)
            return {}
        answers, query_id = called
        return {key: (answer, query_id) for key, answer in answers.items()}

    if concurrency <= 1 or len(chunks) <= 1:
        return {key: answer for chunk in chunks for key, answer in fetch(chunk).items()}
    answered = _in_parallel(fetch, chunks, min(concurrency, len(chunks)))
    return {key: answer for answers in answered for key, answer in answers.items()}


def get_batch(
    get: Get,
    refusals: Refusals,
    path: str,
    keys: Iterable[Any],
    chunk_size: int = BATCH_SIZE,
    concurrency: int = 1,
) -> list[dict[str, Any]]:
    """See :meth:`Client.get_batch`; every call is sent with ``get``."""
    if chunk_size < 1:
        raise ValueError(f"chunk_size must be at least 1, not {chunk_size}")
    path = path.rstrip("/")
    keys = list(keys)
    chunks = [keys[start : start + chunk_size] for start in range(0, len(keys), chunk_size)]

    def fetch(chunk: list[Any]) -> list[dict[str, Any]]:
        if len(chunk) > 1 and batchable(chunk) and not refusals.refused("batch", f"{path}/*"):
            batched = _get_chunk_batched(get, path, chunk)
            if batched is not None:
                return batched
            refusals.note("batch", f"{path}/*")
        return [_get_one(get, path, key) for key in chunk]

    if concurrency <= 1 or len(chunks) <= 1:
        return [answer for chunk in chunks for answer in fetch(chunk)]
    answers = _in_parallel(fetch, chunks, min(concurrency, len(chunks)))
    return [answer for chunk_answers in answers for answer in chunk_answers]  # in key order


def _in_parallel(function: Callable[[Any], Any], items: list[Any], workers: int) -> list[Any]:
    """``[function(item) for item in items]`` on ``workers`` threads, results in order; the first error
    raised is raised here once the calls in flight end, and no new call starts after it.

    Daemon threads and timed joins rather than a ``ThreadPoolExecutor``: a run stopped by SIGTERM while
    a call hangs can leave it behind and exit (the interpreter would wait for an executor's threads
    forever), and this thread stays free to run signal handlers meanwhile.
    """
    results: list[Any] = [None] * len(items)
    errors: list[BaseException] = []
    lock = threading.Lock()
    indexes = iter(range(len(items)))

    def work() -> None:
        while True:
            with lock:
                index = None if errors else next(indexes, None)
            if index is None:
                return
            try:
                results[index] = function(items[index])
            except BaseException as error:
                with lock:
                    errors.append(error)
                return

    threads = [
        threading.Thread(target=work, name=f"ovhflow-batch-{number}", daemon=True)
        for number in range(workers)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        while thread.is_alive():
            thread.join(0.1)
    if errors:
        raise errors[0]
    return results


def iter_expanded(
    get: Get,
    refusals: Refusals,
    path: str,
    page_size: int = EXPANDED_PAGE_SIZE,
    filter: str | None = None,  # noqa: A002
    sort: str | None = None,
    sort_order: str | None = None,
) -> Iterator[Any]:
    """See :meth:`Client.iter_expanded`; every call is sent with ``get``."""
    if page_size < 1:
        raise ValueError(f"page_size must be at least 1, not {page_size}")
    clauses = parse_filter(filter) if filter else []  # a malformed filter fails before any call
    path = path.rstrip("/")
    if refusals.refused("expanded", path):
        yield from _expanded_locally(get, path, None, clauses, sort, sort_order)
        return
    headers = {"X-Pagination-Mode": "CachedObjectList-Pages", "X-Pagination-Size": str(page_size)}
    if filter:
        headers["X-Pagination-Filter"] = filter
    if sort:
        headers["X-Pagination-Sort"] = sort
        headers["X-Pagination-Sort-Order"] = (sort_order or "ASC").upper()
    page = 1
    while True:
        try:
            items, response_headers = get(path, {**headers, "X-Pagination-Number": str(page)})
        except APIError as error:
            if page > 1 or isinstance(error, CREDENTIAL_ERRORS) or not refused_mode(error):
                raise
            refusals.note("expanded", path)
            yield from _expanded_locally(get, path, None, clauses, sort, sort_order)
            return
        total = response_headers.get("X-Pagination-Elements")
        if page == 1 and total is None and not any(isinstance(item, dict) for item in items or []):
            refusals.note("expanded", path)  # the API ignored the mode: this is the list of ids
            yield from _expanded_locally(get, path, items, clauses, sort, sort_order)
            return
        yield from items or []
        seen = page * page_size
        if not items or (int(total) <= seen if total is not None else len(items) < page_size):
            return
        page += 1


def _expanded_locally(
    get: Get,
    path: str,
    ids: list[Any] | None,
    clauses: list[Any],
    sort: str | None,
    sort_order: str | None,
) -> Iterator[Any]:
    """The fallback: list ids (unless already known), GET each, filter and sort here."""
    if ids is None:
        ids = get(path, None)[0]
    objects = (get(f"{path}/{object_id}", None)[0] for object_id in ids or [])
    selected = (obj for obj in objects if matches(obj, clauses))
    if sort:
        yield from sort_objects(list(selected), sort, sort_order)
    else:
        yield from selected


def iter_v2(get: Get, path: str, page_size: int | None = None) -> Iterator[Any]:
    """See :meth:`Client.iter_v2`; every call is sent with ``get``."""
    headers: dict[str, str] = {}
    if page_size is not None:
        headers["X-Pagination-Size"] = str(page_size)
    while True:
        items, response_headers = get(path, dict(headers))
        if isinstance(items, list):
            yield from items
        elif items is not None:
            yield items
        cursor = response_headers.get("X-Pagination-Cursor-Next")
        if not cursor:
            return
        headers["X-Pagination-Cursor"] = cursor
