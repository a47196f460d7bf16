"""The wire format shared with python-ovh 1.2: argument names, query strings, JSON bodies and signatures.

These are pure functions so that every rule can be tested on its own and the byte-exact format lives in
one place.
"""

from __future__ import annotations

import hashlib
import json
import keyword
import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

SIGNATURE_PREFIX = "$1$"
# A signature ("$1$" and 40 hex digits; the "$" maybe percent-encoded) wherever something quotes one.
SIGNATURE_PATTERN = re.compile(r"(?:\$|%24)1(?:\$|%24)[0-9a-fA-F]{40}")
SIGNATURE_MASK = "$1$***"
_VERSIONED_PREFIXES = ("/v1", "/v2")
_V1_SUFFIX = "/1.0"


def canonical_kwargs(kwargs: Mapping[str, Any]) -> dict[str, Any]:
    """Map ``_from`` to ``from`` (a Python keyword with a leading underscore); leave other names alone."""
    return {
        (name[1:] if name[:1] == "_" and name[1:] in keyword.kwlist else name): v
        for name, v in kwargs.items()
    }


def query_string(params: Mapping[str, Any]) -> str:
    """Urlencode ``params`` in order; booleans become ``true``/``false`` and ``None`` becomes ``null``."""

    def wire_value(value: Any) -> Any:
        if isinstance(value, bool):
            return "true" if value else "false"
        return "null" if value is None else value

    return urlencode({name: wire_value(value) for name, value in params.items()})


def with_query(path: str, query: str) -> str:
    """Append ``query`` to ``path`` with ``?``, or ``&`` when the path already has a query string."""
    if not query:
        return path
    return f"{path}{'&' if '?' in path else '?'}{query}"


def json_body(data: Any) -> str:
    """Compact JSON (no spaces) with non-ASCII escaped as ``\\uXXXX``, as OVH's signature expects."""
    return json.dumps(data, separators=(",", ":"))


def target_url(base_url: str, path: str) -> str:
    """Full URL for ``path``: ``/v1/...`` and ``/v2/...`` go to the API root, without the ``/1.0``."""
    if base_url.endswith(_V1_SUFFIX) and path.startswith(_VERSIONED_PREFIXES):
        base_url = base_url[: -len(_V1_SUFFIX)]
    return base_url + path


def signature(
    application_secret: str, consumer_key: str, method: str, url: str, body: str, timestamp: str
) -> str:
    """OVH's ``$1$`` signature: SHA-1 of the secret, consumer key, method, full URL, body and timestamp."""
    plain = "+".join([application_secret, consumer_key, method.upper(), url, body, timestamp])
    return SIGNATURE_PREFIX + hashlib.sha1(plain.encode("utf-8")).hexdigest()


def mask_signatures(text: str) -> str:
    """``text`` with every request signature in it masked (an API error may quote the one it refused)."""
    return SIGNATURE_PATTERN.sub(SIGNATURE_MASK, text) if "1" in text else text
