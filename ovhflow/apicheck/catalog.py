"""An index of OVH API operations, built from the schema documents OVH publishes.

OVH describes each API in one JSON document (``/1.0/me.json``, ``/v2/iam.json``, ...). The catalog
loads any number of them and answers two questions the checkers ask: which operations does a
path lead to, and which paths come close when it leads nowhere. v1 paths are kept as OVH writes them
(``/me/bill``); v2 paths get their ``/v2`` prefix, the way recipes and the client address them.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

from ovhflow.apicheck.paths import gapped_distance, is_template, literal_hits, path_distance, split_path
from ovhflow.apischema.document import INDEX_FILE, ApiDocument, Operation, is_param, normalize_path
from ovhflow.errors import ConfigError

CLOSE_ENOUGH = 0.15  # suggestions this much farther than the closest one are still shown


class Catalog:
    """Operations indexed by path template and method, with the models their documents define."""

    def __init__(self, documents: Iterable[tuple[str, Mapping[str, Any]]] = ()) -> None:
        self.paths: dict[str, dict[str, Operation]] = {}
        self.models: dict[str, Any] = {}
        self.sources: list[str] = []
        self.loaded_apis: set[str] = set()  # resource paths of the documents loaded ("/me", "/v2/iam")
        self.listed_apis: set[str] = set()  # resource paths named by root listings, loaded or not
        self._segments: dict[str, list[str]] = {}
        self._shapes: dict[tuple[int, str | None], list[tuple[str, list[str]]]] = {}  # by length, head
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
        self.add_api_document(ApiDocument(source, document, prefix))

    def add_api_document(self, document: ApiDocument) -> None:
        """Add a document already parsed (the sandbox's, for its strict checks)."""
        for name, model in document.models.items():
            self.models.setdefault(name, model)
        self.sources.append(document.source)
        if document.raw.get("resourcePath"):
            prefix = "/v2" if is_v2(document.source, document.raw) else ""
            self.loaded_apis.add(prefix + normalize_path(str(document.raw["resourcePath"])))
        for path, methods in document.operations.items():
            operations = self.paths.setdefault(path, {})
            if path not in self._segments:
                segments = self._segments[path] = list(document.template_segments[path])
                head = None if not segments or is_param(segments[0]) else segments[0]
                self._shapes.setdefault((len(segments), head), []).append((path, segments))
            for method, operation in methods.items():
                operations.setdefault(method, operation)

    def __len__(self) -> int:
        return sum(len(ops) for ops in self.paths.values())

    def match(self, path: str) -> list[str]:
        """Path templates a recipe path (``{{ }}`` segments) or a concrete request path leads to.

        A templated segment stands for a ``{param}`` segment only; a literal one must equal the
        template's literal, or fill a ``{param}``. Templates with more literal segments in common come
        first, as the API routes them.
        """
        return self._match(split_path(normalize_path(path)))

    def templates_for_fixed_words(self, path: str) -> list[str]:
        """Paths a recipe path would lead to if its templated segments could stand for fixed words."""
        return self._match(split_path(normalize_path(path)), loose=True)

    def _match(self, wanted: list[str], loose: bool = False) -> list[str]:
        scored = []
        for template, segments in self._candidates(wanted):
            hits = literal_hits(segments, wanted, loose)
            if hits is not None:
                scored.append((-hits, template))
        scored.sort()
        return [template for score, template in scored if score == scored[0][0]]

    def _candidates(self, wanted: list[str]) -> list[tuple[str, list[str]]]:
        """The templates of ``wanted``'s length that can share its first segment."""
        if not wanted or is_template(wanted[0]):
            return self._of_length(len(wanted))
        return self._shapes.get((len(wanted), wanted[0]), []) + self._shapes.get((len(wanted), None), [])

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

    def _of_length(self, length: int) -> list[tuple[str, list[str]]]:
        return [entry for key, entries in self._shapes.items() if key[0] == length for entry in entries]

    def suggest_paths(self, path: str, limit: int = 3) -> list[str]:
        """Known paths closest to a path that leads nowhere, for a "did you mean".

        Paths of the same length are compared segment by segment (a templated segment only where the
        schema has a ``{param}``; at most two near-miss literals), so ``/domain/zone/example.com/recordz``
        finds ``/domain/zone/{zoneName}/record``. Failing that, paths with one segment more or less. No hint
        when many paths are as close.
        """
        wanted = split_path(normalize_path(path))
        scored = [
            (d, t)
            for t, segs in self._of_length(len(wanted))
            if (d := path_distance(segs, wanted)) is not None
        ]
        if not scored:
            around = self._of_length(len(wanted) - 1) + self._of_length(len(wanted) + 1)
            scored = [(d, t) for t, segs in around if (d := gapped_distance(segs, wanted)) is not None]
        scored.sort()
        close = [t for d, t in scored if d <= scored[0][0] + CLOSE_ENOUGH]
        return close[:limit] if len(close) <= 2 * limit else []  # many as close: none is a real hint


def is_v2(source: str, document: Mapping[str, Any]) -> bool:
    base = str(document.get("basePath") or "").rstrip("/")
    if base:
        return base.endswith("/v2")
    return Path(source).parts[:1] == ("v2",)
