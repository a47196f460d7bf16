"""One API document (``v1/dedicated/server.json``) as operations: what the schema checks hold a request
to and what the sandbox answers from.

A document lists path templates (``/dedicated/server/{serviceName}/task``), each with operations (one per
HTTP method) that declare parameters, a response type and their status (deprecated, deleted). Templates
are indexed segment by segment, so finding those a concrete path fits costs a few dictionary lookups
whatever the size of the document.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

from ovhflow.apischema.types import as_bool

HTTP_METHODS = ("GET", "POST", "PUT", "DELETE", "PATCH")
INDEX_FILE = "_index.json"  # a schema folder's root listing of the APIs of one version


def normalize_path(path: str) -> str:
    """A path as documents key it: no query, no trailing slash, no ``/1.0``/``/v1`` prefix."""
    path = path.split("?", 1)[0]
    if not path.startswith("/"):
        path = "/" + path
    for prefix in ("/1.0", "/v1"):
        if path == prefix or path.startswith(prefix + "/"):
            path = path[len(prefix) :] or "/"
    if len(path) > 1:
        path = path.rstrip("/")
    return path


def segments(path: str) -> list[str]:
    """``/ip/{ip}/reverse`` -> ``["ip", "{ip}", "reverse"]`` (empty segments dropped)."""
    return [part for part in path.split("/") if part]


def is_param(segment: str) -> bool:
    """``{serviceName}``: a template's parameter (a recipe's ``{{ template }}`` is not one)."""
    return segment[:1] == "{" and segment[-1:] == "}" and segment[1:2] not in ("{", "%")


def concrete(template: tuple[str, ...] | list[str], params: Mapping[str, str]) -> str:
    """The path a template's segments name once each ``{param}`` is replaced by its value."""
    return "/" + "/".join(params[s[1:-1]] if is_param(s) else s for s in template)


@dataclass(frozen=True)
class Parameter:
    """One operation parameter; a body parameter without a name is the whole body (a model)."""

    name: str | None
    data_type: str
    param_type: str  # path, query, body or header
    required: bool
    description: str = ""


@dataclass(frozen=True)
class Operation:
    """One HTTP method on one path template, with what a caller must know to use it correctly."""

    method: str
    path: str  # the template as callers address it (``/v2/iam/policy`` where the catalog prefixes v2)
    parameters: tuple[Parameter, ...]
    no_authentication: bool
    response_type: str
    status: str
    deprecated_date: str | None
    deletion_date: str | None
    replacement: str | None
    document: ApiDocument = field(repr=False, compare=False)

    @property
    def segments(self) -> tuple[str, ...]:
        return self.document.template_segments[self.path]

    @property
    def models(self) -> Mapping[str, Any]:
        return self.document.models

    @property
    def source(self) -> str:
        return self.document.source

    def params_of(self, param_type: str) -> list[Parameter]:
        return [p for p in self.parameters if p.param_type == param_type]

    def param_type(self, name: str) -> str:
        """The declared type of a path parameter (``string`` when the document does not say)."""
        for param in self.parameters:
            if param.param_type == "path" and param.name == name:
                return param.data_type or "string"
        return "string"

    @property
    def query_params(self) -> dict[str, Parameter]:
        return {p.name: p for p in self.params_of("query") if p.name}

    @property
    def body_model(self) -> str | None:
        """The type of the whole body, for operations that take one object rather than flat fields."""
        for param in self.params_of("body"):
            if not param.name:
                return param.data_type
        return None

    @property
    def flat_body_params(self) -> dict[str, Parameter]:
        """Named body parameters: the older style, where each body field is its own parameter."""
        return {p.name: p for p in self.params_of("body") if p.name}

    @property
    def deprecated(self) -> bool:
        return self.status == "DEPRECATED"


class _Node:
    """One level of the template index: literal segments by value, and the ``{param}`` branch."""

    __slots__ = ("literal", "param", "ends")

    def __init__(self) -> None:
        self.literal: dict[str, _Node] = {}
        self.param: _Node | None = None
        self.ends: list[int] = []  # the templates (by number) that end here


class ApiDocument:
    """The operations and models of one document, templates indexed segment by segment for matching.

    ``prefix`` goes before every template (``/v2`` for a v2 document in the schema checks' catalog,
    which addresses v2 paths as recipes do; nothing in the sandbox, which routes by version first).
    """

    def __init__(self, source: str, document: Mapping[str, Any], prefix: str = "") -> None:
        self.source = source  # "v1/vps.json": also how the request checker names it
        self.raw = document
        self.models: Mapping[str, Any] = document.get("models") or {}
        self.operations: dict[str, dict[str, Operation]] = {}
        self.template_segments: dict[str, tuple[str, ...]] = {}
        self._templates: list[str] = []
        self._root = _Node()
        self._items: dict[str, str | None] = {}
        for api in document.get("apis") or []:
            if not isinstance(api, Mapping):
                continue
            template = prefix + normalize_path(str(api.get("path") or "/"))
            methods = self._add_template(template)
            for raw in api.get("operations") or []:
                if isinstance(raw, Mapping):
                    operation = parse_operation(self, template, raw)
                    methods.setdefault(operation.method, operation)

    def _add_template(self, template: str) -> dict[str, Operation]:
        if template not in self.operations:
            parts = tuple(segments(template))
            self.template_segments[template] = parts
            node = self._root
            for part in parts:
                if is_param(part):
                    node.param = node.param or _Node()
                    node = node.param
                else:
                    node = node.literal.setdefault(part, _Node())
            node.ends.append(len(self._templates))
            self._templates.append(template)
            self.operations[template] = {}
        return self.operations[template]

    def match(self, path: str) -> list[tuple[str, dict[str, str]]]:
        """Templates a concrete path fits, most literal segments first, with the parameters' values."""
        parts = segments(path)
        found: list[tuple[int, int]] = []  # (-literal segments, template number)
        pending = [(self._root, 0, 0)]
        while pending:
            node, depth, literal = pending.pop()
            if depth == len(parts):
                found.extend((-literal, number) for number in node.ends)
                continue
            following = node.literal.get(parts[depth])
            if following is not None:
                pending.append((following, depth + 1, literal + 1))
            if node.param is not None:
                pending.append((node.param, depth + 1, literal))
        found.sort()
        matches = []
        for _, number in found:
            template = self._templates[number]
            pattern = self.template_segments[template]
            params = {p[1:-1]: unquote(part) for p, part in zip(pattern, parts, strict=True) if is_param(p)}
            matches.append((template, params))
        return matches

    def operation(self, template: str, method: str) -> Operation | None:
        return self.operations.get(template, {}).get(method.upper())

    def item_template(self, template: str) -> str | None:
        """``/vps/{serviceName}`` for ``/vps``: the template one ``{param}`` below, when it has a GET."""
        if template not in self._items:
            prefix = template.rstrip("/") + "/{"
            self._items[template] = next(
                (
                    candidate
                    for candidate, methods in self.operations.items()
                    if candidate.startswith(prefix)
                    and "/" not in candidate[len(prefix) :]
                    and "GET" in methods
                ),
                None,
            )
        return self._items[template]

    def under_item(self, template: str) -> Operation | None:
        """An operation below ``/email/exchange/{organizationName}`` when that item has no GET of its own."""
        prefix = template.rstrip("/") + "/{"
        for candidate, methods in self.operations.items():
            if candidate.startswith(prefix) and methods:
                return next(iter(methods.values()))
        return None


def parse_operation(document: ApiDocument, path: str, raw: Mapping[str, Any]) -> Operation:
    """One operation of ``document`` on template ``path``, from its JSON."""
    status = raw.get("apiStatus") or {}
    if not isinstance(status, Mapping):
        status = {"value": str(status)}
    params = tuple(
        Parameter(
            name=p.get("name") or None,
            data_type=str(p.get("dataType") or p.get("fullType") or ""),
            param_type=str(p.get("paramType") or ""),
            required=as_bool(p.get("required", False)),
            description=str(p.get("description") or ""),
        )
        for p in raw.get("parameters") or []
        if isinstance(p, Mapping)
    )
    return Operation(
        method=str(raw.get("httpMethod") or "GET").upper(),
        path=path,
        parameters=params,
        no_authentication=as_bool(raw.get("noAuthentication", False)),
        response_type=str(raw.get("responseType") or "void"),
        status=str(status.get("value") or "PRODUCTION").upper(),
        deprecated_date=status.get("deprecatedDate"),
        deletion_date=status.get("deletionDate"),
        replacement=status.get("replacement"),
        document=document,
    )
