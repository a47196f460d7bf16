"""Where ``ovhflow schemas pull`` keeps the schema documents it downloads (:mod:`ovhflow.apicheck.cache`).

A module of its own, importing nothing heavy: ``ovhflow run`` looks here first, and imports the API
checker only when something was ever pulled (start-up time: the checker is about a twentieth of what a
run does before its first request).
"""

from __future__ import annotations

import os
from pathlib import Path


def cache_root() -> Path:
    """The folder all endpoints' schemas are cached under, following the XDG base directory spec."""
    base = os.environ.get("XDG_CACHE_HOME") or ""
    root = Path(base) if os.path.isabs(base) else Path.home() / ".cache"
    return root / "ovhflow" / "schemas"
