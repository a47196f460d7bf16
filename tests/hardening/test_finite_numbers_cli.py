"""``--timeout``, ``--wait-lock`` and ``--rate`` take finite numbers only: ``inf`` or ``nan`` would make a
hang last forever (``nan`` passes every range check), so click refuses them before anything runs."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli_invoke import invoke, invoke_ovhflow

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


@pytest.mark.parametrize(
    "argument", ["status:=NaN", "status:=1e999", "status:=-Infinity", 's:=[1, {"x": NaN}]']
)
def test_call_refuses_a_nan_or_infinite_json_argument_before_sending(
    sandbox, full_env, tmp_path: Path, argument: str
) -> None:
    domain = next(iter(sandbox.state["emailDomains"]))
    sent_before = len(sandbox.journal)
    result = invoke_ovhflow("call", "PUT", f"/email/domain/{domain}", argument, env=full_env, cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    assert "NaN or infinite" in result.stderr and argument.split(":=")[0] in result.stderr, result.stderr
    assert len(sandbox.journal) == sent_before  # nothing went on the wire


@pytest.mark.parametrize("template", ["{{ 'inf' | float }}", "{{ 'nan' | float }}", "{{ 1e308 * 10 }}"])
def test_a_constant_nan_or_infinity_in_a_template_is_refused_located(tmp_path: Path, template: str) -> None:
    """Jinja folds constants at compile time; a folded infinity used to fail as ``NameError: name 'inf'``."""
    (tmp_path / "recipe.yaml").write_text(
        f'name: folded\nsteps:\n  - get: /me\n    query: {{x: "{template}"}}\n'
    )
    result = invoke("run", "--sandbox", "recipe.yaml", cwd=tmp_path)
    assert result.exit_code != 0
    assert "NameError" not in result.stderr, result.stderr
    assert "recipe.yaml:4:" in result.stderr and "x is NaN or infinite" in result.stderr, result.stderr
