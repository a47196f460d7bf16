"""Checks on rendered values, made by the engine before an action uses them.

Templates bring in data the recipe's author did not write: API results, inputs, params files. Two kinds
of value must never get through, whatever action or plugin the step runs:

- an output path the run's output folder does not take (:mod:`ovhflow.files.output_folder`): a
  templated file path (``csv: {path: "out/{{ x }}.csv"}`` with ``x`` = ``../../etc/cron.d/job`` from
  the API) that climbs out, is absolute, goes through a link out of the folder, or names a file that
  configures or runs code (``ovh.conf``, ``*.pth``...);
- a number JSON cannot carry: ``NaN`` and the infinities (``.nan``, ``.inf``, ``1e308 * 10``), which
  Python's ``json`` would send as the bare words ``NaN``/``Infinity`` that no JSON parser accepts.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ovhflow.errors import Location, StepFailed
from ovhflow.files.output_folder import OutputFolder, OutputRefused
from ovhflow.recipe.inputs import non_finite_number


def check_output_paths(
    rendered: Any,
    keys: frozenset[str],
    action: str,
    folder: OutputFolder,
    locations: Mapping[str, Location],
    default: Location,
) -> None:
    """Refuse an output path (``keys`` of the action's mapping, rendered) that ``folder`` does not take:
    located at the path's value, before the action runs, so nothing is written."""
    if not keys or not isinstance(rendered, Mapping):
        return
    for key in keys:
        value = rendered.get(key)
        if value is None:
            continue
        try:
            folder.target(str(value))
        except OutputRefused as refused:
            raise StepFailed(f"{action}: {key} {refused}", locations.get(key, default)) from None


def check_wire_numbers(what: str, value: Any) -> None:
    """Refuse a request ``body`` or ``query`` holding NaN or an infinity (not JSON; never sent)."""
    found = non_finite_number(value)
    if found is not None:
        raise StepFailed(
            f"{what}: {found} is NaN or infinite, which JSON cannot carry; the request was not sent"
        )
