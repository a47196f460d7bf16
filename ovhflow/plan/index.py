"""The planned writes a gate still lets through, indexed so that matching a write takes near constant time.

A plan of a burst over 10,000 servers has 10,000 writes: comparing each write of the run with every
planned write left would cost 50 million comparisons. Instead each planned write is filed under its step
and method, then its *shape* (how many path segments, which of them are placeholders, whether its query
and body hold placeholders), then a key: its path without the placeholder segments, its query and its
body as canonical JSON unless they hold placeholders. A write of the run is looked up once per shape its
step's writes have (one or two), and compared in full only with the planned writes filed under the same
key: none for a write without placeholders, whose key says it all. (Only writes whose body differs in a
placeholder alone, POSTed by one step to one path, share a key and are compared one by one.)

The index is a multiset: each planned write lets through one write, then leaves the index; when several
planned writes match, the one first in the plan is used, as a walk of the plan in order would. A planned
write whose step retries (``until:``, its ``attempts`` in the plan) then lets through as many repeats of
that write as its step may make.
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
    """One planned write: its place in the plan, its step, how many writes it lets through (more than one
    when its step retries with ``until:``) and how many it did."""

    order: int
    step: str | None
    write: Mapping[str, Any]
    attempts: int = 1
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


class _Filed:
    """Planned writes filed by step and method, shape, then key; each bucket in plan order."""

    def __init__(self, matches: Matcher) -> None:
        self._matches = matches
        self._steps: set[str | None] = set()
        self._filed: dict[tuple[str | None, str], dict[Shape, dict[Key | None, deque[Entry]]]] = {}

    def _bucket(self, entry: Entry) -> deque[Entry]:
        write = entry.write
        shape = _shape(write)
        key = _key(shape, str(write.get("path", "")), write.get("query"), write.get("body"))
        shapes = self._filed.setdefault((entry.step, str(write.get("method"))), {})
        return shapes.setdefault(shape, {}).setdefault(key, deque())

    def add(self, entry: Entry) -> None:
        self._steps.add(entry.step)
        self._bucket(entry).append(entry)

    def remove(self, entry: Entry) -> None:
        bucket = self._bucket(entry)
        if bucket[0] is entry:
            bucket.popleft()
        else:
            bucket.remove(entry)

    def first(self, step: str | None, request: HttpRequest) -> Entry | None:
        """The first planned write in plan order filed here that ``request`` matches."""
        best: Entry | None = None
        for candidate in self._candidates(step, request):
            if best is None or candidate.order < best.order:
                best = candidate
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


class PlannedIndex:
    """The planned writes that may still let a write through; not thread-safe (the gate holds its lock
    around it). A write first uses a planned write not used yet; only when none matches, it is a repeat
    of one already used whose step retries (``attempts`` above 1), within its number of attempts: so
    the planned writes a run did not need are those it never used."""

    def __init__(self, entries: Iterable[Entry], matches: Matcher) -> None:
        self.entries = list(entries)  # in plan order
        self._fresh = _Filed(matches)
        self._repeatable = _Filed(matches)
        for entry in self.entries:
            self._fresh.add(entry)

    def take(self, step: str | None, request: HttpRequest) -> Entry | None:
        """The planned write ``request`` uses (counted as used), or None when no planned write left of
        ``step`` (any step when ``step`` is None: the write was not made by a step) matches."""
        entry = self._fresh.first(step, request)
        if entry is not None:
            self._fresh.remove(entry)
            if entry.attempts > 1:
                self._repeatable.add(entry)
        else:
            entry = self._repeatable.first(step, request)
            if entry is None:
                return None
            if entry.used + 1 >= entry.attempts:
                self._repeatable.remove(entry)
        entry.used += 1
        return entry

    def left(self) -> list[Entry]:
        """The planned writes that may still let a write through, in plan order."""
        return [entry for entry in self.entries if entry.used < entry.attempts]
