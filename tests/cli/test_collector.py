"""The garbage collector is paused while a command starts (ovhflow/cli/collector.py): off through
validate, back on before a run's first step, as it was once the command ends, and left off when it was
off already."""

from __future__ import annotations

import gc
import json
import sys
from pathlib import Path

from ovhflow.cli import collector
from tests.cli_invoke import invoke
from tests.helpers import RECIPES_DIR

WATCHING_PLUGIN = """\
import gc
import json
import sys
import os
from pathlib import Path

from ovhflow import hookimpl

SEEN = {"while plugins load": gc.isenabled()}


@hookimpl
def ovhflow_step_start(run, step_id, name, location):
    SEEN.setdefault("at the first step", gc.isenabled())
    Path(os.environ["GC_SEEN"]).write_text(json.dumps(SEEN))
"""


def test_paused_resumes_and_leaves_a_collector_that_was_off_alone() -> None:
    assert gc.isenabled()
    with collector.paused():
        assert not gc.isenabled()
        collector.resume()
        assert gc.isenabled()
        collector.resume()  # again: nothing more
    assert gc.isenabled()
    gc.disable()
    try:
        with collector.paused():
            collector.resume()
            assert not gc.isenabled()  # the embedding program's choice stands
        assert not gc.isenabled()
    finally:
        gc.enable()


def watching_plugin(tmp_path: Path) -> tuple[Path, Path]:
    """A --plugins-dir folder whose plugin writes down whether the collector was on (to the file returned
    second) while plugins loaded and at the first step."""
    plugins = tmp_path / "plugins"
    plugins.mkdir()
    (plugins / "gc_watch.py").write_text(WATCHING_PLUGIN, encoding="utf-8")
    return plugins, tmp_path / "seen.json"


def test_validate_runs_with_the_collector_paused(tmp_path: Path) -> None:
    plugins, seen = watching_plugin(tmp_path)
    recipes = map(str, sorted(RECIPES_DIR.glob("*.yaml")))
    done = invoke("validate", *recipes, "--plugins-dir", str(plugins), env={"GC_SEEN": str(seen)})
    assert done.exit_code == 0, done.stderr
    # the plugin module, imported while plugins load, writes nothing before a step: read its record
    assert sys.modules["ovhflow_local_plugins.gc_watch"].SEEN == {"while plugins load": False}
    assert gc.isenabled()


def test_a_run_collects_again_from_its_first_step(tmp_path: Path) -> None:
    plugins, seen = watching_plugin(tmp_path)
    done = invoke(
        "run", "--sandbox", str(RECIPES_DIR / "welcome.yaml"), "--plugins-dir", str(plugins),
        env={"GC_SEEN": str(seen)},
    )  # fmt: skip
    assert done.exit_code == 0, done.stderr
    assert json.loads(seen.read_text()) == {"while plugins load": False, "at the first step": True}


def test_other_commands_collect_as_they_start(tmp_path: Path) -> None:
    plugins, _ = watching_plugin(tmp_path)
    done = invoke("plugins", "--plugins-dir", str(plugins))
    assert done.exit_code == 0, done.stderr
    assert sys.modules["ovhflow_local_plugins.gc_watch"].SEEN == {"while plugins load": True}
    assert gc.isenabled()
