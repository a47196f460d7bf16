"""Placeholders: the parts of a planned write that only an earlier write's answer will tell.

Check mode does not send ``POST /domain/zone/example.com/record``, so the id it would return is not
known; the ``PUT /domain/zone/example.com/record/{{ steps.create.result.id }}`` that follows is planned
with a placeholder where that id goes (:mod:`ovhflow.engine.planned` renders it as a token). A plan
shows it as ``{steps.create.result.id}`` and lists each placeholder's position and type in the write's
``placeholders``:

- ``{"in": "path", "at": 5, "type": "segment", "parts": [...]}``: path segment 5 (after splitting on
  ``/``); each placeholder in ``parts`` matches one or more characters of that one segment;
- ``{"in": "body" | "query", "at": "/target", "type": "text", "parts": [...]}``: a string (at that JSON
  Pointer) with placeholders inside text; each matches any text;
- ``{"in": "body" | "query", "at": "/ttl", "type": "value", "from": "steps.create.result.ttl"}``: a whole
  value, which matches any string, number or boolean.

``parts`` alternates literal text and ``{"from": SOURCE}`` objects. Everything else of the write must be
equal, as for any planned write.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator, Mapping
from typing import Any

from ovhflow.engine.planned import TOKEN_PATTERN, token_source
from ovhflow.plugin_api import HttpRequest

Placeholder = dict[str, Any]
TYPE_MEANINGS = {
    "segment": "any one path segment",
    "text": "any text there",
    "value": "any string, number or boolean",
}
_MISSING: Any = object()


def _parts(text: str) -> list[Any]:
    """``text`` as literal strings and ``{"from": SOURCE}`` objects, in order."""
    parts: list[Any] = []
    end = 0
    for match in TOKEN_PATTERN.finditer(text):
        if match.start() > end:
            parts.append(text[end : match.start()])
        parts.append({"from": token_source(match)})
        end = match.end()
    if end < len(text):
        parts.append(text[end:])
    return parts


def _shown(parts: list[Any]) -> str:
    return "".join(part if isinstance(part, str) else "{" + part["from"] + "}" for part in parts)


def _strings(value: Any, pointer: str = "") -> Iterator[tuple[str, str]]:
    """Each string inside a JSON value with its JSON Pointer (RFC 6901)."""
    if isinstance(value, str):
        yield pointer, value
    elif isinstance(value, Mapping):
        for key, item in value.items():
            escaped = str(key).replace("~", "~0").replace("/", "~1")
            yield from _strings(item, f"{pointer}/{escaped}")
    elif isinstance(value, (list, tuple)):
        for index, item in enumerate(value):
            yield from _strings(item, f"{pointer}/{index}")


def _keys(pointer: str) -> list[str]:
    return [key.replace("~1", "/").replace("~0", "~") for key in pointer.split("/")[1:]]


def _at(value: Any, pointer: str) -> Any:
    return _walk(value, _keys(pointer))


def _walk(value: Any, keys: list[str]) -> Any:
    for key in keys:
        if isinstance(value, Mapping) and key in value:
            value = value[key]
        elif isinstance(value, (list, tuple)) and key.isdigit() and int(key) < len(value):
            value = value[int(key)]
        else:
            return _MISSING
    return value


def _put(value: Any, pointer: str, new: Any) -> Any:
    """``value`` with what ``pointer`` names replaced by ``new`` (``value`` is a copy of the plan's)."""
    keys = _keys(pointer)
    if not keys:
        return new
    parent = _walk(value, keys[:-1])
    parent[int(keys[-1]) if isinstance(parent, list) else keys[-1]] = new
    return value


def _in_json(where: str, value: Any) -> tuple[Any, list[Placeholder]]:
    """``value`` with its tokens shown as ``{source}``, and the placeholders found in it."""
    found: list[Placeholder] = []
    shown = copy.deepcopy(value)
    for pointer, text in list(_strings(value)):
        parts = _parts(text)
        if len(parts) == 1 and isinstance(parts[0], str):
            continue
        if len(parts) == 1:
            found.append({"in": where, "at": pointer, "type": "value", "from": parts[0]["from"]})
        else:
            found.append({"in": where, "at": pointer, "type": "text", "parts": parts})
        shown = _put(shown, pointer, _shown(parts))
    return shown, found


def planned_with_placeholders(request: HttpRequest) -> tuple[HttpRequest, list[Placeholder]]:
    """``request`` as a plan shows it, and its placeholders (none: the request itself, unchanged)."""
    if not (
        TOKEN_PATTERN.search(request.path)
        or any(TOKEN_PATTERN.search(t) for _, t in _strings(request.query))
        or any(TOKEN_PATTERN.search(t) for _, t in _strings(request.body))
    ):
        return request, []
    found: list[Placeholder] = []
    segments = request.path.split("/")
    for index, segment in enumerate(segments):
        parts = _parts(segment)
        if any(not isinstance(part, str) for part in parts):
            found.append({"in": "path", "at": index, "type": "segment", "parts": parts})
            segments[index] = _shown(parts)
    query, in_query = _in_json("query", request.query)
    body, in_body = _in_json("body", request.body)
    shown = HttpRequest(request.method, "/".join(segments), query, body, request.auth, request.headers)
    return shown, [*found, *in_query, *in_body]


def _fits(parts: list[Any], text: str, any_text: str) -> bool:
    pattern = "".join(re.escape(part) if isinstance(part, str) else any_text for part in parts)
    return re.fullmatch(pattern, text, re.DOTALL) is not None


def filled_in(planned: Mapping[str, Any], request: HttpRequest) -> dict[str, Any] | None:
    """The planned write with each placeholder replaced by what ``request`` has there, or None when
    ``request`` has something else there (another number of path segments, a value of another type)."""
    path = str(planned.get("path", "")).split("/")
    sent_path = request.path.split("/")
    write = {
        **planned,
        "query": copy.deepcopy(planned.get("query")),
        "body": copy.deepcopy(planned.get("body")),
    }
    for hole in planned.get("placeholders") or ():
        if hole["in"] == "path":
            index = hole["at"]
            if len(path) != len(sent_path) or not _fits(hole["parts"], sent_path[index], "[^/]+"):
                return None
            path[index] = sent_path[index]
            continue
        sent = _at(request.query if hole["in"] == "query" else request.body, hole["at"])
        if hole["type"] == "value":
            if not isinstance(sent, (str, int, float)):  # bool is an int
                return None
        elif not isinstance(sent, str) or not _fits(hole["parts"], sent, ".*"):
            return None
        write[hole["in"]] = _put(write[hole["in"]], hole["at"], sent)
    write["path"] = "/".join(path)
    return write


def placeholder_lines(holes: list[Placeholder] | None) -> list[str]:
    """One line per placeholder, for a reviewer: what it stands for and what it will match."""
    lines = []
    for hole in holes or ():
        sources = (
            [hole["from"]]
            if hole["type"] == "value"
            else [part["from"] for part in hole["parts"] if not isinstance(part, str)]
        )
        where = f"path segment {hole['at']}" if hole["in"] == "path" else f"{hole['in']} {hole['at'] or '/'}"
        for source in sources:
            lines.append(
                f"{{{source}}} ({where}): the answer of an earlier write, known when applying; "
                f"matches {TYPE_MEANINGS[hole['type']]}"
            )
    return lines
