"""Keeps secrets out of everything ovhflow prints or writes.

A :class:`Redactor` is told each secret value once (application secret, consumer key, tokens, inputs
declared ``secret: true``) and replaces them in any text before it reaches a log, a report or an error.
A secret may reach a message in another spelling than the one it was given in: percent-encoded in a path
or a query string, or escaped inside JSON; those spellings are masked too. Secrets that appear only later
(an OAuth2 token fetched on the first call) come from :meth:`Redactor.watch` sources, asked at each use.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import quote, quote_plus

MASK = "***"
_MIN_SECRET_LENGTH = 4  # shorter values would mask ordinary words


def _spellings(secret: str) -> set[str]:
    """The ways ``secret`` can appear in what ovhflow prints: as is, URL-encoded, JSON-escaped."""
    return {secret, quote(secret, safe=""), quote(secret), quote_plus(secret), json.dumps(secret)[1:-1]}


def _mask_signatures(text: str) -> str:
    """Request signatures, whoever quotes them; the client's module is loaded once it is needed (the
    wire format lives there, and the client's package is too heavy to import at start-up)."""
    if "$1$" not in text and "%241%24" not in text:
        return text
    from ovhflow.ovh.signing import mask_signatures  # lazy: the client's package loads requests

    return mask_signatures(text)


class Redactor:
    """Replaces known secret values with ``***`` in text and in JSON-like structures. Thread-safe."""

    def __init__(self) -> None:
        self._known: set[str] = set()  # every value given to add(), so a repeated one costs a lookup
        self._masked: list[str] = []  # their spellings, longest first (the order text() replaces them)
        self._sources: list[Callable[[], Iterable[str]]] = []
        self._lock = threading.Lock()

    def add(self, secret: Any) -> None:
        """Remember ``secret`` (ignored when empty or too short to be a real secret)."""
        if secret is None:
            return
        text = str(secret)
        if len(text) < _MIN_SECRET_LENGTH or text in self._known:
            return
        with self._lock:
            self._known.add(text)
            spellings = set(self._masked) | _spellings(text)
            self._masked = sorted(spellings, key=len, reverse=True)

    def watch(self, source: Callable[[], Iterable[str]]) -> None:
        """Also mask whatever ``source()`` returns when text is redacted (e.g. ``client.secret_values``)."""
        with self._lock:
            self._sources.append(source)

    def text(self, text: str) -> str:
        """Return ``text`` with every known secret masked, longest first."""
        for source in self._sources:
            for secret in source():
                self.add(secret)
        for secret in self._masked:  # a list replaced whole by add(), never changed in place
            if secret in text:
                text = text.replace(secret, MASK)
        return _mask_signatures(text)

    def data(self, value: Any) -> Any:
        """Return a copy of a JSON-like ``value`` with secrets masked in every string."""
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, dict):
            return {self.text(str(k)): self.data(v) for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            return [self.data(v) for v in value]
        return value
