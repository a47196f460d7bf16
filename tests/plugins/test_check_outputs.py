"""Check mode checks each output's folder (csv, json) as the real run would need it; counts read well."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.cli_invoke import invoke

RECIPE = """\
name: Export
steps:
  - id: bills
    get: /me/bill
  - {action}:
      path: "{path}"
{args}
"""
CSV_ARGS = '      rows: "{{ steps.bills.result }}"\n      columns: {id: "{{ row }}"}'
JSON_ARGS = '      data: "{{ steps.bills.result }}"'


def _recipe(tmp_path: Path, action: str, path: Path) -> Path:
    recipe = tmp_path / "export.yaml"
    args = CSV_ARGS if action == "csv" else JSON_ARGS
    recipe.write_text(RECIPE.format(action=action, path=path.relative_to(tmp_path), args=args))
    return recipe


def _check(tmp_path: Path, recipe: Path):
    return invoke("run", "--sandbox", "--check", str(recipe), "--output-dir", str(tmp_path))


@pytest.mark.parametrize("action", ["csv", "json"])
def test_check_mode_refuses_an_output_whose_folder_is_missing(tmp_path: Path, action: str) -> None:
    target = tmp_path / "srv" / "exports" / "bills.out"
    result = _check(tmp_path, _recipe(tmp_path, action, target))
    assert result.exit_code == 1, result.stderr
    assert (
        f"{action}: cannot write srv/exports/bills.out: folder {target.parent} does not exist"
        in result.stderr
    )
    assert "would write" not in result.stderr
    assert not (tmp_path / "srv").exists()


def test_check_mode_refuses_a_folder_that_is_a_file_and_a_target_that_is_a_folder(tmp_path: Path) -> None:
    (tmp_path / "exports").write_text("a file where the folder should be")
    under_a_file = tmp_path / "exports" / "bills.csv"
    result = _check(tmp_path, _recipe(tmp_path, "csv", under_a_file))
    assert result.exit_code == 1
    assert f"csv: cannot write exports/bills.csv: {tmp_path / 'exports'} is not a folder" in result.stderr
    (tmp_path / "bills.csv").mkdir()
    result = _check(tmp_path, _recipe(tmp_path, "csv", tmp_path / "bills.csv"))
    assert result.exit_code == 1
    assert f"{tmp_path / 'bills.csv'} is a folder, not a file" in result.stderr


def test_check_mode_with_a_good_folder_says_what_it_would_write(tmp_path: Path) -> None:
    target = tmp_path / "bills.csv"
    result = _check(tmp_path, _recipe(tmp_path, "csv", target))
    assert result.exit_code == 0, result.stderr
    assert re.search(r"csv: would write \d\d+ rows to bills.csv\n", result.stderr)
    assert not target.exists()


def test_one_item_reads_in_the_singular(tmp_path: Path) -> None:
    recipe = tmp_path / "one.yaml"
    target = tmp_path / "one.csv"
    recipe.write_text(
        "name: One\nsteps:\n"
        f"  - csv: {{path: '{target.name}', rows: [1], columns: {{n: '{{{{ row }}}}'}}}}\n"
        "  - log: \"{{ [1] | length | plural('bill') }}, {{ 2 | plural('bill') }}, "
        "{{ 1 | plural('entry', 'entries') }}, {{ 0 | plural('entry', 'entries') }}\"\n"
    )
    result = invoke("run", "--sandbox", str(recipe), "--output-dir", str(tmp_path))
    assert result.exit_code == 0, result.stderr
    assert "csv: wrote 1 row to one.csv" in result.stderr
    assert "1 bill, 2 bills, 1 entry, 0 entries" in result.stderr
