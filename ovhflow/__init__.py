"""ovhflow: declarative YAML recipes for the OVHcloud API.

``hookimpl`` is what plugins decorate their hook implementations with; the hook specifications live
in :mod:`ovhflow.hookspecs`. It is created on first use, so ``ovhflow --version`` does not import pluggy.
"""

from __future__ import annotations

from typing import Any

__version__ = "0.1.0"

PROJECT_NAME = "ovhflow"

__all__ = ["__version__", "hookimpl", "PROJECT_NAME"]


def __getattr__(name: str) -> Any:
    if name == "hookimpl":
        import pluggy  # lazy: `ovhflow --version` does not load pluggy

        marker = pluggy.HookimplMarker(PROJECT_NAME)
        globals()["hookimpl"] = marker
        return marker
    raise AttributeError(f"module 'ovhflow' has no attribute {name!r}")
