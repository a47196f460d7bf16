"""Keeps secrets out of everything ovhflow prints or writes.

A :class:`Redactor` is told each secret value once (application secret, consumer key, tokens, inputs
declared ``secret: true``) and replaces them in any text before it reaches a log, a report or an error.
"""

from __future__ import annotations

import threading
from typing import Any

MASK = "***"
_MIN_SECRET_LENGTH = 4  # shorter values would mask ordinary words


class Redactor:
    """Replaces known secret values with ``***`` in text and in JSON-like structures."""

    def __init__(self) -> None:
        self._secrets: set[str] = set()
        self._lock = threading.Lock()

    def add(self, secret: Any) -> None:
        """Remember ``secret`` (ignored when empty or too short to be a real secret)."""
        if secret is None:
            return
        text = str(secret)
        if len(text) >= _MIN_SECRET_LENGTH:
            with self._lock:
                self._secrets.add(text)

    def text(self, text: str) -> str:
        """Return ``text`` with every known secret masked, longest first."""
        for secret in sorted(self._secrets, key=len, reverse=True):
            if secret in text:
                text = text.replace(secret, MASK)
        return text

    def data(self, value: Any) -> Any:
        """Return a copy of a JSON-like ``value`` with secrets masked in every string."""
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, dict):
            return {self.text(str(k)): self.data(v) for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            return [self.data(v) for v in value]
        return value
