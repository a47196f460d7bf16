"""Fixtures for the unattended-use tests: an isolated home, lock folder and environment per test."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture
def isolated_env(tmp_path: Path) -> dict[str, str]:
    """Environment for a CLI subprocess: its own HOME (no real ~/.ovh.conf) and lock folder."""
    home = tmp_path / "home"
    home.mkdir()
    return {
        "HOME": str(home),
        "OVHFLOW_LOCK_DIR": str(tmp_path / "locks"),
        "XDG_STATE_HOME": str(home / "state"),
    }


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
