"""The ``table:`` action: print rows as a table, boxed with rich on a terminal, plain text otherwise.

Plain text when stdout is not a terminal keeps the output diffable and easy to grep in cron mails and
pipes; rich is imported only when a terminal will actually show its table.
"""

from __future__ import annotations

import io
import json
import sys
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from ovhflow import hookimpl
from ovhflow.plugin_api import ActionCall, ActionSpec
from ovhflow_plugins import is_mapping_like, json_default, kind_name

TEMPLATE = {"type": "string"}
SCALAR = {"type": ["string", "number", "boolean", "null"]}

SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "One table line per item of `rows`; `columns` maps each header to a template over `row`.",
    "required": ["rows", "columns"],
    "additionalProperties": False,
    "properties": {
        "rows": {"anyOf": [{"type": "array"}, TEMPLATE], "description": "The list to show."},
        "columns": {
            "type": "object",
            "minProperties": 1,
            "additionalProperties": SCALAR,
            "description": "Header -> template rendered once per row, with the row as `row`.",
        },
        "title": {"type": "string", "description": "Shown above the table on a terminal."},
    },
}


def cell_text(value: Any) -> str:
    """How one value is shown in a cell: empty for null, JSON for lists and objects, one line."""
    if value is None:
        return ""
    if isinstance(value, (list, tuple)) or is_mapping_like(value):
        value = json.dumps(value, ensure_ascii=False, sort_keys=True, default=json_default)
    return " ".join(str(value).splitlines())


def plain_table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """Headers, a dashed rule and the rows, columns left-aligned and two spaces apart."""
    widths = [max([len(h), *(len(r[i]) for r in rows)]) for i, h in enumerate(headers)]

    def line(cells: Sequence[str]) -> str:
        return "  ".join(cell.ljust(width) for cell, width in zip(cells, widths, strict=True)).rstrip()

    return "\n".join([line(headers), line(["-" * w for w in widths]), *(line(r) for r in rows)])


def rich_table(headers: Sequence[str], rows: Sequence[Sequence[str]], title: str | None) -> str:
    """The table as a terminal shows it with rich, rendered to text so it goes through ``call.output``."""
    # lazy: start-up
    import shutil

    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    # Text(), not str: "[active] name" is data, not rich markup.
    table = Table(title=Text(title) if title else None)
    for header in headers:
        table.add_column(Text(header))
    for row in rows:
        table.add_row(*(Text(cell) for cell in row))
    console = Console(file=io.StringIO(), force_terminal=True, width=shutil.get_terminal_size().columns)
    console.print(table)
    return console.file.getvalue().rstrip("\n")  # type: ignore[attr-defined]


def _rows_of(value: Any) -> Iterable[Any]:
    if isinstance(value, (str, bytes)) or is_mapping_like(value) or not isinstance(value, Iterable):
        raise ValueError(f"table: `rows` must be a list, got {kind_name(value)}")
    return value


def show_table(call: ActionCall) -> dict[str, Any]:
    """Render ``columns`` for each row and print the table; its rows are also the step's result."""
    args = call.args
    columns: Mapping[str, Any] = args["columns"]
    headers = [str(header) for header in columns]
    records = [call.render(dict(columns), {"row": row}) for row in _rows_of(args["rows"])]
    cells = [[cell_text(record[header]) for header in columns] for record in records]
    if sys.stdout.isatty():
        call.output(rich_table(headers, cells, args.get("title")))
    else:
        call.output(plain_table(headers, cells))
    return {"rows": records}


@hookimpl
def ovhflow_actions() -> list[ActionSpec]:
    return [
        ActionSpec(
            name="table",
            run=show_table,
            schema=SCHEMA,
            lazy=frozenset({"columns"}),
            description="Print a list as a table (rich on a terminal, plain aligned text otherwise).",
        )
    ]
