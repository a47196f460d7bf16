"""The ``csv:`` action: write rows to a CSV file, one column per template, atomically, ``sort``-ed on request.

A bill export feeds an accounting system, so a crash must never leave half a file: rows go to a
temporary file in the same folder, written as they are rendered, which replaces the target at the end.
"""

from __future__ import annotations

import csv
import json
import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from ovhflow import hookimpl
from ovhflow.plugin_api import ActionCall, ActionSpec
from ovhflow_plugins import as_flag, is_mapping_like, json_default, kind_name, plural
from ovhflow_plugins.rows import SORT_SCHEMA, sorted_records

TEMPLATE = {"type": "string"}
SCALAR = {"type": ["string", "number", "boolean", "null"]}

SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "One CSV row per item of `rows`; `columns` maps each header to a template over `row`.",
    "required": ["path", "rows", "columns"],
    "additionalProperties": False,
    "properties": {
        "path": {
            "type": "string",
            "minLength": 1,
            "description": "File to write (UTF-8), in the output folder (run --output-dir).",
        },
        "rows": {"anyOf": [{"type": "array"}, TEMPLATE], "description": "The list to export."},
        "columns": {
            "type": "object",
            "minProperties": 1,
            "additionalProperties": SCALAR,
            "description": "Header -> template rendered once per row, with the row as `row`.",
        },
        "delimiter": {"type": "string", "minLength": 1, "maxLength": 1, "default": ","},
        "append": {
            "anyOf": [{"type": "boolean"}, TEMPLATE],
            "default": False,
            "description": "Add rows to an existing file (header written only when the file is new).",
        },
        "sort": SORT_SCHEMA,
    },
}


def _cell(value: Any) -> Any:
    # Lists and objects become JSON so a spreadsheet gets something readable, not a Python repr.
    if isinstance(value, (list, tuple)) or is_mapping_like(value):
        return json.dumps(value, ensure_ascii=False, sort_keys=True, default=json_default)
    return value


def _rows_of(value: Any) -> Iterable[Any]:
    if isinstance(value, (str, bytes)) or is_mapping_like(value) or not isinstance(value, Iterable):
        raise ValueError(f"csv: `rows` must be a list, got {kind_name(value)}")
    return value


def _existing_header(path: Path, delimiter: str) -> list[str] | None:
    """The first row of ``path``, or None when there is no file or it is empty."""
    try:
        with open(os.open(path, os.O_RDONLY | os.O_NOFOLLOW), encoding="utf-8", newline="") as stream:
            return next(csv.reader(stream, delimiter=delimiter), None)
    except FileNotFoundError:
        return None


def export_csv(call: ActionCall) -> dict[str, Any]:
    """Render ``columns`` for each row and write them to ``path``; in check mode only count the rows."""
    args = call.args
    path = str(args["path"])  # inside the run's output folder (call.output_folder)
    columns: Mapping[str, Any] = args["columns"]
    headers = [str(header) for header in columns]
    delimiter = str(args.get("delimiter", ","))
    append = as_flag(args.get("append", False), "csv: `append`")
    rows = _rows_of(args["rows"])

    def rendered_rows() -> Iterable[list[Any]]:
        records: Iterable[Any] = (call.render(dict(columns), {"row": row}) for row in rows)
        if args.get("sort") is not None:  # sorting needs every row: rendered first, then written
            records = sorted_records(list(records), args["sort"], headers, "csv")
        for values in records:
            yield [_cell(values[header]) for header in columns]

    problem = call.output_folder.problem(path)
    if problem:  # in check mode too: the night run must not be the one to find out
        raise ValueError(f"csv: cannot write {path}: {problem}")
    if call.check:
        count = sum(1 for _ in rendered_rows())
        call.log(f"csv: would write {plural(count, 'row')} to {path}" + (" (append)" if append else ""))
        return {"path": path, "rows": count, "planned": True}
    header_needed = True
    if append:
        current = _existing_header(call.output_folder.target(path), delimiter)
        if current is not None:
            if current != headers:
                # the file's text is never quoted: a recipe may name any file it can read (credentials)
                found = plural(len(current), "column")
                raise ValueError(f"csv: {path} has another header ({found}) than {headers}; won't append")
            header_needed = False
    count = 0
    with call.output_folder.open(path, append=append, newline="") as stream:
        writer = csv.writer(stream, delimiter=delimiter, lineterminator="\r\n")
        if header_needed:
            writer.writerow(headers)
        for values in rendered_rows():
            writer.writerow(values)
            count += 1
    call.log(f"csv: wrote {plural(count, 'row')} to {path}")
    return {"path": path, "rows": count}


@hookimpl
def ovhflow_actions() -> list[ActionSpec]:
    return [
        ActionSpec(
            name="csv",
            run=export_csv,
            schema=SCHEMA,
            lazy=frozenset({"columns"}),
            output_paths=frozenset({"path"}),
            description="Export a list to a CSV file (UTF-8, written atomically).",
        )
    ]
