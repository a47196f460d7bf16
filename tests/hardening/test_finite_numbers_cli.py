"""``--timeout``, ``--wait-lock`` and ``--rate`` take finite numbers only: ``inf`` or ``nan`` would make a
hang last forever (``nan`` passes every range check), so click refuses them before anything runs."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli_invoke import invoke

RECIPE = "name: finite\nsteps:\n  - get: /me\n"


@pytest.mark.parametrize("value", ["inf", "nan", "-inf", "Infinity", "NaN"])
@pytest.mark.parametrize(
    "command",
    [
        ("run", "--timeout", "{}", "recipe.yaml"),
        ("run", "--wait-lock", "{}", "recipe.yaml"),
        ("run", "--rate", "{}", "recipe.yaml"),
        ("call", "--timeout", "{}", "GET", "/me"),
        ("cron", "--schedule", "@daily", "--wait-lock", "{}", "recipe.yaml"),
    ],
)
def test_infinite_or_nan_numbers_are_refused(tmp_path: Path, command: tuple[str, ...], value: str) -> None:
    (tmp_path / "recipe.yaml").write_text(RECIPE)
    args = [part.format(value) for part in command]
    result = invoke(*args, env={"OVH_ENDPOINT": "ovh-eu"}, cwd=tmp_path)
    assert result.exit_code == 2, result.stderr
    assert "Invalid value" in result.stderr and value in result.stderr, result.stderr
    assert "Traceback" not in result.stderr


def test_a_finite_timeout_is_still_accepted(tmp_path: Path) -> None:
    (tmp_path / "recipe.yaml").write_text(RECIPE)
    result = invoke("validate", "recipe.yaml", cwd=tmp_path)
    assert result.exit_code == 0
    result = invoke("run", "--timeout", "2.5", "--wait-lock", "0", "--check", "recipe.yaml", cwd=tmp_path)
    assert "Invalid value" not in result.stderr, result.stderr
