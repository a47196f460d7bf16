"""A recipe that includes a file holding a credential (a systemd EnvironmentFile, a plain secret file)
must not print it: recipe errors never quote a loaded file's content, and every error printed before the
client exists masks the machine's credentials (stderr, the JSON log, the --report file, validate)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli_invoke import invoke

SECRET = "Zq8sVh3LmXw2Rk9TbN4cJd7Pf6Ga1Ye5"
CONF_SECRET = "Conf5ecretOnlyInAnOvhConf0123456"
ENV = {"OVH_APPLICATION_SECRET": SECRET, "OVH_APPLICATION_KEY": "appkey12345678", "OVH_ENDPOINT": "ovh-eu"}


def _recipe(tmp_path: Path, included: str, content: str) -> Path:
    (tmp_path / included).write_text(content)
    recipe = tmp_path / "recipe.yaml"
    recipe.write_text(f"name: leak\nsteps:\n  - include: {included}\n")
    return recipe


@pytest.mark.parametrize(
    ("included", "content"),
    [
        ("ovhflow.env", f"OVH_APPLICATION_SECRET={SECRET}\n"),
        ("secret.txt", f"{SECRET}\n"),
        ("secret.yaml", f"*{SECRET}\n"),  # YAML's own problem names the undefined alias
        ("tagged.yaml", f"!{SECRET} x\n"),
    ],
)
def test_an_included_credential_file_is_never_quoted(tmp_path: Path, included: str, content: str) -> None:
    for stderr in _refused_everywhere(tmp_path, _recipe(tmp_path, included, content)):
        assert included in stderr
        assert SECRET[:12] not in stderr, stderr


def _refused_everywhere(tmp_path: Path, recipe: Path) -> list[str]:
    """Stderr of run, run with a JSON log and a report, and validate: each exits 2, none with SECRET."""
    report = tmp_path / "report.json"
    stderrs = []
    for args in (
        ("run", str(recipe)),
        ("run", "--log-format", "json", "--report", str(report), str(recipe)),
        ("validate", str(recipe)),
    ):
        result = invoke(*args, env=ENV, cwd=tmp_path)
        assert result.exit_code == 2, (args, result.stderr)
        assert SECRET not in result.stderr and SECRET not in result.stdout, result.stderr
        if "json" in args:
            assert json.loads(result.stderr.strip().splitlines()[-1])["event"] == "error"
        stderrs.append(result.stderr)
    assert SECRET not in report.read_text()
    return stderrs


def test_the_top_level_error_says_type_and_length(tmp_path: Path) -> None:
    recipe = _recipe(tmp_path, "ovhflow.env", f"OVH_APPLICATION_SECRET={SECRET}\n")
    result = invoke("validate", str(recipe), env={}, cwd=tmp_path)  # no credential known: the root fix
    assert result.exit_code == 2
    assert "got a string of 55 characters" in result.stderr, result.stderr
    assert SECRET not in result.stderr


def test_errors_that_quote_a_value_mask_the_machine_credentials(tmp_path: Path) -> None:
    """The second net: a message that does quote what it found (an unknown key) masks a credential."""
    recipe = tmp_path / "recipe.yaml"
    recipe.write_text(f"name: quoted\nsteps:\n  - get: /me\n    {SECRET}: 3\n")  # keys are quoted
    for stderr in _refused_everywhere(tmp_path, recipe):
        assert "unknown key '***' in step steps[0]" in stderr, stderr


@pytest.mark.parametrize(
    ("content", "said"),
    [
        (f"name: {SECRET}\nsteps: {SECRET}\n", "steps: expected a list, got a string of 32 characters"),
        (
            f"name: x\nsteps: []\ninputs: {SECRET}\n",
            "inputs: expected a mapping, got a string of 32 characters",
        ),
    ],
)
def test_top_level_values_of_an_included_file_are_not_quoted(tmp_path: Path, content: str, said: str) -> None:
    """A mapping that is no recipe: its top-level values are described, never quoted (no credential known)."""
    recipe = _recipe(tmp_path, "values.yaml", content)
    result = invoke("validate", str(recipe), env={}, cwd=tmp_path)
    assert result.exit_code == 2
    assert said in result.stderr, result.stderr
    assert SECRET not in result.stderr


def test_a_params_file_that_is_a_credentials_file_is_not_quoted(tmp_path: Path) -> None:
    (tmp_path / "ovhflow.env").write_text(f"OVH_APPLICATION_SECRET={SECRET}\n")
    recipe = tmp_path / "recipe.yaml"
    recipe.write_text("name: params\nsteps:\n  - get: /me\n")
    result = invoke("run", "--params", "ovhflow.env", str(recipe), env={}, cwd=tmp_path)
    assert result.exit_code == 2
    assert "got a string of 55 characters" in result.stderr, result.stderr
    assert SECRET not in result.stderr


@pytest.mark.parametrize(
    "args",
    [
        (SECRET, "/me"),  # a method that is a credential (arguments mixed up in a script)
        ("GET", SECRET),  # a path without its /
        ("--endpoint", SECRET, "GET", "/me"),  # exit 3: the client cannot be built
        ("--config", "other.conf", "GET", f"x{CONF_SECRET}"),  # a credential held only in an ovh.conf
    ],
)
def test_call_masks_the_machine_credentials_in_errors_before_the_client_exists(
    tmp_path: Path, args: tuple[str, ...]
) -> None:
    (tmp_path / "other.conf").write_text(f"[ovh-ca]\napplication_secret={CONF_SECRET}\n")
    result = invoke("call", *args, env=ENV, cwd=tmp_path)
    assert result.exit_code in (2, 3), result.stderr
    assert SECRET not in result.stderr and CONF_SECRET not in result.stderr, result.stderr
    assert "***" in result.stderr, result.stderr


@pytest.mark.parametrize(
    ("content", "said"),
    [
        (f"steps:\n  - get: /me\n    auth: {SECRET}\n", "steps[0].auth: expected true or false or a"),
        (f"steps:\n  - get: {SECRET}\n", "steps[0].get: a string of 32 characters is not valid"),
        (f"inputs:\n  x: {{type: {SECRET}}}\nsteps:\n  - log: hi\n", "inputs.x.type: must be one of"),
        (f"steps:\n  - get: /me\n    query: {SECRET}\n", "steps[0].query: expected a mapping or a"),
        (
            f"steps:\n  - loop: [a]\n    as: {SECRET}-x\n    log: hi\n",
            "steps[0].as: a string of 34 characters",
        ),
        (
            f"inputs:\n  x: {{type: integer, secret: true, default: {SECRET}}}\nsteps:\n  - log: hi\n",
            "inputs.x.default: expected an integer, got a string of 32 characters",
        ),
        (
            f"inputs:\n  x: {{secret: true, choices: [a, b], default: {SECRET}}}\nsteps:\n  - log: hi\n",
            "inputs.x.default: a string of 32 characters is not one of its choices",
        ),
    ],
)
def test_values_deep_in_a_recipe_are_described_not_quoted(tmp_path: Path, content: str, said: str) -> None:
    """A value anywhere in a recipe may be a secret pasted in (none the machine knows): schema errors
    say its kind and size; the location points at it."""
    recipe = tmp_path / "recipe.yaml"
    recipe.write_text(f"name: deep\n{content}")
    result = invoke("validate", str(recipe), env={}, cwd=tmp_path)
    assert result.exit_code == 2, result.stderr
    assert said in result.stderr, result.stderr
    assert SECRET not in result.stderr and SECRET[:12] not in result.stderr, result.stderr
