"""Running a validated recipe from its first step to the run-end events: :func:`run_recipe`.

The command line (``ovhflow run``) and tests call this with a loaded recipe, resolved inputs, a client
and a plugin manager; it returns the :class:`RunInfo` (counts, changes, errors, exit status) after the
run-end hooks ran, and never raises for a failed step: the failure is ``RunResult.error``.
"""

from __future__ import annotations

import copy
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from ovhflow.engine import composite
from ovhflow.engine.loop_records import loop_keeping
from ovhflow.engine.runtime import Runtime
from ovhflow.engine.scope import Scope
from ovhflow.engine.steps import CompositeAction, StepRunner
from ovhflow.engine.stop import StopRequest
from ovhflow.errors import OvhflowError, StepFailed
from ovhflow.exit_status import ExitStatus
from ovhflow.files.output_folder import OutputFolder
from ovhflow.plugin.manager import Plugins
from ovhflow.plugin_api import ApiClient, RunInfo
from ovhflow.recipe.inputs import matches_type
from ovhflow.recipe.model import MISSING, Recipe, Step
from ovhflow.reporting.redaction import MASK, Redactor
from ovhflow.reporting.reporter import Reporter
from ovhflow.templating.templates import Templates

# The steps whose steps are steps: the runner owns this table, the step runner dispatches through it.
COMPOSITES: Mapping[str, CompositeAction] = {"steps": composite.run_group, "include": composite.run_include}


@dataclass
class RunResult:
    """How a run ended: its :class:`RunInfo` and the error that ended it early, if any."""

    info: RunInfo
    error: OvhflowError | None

    @property
    def exit_status(self) -> int:
        return int(self.info.exit_status or 0)


def shown_url(url: str) -> str:
    """``url`` without the ``user:password@`` a proxy URL may carry: fit for logs and reports."""
    parts = urlsplit(url)
    if "@" not in parts.netloc:
        return url
    return urlunsplit(parts._replace(netloc=parts.netloc.rpartition("@")[2]))


def masked_inputs(recipe: Recipe, inputs: Mapping[str, Any], redactor: Redactor) -> dict[str, Any]:
    """``inputs`` with secret ones replaced by ``***``; their values join the redactor."""
    masked = {}
    for name, value in inputs.items():
        spec = recipe.inputs.get(name)
        if spec is not None and spec.secret:
            redactor.add(value)
            masked[name] = MASK
        else:
            masked[name] = value
    return masked


def included_inputs(recipe: Recipe, values: Mapping[str, Any]) -> dict[str, Any]:
    """The inputs of an included recipe: ``with:`` values (of the declared types), then its defaults."""
    unknown = sorted(set(values) - set(recipe.inputs))
    if unknown:
        raise StepFailed(f"include {recipe.path}: with: {', '.join(unknown)}: the recipe has no such input")
    resolved: dict[str, Any] = {}
    for name, spec in recipe.inputs.items():
        if name in values:
            value = values[name]
            if value is not None and not matches_type(value, spec.type):
                raise StepFailed(f"include {recipe.path}: with: {name} expects a {spec.type}")
            resolved[name] = value
        elif spec.default is not MISSING:
            resolved[name] = copy.deepcopy(spec.default)
        elif spec.required:
            raise StepFailed(f"include {recipe.path}: missing required input {name!r} in with:")
    return resolved


def run_recipe(
    recipe: Recipe,
    inputs: Mapping[str, Any],
    *,
    plugins: Plugins,
    client: ApiClient,
    check: bool = False,
    redactor: Redactor | None = None,
    stop: StopRequest | None = None,
    default_concurrency: int | None = None,
    batch_reads: bool = True,
    reporter: Reporter | None = None,
    settings: Mapping[str, Any] | None = None,
    templates: Templates | None = None,
    diff: bool = False,
    endpoint: str | None = None,
    output_folder: OutputFolder | None = None,
) -> RunResult:
    """Run ``recipe`` and call the run-event hooks; see the module docstring.

    ``reporter`` receives the run's messages, warnings and results (default: stderr and stdout).

    ``templates`` is the :class:`~ovhflow.templating.templates.Templates` the recipe was loaded with, so
    its templates are compiled once; without it the run builds its own. ``endpoint`` names the API the
    run talks to (``sandbox`` for its own local sandbox); by default the client's configured endpoint.

    ``output_folder`` takes every file the recipe's outputs write (``run --output-dir``); by default the
    current folder, without the run's own files to protect.

    ``diff``: before each PUT, read the path it writes and log the fields it changes (``--diff``).
    """
    redactor = redactor or Redactor()
    info = _run_info(recipe, inputs, redactor, client, check, settings, endpoint)
    runtime = Runtime(
        plugins,
        client,
        templates or Templates.for_plugins(plugins),
        info,
        redactor,
        stop or StopRequest(),
        default_concurrency=default_concurrency,
        batch_reads=batch_reads,
        reporter=reporter,
        load_include=_include_loader(redactor),
        diff=diff,
        output_folder=output_folder,
    )
    runtime.loop_keeping = loop_keeping(recipe.steps, runtime.renderer, plugins)
    run_names = {
        "check": check,
        "started_at": datetime.fromtimestamp(info.started_at, timezone.utc).isoformat(),
    }
    error = _run_steps(runtime, recipe, Scope(inputs=inputs, run=run_names))
    runtime.abandon_in_flight()  # after a stop: what never answered is reported, never as done
    info.exit_status = int(error.exit_status) if error is not None else int(ExitStatus.SUCCESS)
    info.error = redactor.text(str(error)) if error is not None else None
    _run_end(runtime)
    return RunResult(info, error)


def _run_info(
    recipe: Recipe,
    inputs: Mapping[str, Any],
    redactor: Redactor,
    client: ApiClient,
    check: bool,
    settings: Mapping[str, Any] | None,
    endpoint: str | None,
) -> RunInfo:
    """The run's :class:`RunInfo` as it starts, fit for every plugin's eyes: secret inputs masked (their
    values join ``redactor``) and any ``user:password@`` taken out of the endpoint's URLs."""
    shown_settings = settings if settings is not None else getattr(recipe, "sections", {}) or {}
    return RunInfo(
        recipe_name=recipe.name,
        recipe_path=str(recipe.path),
        inputs=masked_inputs(recipe, inputs, redactor),
        check=check,
        started_at=time.time(),
        settings=dict(shown_settings),
        endpoint=shown_url(endpoint or str(getattr(client, "endpoint", "") or "")),
        endpoint_url=shown_url(str(getattr(client, "base_url", "") or "")),
    )


def _include_loader(redactor: Redactor) -> Callable[[Step, Mapping[str, Any]], tuple[Recipe, dict[str, Any]]]:
    """How an ``include:`` step gets its recipe and inputs: the loader already resolved the recipe, and
    the included recipe's secret inputs join the run's redactor like the top recipe's own."""

    def load_include(step: Step, values: Mapping[str, Any]) -> tuple[Recipe, dict[str, Any]]:
        if step.included is None:  # the loader resolves every include; this guards a step built by hand
            raise StepFailed("include: the included recipe was not loaded", step.location)
        resolved = included_inputs(step.included, values)
        masked_inputs(step.included, resolved, redactor)
        return step.included, resolved

    return load_include


def _run_steps(runtime: Runtime, recipe: Recipe, root: Scope) -> OvhflowError | None:
    """Run the recipe's steps after the run-start event; return the error that ended the run early.
    Never raises: even a defect in ovhflow or a plugin becomes an error, so the run-end events still run."""
    try:
        runtime.emit("ovhflow_run_start")  # inside: a failing plugin still ends the run with its events
        StepRunner(runtime, COMPOSITES).run_steps(recipe.steps, root)
    except OvhflowError as failure:
        return failure
    except Exception as bug:  # a defect in ovhflow or a plugin: still end the run properly
        error = StepFailed(f"internal error: {type(bug).__name__}: {bug} (rerun with --debug)")
        error.__cause__ = bug
        return error
    return None


def _run_end(runtime: Runtime) -> None:
    """Call ``ovhflow_run_end`` plugin by plugin, so that one failing reporter does not stop the others."""
    for plugin_name, answer in runtime.plugins.each("ovhflow_run_end", run=runtime.info):
        if isinstance(answer, Exception):
            runtime.warning(f"plugin {plugin_name!r} failed at run end: {answer}")
