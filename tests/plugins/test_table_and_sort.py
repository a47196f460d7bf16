"""table: title kept off a terminal, numbers right-aligned, Markdown tables; csv and table sort rows."""

from __future__ import annotations

import csv
import sys
import textwrap
from pathlib import Path

import pytest
from ovhflow_plugins.table import show_table

from tests.cli_invoke import invoke

ROWS = "[{'n': 'b', 'v': 5}, {'n': 'a|x', 'v': 120}, {'n': 'c', 'v': none}, {'n': 'd', 'v': 7.5}]"
TABLE = f"""\
name: Table
steps:
  - table:
      title: Servers by value
      rows: "{{{{ {ROWS} }}}}"
      columns: {{Name: "{{{{ row.n }}}}", Value: "{{{{ row.v }}}}"}}
"""


def _run(tmp_path: Path, text: str) -> str:
    recipe = tmp_path / "table.yaml"
    recipe.write_text(text)
    result = invoke("run", "--sandbox", str(recipe), cwd=tmp_path)
    assert result.exit_code == 0, result.stderr
    return result.stdout


def test_piped_table_keeps_its_title_and_right_aligns_numbers(tmp_path: Path) -> None:
    assert _run(tmp_path, TABLE) == textwrap.dedent(
        """\
        Servers by value
        Name  Value
        ----  -----
        b         5
        a|x     120
        c
        d       7.5
        """
    )


def test_sorted_table_descending_with_empty_cells_last(tmp_path: Path) -> None:
    text = TABLE + "      sort: -Value\n"
    lines = _run(tmp_path, text).splitlines()
    assert [line.split()[0] for line in lines[3:]] == ["a|x", "d", "b", "c"]
    ascending = _run(tmp_path, TABLE + "      sort: [Value, Name]\n").splitlines()
    assert [line.split()[0] for line in ascending[3:]] == ["b", "d", "a|x", "c"]


def test_markdown_table_for_tickets(tmp_path: Path) -> None:
    text = TABLE + "      format: markdown\n      sort: Name\n"
    assert _run(tmp_path, text) == textwrap.dedent(
        """\
        **Servers by value**

        | Name | Value |
        | --- | ---: |
        | a\\|x | 120 |
        | b | 5 |
        | c |  |
        | d | 7.5 |
        """
    )


def test_sort_on_an_unknown_column_names_the_columns(tmp_path: Path) -> None:
    recipe = tmp_path / "table.yaml"
    recipe.write_text(TABLE + "      sort: Price\n")
    result = invoke("run", "--sandbox", str(recipe), cwd=tmp_path)
    assert result.exit_code == 1
    assert "table: sort: no column 'Price' (columns: Name, Value)" in result.stderr


def test_csv_sorts_its_rows(tmp_path: Path) -> None:
    target = tmp_path / "out.csv"
    text = f"""\
name: Csv
steps:
  - csv:
      path: {target.name}
      rows: "{{{{ {ROWS} }}}}"
      columns: {{Name: "{{{{ row.n }}}}", Value: "{{{{ row.v }}}}"}}
      sort: -Value
"""
    _run(tmp_path, text)
    with open(target, newline="", encoding="utf-8") as stream:
        rows = list(csv.reader(stream))
    assert rows == [["Name", "Value"], ["a|x", "120"], ["d", "7.5"], ["b", "5"], ["c", ""]]


def test_terminal_table_title_is_one_line_and_numbers_are_right_aligned(
    fake_call, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    monkeypatch.setenv("COLUMNS", "100")
    title = "Every dedicated server of the account with its monthly value"
    rows = [{"n": "a", "v": 5}, {"n": "bbbbbb", "v": 1200}]
    columns = {"Name": "{{ row.n }}", "Value": "{{ row.v }}"}
    call = fake_call({"rows": rows, "columns": columns, "title": title})
    show_table(call)
    (text,) = call.outputs
    plain = [line for line in _strip_styles(text).splitlines() if line.strip()]
    assert plain[0] == title  # its own line, whole, not centred and wrapped over the narrow table
    five = next(line for line in plain if "│ a " in line)
    thousand = next(line for line in plain if "│ bbbbbb " in line)
    assert five.index("5 │") == thousand.index("1200 │") + 3  # right-aligned: the last digits line up


def _strip_styles(text: str) -> str:
    import re

    return re.sub(r"\x1b\[[0-9;]*m", "", text)
