"""Format widths and precisions, checked before anything is built.

``'%*s' % (750000000, 'a')``, ``'{:{}}'.format('a', 9e8)`` or ``'%.900000000f' % 1`` would build strings
of hundreds of megabytes before any size check on the result could run. These checks read only the real
width and precision fields of a format (literal ones and those given as arguments), never digits in the
text or in the values: ``'Order 1234567: %s' % x`` and ``'%s' | format('FR12345678')`` are ordinary.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from jinja2.sandbox import SandboxedFormatter

from ovhflow.templating.limits import MAX_SIZE, TemplateLimitError

# One printf conversion: %[(key)][flags][width][.precision][length]type
_PRINTF = re.compile(r"%(?:\([^)]*\))?[-#0 +]*(\*|\d+)?(?:\.(\*|\d*))?[hlL]?(.?)", re.DOTALL)
# A standard format spec: [[fill]align][sign][z][#][0][width][grouping][.precision][type]
_SPEC = re.compile(r"(?:.?[<>=^])?[-+ ]?z?#?0?(\d*)[,_]?(?:\.(\d+))?", re.DOTALL)
_STRFTIME_WIDTH = re.compile(r"%[-_0^#]*(\d+)")


def _refuse_over(size: int, what: str) -> None:
    if size > MAX_SIZE:
        raise TemplateLimitError(f"format {what} {size:,} is too large (the limit is {MAX_SIZE:,})")


def _as_size(value: Any) -> int | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None  # Python refuses it itself, with its own message
    try:
        return abs(int(value))
    except (OverflowError, ValueError):
        return MAX_SIZE + 1  # inf or nan


def check_printf(template: str, values: Any) -> None:
    """Refuse ``template % values`` when a width or precision (``*`` ones from ``values``) is too big."""
    arguments = list(values) if isinstance(values, tuple) else [values]
    position = 0
    for match in _PRINTF.finditer(template):
        width, precision, conversion = match.groups()
        if conversion == "%" and width is None and precision is None:
            continue
        for field, what in ((width, "width"), (precision, "precision")):
            if field == "*":
                size = _as_size(arguments[position]) if position < len(arguments) else None
                position += 1
            else:
                size = int(field) if field else None
            if size is not None:
                _refuse_over(size, what)
        position += 1


def check_format_spec(spec: str) -> None:
    """Refuse a ``str.format`` spec (nested fields already replaced) whose width or precision is too big."""
    match = _SPEC.match(spec)
    if match is None:
        return
    width, precision = match.groups()
    if width:
        _refuse_over(int(width), "width")
    if precision:
        _refuse_over(int(precision), "precision")


def check_strftime(template: str) -> None:
    """Refuse a ``strftime`` format with a padding width (``%1000000Y``) that is too big."""
    for match in _STRFTIME_WIDTH.finditer(template):
        _refuse_over(int(match.group(1)), "width")


class CheckingFormatter(SandboxedFormatter):
    """Jinja's sandboxed ``str.format``, checking each field's final spec before formatting it."""

    def format_field(self, value: Any, format_spec: str) -> Any:
        check_format_spec(format_spec)
        return super().format_field(value, format_spec)


def format_method(env: Any, template: str, is_map: bool) -> Any:
    """``template.format`` or ``template.format_map`` for templates, with the checks above."""
    formatter = CheckingFormatter(env)

    def formatted(*args: Any, **kwargs: Any) -> str:
        if is_map:
            if kwargs or len(args) != 1 or not isinstance(args[0], Mapping):
                raise TypeError("format_map() takes exactly one mapping")
            return formatter.vformat(template, (), args[0])
        return formatter.vformat(template, args, kwargs)

    return formatted
