"""ovhflow: declarative YAML recipes for the OVHcloud API.

``hookimpl`` is what plugins decorate their hook implementations with; the hook specifications live
in :mod:`ovhflow.hookspecs`.
"""

import pluggy

__version__ = "0.1.0"

PROJECT_NAME = "ovhflow"
hookimpl = pluggy.HookimplMarker(PROJECT_NAME)

__all__ = ["__version__", "hookimpl", "PROJECT_NAME"]
