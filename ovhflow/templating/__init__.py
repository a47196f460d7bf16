"""Recipe templates: a sandboxed, strict, bounded Jinja environment (see :mod:`.environment`)."""

from ovhflow.templating.limits import (
    MAX_INT_BITS,
    MAX_OPERATIONS,
    MAX_OUTPUT,
    MAX_RANGE,
    MAX_SIZE,
    TemplateLimitError,
)
from ovhflow.templating.templates import RenderError, Templates, is_template, now

__all__ = [
    "MAX_INT_BITS",
    "MAX_OPERATIONS",
    "MAX_OUTPUT",
    "MAX_RANGE",
    "MAX_SIZE",
    "RenderError",
    "TemplateLimitError",
    "Templates",
    "is_template",
    "now",
]
