"""Fixtures for the unattended-use tests: sandbox credentials over tests/conftest.py's `isolated_env`."""

from __future__ import annotations

import pytest


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
