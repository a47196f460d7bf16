"""``ovhflow validate`` as a person and a cron job use it: one line per problem, exit 0 or 2."""

from __future__ import annotations

from pathlib import Path

from tests.cli_invoke import invoke_ovhflow
from tests.helpers import run_ovhflow
from tests.recipe.helpers import CORPUS


def test_valid_files_print_ok_and_exit_0() -> None:
    good = [CORPUS / "good_burst.yaml", CORPUS / "good_everything.yaml"]
    proc = invoke_ovhflow("validate", *map(str, good))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines() == [f"{path}: ok" for path in good]
    assert proc.stderr == ""


def test_one_invalid_file_among_valid_ones_exits_2(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\nsteps:\n  - get: /me\n    put: /me\n", encoding="utf-8")
    good = CORPUS / "good_burst.yaml"
    proc = invoke_ovhflow("validate", str(bad), str(good))
    assert proc.returncode == 2
    assert proc.stdout.splitlines() == [f"{good}: ok"]
    assert proc.stderr.splitlines() == [
        f"{bad}:4:5: step steps[0] has 2 actions, 'get' and 'put': a step does exactly one thing, "
        "split it into one step per action"
    ]


def test_debug_shows_the_traceback(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\nsteps: []\n", encoding="utf-8")
    proc = run_ovhflow("validate", "--debug", str(bad))  # the traceback the process prints is the subject
    assert proc.returncode != 0 and "Traceback" in proc.stderr and "RecipeErrors" in proc.stderr


def test_no_file_is_a_usage_error() -> None:
    proc = invoke_ovhflow("validate")
    assert proc.returncode == 2 and "Missing argument" in proc.stderr


def test_plugins_dir_adds_actions(tmp_path: Path) -> None:
    plugins = tmp_path / "plugins"
    plugins.mkdir()
    (plugins / "hello.py").write_text(
        "from ovhflow import hookimpl\nfrom ovhflow.plugin_api import ActionSpec\n\n\n@hookimpl\n"
        "def ovhflow_actions():\n    return [ActionSpec('hello', lambda call: None, {'type': 'string'})]\n",
        encoding="utf-8",
    )
    recipe = tmp_path / "r.yaml"
    recipe.write_text("name: x\nsteps:\n  - hello: world\n", encoding="utf-8")
    assert invoke_ovhflow("validate", str(recipe)).returncode == 2
    proc = invoke_ovhflow("validate", "--plugins-dir", str(plugins), str(recipe))
    assert proc.returncode == 0, proc.stderr
    schema = invoke_ovhflow("schema", "--plugins-dir", str(plugins))
    assert '"step_hello"' in schema.stdout


def test_run_refuses_bad_inputs_before_anything_else(tmp_path: Path) -> None:
    recipe = tmp_path / "r.yaml"
    recipe.write_text(
        "name: x\ninputs:\n  limit: {type: integer}\n  token: {secret: true, required: false}\n"
        "steps:\n  - get: /me/{{ inputs.limit }}\n",
        encoding="utf-8",
    )
    cases = [
        (["-p", "limit=ten"], "error: -p limit: 'ten' is not an integer: expected an integer such as 42"),
        (["-p", "limt=3"], "error: -p limt: the recipe has no input 'limt' (did you mean 'limit'?)"),
        (["-p", "hunter2"], "error: -p option #1: expected NAME=VALUE (no '=' found)"),
        ([], "error: missing required input 'limit': pass -p limit=VALUE"),
    ]
    for options, message in cases:
        proc = invoke_ovhflow("run", str(recipe), *options)
        assert proc.returncode == 2, proc.stderr
        assert proc.stderr.startswith(message), proc.stderr
        assert "Traceback" not in proc.stderr and "hunter2" not in proc.stderr
