"""Fixtures shared by every test area. Area-specific fixtures live in tests/<area>/conftest.py."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

import pytest

# The secret guard (tests/secret_guard.py): its fixtures and hooks apply to every test under tests/.
from tests.secret_guard import (  # noqa: F401
    _sandboxes_register_their_secrets,
    pytest_configure,
    pytest_runtest_makereport,
    record_output,
    secret_guard,
)

REPO_ROOT = Path(__file__).resolve().parent.parent
SHARED = REPO_ROOT.parent / "shared"
SCHEMAS_DIR = SHARED / "ovh-api-schemas"
RECIPES_DIR = REPO_ROOT / "recipes"
LOCK_DIR = tempfile.mkdtemp(prefix="ovhflow-test-locks-")


def run_ovhflow(
    *args: str,
    env: dict[str, str] | None = None,
    cwd: str | Path | None = None,
    input: str | None = None,
    timeout: float = 120,
) -> subprocess.CompletedProcess[str]:
    """Run the real ``ovhflow`` command line as a subprocess (``python -m ovhflow``)."""
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("OVH_")}
    full_env["OVHFLOW_LOCK_DIR"] = LOCK_DIR  # recipe locks of test runs never meet a real run's
    full_env.update(env or {})
    result = subprocess.run(
        [sys.executable, "-m", "ovhflow", *args],
        capture_output=True,
        text=True,
        env=full_env,
        cwd=cwd,
        input=input,
        timeout=timeout,
    )
    record_output(result.stdout, result.stderr)  # searched for secrets at the test's teardown
    return result


@pytest.fixture
def ovhflow_cli() -> Callable[..., subprocess.CompletedProcess[str]]:
    """The command line as a subprocess: ``ovhflow_cli("run", path, env=...)``."""
    return run_ovhflow


@pytest.fixture
def isolated_env(tmp_path: Path) -> dict[str, str]:
    """Environment for a CLI subprocess: its own HOME (no real ~/.ovh.conf), lock, state and cache folders."""
    home = tmp_path / "home"
    home.mkdir()
    return {
        "HOME": str(home),
        "OVHFLOW_LOCK_DIR": str(tmp_path / "locks"),
        "XDG_STATE_HOME": str(home / "state"),
        "XDG_CACHE_HOME": str(home / "cache"),
    }


@pytest.fixture
def sandbox():
    """A running OVH API sandbox (small account: 12 servers, 6 bills); ``sandbox.url``, ``.credentials``."""
    from ovhflow.sandbox import Sandbox

    with Sandbox(servers=12, bills=6) as running:
        yield running


@pytest.fixture
def sandbox_factory():
    """Start sandboxes with any :class:`ovhflow.sandbox.Sandbox` options; all are stopped at teardown."""
    from ovhflow.sandbox import Sandbox

    started: list = []

    def start(**options):
        running = Sandbox(**options).start()
        started.append(running)
        return running

    yield start
    for running in started:
        running.stop()
