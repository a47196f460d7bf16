"""A light start: ``ovhflow --version`` and ``ovhflow validate`` import only what they need.

Cron runs ovhflow often and briefly, so start-up time matters (the benchmark's "start" case times
it). These tests check the cause rather than the time: the real command, run as ``python -X importtime
-m ovhflow ...``, reports every module it imported on stderr, and heavy libraries must not be among them.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import RECIPES_DIR, REPO_ROOT

HEAVY_FOR_VERSION = ("requests", "jinja2", "jsonschema", "rich")


def imported_modules(
    *args: str, cwd: Path = REPO_ROOT, env: dict[str, str] | None = None
) -> tuple[subprocess.CompletedProcess[str], set[str]]:
    """Run ``python -X importtime -m ovhflow ARGS`` and return it with every module it imported."""
    proc = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "ovhflow", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=60,
        env=None if env is None else {**os.environ, **env},
    )
    modules = set()
    for line in proc.stderr.splitlines():
        if line.startswith("import time:") and line.count("|") == 2:
            name = line.rsplit("|", 1)[1].strip()
            if name != "package":  # the header line
                modules.add(name)
    return proc, modules


def imported_top_level(
    *args: str, cwd: Path = REPO_ROOT
) -> tuple[subprocess.CompletedProcess[str], set[str]]:
    """Run ``python -X importtime -m ovhflow ARGS`` and return it with the top-level packages it imported."""
    proc, modules = imported_modules(*args, cwd=cwd)
    return proc, {name.split(".")[0] for name in modules}


def test_importtime_parsing_sees_what_is_imported() -> None:
    # guards the helper itself: without this, an empty module set would make every check below pass
    proc, modules = imported_top_level("--version")
    assert proc.returncode == 0, proc.stderr
    assert {"ovhflow", "click"} <= modules


def test_version_imports_no_heavy_library() -> None:
    proc, modules = imported_top_level("--version")
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "version" in proc.stdout
    assert sorted(modules & set(HEAVY_FOR_VERSION)) == []


def _gallery_recipes() -> list[Path]:
    return sorted(RECIPES_DIR.glob("*.yaml"))


# A valid recipe is checked without jsonschema (ovhflow/recipe/schema_check.py); with it come referencing,
# attrs, rpds and the format checkers' libraries: more than the rest of validate together.
SCHEMA_LIBRARIES = ("jsonschema", "referencing", "attr", "attrs", "rpds", "jsonschema_specifications")


def test_validate_does_not_import_requests(tmp_path: Path) -> None:
    recipe = tmp_path / "welcome.yaml"
    recipe.write_text(
        "name: Welcome\n"
        "steps:\n"
        "  - id: me\n"
        "    get: /me\n"
        '  - log: "Welcome {{ steps.me.result.firstname }}"\n',
        encoding="utf-8",
    )
    proc, modules = imported_top_level("validate", str(recipe))
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "requests" not in modules


@pytest.mark.parametrize("recipe", _gallery_recipes(), ids=lambda path: path.name)
def test_validate_of_gallery_recipe_does_not_import_requests(recipe: Path) -> None:
    proc, modules = imported_top_level("validate", str(recipe))
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "requests" not in modules
    assert sorted(modules & set(SCHEMA_LIBRARIES)) == []


def test_validate_reads_entry_points_without_importlib_metadata() -> None:
    # ovhflow/plugin/entry_points.py reads the dist-info folders itself: importlib.metadata (and the email
    # parser it reads METADATA with) is for environments that scan does not cover
    proc, modules = imported_modules("validate", str(RECIPES_DIR / "burst-sbg1.yaml"))
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "ovhflow_plugins.rows" in modules  # imported by the entry-point plugins: they were loaded
    assert sorted(modules & {"importlib.metadata", "email", "email.parser", "zipfile"}) == []
    # suggestions and ovh.conf reading are for errors: a valid recipe needs neither
    assert sorted(modules & {"difflib", "configparser"}) == []


def test_invalid_recipe_still_gets_jsonschemas_located_message(tmp_path: Path) -> None:
    # the other side of the quick check: a document it cannot pass goes to jsonschema for the message
    recipe = tmp_path / "bad.yaml"
    recipe.write_text("name: Bad\nsteps:\n  - get: /me\n    retries: many\n", encoding="utf-8")
    proc, modules = imported_top_level("validate", str(recipe))
    assert proc.returncode == 2
    assert f"{recipe}:4:14: steps[0].retries: expected an integer from 0 to 1000" in proc.stderr
    assert "jsonschema" in modules


def test_a_run_imports_the_api_checker_only_when_schemas_were_pulled(tmp_path: Path) -> None:
    # issue 10's check needs `ovhflow schemas pull`'s cache; with none, the checker stays unimported
    env = {
        "HOME": str(tmp_path),
        "XDG_CACHE_HOME": str(tmp_path / "cache"),
        "OVHFLOW_LOCK_DIR": str(tmp_path / "locks"),
        "OVH_ENDPOINT": "http://127.0.0.1:9/1.0",  # nothing listens: the run ends at its first call
        "OVH_APPLICATION_KEY": "startup-app-key",
        "OVH_APPLICATION_SECRET": "startup-application-secret",
        "OVH_CONSUMER_KEY": "startup-consumer-key",
    }
    recipe = str(RECIPES_DIR / "welcome.yaml")
    proc, modules = imported_modules("run", recipe, "--timeout", "5", env=env)
    assert proc.returncode == 1, proc.stderr[-2000:]
    assert "ovhflow.apicheck.check" not in modules
    (tmp_path / "cache" / "ovhflow" / "schemas").mkdir(parents=True)
    proc, modules = imported_modules("run", recipe, "--timeout", "5", env=env)
    assert proc.returncode == 1, proc.stderr[-2000:]
    assert "ovhflow.apicheck.check" in modules  # something was pulled once: the check looks for it
