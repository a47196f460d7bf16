"""Strict mode of the sandbox: refuse requests that the published API schemas say the real API would.

``make_checker(schema_dir)`` loads the schema documents once and returns a function the sandbox calls
for each request; an empty list means the request fits. Paths the schema folder does not describe at
all (an API whose document is absent) are let through: the folder may hold only some APIs.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from ovhflow.apicheck.catalog import Catalog
from ovhflow.apicheck.request import request_problems

RequestChecker = Callable[[str, str, Mapping[str, Any], Any], list[str]]
IGNORED_QUERY = {"_"}  # cache-busting parameters some clients add


def make_checker(schema_dir: str | Path) -> RequestChecker:
    """A function ``(method, path, query, body) -> problems`` for requests against ``schema_dir``."""
    catalog = Catalog.from_dir(schema_dir)

    def check(method: str, path: str, query: Mapping[str, Any], body: Any) -> list[str]:
        return check_request(catalog, method, path, query or {}, body)

    return check


def check_request(catalog: Catalog, method: str, path: str, query: Mapping[str, Any], body: Any) -> list[str]:
    method = method.upper()
    templates = catalog.match(path)
    if not templates:
        if catalog.unloaded_api(path) is not None or not catalog.loaded_apis:
            return []
        hint = catalog.suggest_paths(path, limit=1)
        more = f" (did you mean {hint[0]}?)" if hint else ""
        return [f"unknown path {path}{more}"]
    operation = next((op for t in templates if (op := catalog.operation(t, method))), None)
    if operation is None:
        allowed = sorted({m for t in templates for m in catalog.paths[t]})
        return [f"method {method} not allowed on {templates[0]} (allowed: {', '.join(allowed)})"]
    query = {name: value for name, value in query.items() if name not in IGNORED_QUERY}
    return [str(p) for p in request_problems(catalog, operation, query, body, has_body=body is not None)]
