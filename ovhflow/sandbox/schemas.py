"""Serving OVH's published schema documents from a folder: ``/1.0/{api}.json``, ``/v2/{api}.json`` and roots.

The folder is laid out as the API serves them (``v1/_index.json``, ``v1/dedicated/server.json``,
``v2/iam.json``). Answers carry ``ETag`` and ``Last-Modified`` and honour conditional requests, so a
schema cache can be tested end to end.
"""

from __future__ import annotations

import email.utils
import hashlib
import os
import threading
from collections.abc import Mapping
from pathlib import Path

from ovhflow.sandbox.api import ApiError, Reply, not_found


class SchemaFolder:
    """Documents read once from disk and kept in memory with their validators."""

    def __init__(self, folder: str | os.PathLike[str]) -> None:
        self.folder = Path(folder)
        self._cache: dict[Path, tuple[bytes, str, str]] = {}
        self._lock = threading.Lock()

    def _load(self, file: Path) -> tuple[bytes, str, str] | None:
        with self._lock:
            if file not in self._cache:
                if not file.is_file():
                    return None
                content = file.read_bytes()
                etag = '"' + hashlib.sha1(content).hexdigest() + '"'
                modified = email.utils.formatdate(file.stat().st_mtime, usegmt=True)
                self._cache[file] = (content, etag, modified)
            return self._cache[file]

    def reply(self, version: str, api_path: str, headers: Mapping[str, str]) -> Reply:
        """The document for ``api_path`` ("/" for the root listing, else "/dedicated/server.json")."""
        relative = "_index.json" if api_path in ("", "/") else api_path.lstrip("/")
        file = (self.folder / version / relative).resolve()
        if self.folder.resolve() not in file.parents:
            raise not_found("No such schema document")
        loaded = self._load(file)
        if loaded is None:
            raise not_found(f"No schema document for {api_path}")
        content, etag, modified = loaded
        validators = {"ETag": etag, "Last-Modified": modified, "Cache-Control": "no-cache"}
        if headers.get("If-None-Match") == etag or (
            headers.get("If-None-Match") is None and headers.get("If-Modified-Since") == modified
        ):
            raise ApiError(304, {}, validators)
        return Reply(None, headers=validators, raw=content)
