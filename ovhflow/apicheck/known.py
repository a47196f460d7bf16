"""Values a templated path segment can take when the recipe itself says which: checked one by one.

``/domain/zone/{{ inputs.zone }}/record`` with ``zone: {choices: [a.com, b.com]}``, or
``/{{ item }}`` in a step looping over a literal list, can render to a handful of known paths only;
each is checked as if written out, so ``loop: [vps, vpss]`` gets its typo reported. A segment refers
to a known value with a plain ``{{ name }}`` or ``{{ name.key }}`` (``inputs.x``, the loop variable and
its fields); anything else in it stays a template, standing for a ``{param}`` segment.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from ovhflow.apicheck.models import is_templated
from ovhflow.apicheck.paths import split_path

REFERENCE = re.compile(r"\{\{-?\s*(?P<root>[A-Za-z_]\w*)(?P<keys>(?:\.[A-Za-z_]\w*)*)\s*-?\}\}")
MAX_RENDERINGS = 100  # beyond that many combinations a path is checked as a template only

Known = dict[str, list[Any]]  # a name (``item``, ``inputs.zone``) -> every value it can have


def input_values(inputs: Mapping[str, Any]) -> Known:
    """``inputs.NAME`` -> the input's choices, for the inputs that declare them."""
    known: Known = {}
    for name, spec in inputs.items():
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
    (the run percent-encodes it), so ``a/b`` stays one segment: ``/a%2Fb`` in the path.
    """
    segments = split_path(path)
    names = {reference_name(m) for segment in segments for m in REFERENCE.finditer(segment)}
    roots = sorted(names & set(known))
    if not roots:
        return
    sizes = [len(known[root]) for root in roots]
    if _product(sizes) > MAX_RENDERINGS:
        return
    for values in itertools.product(*(known[root] for root in roots)):
        binding = dict(zip(roots, values, strict=True))
        used: dict[str, str] = {}
        rendered = [render_segment(segment, binding, used) for segment in segments]
        path_text = "/" + "/".join(s.replace("/", "%2F") for s in rendered)
        yield path_text, used


def reference_name(match: re.Match[str]) -> str:
    """The known name a reference starts with: ``inputs.zone`` for ``inputs.zone``, else its root."""
    if match["root"] == "inputs" and match["keys"]:
        return "inputs." + match["keys"].split(".")[1]
    return match["root"]


def render_segment(segment: str, binding: Mapping[str, Any], used: dict[str, str]) -> str:
    """The segment with each reference to a bound name replaced by its value; others left as written.

    ``used`` gets each replaced reference (``item.name``) and its value.
    """

    def value_of(match: re.Match[str]) -> str:
        root = reference_name(match)
        keys = [k for k in match["keys"].split(".") if k][1 if root.startswith("inputs.") else 0 :]
        if root not in binding:
            return match[0]
        value = binding[root]
        for key in keys:
            if not isinstance(value, Mapping) or key not in value:
                return match[0]
            value = value[key]
        if not is_scalar(value) or is_templated(value):
            return match[0]
        used[root + "".join(f".{k}" for k in keys)] = str(value)
        return str(value)

    return REFERENCE.sub(value_of, segment)


def _product(sizes: Sequence[int]) -> int:
    total = 1
    for size in sizes:
        total *= size
    return total
