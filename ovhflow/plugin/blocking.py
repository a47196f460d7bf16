"""Which plugins the person running ovhflow blocked: ``OVHFLOW_DISABLE_PLUGINS=name,name``.

Its own module, free of pluggy, so that error messages can mention a blocked plugin without loading
the plugin machinery.
"""

from __future__ import annotations

import os

DISABLE_ENV = "OVHFLOW_DISABLE_PLUGINS"


def disabled_names() -> set[str]:
    """The plugin names ``OVHFLOW_DISABLE_PLUGINS`` blocks (comma-separated, spaces ignored)."""
    return {name.strip() for name in os.environ.get(DISABLE_ENV, "").split(",") if name.strip()}
