"""The per-recipe lock: a second holder is refused at once naming the first, or waits when asked."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from ovhflow.cli.locking import lock_path, recipe_lock
from ovhflow.errors import ConfigError, LockHeld
from ovhflow.exit_status import ExitStatus


@pytest.fixture(autouse=True)
def private_lock_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "locks"
    monkeypatch.setenv("OVHFLOW_LOCK_DIR", str(folder))
    return folder


HOLDER = """
import sys, time
from ovhflow.cli.locking import recipe_lock
with recipe_lock(sys.argv[1]):
    print("held", flush=True)
    sys.stdin.readline()
"""


def _start_holder(recipe: Path) -> subprocess.Popen[str]:
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(recipe)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env=os.environ.copy(),
        cwd=Path(__file__).resolve().parents[2],
    )
    assert holder.stdout is not None
    assert holder.stdout.readline().strip() == "held"
    return holder


def test_same_recipe_by_other_path_maps_to_same_lock(tmp_path: Path) -> None:
    recipe = tmp_path / "job.yaml"
    recipe.write_text("name: x\n")
    indirect = tmp_path / "sub" / ".." / "job.yaml"
    (tmp_path / "sub").mkdir()
    assert lock_path(recipe) == lock_path(indirect)
    assert lock_path(recipe) != lock_path(tmp_path / "other.yaml")


def test_second_holder_is_refused_with_pid_and_start_time(tmp_path: Path) -> None:
    recipe = tmp_path / "job.yaml"
    recipe.write_text("name: x\n")
    holder = _start_holder(recipe)
    try:
        with pytest.raises(LockHeld) as caught, recipe_lock(recipe):
            pytest.fail("the lock must not be granted while another process holds it")
        message = str(caught.value)
        assert f"pid {holder.pid}" in message
        assert "started 20" in message
        assert str(recipe) in message
        assert caught.value.exit_status == ExitStatus.LOCKED == 4
    finally:
        holder.communicate("\n")
    with recipe_lock(recipe) as path:  # released when the holder exits
        assert path.exists()


def test_lock_is_released_when_the_holder_is_killed(tmp_path: Path) -> None:
    recipe = tmp_path / "job.yaml"
    recipe.write_text("name: x\n")
    holder = _start_holder(recipe)
    holder.kill()
    holder.wait()
    with recipe_lock(recipe):
        pass


def test_wait_lock_gets_the_lock_once_released(tmp_path: Path) -> None:
    recipe = tmp_path / "job.yaml"
    recipe.write_text("name: x\n")
    holder = _start_holder(recipe)
    releaser = threading.Thread(target=lambda: (time.sleep(0.3), holder.communicate("\n")))
    releaser.start()
    try:
        # The holder held the lock when we asked (it said "held"), so getting it means we waited.
        with recipe_lock(recipe, wait_seconds=60) as path:
            assert path.exists()
    finally:
        releaser.join()
    assert holder.returncode == 0


def test_wait_lock_gives_up_after_waiting(tmp_path: Path) -> None:
    recipe = tmp_path / "job.yaml"
    recipe.write_text("name: x\n")
    holder = _start_holder(recipe)
    try:
        with (
            pytest.raises(LockHeld, match=r"after waiting 0\.2s \(pid \d+"),
            recipe_lock(recipe, wait_seconds=0.2),
        ):
            pass
    finally:
        holder.communicate("\n")


def test_nested_use_in_one_process_is_refused(tmp_path: Path) -> None:
    recipe = tmp_path / "job.yaml"
    recipe.write_text("name: x\n")
    with recipe_lock(recipe), pytest.raises(LockHeld, match=f"pid {os.getpid()}"), recipe_lock(recipe):
        pass


def test_lock_folder_is_private(tmp_path: Path, private_lock_dir: Path) -> None:
    with recipe_lock(tmp_path / "job.yaml") as path:
        assert path.parent == private_lock_dir
        assert (private_lock_dir.stat().st_mode & 0o777) == 0o700
        assert (path.stat().st_mode & 0o777) == 0o600


def test_default_folder_ignores_session_variables(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # cron has no XDG_RUNTIME_DIR while a login shell has one: both must find the same lock
    monkeypatch.delenv("OVHFLOW_LOCK_DIR")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(tmp_path))
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "elsewhere"))
    from_shell = lock_path(tmp_path / "job.yaml")
    monkeypatch.delenv("XDG_RUNTIME_DIR")
    monkeypatch.delenv("XDG_STATE_HOME")
    assert lock_path(tmp_path / "job.yaml") == from_shell
    assert from_shell.parent == tmp_path / "home" / ".local" / "state" / "ovhflow" / "locks"


def test_unwritable_home_falls_back_to_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OVHFLOW_LOCK_DIR")
    not_a_folder = tmp_path / "file"
    not_a_folder.write_text("")
    monkeypatch.setenv("HOME", str(not_a_folder))
    assert lock_path(tmp_path / "job.yaml").parent == Path("/tmp") / f"ovhflow-locks-{os.getuid()}"


@pytest.mark.skipif(os.getuid() != 0, reason="giving a folder to another user needs root")
def test_folder_owned_by_someone_else_is_refused(tmp_path: Path, private_lock_dir: Path) -> None:
    private_lock_dir.mkdir()
    os.chown(private_lock_dir, 12345, 12345)
    with (
        pytest.raises(ConfigError, match="not a folder owned by this user"),
        recipe_lock(tmp_path / "job.yaml"),
    ):
        pass
