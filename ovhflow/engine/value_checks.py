"""Checks on rendered values, made by the engine before an action uses them.

Templates bring in data the recipe's author did not write: API results, inputs, params files. Two kinds
of value must never get through, whatever action or plugin the step runs:

- an output path that climbs out of its folder: a templated file path (``csv: {path: "out/{{ x }}.csv"}``
  with ``x`` = ``../../etc/cron.d/job`` from the API) whose rendered value has a ``..`` segment;
- a number JSON cannot carry: ``NaN`` and the infinities (``.nan``, ``.inf``, ``1e308 * 10``), which
  Python's ``json`` would send as the bare words ``NaN``/``Infinity`` that no JSON parser accepts.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import PurePosixPath
from typing import Any

from ovhflow.errors import Location, StepFailed
from ovhflow.recipe.inputs import non_finite_number
from ovhflow.templating import is_template


def climbs_out(path: str) -> bool:
    """Whether ``path`` has a ``..`` segment (with ``/`` or ``\\`` as separator)."""
    return ".." in PurePosixPath(path.replace("\\", "/")).parts


def check_output_paths(
    raw: Any,
    rendered: Any,
    keys: frozenset[str],
    action: str,
    locations: Mapping[str, Location],
    default: Location,
) -> None:
    """Refuse a templated output path (``keys`` of the action's mapping) whose rendered value climbs out
    of its folder; located at the path's value in the recipe."""
    if not keys or not isinstance(raw, Mapping) or not isinstance(rendered, Mapping):
        return
    for key in keys:
        value = rendered.get(key)
        if is_template(raw.get(key)) and isinstance(value, str) and climbs_out(value):
            raise StepFailed(
                f"{action}: {key} {value!r} has a '..' segment: a templated output path may not leave its "
                "folder (the value came from a template; write '..' only in a literal path)",
                locations.get(key, default),
            )


def check_wire_numbers(what: str, value: Any) -> None:
    """Refuse a request ``body`` or ``query`` holding NaN or an infinity (not JSON; never sent)."""
    found = non_finite_number(value)
    if found is not None:
        raise StepFailed(
            f"{what}: {found} is NaN or infinite, which JSON cannot carry; the request was not sent"
        )
