"""``ovhflow run`` in-process: :func:`program` takes :class:`RunOptions`, returns an :class:`ExitStatus`."""

from __future__ import annotations

from pathlib import Path

import pytest

from ovhflow.cli.run_program import RunOptions, program
from ovhflow.exit_status import ExitStatus
from tests.helpers import RECIPES_DIR


def test_a_recipe_runs_in_process_against_the_sandbox(capsys: pytest.CaptureFixture[str]) -> None:
    status = program(RunOptions(str(RECIPES_DIR / "welcome.yaml"), sandbox=True, environ={}))
    captured = capsys.readouterr()
    assert status is ExitStatus.SUCCESS, captured.err
    assert "Welcome " in captured.err


def test_an_invalid_recipe_is_an_exit_status_not_an_exception(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    recipe = tmp_path / "bad.yaml"
    recipe.write_text("name: bad\nsteps:\n  - gett: /me\n", encoding="utf-8")
    status = program(RunOptions(str(recipe), sandbox=True, environ={}))
    assert status is ExitStatus.INVALID_INPUT
    assert f"{recipe}:3:" in capsys.readouterr().err


def test_check_mode_plans_writes_on_stdout(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    recipe = tmp_path / "write.yaml"
    recipe.write_text("name: w\nsteps:\n  - post: /me/contact\n    body: {a: 1}\n", encoding="utf-8")
    status = program(RunOptions(str(recipe), sandbox=True, check=True, no_api_check=True, environ={}))
    captured = capsys.readouterr()
    assert status is ExitStatus.SUCCESS, captured.err
    assert 'plan: POST /me/contact {"a": 1}' in captured.out
