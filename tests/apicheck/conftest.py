"""Fixtures for the API-check tests: the shared OVH schema copies, loaded once per session."""

from __future__ import annotations

import pytest

from ovhflow.apicheck.catalog import Catalog
from tests.helpers import SCHEMAS_DIR


@pytest.fixture(scope="session")
def catalog() -> Catalog:
    return Catalog.from_dir(SCHEMAS_DIR)
