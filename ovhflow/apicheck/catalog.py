"""An index of OVH API operations, built from the schema documents OVH publishes.

OVH describes each API in one JSON document (``/1.0/me.json``, ``/v2/iam.json``, ...). The catalog
loads any number of them and answers two questions the checkers ask: which operations does a
path lead to, and which paths come close when it leads nowhere. v1 paths are kept as OVH writes them
(``/me/bill``); v2 paths get their ``/v2`` prefix, the way recipes and the client address them.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ovhflow.errors import ConfigError

HTTP_METHODS = ("GET", "POST", "PUT", "DELETE", "PATCH")
INDEX_FILE = "_index.json"


def as_bool(value: Any) -> bool:
    """A schema flag: older documents write 0/1 (or "0"/"1") where newer ones write false/true."""
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "yes")
    return bool(value)


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
    """One HTTP method on one path, with what a caller must know to use it correctly."""

    method: str
    path: str
    parameters: tuple[Parameter, ...]
    no_authentication: bool
    status: str
    deprecated_date: str | None
    deletion_date: str | None
    replacement: str | None
    models: Mapping[str, Any] = field(repr=False, compare=False)
    source: str = ""

    def params_of(self, param_type: str) -> list[Parameter]:
        return [p for p in self.parameters if p.param_type == param_type]

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


def split_path(path: str) -> list[str]:
    """Segments of a path, splitting on ``/`` outside ``{{ }}`` so a template stays one segment."""
    segments: list[str] = []
    current: list[str] = []
    depth = 0
    i = 0
    while i < len(path):
        pair = path[i : i + 2]
        if pair in ("{{", "{%"):
            depth += 1
            current.append(pair)
            i += 2
            continue
        if pair in ("}}", "%}") and depth:
            depth -= 1
            current.append(pair)
            i += 2
            continue
        char = path[i]
        if char == "/" and not depth:
            segments.append("".join(current))
            current = []
        else:
            current.append(char)
        i += 1
    segments.append("".join(current))
    return [s for s in segments if s != ""]


def is_template(segment: str) -> bool:
    return "{{" in segment or "{%" in segment


def is_param(segment: str) -> bool:
    return segment.startswith("{") and segment.endswith("}") and not is_template(segment)


def normalize_path(path: str) -> str:
    """The catalog key for a path as a caller writes it: no query, no trailing slash, no ``/1.0``/``/v1``."""
    path = path.split("?", 1)[0]
    if not path.startswith("/"):
        path = "/" + path
    for prefix in ("/1.0", "/v1"):
        if path == prefix or path.startswith(prefix + "/"):
            path = path[len(prefix) :] or "/"
    if len(path) > 1:
        path = path.rstrip("/")
    return path


class Catalog:
    """Operations indexed by path template and method, with the models their documents define."""

    def __init__(self, documents: Iterable[tuple[str, Mapping[str, Any]]] = ()) -> None:
        self.paths: dict[str, dict[str, Operation]] = {}
        self.models: dict[str, Any] = {}
        self.sources: list[str] = []
        self.loaded_apis: set[str] = set()  # resource paths of the documents loaded ("/me", "/v2/iam")
        self.listed_apis: set[str] = set()  # resource paths named by root listings, loaded or not
        self._segments: dict[str, list[str]] = {}
        for source, document in documents:
            self.add_document(source, document)

    @classmethod
    def from_dir(cls, folder: str | Path, wanted: Callable[[str], bool] | None = None) -> Catalog:
        """Load the schema documents under ``folder`` (any depth) and the root listings (``_index.json``).

        ``wanted`` gets each document's path relative to ``folder`` (``v1/dedicated/server.json``) and
        says whether to load it: parsing only the APIs a recipe uses keeps a run's start-up short.
        """
        root = Path(folder)
        if not root.is_dir():
            raise ConfigError(f"schema folder not found: {root}")
        catalog = cls()
        for file in sorted(root.rglob("*.json")):
            relative = file.relative_to(root).as_posix()
            if file.name.startswith(".") or (file.name != INDEX_FILE and wanted and not wanted(relative)):
                continue
            try:
                document = json.loads(file.read_text(encoding="utf-8"))
            except (OSError, ValueError) as error:
                raise ConfigError(f"{file}: not a readable schema document: {error}") from error
            if not isinstance(document, dict) or not isinstance(document.get("apis"), list):
                continue
            source = relative
            if file.name == INDEX_FILE:
                catalog.add_listing(source, document)
            else:
                catalog.add_document(source, document)
        if not catalog.sources:
            raise ConfigError(f"no API schema documents in {root}")
        return catalog

    def add_listing(self, source: str, listing: Mapping[str, Any]) -> None:
        """Remember which APIs a root listing names, to tell "unknown path" from "schema not loaded"."""
        prefix = "/v2" if is_v2(source, listing) else ""
        for api in listing.get("apis") or []:
            if isinstance(api, Mapping) and api.get("path"):
                self.listed_apis.add(prefix + normalize_path(str(api["path"])))

    def add_document(self, source: str, document: Mapping[str, Any]) -> None:
        prefix = "/v2" if is_v2(source, document) else ""
        models = document.get("models") or {}
        for name, model in models.items():
            self.models.setdefault(name, model)
        self.sources.append(source)
        if document.get("resourcePath"):
            self.loaded_apis.add(prefix + normalize_path(str(document["resourcePath"])))
        for api in document.get("apis") or []:
            path = prefix + normalize_path(api.get("path", "/"))
            operations = self.paths.setdefault(path, {})
            self._segments[path] = split_path(path)
            for raw in api.get("operations") or []:
                operation = parse_operation(path, raw, models, source)
                operations.setdefault(operation.method, operation)

    def __len__(self) -> int:
        return sum(len(ops) for ops in self.paths.values())

    def match(self, path: str) -> list[str]:
        """Path templates a recipe path (``{{ }}`` segments) or a concrete request path can lead to.

        A templated segment stands for a ``{param}`` segment; a literal one must equal the template's
        literal, or fill a ``{param}``. Templates with more literal segments in common come first, as the
        API routes them. If a template segment matches nothing that way, literals are tried for it too,
        because a template may render to a literal word.
        """
        wanted = split_path(normalize_path(path))
        found = self._match(wanted, template_fills_literal=False)
        if not found:
            found = self._match(wanted, template_fills_literal=True)
        return found

    def _match(self, wanted: list[str], template_fills_literal: bool) -> list[str]:
        scored = []
        for template, segments in self._segments.items():
            if len(segments) != len(wanted):
                continue
            literal_hits = 0
            for have, want in zip(segments, wanted, strict=True):
                if is_template(want):
                    if is_param(have) or template_fills_literal:
                        continue
                    break
                if have == want:
                    literal_hits += 1
                elif not is_param(have):
                    break
            else:
                scored.append((-literal_hits, template))
        scored.sort()
        if not scored:
            return []
        best = scored[0][0]
        return [template for score, template in scored if score == best]

    def unloaded_api(self, path: str) -> str | None:
        """The listed API a path belongs to when its document was not loaded (so it cannot be checked)."""
        path = normalize_path(path)

        def owner(apis: set[str]) -> str | None:
            hits = [api for api in apis if path == api or path.startswith(api.rstrip("/") + "/")]
            return max(hits, key=len) if hits else None

        listed, loaded = owner(self.listed_apis), owner(self.loaded_apis)
        if listed and (loaded is None or len(listed) > len(loaded)):
            return listed
        return None

    def operation(self, template: str, method: str) -> Operation | None:
        return self.paths.get(template, {}).get(method.upper())

    def suggest_paths(self, path: str, limit: int = 3) -> list[str]:
        """Known paths closest to a recipe path, comparing with templates written as ``{}``."""
        wanted = "/".join("{}" if is_template(s) else s for s in split_path(normalize_path(path)))
        keyed = {"/".join("{}" if is_param(s) else s for s in segs): t for t, segs in self._segments.items()}
        close = difflib.get_close_matches(wanted, list(keyed), n=limit, cutoff=0.75)
        return [keyed[c] for c in close]


def is_v2(source: str, document: Mapping[str, Any]) -> bool:
    base = str(document.get("basePath") or "").rstrip("/")
    if base:
        return base.endswith("/v2")
    return Path(source).parts[:1] == ("v2",)


def parse_operation(path: str, raw: Mapping[str, Any], models: Mapping[str, Any], source: str) -> Operation:
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
    )
    return Operation(
        method=str(raw.get("httpMethod", "GET")).upper(),
        path=path,
        parameters=params,
        no_authentication=as_bool(raw.get("noAuthentication", False)),
        status=str(status.get("value") or "PRODUCTION").upper(),
        deprecated_date=status.get("deprecatedDate"),
        deletion_date=status.get("deletionDate"),
        replacement=status.get("replacement"),
        models=models,
        source=source,
    )
