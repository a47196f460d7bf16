"""The README's runnable examples run, so the guide never drifts from the code.

A fenced block right after an ``<!-- runnable -->`` line is an example to run: ``sh`` blocks run in bash
from the repository root, ``yaml`` blocks are recipes that must validate and run against the sandbox.
The ``pip install .`` part of a shell example is dropped: the test environment has installed the project
already (CI runs exactly that install right before the tests).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.cli_invoke import invoke_ovhflow
from tests.helpers import REPO_ROOT

README = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
BLOCK = re.compile(r"<!-- runnable -->\n```(\w+)\n(.*?)```", re.DOTALL)
EXAMPLES = [(lang, body) for lang, body in BLOCK.findall(README)]


def test_readme_has_runnable_examples() -> None:
    languages = {lang for lang, _ in EXAMPLES}
    assert {"sh", "yaml"} <= languages, "the README should mark shell and recipe examples as runnable"


@pytest.mark.parametrize(
    "body", [body for lang, body in EXAMPLES if lang == "sh"], ids=lambda b: b.strip().splitlines()[0][:40]
)
def test_shell_example_runs(body: str, tmp_path: Path) -> None:
    script = re.sub(r"pip install [^&\n]*&&\s*", "", body)
    env = dict(os.environ)
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    env = {k: v for k, v in env.items() if not k.startswith("OVH_")}
    result = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", script],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, f"{script}\nstdout:\n{result.stdout}\nstderr:\n{result.stderr}"
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    "body", [body for lang, body in EXAMPLES if lang == "yaml"], ids=lambda b: b.strip().splitlines()[0][:40]
)
def test_recipe_example_validates_and_runs(body: str, tmp_path: Path) -> None:
    recipe = tmp_path / "example.yaml"
    recipe.write_text(body, encoding="utf-8")
    validated = invoke_ovhflow("validate", str(recipe), cwd=tmp_path)
    assert validated.returncode == 0, validated.stderr
    ran = invoke_ovhflow("run", "--sandbox", str(recipe), cwd=tmp_path)
    assert ran.returncode == 0, f"stdout:\n{ran.stdout}\nstderr:\n{ran.stderr}"
    assert "Traceback" not in ran.stderr
