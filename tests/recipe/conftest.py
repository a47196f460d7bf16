"""Recipe test fixtures: the built-in plugins (no entry points, so results do not depend on what is
installed) and a function writing a recipe file in a temporary folder. What tests import (the corpus's
folder) is in tests/recipe/helpers.py."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from ovhflow.plugin.manager import Plugins, load_plugins


@pytest.fixture(scope="session")
def plugins() -> Plugins:
    return load_plugins(entry_points=False)


@pytest.fixture
def write(tmp_path: Path) -> Callable[..., Path]:
    """``write("name: x\\n...", name="r.yaml")`` -> the path of a new file holding that text."""

    def write_file(text: str, name: str = "recipe.yaml") -> Path:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return path

    return write_file
