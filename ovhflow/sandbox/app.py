"""The request pipeline: journal, faults, schema documents, authentication, routing, batch and expand.

:meth:`SandboxApp.handle` turns one HTTP request into ``(status, headers, body)`` (or ``None`` to drop
the connection); the HTTP server in :mod:`ovhflow.sandbox.server` only moves bytes.
"""

from __future__ import annotations

import itertools
import json
import logging
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

from ovhflow.sandbox import (
    routes_auth,
    routes_dedicated,
    routes_domain,
    routes_email,
    routes_iam,
    routes_me,
    routes_services,
)
from ovhflow.sandbox.api import ApiError, Call, Reply, bad_request, not_found
from ovhflow.sandbox.auth import check_signed_call, now_iso
from ovhflow.sandbox.faults import Faults
from ovhflow.sandbox.generated import GeneratedApi
from ovhflow.sandbox.journal import Journal, recorded_headers
from ovhflow.sandbox.listing import EXPAND_MODE, batch_items, batch_paths, expanded_page
from ovhflow.sandbox.router import Route, Router
from ovhflow.sandbox.schema_store import SchemaStore
from ovhflow.sandbox.schemas import SchemaFolder

logger = logging.getLogger("ovhflow.sandbox")

Answer = tuple[int, list[tuple[str, str]], bytes]
NO_SCHEMAS_HINT = (
    "this sandbox has no API schemas, so it serves only /me, /dedicated/server, /domain/zone, "
    "/email/domain, /auth and /v2/iam: run 'ovhflow schemas pull' (or give --schemas DIR) to serve every API"
)
VERSION_ROOTS = {"1.0": "v1", "v1": "v1", "v2": "v2"}
_INVALID_JSON = object()


@dataclass
class Options:
    """Behaviour switches that handlers and the pipeline read; tests may change them while running."""

    batch: bool = True
    expand: bool = True
    clock_skew: int = 0


def _encode(data: Any) -> bytes:
    return json.dumps(data, separators=(",", ":"), ensure_ascii=False).encode()


def _split_version(path: str) -> tuple[str | None, str]:
    """``/1.0/me/`` -> ("v1", "/me"); trailing slashes are tolerated; ("v1", "/") for the root."""
    head, _, rest = path[1:].partition("/")
    version = VERSION_ROOTS.get(head) if path.startswith("/") else None
    if version is None:
        return None, path
    return version, "/" + rest.rstrip("/")


@dataclass
class Incoming:
    """One API request on its way through the pipeline."""

    method: str
    version: str  # "v1" or "v2"
    api_path: str  # without the version root: "/me"
    target: str  # path and query exactly as received, for the signature
    headers: Any
    body: bytes
    decoded: Any  # the JSON body, or None
    entry: dict[str, Any]  # its journal entry
    client: str  # the peer's address


class SandboxApp:
    """One sandbox's behaviour; safe to call from many server threads at once."""

    def __init__(
        self,
        state: dict[str, Any],
        options: Options,
        faults: Faults,
        journal: Journal,
        schema_dir: str | Path | None = None,
        strict: bool = False,
    ) -> None:
        self.state = state
        self.options = options
        self.faults = faults
        self.journal = journal
        self.schemas = SchemaFolder(schema_dir) if schema_dir else None
        self.generated: GeneratedApi | None = None
        self.checker: Callable[[str, str, dict, Any], list[str]] | None = None
        self.lock = threading.RLock()
        self.routers = {"v1": Router(), "v2": Router()}
        for module in (
            routes_auth,
            routes_me,
            routes_dedicated,
            routes_email,
            routes_domain,
            routes_services,
        ):
            module.register(self.routers["v1"])
        routes_iam.register(self.routers["v2"])
        if schema_dir:
            store = SchemaStore(schema_dir)
            self.generated = GeneratedApi(store, state, self._handwritten_get)
            if strict:
                from ovhflow.sandbox.strict import make_lazy_checker  # lazy: start-up (--strict only)

                self.checker = make_lazy_checker(store)
        self._query_ids = itertools.count(1)
        self._boot = f"{os.getpid():x}.{int(time.time()) & 0xFFFFF:x}"

    def new_query_id(self) -> str:
        """A unique id per answer, shaped like OVH's ``X-OVH-QueryID``."""
        return f"EU.ext-sandbox.{self._boot}.{next(self._query_ids)}"

    def handle(self, method: str, target: str, headers: Any, body: bytes, client: str = "") -> Answer | None:
        """Answer one request; ``None`` means drop the connection without answering (a fault)."""
        query_id = self.new_query_id()
        path, _, raw_query = target.partition("?")
        version, api_path = _split_version(path)
        entry: dict[str, Any] = {
            "method": method,
            "path": api_path if version == "v1" else ("/v2" + api_path if version else path),
            "query": dict(parse_qsl(raw_query, keep_blank_values=True)) if raw_query else {},
            "body": None,
            "status": None,
            "time": time.time(),
            "headers": recorded_headers(headers),
            "queryId": query_id,
        }
        try:
            try:
                decoded = json.loads(body) if body else None
                entry["body"] = decoded
            except ValueError:
                entry["body"] = body.decode("utf-8", "replace")
                decoded = _INVALID_JSON  # answered below, once the faults had their say
            if version is None:
                reply = self._outside_api(method, path, entry["query"])
                if "credentialToken" in entry["query"]:  # the link grants access: not for the journal
                    entry["query"] = {**entry["query"], "credentialToken": "<redacted>"}
            else:
                if self.faults.should_drop():
                    entry["dropped"] = True
                    self.journal.record(entry)
                    return None
                self.faults.check_rate_limit()
                self.faults.delay()
                self.faults.check_server_error()
                if decoded is _INVALID_JSON:
                    raise bad_request("The request body is not valid JSON")
                reply = self._api(
                    Incoming(method, version, api_path, target, headers, body, decoded, entry, client)
                )
        except ApiError as error:
            reply = Reply(error.body, status=error.status, headers=error.headers)
        except Exception:
            logger.exception("sandbox bug while answering %s %s", method, path)
            reply = Reply(
                {"class": "Server::InternalServerError", "message": "Internal server error"}, status=500
            )
        entry["status"] = reply.status
        self.journal.record(entry)
        payload = (
            reply.raw if reply.raw is not None else (b"" if reply.status == 304 else _encode(reply.data))
        )
        answer_headers = [("Content-Type", reply.content_type), ("X-OVH-QueryID", query_id)]
        answer_headers.extend(reply.headers.items())
        return reply.status, answer_headers, payload

    def _outside_api(self, method: str, path: str, query: dict[str, str]) -> Reply:
        if method == "GET" and path.rstrip("/") == routes_auth.VALIDATION_PATH:
            with self.lock:
                status, page = routes_auth.validation_page(self.state, query.get("credentialToken", ""))
            return Reply(None, status=status, raw=page.encode(), content_type="text/html; charset=utf-8")
        raise not_found("Got an invalid (or empty) URL")

    def _api(self, request: Incoming) -> Reply:
        headers, method, version = request.headers, request.method, request.version
        if self.schemas is not None and method == "GET" and request.api_path.endswith((".json", "/")):
            return self.schemas.reply(version, request.api_path, headers)
        separator = headers.get("X-Ovh-Batch") if method == "GET" else None
        if separator is not None:
            if not self.options.batch or not separator:
                raise bad_request("Batch mode (X-Ovh-Batch) is not available on this call")
            keys, paths = batch_paths(request.api_path, separator)
        else:
            keys, paths = [], [request.api_path]
        route, params, other_method = self._match(version, method, paths[0])
        if route is None:
            if other_method:
                message = f"Method {method} is not allowed on {request.entry['path']}"
                raise ApiError(405, {"class": "Client::MethodNotAllowed", "message": message})
            hint = f" ({NO_SCHEMAS_HINT})" if self.generated is None else ""
            raise not_found("Got an invalid (or empty) URL" + hint)
        mode = headers.get("X-Pagination-Mode") if version == "v1" else None
        if mode is not None and (mode != EXPAND_MODE or not self.options.expand or method != "GET"):
            raise bad_request(f"X-Pagination-Mode {mode!r} is not available on this call")
        host = headers.get("Host") or "127.0.0.1"
        credential = self._authenticate(request, route, paths, host) if route.auth == "signed" else None
        if self.checker is not None:
            problems = self.checker(method, request.entry["path"], request.entry["query"], request.decoded)
            if problems:
                raise bad_request("; ".join(problems))
        call = Call(
            method,
            request.api_path,
            request.entry["query"],
            request.decoded,
            headers,
            self.state,
            "http://" + host,
            credential,
            self.options,
            self.lock,
        )

        def fetch(object_path: str) -> Any:
            found, found_params, _ = self._match(version, "GET", object_path)
            if found is None:
                raise bad_request("This call cannot be batched or expanded")
            return found.handler(call, **found_params)

        with self.lock:
            if separator is not None:
                reply = Reply(batch_items(keys, paths, fetch))
            elif mode is not None:
                reply = expanded_page(route.handler(call, **params), request.api_path, headers, fetch)
            else:
                result = route.handler(call, **params)
                reply = result if isinstance(result, Reply) else Reply(result)
            if reply.raw is None:  # encoded under the lock: the data may be live account state
                reply.raw = _encode(reply.data)
        return reply

    def _match(self, version: str, method: str, path: str) -> tuple[Route | None, dict[str, str], bool]:
        """The hand-written route for ``method path``, else the schema documents' operation."""
        route, params, other_method = self.routers[version].match(method, path)
        if route is not None and route.literals == len(route.segments):
            return route, params, False  # all literal: no schema template can fit better
        if self.generated is not None:
            found, found_params, other_generated = self.generated.route(version, method, path)
            if found is not None and (route is None or found.literals > route.literals):
                return found, found_params, False  # /dedicated/server/log before .../{serviceName}
            other_method = other_method or other_generated
        return route, params, other_method

    def _handwritten_get(self, version: str, path: str) -> tuple[Route | None, dict[str, str]]:
        route, params, _ = self.routers[version].match("GET", path)
        return route, params

    def _authenticate(self, request: Incoming, route: Route, paths: list[str], host: str) -> dict[str, Any]:
        rule_paths: tuple[tuple[str, ...], ...] | None = None
        if not route.any_credential:  # every batched path must be allowed; v2 rules with or without /v2
            v2 = request.version != "v1"
            rule_paths = tuple((path, "/v2" + path) if v2 else (path,) for path in paths)
        server_time = int(time.time()) + self.options.clock_skew
        url = b"http://" + host.encode("latin-1") + request.target.encode("latin-1")
        credential = check_signed_call(
            self.state,
            request.headers,
            request.method,
            url,
            request.body,
            server_time,
            rule_paths,
            request.client,
        )
        credential["lastUse"] = now_iso()
        return credential
