"""Checks on rendered values, made by the engine before an action uses them.

Templates bring in data the recipe's author did not write: API results, inputs, params files. Two kinds
of value must never get through, whatever action or plugin the step runs:

- an output path that leaves the folder its template's literal text names: a templated file path
  (``csv: {path: "out/{{ x }}.csv"}`` with ``x`` = ``../../etc/cron.d/job`` from the API) whose rendered
  value has a ``..`` segment, or one whose template starts with data (``"{{ x }}.csv"``, neither literal
  text nor one of the run's inputs) rendered as an absolute path (``/etc/cron.d/job``) or a
  home-relative one (``~/.bashrc``);
- a number JSON cannot carry: ``NaN`` and the infinities (``.nan``, ``.inf``, ``1e308 * 10``), which
  Python's ``json`` would send as the bare words ``NaN``/``Infinity`` that no JSON parser accepts.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import PurePosixPath
from typing import Any

from ovhflow.errors import Location, StepFailed
from ovhflow.recipe.inputs import non_finite_number
from ovhflow.templating import is_template
from ovhflow.templating.values import TEMPLATE_MARKERS


def climbs_out(path: str) -> bool:
    """Whether ``path`` has a ``..`` segment (with ``/`` or ``\\`` as separator)."""
    return ".." in PurePosixPath(path.replace("\\", "/")).parts


_INPUT = re.compile(r"\{\{-?\s*inputs\.([A-Za-z_]\w*)\s*-?\}\}")


def named_folder(template: str, inputs: Mapping[str, Any]) -> str:
    """The folder a template's start names: its literal text, and the run's own inputs it shows there
    (``{{ inputs.output }}``: the run's configuration, like literal text), up to the last ``/``.

    ``"/srv/exports/"`` for ``"/srv/exports/{{ x }}.csv"``; ``""`` for ``"{{ item.name }}.csv"``. Jinja
    copies literal text as is, so a rendered path starts with this folder unless an input differs."""
    head, position = "", 0
    while True:
        start = min((i for i in (template.find(m, position) for m in TEMPLATE_MARKERS) if i >= 0), default=-1)
        head += template[position:] if start < 0 else template[position:start]
        found = _INPUT.match(template, start) if start >= 0 else None
        value = inputs.get(found.group(1)) if found else None
        if found is None or not isinstance(value, str):
            return head[: head.rfind("/") + 1]
        head += value
        position = found.end()


def leaves_folder(template: str, rendered: str, inputs: Mapping[str, Any]) -> str | None:
    """How ``rendered`` leaves the folder the start of ``template`` names, or None when it stays in it."""
    if climbs_out(rendered):
        return "has a '..' segment"
    folder = named_folder(template, inputs)
    if folder and rendered.startswith(folder):  # what follows a named folder stays under it
        return None
    if rendered.startswith("/"):
        return "is absolute, but its template does not start with a literal '/'"
    if rendered.startswith("~"):
        return "starts with '~' (a home folder)"
    return None


def check_output_paths(
    raw: Any,
    rendered: Any,
    keys: frozenset[str],
    action: str,
    locations: Mapping[str, Location],
    default: Location,
    inputs: Mapping[str, Any],
) -> None:
    """Refuse a templated output path (``keys`` of the action's mapping) whose rendered value leaves the
    folder its template's start names (``inputs``: the run's own); located at the path's value."""
    if not keys or not isinstance(raw, Mapping) or not isinstance(rendered, Mapping):
        return
    for key in keys:
        template, value = raw.get(key), rendered.get(key)
        if not isinstance(template, str) or not is_template(template) or not isinstance(value, str):
            continue
        problem = leaves_folder(template, value, inputs)
        if problem is not None:
            raise StepFailed(
                f"{action}: {key} {value!r} {problem}: a templated output path must stay in the folder its "
                "literal text or the run's inputs name (start it with that folder, as in "
                "'exports/{{ x }}.csv' or '/srv/exports/{{ x }}.csv'; write '..' only in a literal path)",
                locations.get(key, default),
            )


def check_wire_numbers(what: str, value: Any) -> None:
    """Refuse a request ``body`` or ``query`` holding NaN or an infinity (not JSON; never sent)."""
    found = non_finite_number(value)
    if found is not None:
        raise StepFailed(
            f"{what}: {found} is NaN or infinite, which JSON cannot carry; the request was not sent"
        )
