"""The ``json:`` action: hand data to another program as JSON or JSON Lines, on stdout or in a file.

Files are written atomically in the run's output folder (``call.output_folder``: confined, mode 0600) so a
reader never sees half a document; on stdout the document is a result, kept apart from the logs on stderr.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import Any

from ovhflow import hookimpl
from ovhflow.plugin_api import ActionCall, ActionSpec
from ovhflow_plugins import as_flag, is_mapping_like, json_default, kind_name, plural

TEMPLATE = {"type": "string"}

SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "Write `data` as JSON (or JSON Lines, one item per line) to `path`, or to stdout.",
    "required": ["data"],
    "additionalProperties": False,
    "properties": {
        "data": {
            "description": "What to write: any value, usually a template such as {{ steps.x.results }}."
        },
        "path": {
            "type": "string",
            "minLength": 1,
            "description": "File to write, in the output folder (run --output-dir); stdout when absent.",
        },
        "lines": {
            "anyOf": [{"type": "boolean"}, TEMPLATE],
            "default": False,
            "description": "JSON Lines: one compact document per item of the `data` list.",
        },
        "indent": {"anyOf": [{"type": "integer", "minimum": 0}, TEMPLATE], "default": 2},
    },
}


def _encode(value: Any, indent: int | None) -> str:
    # Dates and other non-JSON values become text instead of failing the step.
    return json.dumps(value, ensure_ascii=False, indent=indent, default=json_default)


def _chunks(data: Any, lines: bool, indent: int | None) -> Iterator[str]:
    """The text to write, piece by piece, so a long JSON Lines export is never held whole in memory."""
    if not lines:
        yield _encode(data, indent) + "\n"
        return
    if isinstance(data, (str, bytes)) or is_mapping_like(data) or not isinstance(data, Iterable):
        raise ValueError(f"json: `lines: true` needs a list as `data`, got {kind_name(data)}")
    for item in data:
        yield _encode(item, None) + "\n"


def _what(count: int, lines: bool) -> str:
    return plural(count, "line") if lines else "a document"


def write_json(call: ActionCall) -> dict[str, Any]:
    """Write ``data`` to ``path`` (atomically) or stdout; in check mode report what would be written."""
    args = call.args
    data = args["data"]
    lines = as_flag(args.get("lines", False), "json: `lines`")
    indent_value = args.get("indent", 2)
    indent = int(indent_value) if indent_value not in (None, 0, "0") else None
    path = args.get("path")
    if path is None:
        chunks = list(_chunks(data, lines, indent))
        if chunks:  # JSON Lines of an empty list is no line at all
            call.output("".join(chunks).removesuffix("\n"))
        return {"path": None, "items": len(chunks)}
    target = str(path)  # inside the run's output folder (call.output_folder)
    problem = call.output_folder.problem(target)
    if problem:  # in check mode too: the night run must not be the one to find out
        raise ValueError(f"json: cannot write {target}: {problem}")
    if call.check:
        count = sum(1 for _ in _chunks(data, lines, indent))
        call.log(f"json: would write {_what(count, lines)} to {target}")
        return {"path": target, "items": count, "planned": True}
    count = 0
    with call.output_folder.open(target) as stream:
        for chunk in _chunks(data, lines, indent):
            stream.write(chunk)
            count += 1
    call.log(f"json: wrote {_what(count, lines)} to {target}")
    return {"path": target, "items": count}


@hookimpl
def ovhflow_actions() -> list[ActionSpec]:
    return [
        ActionSpec(
            name="json",
            run=write_json,
            schema=SCHEMA,
            output_paths=frozenset({"path"}),
            description="Write data as JSON or JSON Lines to a file (atomically) or stdout.",
        )
    ]
