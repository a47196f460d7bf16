"""The ``table:`` action: plain aligned text off a terminal, a rich table on one, rich imported lazily."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest
from ovhflow_plugins import table
from ovhflow_plugins.table import ovhflow_actions, plain_table, show_table

APPS = [
    {"id": 11, "app": {"name": "backup", "status": "active", "description": "Nightly backup"}, "last": None},
    {
        "id": 2,
        "app": {"name": "billing-export", "status": "active", "description": "Bills\nto CSV"},
        "last": "x",
    },
]
COLUMNS = {
    "ID": "{{ row.id }}",
    "App Name": "[{{ row.app.status }}] {{ row.app.name }}",
    "Description": "{{ row.app.description }}",
    "Token Last Use": "{{ row.last }}",
}


def test_plain_text_when_stdout_is_not_a_terminal(fake_call, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys.stdout, "isatty", lambda: False)
    call = fake_call({"rows": APPS, "columns": COLUMNS})
    result = show_table(call)
    assert call.outputs == [
        textwrap.dedent(
            """\
            ID  App Name                 Description     Token Last Use
            --  -----------------------  --------------  --------------
            11  [active] backup          Nightly backup
             2  [active] billing-export  Bills to CSV    x"""
        )
    ]
    assert [row["ID"] for row in result["rows"]] == [11, 2]


def test_plain_table_of_no_rows_is_the_header() -> None:
    assert plain_table(["A", "Bee"], []) == "A  Bee\n-  ---"


def test_rich_table_on_a_terminal(fake_call, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    monkeypatch.setenv("COLUMNS", "120")
    call = fake_call({"rows": APPS, "columns": COLUMNS, "title": "Authorized applications"})
    show_table(call)
    (text,) = call.outputs
    assert "Authorized applications" in text
    for cell in ("App Name", "Token Last Use", "[active] billing-export", "Nightly backup"):
        assert cell in text
    assert "┃" in text or "│" in text  # box drawing: rich's table, not the plain one
    assert "\x1b[" in text  # styled for the terminal


def test_rich_is_imported_only_for_a_terminal() -> None:
    code = textwrap.dedent(
        """
        import sys
        sys.stdout.isatty = lambda: False
        from tests.plugins.helpers import FakeCall
        from ovhflow_plugins.table import show_table
        call = FakeCall({"rows": [{"a": 1}], "columns": {"A": "{{ row.a }}"}})
        show_table(call)
        assert "rich" not in sys.modules, "rich imported for plain output"
        print(call.outputs[0])
        """
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout == "A\n-\n1\n"


def test_rows_must_be_a_list(fake_call) -> None:
    with pytest.raises(ValueError, match="`rows` must be a list"):
        show_table(fake_call({"rows": "nope", "columns": COLUMNS}))


def test_cell_text() -> None:
    assert table.cell_text(None) == ""
    assert table.cell_text({"b": 1, "a": [1]}) == '{"a": [1], "b": 1}'
    assert table.cell_text("two\nlines") == "two lines"


def test_action_spec() -> None:
    (spec,) = ovhflow_actions()
    assert spec.name == "table"
    assert spec.lazy == frozenset({"columns"})
