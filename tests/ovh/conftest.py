"""Fixtures for the client's tests: ``server``, a capturing HTTP server (tests/ovh/helpers.py), and no
configuration of the machine leaking into a test."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest

from tests.ovh.helpers import CaptureServer


@pytest.fixture
def server() -> Iterator[CaptureServer]:
    capture = CaptureServer()
    yield capture
    capture.close()


@pytest.fixture(autouse=True)
def isolated_config(monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> None:
    """No OVH_* variable, no ~/.ovh.conf and no ./ovh.conf from the machine leak into a test."""
    for name in list(os.environ):
        if name.startswith("OVH_"):
            monkeypatch.delenv(name)
    home = tmp_path / "home"
    work = tmp_path / "work"
    home.mkdir()
    work.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.chdir(work)
