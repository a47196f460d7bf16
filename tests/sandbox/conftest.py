"""Sandbox test fixtures: ``api``, signed calls to the ``sandbox`` fixture (tests/sandbox/helpers.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.sandbox.helpers import SignedSession


@pytest.fixture
def api(sandbox) -> Iterator[SignedSession]:
    """Signed calls to the ``sandbox`` fixture with its own credentials."""
    session = SignedSession(sandbox.credentials)
    yield session
    session.http.close()
