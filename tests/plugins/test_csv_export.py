"""The ``csv:`` action on its own: exact file contents, append, check mode and atomic replacement."""

from __future__ import annotations

import csv
import os
import stat
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ovhflow_plugins.csv_export import export_csv, ovhflow_actions

from ovhflow.files.atomic import TEMP_SUFFIX

BILLS = [
    {
        "billId": "FR001",
        "date": "2024-03-01T00:00:00+01:00",
        "priceWithTax": {"value": 12.5, "text": "12.50 €"},
    },
    {
        "billId": "FR002",
        "date": "2024-04-01T00:00:00+02:00",
        "priceWithTax": {"value": 3.0, "text": "3.00 €"},
    },
]
COLUMNS = {
    "bill": "{{ row.billId }}",
    "date": "{{ row.date | ovh_date('%Y-%m-%d') }}",
    "total": "{{ row.priceWithTax.text }}",
}


def leftovers(folder: Path) -> list[str]:
    return [p.name for p in folder.iterdir() if p.name.endswith(TEMP_SUFFIX)]


def test_writes_header_and_one_row_per_item(tmp_path: Path, fake_call) -> None:
    target = tmp_path / "bills.csv"
    call = fake_call({"path": target.name, "rows": BILLS, "columns": COLUMNS})
    result = export_csv(call)
    assert target.read_bytes().decode("utf-8") == (
        "bill,date,total\r\nFR001,2024-03-01,12.50 €\r\nFR002,2024-04-01,3.00 €\r\n"
    )
    assert result == {"path": target.name, "rows": 2}
    assert call.logs == [f"csv: wrote 2 rows to {target.name}"]
    assert leftovers(tmp_path) == []


def test_quotes_delimiters_and_encodes_structures(tmp_path: Path, fake_call) -> None:
    target = tmp_path / "out.csv"
    rows = [{"name": 'semi;colon "quoted"', "tags": ["a", "b"], "none": None, "n": 3}]
    columns = {
        "name": "{{ row.name }}",
        "tags": "{{ row.tags }}",
        "none": "{{ row.none }}",
        "n": "{{ row.n }}",
    }
    export_csv(fake_call({"path": target.name, "rows": rows, "columns": columns, "delimiter": ";"}))
    assert target.read_text(encoding="utf-8") == (
        'name;tags;none;n\n"semi;colon ""quoted""";"[""a"", ""b""]";;3\n'
    )


def test_empty_list_gives_header_only(tmp_path: Path, fake_call) -> None:
    target = tmp_path / "empty.csv"
    assert export_csv(fake_call({"path": target.name, "rows": [], "columns": COLUMNS}))["rows"] == 0
    assert target.read_bytes() == b"bill,date,total\r\n"


def test_replaces_an_existing_file(tmp_path: Path, fake_call) -> None:
    target = tmp_path / "bills.csv"
    target.write_text("old content\n", encoding="utf-8")
    os.chmod(target, 0o640)
    export_csv(fake_call({"path": target.name, "rows": BILLS[:1], "columns": COLUMNS}))
    assert target.read_bytes() == "bill,date,total\r\nFR001,2024-03-01,12.50 €\r\n".encode()
    assert stat.S_IMODE(target.stat().st_mode) == 0o640  # the replaced file's permissions are kept


def test_a_new_file_is_readable_by_its_owner_only_and_an_existing_one_keeps_its_bits(
    tmp_path: Path, fake_call
) -> None:
    umask = os.umask(0o022)
    try:
        target = tmp_path / "bills.csv"
        export_csv(fake_call({"path": target.name, "rows": [], "columns": COLUMNS}))
        assert stat.S_IMODE(target.stat().st_mode) == 0o600  # was 0644: exports hold account data
        target.chmod(0o640)  # the operator's choice stays
        export_csv(fake_call({"path": target.name, "rows": BILLS, "columns": COLUMNS}))
    finally:
        os.umask(umask)
    assert stat.S_IMODE(target.stat().st_mode) == 0o640


def test_append_adds_rows_without_a_second_header(tmp_path: Path, fake_call) -> None:
    target = tmp_path / "bills.csv"
    export_csv(fake_call({"path": target.name, "rows": BILLS[:1], "columns": COLUMNS, "append": True}))
    export_csv(fake_call({"path": target.name, "rows": BILLS[1:], "columns": COLUMNS, "append": True}))
    assert target.read_text(encoding="utf-8").splitlines() == [
        "bill,date,total",
        "FR001,2024-03-01,12.50 €",
        "FR002,2024-04-01,3.00 €",
    ]
    assert leftovers(tmp_path) == []


def test_append_refuses_a_file_with_other_columns(tmp_path: Path, fake_call) -> None:
    target = tmp_path / "bills.csv"
    target.write_bytes(b"a,b\r\n1,2\r\n")
    with pytest.raises(ValueError, match="append"):
        export_csv(fake_call({"path": target.name, "rows": BILLS, "columns": COLUMNS, "append": True}))
    assert target.read_bytes() == b"a,b\r\n1,2\r\n"


def test_append_to_another_file_never_quotes_what_it_holds(tmp_path: Path, fake_call) -> None:
    """A recipe may name any file it can read: its first line (a credential, split by a chosen delimiter
    so that no mask finds it whole) must not come back in the error, which goes to logs and webhooks."""
    target = tmp_path / "ovhflow.env"
    target.write_bytes(b"OVH_APPLICATION_SECRET=c6OLSaZC1cuHfpsStCZEPTyb\n")
    args = {"path": target.name, "rows": [], "columns": {"a": "x"}, "append": True, "delimiter": "S"}
    with pytest.raises(ValueError, match="won.t append") as caught:
        export_csv(fake_call(args))
    for piece in ("OVH_APPLICATION_", "ECRET=c6OL", "aZC1cuHfps", "tCZEPTyb"):
        assert piece not in str(caught.value)
    assert "4 columns" in str(caught.value)


def test_a_failing_row_leaves_the_previous_file_and_no_temporary_file(tmp_path: Path, fake_call) -> None:
    target = tmp_path / "bills.csv"
    target.write_text("previous\n", encoding="utf-8")
    rows = [*BILLS, {"billId": "FR003"}]  # no date: the third row's template fails
    with pytest.raises(Exception, match="date"):
        export_csv(fake_call({"path": target.name, "rows": rows, "columns": COLUMNS}))
    assert target.read_text(encoding="utf-8") == "previous\n"
    assert leftovers(tmp_path) == []


def test_rows_are_written_while_they_are_rendered(tmp_path: Path, fake_call) -> None:
    """Each row reaches the temporary file before the next one is rendered: nothing builds the file whole."""
    target = tmp_path / "bills.csv"
    seen: list[int] = []

    class Watching(fake_call):
        def render(self, value, extra=None):
            temps = [p for p in tmp_path.iterdir() if p.name.endswith(TEMP_SUFFIX)]
            seen.append(sum(p.stat().st_size for p in temps))
            return super().render(value, extra)

    rows = [
        {"billId": f"FR{i:04d}" + "x" * 5000, "date": "2024-01-01", "priceWithTax": {"text": "1"}}
        for i in range(6)
    ]
    export_csv(Watching({"path": target.name, "rows": rows, "columns": COLUMNS}))
    # With 5 kB rows and an 8 kB buffer, the temporary file grows while later rows are still rendering.
    assert seen[-1] > 0
    assert seen == sorted(seen)


def test_check_mode_counts_rows_and_touches_nothing(tmp_path: Path, fake_call) -> None:
    target = tmp_path / "bills.csv"
    call = fake_call({"path": target.name, "rows": BILLS, "columns": COLUMNS}, check=True)
    result = export_csv(call)
    assert result == {"path": target.name, "rows": 2, "planned": True}
    assert call.logs == [f"csv: would write 2 rows to {target.name}"]
    assert list(tmp_path.iterdir()) == []


def test_check_mode_still_reports_template_errors(tmp_path: Path, fake_call) -> None:
    call = fake_call({"path": "x.csv", "rows": [{}], "columns": COLUMNS}, check=True)
    with pytest.raises(Exception, match="billId"):
        export_csv(call)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("rows", ["not a list", {"a": 1}, 3])
def test_rows_must_be_a_list(tmp_path: Path, fake_call, rows) -> None:
    with pytest.raises(ValueError, match="`rows` must be a list"):
        export_csv(fake_call({"path": "x.csv", "rows": rows, "columns": COLUMNS}))
    assert list(tmp_path.iterdir()) == []


def test_missing_folder_is_one_clear_error(tmp_path: Path, fake_call) -> None:
    with pytest.raises(ValueError, match="does not exist"):
        export_csv(fake_call({"path": "nope/x.csv", "rows": [], "columns": COLUMNS}))


def test_action_spec_declares_columns_lazy_and_a_schema() -> None:
    (spec,) = ovhflow_actions()
    assert spec.name == "csv"
    assert spec.lazy == frozenset({"columns"})
    assert set(spec.schema["required"]) == {"path", "rows", "columns"}
    assert spec.schema["additionalProperties"] is False


def test_temporary_files_of_dead_writers_are_cleaned_up(tmp_path: Path, fake_call) -> None:
    target = tmp_path / "bills.csv"
    dead = tmp_path / f".bills.csv.999999999.0badcafe{TEMP_SUFFIX}"  # no such process
    alive = tmp_path / f".bills.csv.1.0badcafe{TEMP_SUFFIX}"  # pid 1 exists: maybe still writing
    other = tmp_path / f".other.csv.999999999.0badcafe{TEMP_SUFFIX}"
    for leftover in (dead, alive, other):
        leftover.write_text("half a file", encoding="utf-8")
    export_csv(fake_call({"path": target.name, "rows": [], "columns": COLUMNS}))
    assert not dead.exists()
    assert alive.exists() and other.exists()


@pytest.mark.parametrize(
    ("value", "appends"), [("false", False), ("True", True), (False, False), ("no", False)]
)
def test_append_flag_from_a_template(tmp_path: Path, fake_call, value, appends: bool) -> None:
    target = tmp_path / "bills.csv"
    target.write_bytes(b"bill,date,total\r\nOLD,x,y\r\n")
    export_csv(fake_call({"path": target.name, "rows": [], "columns": COLUMNS, "append": value}))
    assert (b"OLD" in target.read_bytes()) is appends


def test_append_flag_rejects_other_text(tmp_path: Path, fake_call) -> None:
    with pytest.raises(ValueError, match="csv: `append` must be true or false, got 'maybe'"):
        export_csv(fake_call({"path": "x.csv", "rows": [], "columns": COLUMNS, "append": "maybe"}))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    cells=st.lists(st.lists(st.text(max_size=12), min_size=2, max_size=2), max_size=5),
    delimiter=st.sampled_from([",", ";", "\t", "|"]),
)
def test_any_text_reads_back_unchanged(
    tmp_path: Path, fake_call, cells: list[list[str]], delimiter: str
) -> None:
    """Quotes, delimiters, line breaks and any Unicode survive a write and a read by the csv module."""
    target = tmp_path / "round-trip.csv"
    rows = [{"a": a, "b": b} for a, b in cells]
    columns = {"first": "{{ row.a }}", "second": "{{ row.b }}"}
    export_csv(fake_call({"path": target.name, "rows": rows, "columns": columns, "delimiter": delimiter}))
    with open(target, encoding="utf-8", newline="") as stream:
        assert list(csv.reader(stream, delimiter=delimiter)) == [["first", "second"], *cells]
