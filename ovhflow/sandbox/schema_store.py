"""OVH's API documents as the sandbox uses them: found at start-up by file name, parsed on first use.

A folder laid out as the API serves its documents (``v1/vps.json``, ``v1/dedicated/server.json``,
``v2/iam.json``; what ``ovhflow schemas pull`` caches) is indexed by resource path when the sandbox
starts, which costs a directory listing. A document is read and indexed the first time a request
falls under its resource path, so a sandbox over all 69 v1 APIs starts as fast as one over none.
"""

from __future__ import annotations

import json
import logging
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote

logger = logging.getLogger("ovhflow.sandbox")

VERSIONS = ("v1", "v2")
INDEX_FILE = "_index.json"


@dataclass(frozen=True)
class Operation:
    """One method on one path template of a document, as the sandbox answers it."""

    method: str
    template: str
    segments: tuple[str, ...]
    response_type: str
    parameters: tuple[dict[str, Any], ...]
    no_authentication: bool
    document: ApiDocument = field(repr=False, compare=False)

    def param_type(self, name: str) -> str:
        """The declared type of a path parameter (``string`` when the document does not say)."""
        for param in self.parameters:
            if param.get("paramType") == "path" and param.get("name") == name:
                return str(param.get("dataType") or "string")
        return "string"


def _flag(value: Any) -> bool:
    return value in (True, 1, "1", "true")


def split(path: str) -> list[str]:
    """Segments of a path or template: ``/ip/{ip}/reverse`` -> ["ip", "{ip}", "reverse"]."""
    return [part for part in path.strip("/").split("/") if part] if path.strip("/") else []


def concrete(segments: tuple[str, ...], params: dict[str, str]) -> str:
    """The path ``segments`` name once each ``{param}`` is replaced by its value in ``params``."""
    return "/" + "/".join(params[s[1:-1]] if is_param(s) else s for s in segments)


def is_param(segment: str) -> bool:
    return segment.startswith("{") and segment.endswith("}")


class ApiDocument:
    """The operations and models of one API document, indexed by segment count for matching."""

    def __init__(self, source: str, document: dict[str, Any]) -> None:
        self.source = source  # "v1/vps.json": also how the request checker names it
        self.raw = document
        self.models: dict[str, Any] = document.get("models") or {}
        self.operations: dict[str, dict[str, Operation]] = {}
        self._by_length: dict[int, list[tuple[tuple[str, ...], str]]] = {}
        self._items: dict[str, str | None] = {}
        for api in document.get("apis") or []:
            template = "/" + "/".join(split(str(api.get("path") or "/")))
            segments = tuple(split(template))
            methods = self.operations.setdefault(template, {})
            if not methods:
                self._by_length.setdefault(len(segments), []).append((segments, template))
            for raw in api.get("operations") or []:
                method = str(raw.get("httpMethod") or "GET").upper()
                methods.setdefault(
                    method,
                    Operation(
                        method,
                        template,
                        segments,
                        str(raw.get("responseType") or "void"),
                        tuple(p for p in raw.get("parameters") or [] if isinstance(p, dict)),
                        _flag(raw.get("noAuthentication")),
                        self,
                    ),
                )

    def match(self, path: str) -> list[tuple[str, dict[str, str]]]:
        """Templates a concrete path fits, most literal segments first, with the parameters' values."""
        parts = split(path)
        found: list[tuple[int, str, dict[str, str]]] = []
        for segments, template in self._by_length.get(len(parts), ()):
            params: dict[str, str] = {}
            literal = 0
            for pattern, part in zip(segments, parts, strict=True):
                if is_param(pattern):
                    params[pattern[1:-1]] = unquote(part)
                elif pattern == part:
                    literal += 1
                else:
                    break
            else:
                found.append((-literal, template, params))
        found.sort(key=lambda hit: hit[0])
        return [(template, params) for _, template, params in found]

    def operation(self, template: str, method: str) -> Operation | None:
        return self.operations.get(template, {}).get(method)

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


class SchemaStore:
    """The documents of one folder: which exist is known at once, each is parsed when first needed."""

    def __init__(self, folder: str | Path) -> None:
        self.folder = Path(folder)
        self._files: dict[str, dict[str, Path]] = {version: {} for version in VERSIONS}
        for version in VERSIONS:
            root = self.folder / version
            if not root.is_dir():
                continue
            for file in root.rglob("*.json"):
                if file.name == INDEX_FILE or file.name.startswith("."):
                    continue
                resource = "/" + file.relative_to(root).as_posix().removesuffix(".json")
                self._files[version][resource] = file
        self._loaded: dict[Path, ApiDocument | None] = {}
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return sum(len(files) for files in self._files.values())

    def resources(self, version: str = "v1") -> list[str]:
        """The resource paths that have a document (``/vps``, ``/dedicated/server``), sorted."""
        return sorted(self._files.get(version, {}))

    def document_for(self, version: str, path: str) -> ApiDocument | None:
        """The document whose resource path is the longest prefix of ``path``, parsed on first use."""
        files = self._files.get(version) or {}
        parts = split(path)
        for length in range(len(parts), 0, -1):
            file = files.get("/" + "/".join(parts[:length]))
            if file is not None:
                return self._load(version, file)
        return None

    def _load(self, version: str, file: Path) -> ApiDocument | None:
        with self._lock:
            if file not in self._loaded:
                try:
                    raw = json.loads(file.read_text(encoding="utf-8"))
                except (OSError, ValueError) as error:
                    logger.warning("%s: not a readable API document (%s); its paths answer 404", file, error)
                    raw = None
                usable = isinstance(raw, dict) and isinstance(raw.get("apis"), list)
                source = f"{version}/{file.relative_to(self.folder / version).as_posix()}"
                self._loaded[file] = ApiDocument(source, raw) if usable else None
            return self._loaded[file]


def find_schema_dir(given: str | Path | None) -> Path | None:
    """The folder a CLI sandbox serves the whole API from: ``--schemas DIR``, else the schema cache.

    The cache is the folder ``ovhflow schemas pull`` fills for the configured endpoint (ovh-eu by
    default). None when neither exists: the sandbox then serves its hand-written families only.
    """
    if given:
        return Path(given)
    # lazy: the pull cache's modules (and requests) only when no folder was given
    from ovhflow.apicheck.cache import endpoint_folder
    from ovhflow.apicheck.commands import endpoint_url
    from ovhflow.errors import OvhflowError

    try:
        folder = endpoint_folder(endpoint_url(None))
    except OvhflowError:
        return None
    return folder if (folder / "v1").is_dir() else None
