"""Fixtures shared by every test area. Area-specific fixtures live in tests/<area>/conftest.py; plain
helpers (paths, the command line as a subprocess) in tests/helpers.py."""

from __future__ import annotations

import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

# The secret guard (tests/secret_guard.py): its fixtures and hooks apply to every test under tests/.
# tests.helpers imports it too, so it is registered for assertion rewriting before that import.
pytest_plugins = ["tests.secret_guard"]
pytest.register_assert_rewrite("tests.secret_guard")

from tests.cli_invoke import invoke_ovhflow  # noqa: E402
from tests.helpers import Listener, copy_schema_subset, run_ovhflow  # noqa: E402


@pytest.fixture(scope="session")
def httpserver_listen_address() -> tuple[str, int]:
    """pytest-httpserver on 127.0.0.1 (not ``localhost``, which may resolve to ::1): messages name it."""
    return ("127.0.0.1", 0)


@pytest.fixture(scope="session")
def schema_subset(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A schema folder with only the APIs of :data:`SCHEMA_SUBSET` (the root listings name them all)."""
    return copy_schema_subset(tmp_path_factory.mktemp("schemas"))


@pytest.fixture
def ovhflow_cli() -> Callable[..., subprocess.CompletedProcess[str]]:
    """The command line as a subprocess: ``ovhflow_cli("run", path, env=...)``."""
    return run_ovhflow


@pytest.fixture
def ovhflow_invoke() -> Callable[..., subprocess.CompletedProcess[str]]:
    """The command line in-process (click's CliRunner), called as ``ovhflow_cli`` is."""
    return invoke_ovhflow


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


@pytest.fixture
def app_env(sandbox, isolated_env: dict[str, str]) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """The sandbox's endpoint and application key and secret, but no consumer key."""
    env = dict(isolated_env)
    env.update({k: v for k, v in sandbox.env().items() if k != "OVH_CONSUMER_KEY"})
    return env


@pytest.fixture
def full_env(sandbox, isolated_env: dict[str, str]) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """The sandbox's endpoint and full credentials, consumer key included."""
    return {**isolated_env, **sandbox.env()}


@pytest.fixture
def listener() -> Iterator[Listener]:
    """A raw TCP listener on 127.0.0.1 counting connections and bytes (:class:`tests.helpers.Listener`)."""
    running = Listener()
    yield running
    running.close()
