"""Which operation of OVH's API documents answers a request the sandbox's own routes do not serve.

:class:`~ovhflow.sandbox.generated.GeneratedApi` answers them; this part only finds them, and remembers
what it found: the documents never change, so a loop over the same paths looks each one up once.
"""

from __future__ import annotations

from typing import Any

from ovhflow.apischema.document import Operation
from ovhflow.sandbox.api import Call
from ovhflow.sandbox.router import Route
from ovhflow.sandbox.schema_store import SchemaStore

REMEMBERED_PATHS = 4096


class OperationRouter:
    """A request's documented operation, as a :class:`Route` whose handler calls :meth:`answer`."""

    def __init__(self, store: SchemaStore) -> None:
        self.store = store
        self._routes: dict[tuple[str, str, str, str], Route] = {}  # (version, source, template, method)
        self._by_path: dict[tuple[str, str, str], tuple[Route | None, dict[str, str], bool]] = {}

    def answer(self, call: Call, version: str, operation: Operation, params: dict[str, str]) -> Any:
        """What the operation answers ``call``: the subclass knows."""
        raise NotImplementedError

    def route(self, version: str, method: str, path: str) -> tuple[Route | None, dict[str, str], bool]:
        """The operation for ``method path``, its parameters, and whether another method would fit.

        Remembered per path (the documents never change), so a loop over the same paths looks each up
        once; the memory is emptied when it holds :data:`REMEMBERED_PATHS`.
        """
        key = (version, method, path)
        found = self._by_path.get(key)
        if found is None:
            if len(self._by_path) >= REMEMBERED_PATHS:
                self._by_path.clear()
            found = self._by_path[key] = self._lookup(version, method, path)
        route, params, other_method = found
        return route, dict(params), other_method

    def _lookup(self, version: str, method: str, path: str) -> tuple[Route | None, dict[str, str], bool]:
        document = self.store.document_for(version, path)
        if document is None:
            return None, {}, False
        hits = document.match(path)
        for template, params in hits:
            operation = document.operation(template, method)
            if operation is not None:
                key = (version, document.source, template, method)
                route = self._routes.get(key)
                if route is None:  # made once per operation: requests only look it up
                    route = self._routes[key] = self._route_of(version, operation)
                return route, params, False
        return None, {}, bool(hits)

    def _route_of(self, version: str, operation: Operation) -> Route:
        def handler(call: Call, **values: str) -> Any:
            return self.answer(call, version, operation, values)

        auth = "none" if operation.no_authentication else "signed"
        return Route(operation.method, operation.path, operation.segments, handler, auth, False)
