"""The request journal: what the sandbox received, so tests can assert what a run sent (or did not)."""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path
from typing import Any

WRITE_METHODS = ("POST", "PUT", "DELETE", "PATCH")
# request headers worth recording; the consumer key and the signature are secrets and never recorded
RECORDED_HEADERS = (
    "X-Ovh-Application",
    "X-Ovh-Timestamp",
    "X-Ovh-Batch",
    "X-Pagination-Mode",
    "X-Pagination-Size",
    "X-Pagination-Number",
    "X-Pagination-Filter",
    "X-Pagination-Sort",
    "X-Pagination-Sort-Order",
    "X-Pagination-Cursor",
)


class Journal:
    """A thread-safe list of request entries, optionally mirrored to a JSON-lines file."""

    def __init__(self, path: str | os.PathLike[str] | None = None) -> None:
        self.entries: list[dict[str, Any]] = []
        self.path = Path(path) if path else None
        self._lock = threading.Lock()
        # opened now so that a bad path fails at start-up, not inside a server thread
        self._file: Any = self.path.open("a", encoding="utf-8") if self.path else None

    def record(self, entry: dict[str, Any]) -> None:
        with self._lock:
            self.entries.append(entry)
            if self.path is not None:
                if self._file is None:  # opened on first use, and again after a stop and restart
                    self._file = self.path.open("a", encoding="utf-8")
                self._file.write(json.dumps(entry, separators=(",", ":"), default=str) + "\n")
                self._file.flush()

    def writes(self) -> list[dict[str, Any]]:
        with self._lock:
            return [entry for entry in self.entries if entry["method"] in WRITE_METHODS]

    def close(self) -> None:
        """Close the file; a later entry reopens it (a sandbox can be stopped and started again)."""
        with self._lock:
            if self._file is not None:
                self._file.close()
                self._file = None


_RECORDED = {name.lower(): name for name in RECORDED_HEADERS}


def recorded_headers(headers: Any) -> dict[str, str]:
    """The headers worth journaling, under their usual spelling (``headers`` is keyed by lower-case name)."""
    return {_RECORDED[name]: value for name, value in headers.items() if name in _RECORDED}
