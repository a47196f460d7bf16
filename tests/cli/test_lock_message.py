"""The message of a run that finds its recipe's lock taken (exit 4) says how to wait or skip it."""

from __future__ import annotations

from pathlib import Path

from ovhflow.cli.locking import recipe_lock
from tests.cli_invoke import invoke


def test_lock_held_names_wait_lock_and_no_lock(sandbox, isolated_env, tmp_path: Path, monkeypatch) -> None:
    recipe = tmp_path / "nightly.yaml"
    recipe.write_text("name: nightly\nsteps:\n  - get: /me\n")
    monkeypatch.setenv("OVHFLOW_LOCK_DIR", isolated_env["OVHFLOW_LOCK_DIR"])
    env = {**isolated_env, **sandbox.env()}
    with recipe_lock(recipe):  # another run holds it (flock: another open file, even in this process)
        result = invoke("run", str(recipe), env=env, cwd=tmp_path)
    assert result.exit_code == 4
    message = result.stderr.strip().splitlines()[-1]
    assert message.startswith(f"error: recipe {recipe} is already running (pid ")
    assert message.endswith(
        ": --wait-lock SECONDS waits for it to end; --no-lock runs anyway, if overlapping runs are safe"
    )
    assert [entry for entry in sandbox.journal if entry["path"].endswith("/me")] == []
