"""Every hook of ovhflow/hookspecs.py is documented in the README and implemented in a test.

A new hook added to the specs without a line in "Writing a plugin" (with its exact arguments), or without
a test plugin implementing it, fails here; so does the README's example plugin if it stops working.
"""

from __future__ import annotations

import inspect
import re
from pathlib import Path

import pytest

from ovhflow import PROJECT_NAME, hookspecs
from ovhflow.plugin.manager import hook_names
from tests.cli_invoke import invoke, invoke_ovhflow
from tests.helpers import REPO_ROOT

README = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
TESTS = REPO_ROOT / "tests"


def writing_a_plugin_section() -> str:
    match = re.search(r"^## Writing a plugin\n(.*?)(?=^## |\Z)", README, re.DOTALL | re.MULTILINE)
    assert match, 'README.md has no "## Writing a plugin" section'
    return match.group(1)


SECTION = writing_a_plugin_section()
HOOKS = hook_names()


def test_there_are_hooks() -> None:
    assert len(HOOKS) >= 9


@pytest.mark.parametrize("hook", HOOKS)
def test_hook_is_documented_with_its_signature(hook: str) -> None:
    arguments = ", ".join(inspect.signature(getattr(hookspecs, hook)).parameters)
    signature = f"`{hook}({arguments})`"
    assert signature in SECTION, f"README 'Writing a plugin' does not document {signature}"
    line = next(line for line in SECTION.splitlines() if signature in line)
    assert line.count("|") >= 4, (
        f"{hook}: the hooks table row should say when it is called and what it returns"
    )


FIRSTRESULT = "Stops at the first non-None result (``firstresult``)."


@pytest.mark.parametrize("hook", HOOKS)
def test_hook_spec_documents_each_argument_and_firstresult(hook: str) -> None:
    """A plugin author reads the spec's docstring: each argument has its ``:param``, and a firstresult
    hook says so (the first non-None answer wins, the other implementations are not called)."""
    spec = getattr(hookspecs, hook)
    doc = inspect.getdoc(spec) or ""
    undocumented = [name for name in inspect.signature(spec).parameters if f":param {name}:" not in doc]
    assert undocumented == [], f"{hook}: no :param for {', '.join(undocumented)}"
    firstresult = getattr(spec, f"{PROJECT_NAME}_spec")["firstresult"]
    assert (FIRSTRESULT in " ".join(doc.split())) == firstresult, (
        f"{hook}: the docstring should say {FIRSTRESULT!r} exactly when the spec is firstresult"
    )


@pytest.mark.parametrize("hook", HOOKS)
def test_hook_is_implemented_by_a_test_plugin(hook: str) -> None:
    """Some test defines an implementation of the hook (in a plugin it loads), not just mentions it."""
    implementation = re.compile(rf"^\s*def {hook}\(", re.MULTILINE)
    this_file = Path(__file__).resolve()
    implementing = [
        path.relative_to(REPO_ROOT)
        for path in TESTS.rglob("*.py")
        if path.resolve() != this_file and implementation.search(path.read_text(encoding="utf-8"))
    ]
    assert implementing, f"no test implements {hook}"


def readme_block(marker: str) -> str:
    match = re.search(rf"<!-- {re.escape(marker)} -->\n```\w+\n(.*?)```", SECTION, re.DOTALL)
    assert match, f"no block marked {marker!r} in README 'Writing a plugin'"
    return match.group(1)


def test_readme_example_plugin_loads_and_runs(sandbox, tmp_path: Path) -> None:
    plugins = tmp_path / "my-plugins"
    plugins.mkdir()
    (plugins / "count_items.py").write_text(readme_block("plugin-example: count_items.py"), encoding="utf-8")
    (tmp_path / "count-bills.yaml").write_text(readme_block("plugin-example-recipe"), encoding="utf-8")

    listed = invoke_ovhflow("plugins", "--plugins-dir", "my-plugins", cwd=tmp_path)
    assert listed.returncode == 0, listed.stderr
    assert "count_items 1.0.0  (my-plugins/count_items.py)" in listed.stdout
    assert "actions: count" in listed.stdout

    validated = invoke_ovhflow("validate", "--plugins-dir", "my-plugins", "count-bills.yaml", cwd=tmp_path)
    assert validated.returncode == 0, validated.stderr
    without = invoke_ovhflow("validate", "count-bills.yaml", cwd=tmp_path)
    assert without.returncode == 2 and "count" in without.stderr

    env = {**sandbox.env(), "OVHFLOW_LOCK_DIR": str(tmp_path / "locks")}
    ran = invoke_ovhflow("run", "--plugins-dir", "my-plugins", "count-bills.yaml", env=env, cwd=tmp_path)
    assert ran.returncode == 0, ran.stderr
    assert ran.stdout == f"{len(sandbox.state['bills'])} bills\n"


def test_readme_says_what_the_example_prints_against_the_default_sandbox(tmp_path: Path) -> None:
    plugins = tmp_path / "my-plugins"
    plugins.mkdir()
    (plugins / "count_items.py").write_text(readme_block("plugin-example: count_items.py"), encoding="utf-8")
    (tmp_path / "count-bills.yaml").write_text(readme_block("plugin-example-recipe"), encoding="utf-8")
    claimed = re.search(r"--plugins-dir my-plugins count-bills\.yaml +# prints \"([^\"]+)\"", SECTION)
    assert claimed, "the README no longer says what the example prints"
    ran = invoke("run", "--sandbox", "--plugins-dir", "my-plugins", "count-bills.yaml", cwd=tmp_path)
    assert ran.exit_code == 0, ran.stderr
    assert ran.stdout == claimed.group(1) + "\n"
