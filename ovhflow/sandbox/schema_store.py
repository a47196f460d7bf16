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
from pathlib import Path

from ovhflow.apischema.document import INDEX_FILE, ApiDocument, segments

logger = logging.getLogger("ovhflow.sandbox")

VERSIONS = ("v1", "v2")


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
        parts = segments(path)
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
