"""The bad-input corpus: each ``corpus/bad_*.yaml`` names, on its first line, the error it must give.

``# expect: [FILE:]LINE:COL: fragment`` - the error's location (0:0: not asserted, for errors that are
about the whole file) and a fragment of its message. Each file is checked through ``load_recipe`` and,
all at once, through the real ``ovhflow validate`` command (exit 2, one line per error, no traceback).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from ovhflow.errors import RecipeError, RecipeErrors
from ovhflow.recipe import Recipe, load_recipe
from tests.cli_invoke import invoke_ovhflow
from tests.recipe.helpers import CORPUS

EXPECT = re.compile(r"# expect: (?:(?P<file>[\w.]+):)?(?P<line>\d+):(?P<col>\d+): (?P<fragment>.+)")
BAD = sorted(CORPUS.glob("bad_*.yaml"))
GOOD = sorted(CORPUS.glob("good_*.yaml"))


def expectation(path: Path) -> tuple[str, int, int, str]:
    first_line = path.read_text(encoding="utf-8").splitlines()[0]
    match = EXPECT.fullmatch(first_line)
    assert match, f"{path.name}: first line must be '# expect: LINE:COL: fragment'"
    return match["file"] or path.name, int(match["line"]), int(match["col"]), match["fragment"]


def expected_prefix(path: Path) -> tuple[str, str]:
    file_name, line, col, fragment = expectation(path)
    where = str(CORPUS / file_name) if line == 0 else f"{CORPUS / file_name}:{line}:{col}"
    return where, fragment


def test_corpus_is_not_empty() -> None:
    assert len(BAD) >= 50 and len(GOOD) >= 2


@pytest.mark.parametrize("path", BAD, ids=lambda p: p.stem)
def test_bad_recipe_gives_its_error_at_its_location(path: Path, plugins) -> None:
    file_name, line, col, fragment = expectation(path)
    with pytest.raises(RecipeErrors) as caught:
        load_recipe(path, plugins)
    errors = caught.value.errors
    assert errors and all(isinstance(error, RecipeError) for error in errors)
    assert caught.value.exit_status == 2
    matching = [error for error in errors if fragment in error.message]
    assert matching, f"no error mentions {fragment!r}: {[str(e) for e in errors]}"
    if line:
        locations = [(str(Path(e.location.file)), e.location.line, e.location.col) for e in matching]
        assert (str(CORPUS / file_name), line, col) in locations, locations


@pytest.mark.parametrize("path", GOOD, ids=lambda p: p.stem)
def test_good_recipe_loads(path: Path, plugins) -> None:
    recipe = load_recipe(path, plugins)
    assert isinstance(recipe, Recipe) and recipe.steps


def test_validate_command_reports_every_corpus_file() -> None:
    proc = invoke_ovhflow("validate", *(str(path) for path in [*BAD, *GOOD]))
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    for path in BAD:
        where, fragment = expected_prefix(path)
        lines = [line for line in proc.stderr.splitlines() if line.startswith(where) and fragment in line]
        assert lines, f"{path.name}: no stderr line starts with {where!r} and holds {fragment!r}"
    for path in GOOD:
        assert f"{path}: ok" in proc.stdout.splitlines()
    for line in proc.stderr.splitlines():  # every line is one located message, nothing else
        assert line.startswith(str(CORPUS)), line
