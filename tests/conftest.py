"""Fixtures shared by every test area. Area-specific fixtures live in tests/<area>/conftest.py."""

from __future__ import annotations

import os
import shutil
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

# A few APIs of the shared corpus, for tests about what happens when an API's document is absent: the
# shared folder holds nearly every API, so those tests build a folder that lacks the rest.
SCHEMA_SUBSET = (
    "v1/_index.json",
    "v1/auth.json",
    "v1/me.json",
    "v1/dedicated/server.json",
    "v1/email/domain.json",
    "v1/email/pro.json",
    "v1/domain.json",
    "v1/ip.json",
    "v2/_index.json",
    "v2/domain.json",
    "v2/iam.json",
)


def copy_schema_subset(folder: Path, documents: tuple[str, ...] = SCHEMA_SUBSET) -> Path:
    """Copy ``documents`` (paths relative to the shared schema folder) into ``folder``; return it."""
    for relative in documents:
        target = folder / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(SCHEMAS_DIR / relative, target)
    return folder


@pytest.fixture(scope="session")
def schema_subset(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A schema folder with only the APIs of :data:`SCHEMA_SUBSET` (the root listings name them all)."""
    return copy_schema_subset(tmp_path_factory.mktemp("schemas"))


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
