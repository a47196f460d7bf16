"""Map ``METHOD /path/{param}`` templates to handlers, fast enough to run on every request."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote


@dataclass(frozen=True)
class Route:
    """One operation: its method, template segments and whether it needs a signed call."""

    method: str
    template: str
    segments: tuple[str, ...]
    handler: Callable[..., Any]
    auth: str  # "signed" (AK + CK + signature), "app" (application key only) or "none"
    any_credential: bool  # allowed for a known consumer key in any state, outside its access rules

    @functools.cached_property
    def literals(self) -> int:
        """How many segments are literal: of two routes a path fits, the one with more wins."""
        return sum(1 for segment in self.segments if not segment.startswith("{"))

    def match(self, parts: list[str]) -> dict[str, str] | None:
        params: dict[str, str] = {}
        for pattern, part in zip(self.segments, parts, strict=False):
            if pattern.startswith("{"):
                if not part:
                    return None
                params[pattern[1:-1]] = unquote(part)
            elif pattern != part:
                return None
        return params


class Router:
    """Routes indexed by (segment count, first segment); a handful of candidates per lookup."""

    def __init__(self) -> None:
        self._index: dict[tuple[int, str], list[Route]] = {}

    def add(
        self,
        method: str,
        template: str,
        handler: Callable[..., Any],
        auth: str = "signed",
        any_credential: bool = False,
    ) -> None:
        segments = tuple(template.strip("/").split("/"))
        route = Route(method, template, segments, handler, auth, any_credential)
        self._index.setdefault((len(segments), segments[0]), []).append(route)

    def match(self, method: str, path: str) -> tuple[Route | None, dict[str, str], bool]:
        """The route for ``method path``, its parameters, and whether the path exists for another method."""
        parts = path.strip("/").split("/")
        other_method = False
        for route in self._index.get((len(parts), parts[0]), ()):
            params = route.match(parts)
            if params is None:
                continue
            if route.method == method:
                return route, params, False
            other_method = True
        return None, {}, other_method
