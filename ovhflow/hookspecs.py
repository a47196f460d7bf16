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
from ovhflow.plugin_api import ActionSpec, ApiClient, HttpRequest, HttpResponse, RunInfo, StepReport

hookspec = pluggy.HookspecMarker(PROJECT_NAME)


@hookspec
def ovhflow_actions() -> list[ActionSpec]:
    """Return the actions this plugin provides.

    Called once when the plugin manager is built. Action names must be unique across plugins; their
    schemas become part of the recipe schema (validation and ``ovhflow schema``).

    :returns: the plugin's :class:`~ovhflow.plugin_api.ActionSpec` list.
    """


@hookspec
def ovhflow_template_filters() -> Mapping[str, Callable[..., Any]]:
    """Return Jinja filters to add to the template environment.

    Called once when the template environment is built. Filters run inside the sandboxed environment
    and must not touch files, the network or the environment.

    :returns: filter name to function.
    """


@hookspec
def ovhflow_recipe_sections() -> Mapping[str, Mapping[str, Any]]:
    """Return top-level recipe keys this plugin adds (e.g. ``notify``).

    Called when the recipe schema is built. The validated value reaches run-event hooks as
    ``RunInfo.settings[name]``.

    :returns: key name to the JSON Schema of its value.
    """


@hookspec(firstresult=True)
def ovhflow_http_request(request: HttpRequest, client: ApiClient, check: bool) -> HttpResponse | None:
    """Send one API call and return its response.

    Called for every request of a run: each HTTP step and loop iteration, each call of ``batch: true``
    and each page of ``expand: true``. Wrappers (``@hookimpl(wrapper=True)``) interpose on it: check mode
    plans writes instead of sending them, the logger times each request. Raise
    :class:`ovhflow.ovh.exceptions.APIError` subclasses for API errors.

    Stops at the first non-None result (``firstresult``).

    :param request: the call, templates rendered; ``request.headers`` holds batch and pagination modes.
    :param client: the run's :class:`ovhflow.ovh.Client`.
    :param check: whether the run is in check mode (writes are planned, not sent).
    :returns: the :class:`~ovhflow.plugin_api.HttpResponse`, or None to let the next plugin answer.
    """


@hookspec
def ovhflow_run_start(run: RunInfo) -> None:
    """Called once a run has validated its recipe and inputs, before the first step.

    :param run: the run: recipe, masked inputs, mode.
    """


@hookspec
def ovhflow_step_start(run: RunInfo, step_id: str | None, name: str, location: str) -> None:
    """Called before a top-level or group step starts (once per step, not per loop item).

    :param run: the run.
    :param step_id: the step's ``id``, if it has one.
    :param name: the step's ``name``, else its id, else its action.
    :param location: ``FILE:LINE:COL`` of the step in its recipe.
    """


@hookspec
def ovhflow_item_end(run: RunInfo, step_id: str | None, index: int, record: Mapping[str, Any]) -> None:
    """Called when one loop iteration ends.

    :param run: the run.
    :param step_id: the looped step's ``id``, if it has one.
    :param index: the item's position in the loop's list, from 0.
    :param record: ``item``, ``status``, ``result``, ``error``, ``query_id`` and the loop's ``length``.
    """


@hookspec
def ovhflow_step_end(run: RunInfo, report: StepReport) -> None:
    """Called when a step ends, whatever its status.

    :param run: the run.
    :param report: how the step ended: status, duration, result, error, per-item records.
    """


@hookspec
def ovhflow_run_end(run: RunInfo) -> None:
    """Called once when a run ends, also when it failed or was interrupted.

    Reporters and notifications live here. Each plugin's implementation (with its own wrappers) is
    called on its own: an exception raised by one is printed as a warning and the others still run.

    :param run: the run, with ``counts``, ``exit_status``, ``error``, ``changes`` and ``errors`` set.
    """
