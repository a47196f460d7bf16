"""Format widths and precisions, and the total a format builds, checked before it is built.

``'%*s' % (750000000, 'a')``, ``'{:{}}'.format('a', 9e8)`` or ``'%.900000000f' % 1`` would build strings
of hundreds of megabytes before any size check on the result could run. These checks read only the real
width and precision fields of a format (literal ones and those given as arguments), never digits in the
text or in the values: ``'Order 1234567: %s' % x`` and ``'%s' | format('FR12345678')`` are ordinary.

Each field within the limit is not enough: ``('{0:>999999}' * 90000).format(1)`` is 90,000 fields of
under a million characters, 90 GB in all. So the whole output is bounded too, by the same
:data:`MAX_SIZE` as any string a template builds: ``str.format`` counts what each field adds before and
after building it; ``%`` (built by Python in one go) is refused when an upper bound of its output (the
template, each conversion's width and precision, the text of each value) is over it.
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


_NUMBER_TEXT = 330  # at most the characters of a float's %f (1e308: 309 digits) beyond its precision


def _text_size(value: Any, sizes: dict[int, int]) -> int:
    """At most how many characters a ``%`` conversion of ``value`` writes (precision and width aside)."""
    if isinstance(value, float):
        return _NUMBER_TEXT
    known = sizes.get(id(value))
    if known is None:  # the same object repeated ((x,) * 90000) is measured once
        known = sizes[id(value)] = len(value) if isinstance(value, str) else len(str(value))
    return known


def _refuse_total(total: int) -> None:
    if total > MAX_SIZE:
        raise TemplateLimitError(
            f"format builds over {MAX_SIZE:,} characters in all (the limit of a string a template builds)"
        )


def check_printf(template: str, values: Any) -> None:
    """Refuse ``template % values`` when a width or precision (``*`` ones from ``values``) is too big,
    or when what it would build (an upper bound, counted before building it) is over the limit."""
    arguments = list(values) if isinstance(values, tuple) else [values]
    position, total = 0, len(template)
    sizes: dict[int, int] = {}
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
                total += size
        key = match.group(0)[2:].split(")", 1)[0] if match.group(0).startswith("%(") else None
        if key is not None and isinstance(values, Mapping):
            total += _text_size(values.get(key), sizes)
        elif position < len(arguments):
            total += _text_size(arguments[position], sizes)
        _refuse_total(total)
        position += 1


def check_format_spec(spec: str) -> int:
    """Refuse a ``str.format`` spec (nested fields already replaced) whose width or precision is too big;
    return the characters they may add (width plus precision)."""
    match = _SPEC.match(spec)
    if match is None:
        return 0
    width, precision = match.groups()
    if width:
        _refuse_over(int(width), "width")
    if precision:
        _refuse_over(int(precision), "precision")
    return int(width or 0) + int(precision or 0)


def check_strftime(template: str) -> None:
    """Refuse a ``strftime`` format with a padding width (``%1000000Y``) that is too big."""
    for match in _STRFTIME_WIDTH.finditer(template):
        _refuse_over(int(match.group(1)), "width")


class CheckingFormatter(SandboxedFormatter):
    """Jinja's sandboxed ``str.format``, checking each field's final spec before formatting it, and the
    total so far (``built``: the template's text and every field formatted) before and after each field."""

    built = 0

    def format_field(self, value: Any, format_spec: str) -> Any:
        _refuse_total(self.built + check_format_spec(format_spec))
        text = super().format_field(value, format_spec)
        self.built += len(text)
        _refuse_total(self.built)
        return text


def format_method(env: Any, template: str, is_map: bool) -> Any:
    """``template.format`` or ``template.format_map`` for templates, with the checks above."""
    formatter = CheckingFormatter(env)

    def formatted(*args: Any, **kwargs: Any) -> str:
        formatter.built = len(template)  # the literal text, at most
        if is_map:
            if kwargs or len(args) != 1 or not isinstance(args[0], Mapping):
                raise TypeError("format_map() takes exactly one mapping")
            return formatter.vformat(template, (), args[0])
        return formatter.vformat(template, args, kwargs)

    return formatted
