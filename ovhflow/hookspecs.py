"""The hooks an ovhflow plugin can implement.

Each spec says when it is called and what it returns. Built-in actions are plugins too (see
:mod:`ovhflow.plugin.manager`), so every hook here has at least one real implementation. The README's
"Writing a plugin" section documents each hook; a test fails when one is undocumented or untested.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import pluggy

from ovhflow import PROJECT_NAME
from ovhflow.plugin_api import ActionSpec, HttpRequest, HttpResponse, RunInfo, StepReport

hookspec = pluggy.HookspecMarker(PROJECT_NAME)


@hookspec
def ovhflow_actions() -> list[ActionSpec]:
    """Return the actions this plugin provides.

    Called once when the plugin manager is built. Action names must be unique across plugins; their
    schemas become part of the recipe schema (validation and ``ovhflow schema``).
    """


@hookspec
def ovhflow_template_filters() -> Mapping[str, Callable[..., Any]]:
    """Return Jinja filters to add to the template environment, name to function.

    Called once when the template environment is built. Filters run inside the sandboxed environment
    and must not touch files, the network or the environment.
    """


@hookspec
def ovhflow_recipe_sections() -> Mapping[str, Mapping[str, Any]]:
    """Return top-level recipe keys this plugin adds, name to JSON Schema (e.g. ``notify``).

    Called when the recipe schema is built. The validated value reaches run-event hooks as
    ``RunInfo.settings[name]``.
    """


@hookspec(firstresult=True)
def ovhflow_http_request(request: HttpRequest, client: Any, check: bool) -> HttpResponse | None:
    """Send one API call and return its response; the first non-None answer wins.

    Called for every HTTP step (and every loop iteration of one). Wrappers (``@hookimpl(wrapper=True)``)
    interpose on it: check mode plans writes instead of sending them, the logger times each request.
    ``client`` is the run's :class:`ovhflow.ovh.Client`. Raise :class:`ovhflow.ovh.exceptions.APIError`
    subclasses for API errors.
    """


@hookspec
def ovhflow_run_start(run: RunInfo) -> None:
    """Called once a run has validated its recipe and inputs, before the first step."""


@hookspec
def ovhflow_step_start(run: RunInfo, step_id: str | None, name: str, location: str) -> None:
    """Called before a top-level or group step starts (once per step, not per loop item)."""


@hookspec
def ovhflow_item_end(run: RunInfo, step_id: str | None, index: int, record: Mapping[str, Any]) -> None:
    """Called when one loop iteration ends, with its record (``item``, ``status``, ``result``, ``error``)."""


@hookspec
def ovhflow_step_end(run: RunInfo, report: StepReport) -> None:
    """Called when a step ends, whatever its status, with its :class:`StepReport`."""


@hookspec
def ovhflow_run_end(run: RunInfo) -> None:
    """Called once when a run ends, also when it failed or was interrupted.

    ``run.counts``, ``run.exit_status`` and ``run.error`` are set. Reporters and notifications live here;
    an exception raised by one implementation is logged and does not stop the others.
    """
