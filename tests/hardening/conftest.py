"""Fixtures for the hardening tests: an isolated environment per CLI run, recipe files. What the tests
import (the shared recipe, journal queries, background runs) is in tests/hardening/helpers.py."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest


@pytest.fixture
def isolated(isolated_env: dict[str, str]) -> dict[str, str]:
    """The shared isolated environment (tests/conftest.py), under the name these tests use."""
    return isolated_env


@pytest.fixture
def write_recipe(tmp_path: Path) -> Callable[[str, str], Path]:
    """Write a recipe file in the test's folder: ``write_recipe(text, "name.yaml")``."""

    def write(text: str, name: str = "recipe.yaml") -> Path:
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return path

    return write
