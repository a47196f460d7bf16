"""Values a templated path segment can take when the recipe itself says which: checked one by one.

``/domain/zone/{{ inputs.zone }}/record`` with ``zone: {choices: [a.com, b.com]}``, or
``/{{ item }}`` in a step looping over a literal list, can render to a handful of known paths only;
each is checked as if written out, so ``loop: [vps, vpss]`` gets its typo reported. A segment refers
to a known value with a plain ``{{ name }}`` or ``{{ name.key }}`` (``inputs.x``, the loop variable and
its fields), or ``{{ 'text' }}``, each optionally spliced with ``| segments``; anything else in it stays
a template, standing for a ``{param}`` segment (or, spliced, for segments known at run time only).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from ovhflow.apicheck.models import is_templated
from ovhflow.apicheck.paths import split_path

REFERENCE = re.compile(
    r"\{\{-?\s*(?:(?P<root>[A-Za-z_]\w*)(?P<keys>(?:\.[A-Za-z_]\w*)*)|'(?P<text>[^'{}]*)')"
    r"\s*(?P<splice>\|\s*segments\s*)?-?\}\}"
)
MAX_RENDERINGS = 100  # beyond that many combinations a path is checked as a template only

Known = dict[str, list[Any]]  # a name (``item``, ``inputs.zone``) -> every value it can have


def input_values(inputs: Mapping[str, Any]) -> Known:
    """``inputs.NAME`` -> the input's choices, for the inputs that declare them (never a secret's)."""
    known: Known = {}
    for name, spec in inputs.items():
        if getattr(spec, "secret", False):
            continue
        choices = getattr(spec, "choices", None)
        if isinstance(choices, list) and choices and all(is_scalar(c) for c in choices):
            known[f"inputs.{name}"] = list(choices)
    return known


def loop_values(step: Any) -> Known:
    """The step's loop variable -> its items, when ``loop:`` is a literal list (an item's templates stay
    templates)."""
    items = getattr(step, "loop", None)
    if not isinstance(items, list) or not items:
        return {}
    return {str(getattr(step, "as_", None) or "item"): list(items)}


def is_scalar(value: Any) -> bool:
    return isinstance(value, (str, int, float)) and not isinstance(value, bool)


def renderings(path: str, known: Known) -> Iterator[tuple[str, dict[str, str]]]:
    """Each path a recipe path can become with the known values it refers to, and which values those are
    (``{"inputs.zone": "a.com"}``).

    Nothing when it refers to none, or to too many combinations. A value fills the segment it is in
    (the run percent-encodes it), so ``a/b`` stays one segment, ``/a%2Fb``, unless it is spliced with
    ``| segments``.
    """
    segments = split_path(path)
    found = [m for segment in segments for m in REFERENCE.finditer(segment)]
    roots = sorted({reference_name(m) for m in found if m["root"]} & set(known))
    if not roots and not any(m["text"] is not None for m in found):
        return
    if _product([len(known[root]) for root in roots]) > MAX_RENDERINGS:
        return
    for values in itertools.product(*(known[root] for root in roots)):
        binding = dict(zip(roots, values, strict=True))
        used: dict[str, str] = {}
        yield "/" + "/".join(render_segment(segment, binding, used) for segment in segments), used


def reference_name(match: re.Match[str]) -> str:
    """The known name a reference starts with: ``inputs.zone`` for ``inputs.zone``, else its root."""
    if match["root"] == "inputs" and match["keys"]:
        return "inputs." + match["keys"].split(".")[1]
    return match["root"] or ""


def render_segment(segment: str, binding: Mapping[str, Any], used: dict[str, str]) -> str:
    """The segment with each reference to a bound name (or quoted text) replaced by its value, as the run
    puts it in the path: ``/`` as ``%2F``, except in a value spliced with ``| segments``. Other references
    are left as written. ``used`` gets each replaced reference (``item.name``) and its value.
    """

    def value_of(match: re.Match[str]) -> str:
        if match["text"] is not None:
            value: Any = match["text"]
        else:
            value = resolve(match, binding)
            if value is None:
                return match[0]
            used[match["root"] + match["keys"]] = str(value)
        if not match["splice"]:
            return str(value).replace("/", "%2F")
        parts = str(value).split("/")
        return match[0] if any(p in ("", ".", "..") for p in parts) else "/".join(parts)

    return REFERENCE.sub(value_of, segment)


def resolve(match: re.Match[str], binding: Mapping[str, Any]) -> Any:
    """The bound scalar a reference (``item.name``) leads to, or None when it is not known."""
    root = reference_name(match)
    if root not in binding:
        return None
    value = binding[root]
    for key in [k for k in match["keys"].split(".") if k][1 if root.startswith("inputs.") else 0 :]:
        if not isinstance(value, Mapping) or key not in value:
            return None
        value = value[key]
    return value if is_scalar(value) and not is_templated(value) else None


def _product(sizes: Sequence[int]) -> int:
    total = 1
    for size in sizes:
        total *= size
    return total
