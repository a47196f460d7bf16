"""The planned writes a gate still lets through, indexed so that matching a write takes near constant time.

A plan of a burst over 10,000 servers has 10,000 writes: comparing each write of the run with every
planned write left would cost 50 million comparisons. Instead each planned write is filed under its step
and method, then its *shape* (how many path segments, which of them are placeholders, whether its query
and body hold placeholders), then a key: its path without the placeholder segments, its query and its
body as canonical JSON unless they hold placeholders. A write of the run is looked up once per shape its
step's writes have (one or two), and compared in full only with the planned writes filed under the same
key: none for a write without placeholders, whose key says it all. (Only writes whose body differs in a
placeholder alone, POSTed by one step to one path, share a key and are compared one by one.)

The index is a multiset: each planned write lets through ``left`` writes (1 unless the plan says its
step may send it again, ``until:``), then leaves the index. When several planned writes match, the one
first in the plan is used, as a walk of the plan in order would.
"""

from __future__ import annotations

import json
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from ovhflow.plugin_api import HttpRequest

Matcher = Callable[[Mapping[str, Any], HttpRequest], bool]
Shape = tuple[int, frozenset[int], bool, bool]  # segments, placeholder segments, query / body holed
Key = tuple[tuple[str | None, ...], str | None, str | None]  # masked path, query, body (None: holed)


def canonical(value: Any) -> str:
    """A JSON value as one string: two values are the same JSON when their strings are equal."""
    return json.dumps(value, sort_keys=True, default=str)


@dataclass(eq=False)
class Entry:
    """One planned write: its place in the plan, its step, how many writes it may still let through."""

    order: int
    step: str | None
    write: Mapping[str, Any]
    left: int = 1
    used: int = 0


def _shape(write: Mapping[str, Any]) -> Shape:
    holes = write.get("placeholders") or ()
    path = frozenset(int(h["at"]) for h in holes if h.get("in") == "path")
    query, body = (any(h.get("in") == where for h in holes) for where in ("query", "body"))
    return len(str(write.get("path", "")).split("/")), path, query, body


def _key(shape: Shape, path: str, query: Any, body: Any) -> Key | None:
    """The key of a write (planned, or of the run) under ``shape``; None when it cannot have that shape."""
    count, holes, query_holed, body_holed = shape
    segments = path.split("/")
    if len(segments) != count:
        return None
    masked = tuple(None if index in holes else segment for index, segment in enumerate(segments))
    return (
        masked,
        None if query_holed else canonical(dict(query or {})),
        None if body_holed else canonical(body),
    )


class PlannedIndex:
    """The planned writes not used up yet; not thread-safe (the gate holds its lock around it)."""

    def __init__(self, entries: Iterable[Entry], matches: Matcher) -> None:
        self.entries = list(entries)  # in plan order
        self._matches = matches
        self._steps = {entry.step for entry in self.entries}
        self._filed: dict[tuple[str | None, str], dict[Shape, dict[Key | None, deque[Entry]]]] = {}
        for entry in self.entries:
            if entry.left > 0:
                self._bucket(entry).append(entry)

    def _bucket(self, entry: Entry) -> deque[Entry]:
        write = entry.write
        shape = _shape(write)
        key = _key(shape, str(write.get("path", "")), write.get("query"), write.get("body"))
        shapes = self._filed.setdefault((entry.step, str(write.get("method"))), {})
        return shapes.setdefault(shape, {}).setdefault(key, deque())

    def take(self, step: str | None, request: HttpRequest) -> Entry | None:
        """The planned write ``request`` uses (counted as used), or None when no planned write left of
        ``step`` (any step when ``step`` is None: the write was not made by a step) matches."""
        best: Entry | None = None
        for candidate in self._candidates(step, request):
            if best is None or candidate.order < best.order:
                best = candidate
        if best is None:
            return None
        best.left -= 1
        best.used += 1
        if best.left == 0:
            bucket = self._bucket(best)
            if bucket[0] is best:
                bucket.popleft()
            else:
                bucket.remove(best)
        return best

    def _candidates(self, step: str | None, request: HttpRequest) -> Iterator[Entry]:
        """For each key ``request`` has under one of its step's shapes, the first planned write filed
        there that matches it (the first one, without comparing, when the shape has no placeholder)."""
        for planned_step in (step,) if step is not None else self._steps:
            for shape, keys in self._filed.get((planned_step, request.method), {}).items():
                bucket = keys.get(_key(shape, request.path, request.query, request.body))
                if not bucket:
                    continue
                if not (shape[1] or shape[2] or shape[3]):
                    yield bucket[0]
                    continue
                found = next((e for e in bucket if self._matches(e.write, request)), None)
                if found is not None:
                    yield found

    def left(self) -> list[Entry]:
        """The planned writes that may still let a write through, in plan order."""
        return [entry for entry in self.entries if entry.left > 0]
