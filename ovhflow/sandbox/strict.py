"""Strict mode of the sandbox: refuse requests that the published API schemas say the real API would.

``make_lazy_checker(store)`` returns a function the sandbox calls for each request (its path as the
journal has it: ``/me``, ``/v2/iam/policy``); an empty list means the request fits. Paths the schema
folder does not describe at all (an API whose document is absent) are let through: the folder may hold
only some APIs.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from typing import Any

from ovhflow.apicheck.catalog import Catalog
from ovhflow.apicheck.request import request_problems
from ovhflow.sandbox.schema_store import SchemaStore

RequestChecker = Callable[[str, str, Mapping[str, Any], Any], list[str]]
IGNORED_QUERY = {"_"}  # cache-busting parameters some clients add


def make_lazy_checker(store: SchemaStore) -> RequestChecker:
    """The same checks, each API's document indexed when a request first falls under it (fast start-up)."""
    catalogs: dict[str, Catalog] = {}
    lock = threading.Lock()

    def check(method: str, path: str, query: Mapping[str, Any], body: Any) -> list[str]:
        version, api_path = ("v2", path[3:]) if path.startswith("/v2/") else ("v1", path)
        document = store.document_for(version, api_path)
        if document is None:
            return []  # no document for this API: nothing to hold the request to
        with lock:
            catalog = catalogs.get(document.source)
            if catalog is None:
                catalog = catalogs[document.source] = Catalog()
                if version == "v1":  # the operations the sandbox answers from, not parsed again
                    catalog.add_api_document(document)
                else:  # the catalog addresses v2 paths with their /v2, the sandbox without
                    catalog.add_document(document.source, document.raw)
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
