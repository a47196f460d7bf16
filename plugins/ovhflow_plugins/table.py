"""The ``table:`` action: print rows as a table, boxed with rich on a terminal, plain text otherwise.

Plain text when stdout is not a terminal keeps the output diffable and easy to grep in cron mails and
pipes; rich is imported only when a terminal will actually show its table. ``format: markdown`` prints
a GitHub-flavoured Markdown table, to paste into a ticket or a wiki. Numeric columns are right-aligned
in all three, the title (when given) is a line of its own above the table, and ``sort`` orders the rows.
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
from ovhflow_plugins.rows import SORT_SCHEMA, is_numeric_column, sorted_records

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
        "title": {"type": "string", "description": "A line shown above the table."},
        "sort": SORT_SCHEMA,
        "format": {
            "enum": ["auto", "text", "markdown"],
            "default": "auto",
            "description": "auto: boxed on a terminal, plain text otherwise; text: always plain text; "
            "markdown: a GitHub/Markdown table.",
        },
    },
}


def cell_text(value: Any) -> str:
    """How one value is shown in a cell: empty for null, JSON for lists and objects, one line."""
    if value is None:
        return ""
    if isinstance(value, (list, tuple)) or is_mapping_like(value):
        value = json.dumps(value, ensure_ascii=False, sort_keys=True, default=json_default)
    return " ".join(str(value).splitlines())


def plain_table(
    headers: Sequence[str],
    rows: Sequence[Sequence[str]],
    numeric: Sequence[bool] | None = None,
    title: str | None = None,
) -> str:
    """An optional title line, headers, a dashed rule and the rows, two spaces apart; numeric columns
    right-aligned, the others left-aligned."""
    numeric = numeric or [False] * len(headers)
    widths = [max([len(h), *(len(r[i]) for r in rows)]) for i, h in enumerate(headers)]

    def line(cells: Sequence[str]) -> str:
        aligned = (
            cell.rjust(width) if right else cell.ljust(width)
            for cell, width, right in zip(cells, widths, numeric, strict=True)
        )
        return "  ".join(aligned).rstrip()

    lines = [line(headers), line(["-" * w for w in widths]), *(line(r) for r in rows)]
    return "\n".join([title, *lines] if title else lines)


def markdown_table(
    headers: Sequence[str], rows: Sequence[Sequence[str]], numeric: Sequence[bool], title: str | None
) -> str:
    """A GitHub-flavoured Markdown table (``|`` in cells escaped), numeric columns right-aligned."""

    def line(cells: Sequence[str]) -> str:
        return "| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |"

    rule = "|" + "|".join(" ---: " if right else " --- " for right in numeric) + "|"
    lines = [line(headers), rule, *(line(row) for row in rows)]
    return "\n".join([f"**{title}**", "", *lines] if title else lines)


def rich_table(
    headers: Sequence[str], rows: Sequence[Sequence[str]], title: str | None, numeric: Sequence[bool] = ()
) -> str:
    """The table as a terminal shows it with rich, rendered to text so it goes through ``call.output``.

    The title is a bold line of its own: rich's own title is centred on the table and wraps within its
    width, which breaks a long title over several lines above a narrow table."""
    # lazy: start-up
    import shutil

    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    numeric = list(numeric) or [False] * len(headers)
    table = Table()
    for header, right in zip(headers, numeric, strict=True):
        # Text(), not str: "[active] name" is data, not rich markup.
        table.add_column(Text(header), justify="right" if right else "left")
    for row in rows:
        table.add_row(*(Text(cell) for cell in row))
    console = Console(file=io.StringIO(), force_terminal=True, width=shutil.get_terminal_size().columns)
    if title:
        console.print(Text(title, style="bold"), overflow="fold")
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
    if args.get("sort") is not None:
        records = sorted_records(records, args["sort"], headers, "table")
    cells = [[cell_text(record[header]) for header in columns] for record in records]
    numeric = [is_numeric_column([record[header] for record in records]) for header in columns]
    title = args.get("title")
    style = args.get("format", "auto")
    if style == "markdown":
        call.output(markdown_table(headers, cells, numeric, title))
    elif style == "auto" and sys.stdout.isatty():
        call.output(rich_table(headers, cells, title, numeric))
    else:
        call.output(plain_table(headers, cells, numeric, title))
    return {"rows": records}


@hookimpl
def ovhflow_actions() -> list[ActionSpec]:
    return [
        ActionSpec(
            name="table",
            run=show_table,
            schema=SCHEMA,
            lazy=frozenset({"columns"}),
            description="Print a list as a table (rich on a terminal, plain aligned text otherwise, or "
            "Markdown).",
        )
    ]
