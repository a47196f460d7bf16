"""``ovhflow run`` as a program: :class:`RunOptions` in, :class:`ExitStatus` out.

The click command only builds a :class:`RunOptions`; :func:`program` does the rest, in two steps that
read as what they are: :func:`prepare_run` checks everything (plugins, recipe, inputs, configuration)
before the first request, so a mistake costs exit 2 or 3 and nothing is sent, and :func:`execute_run`
opens the client and runs the steps. Tests and library users call :func:`program` in-process.
"""

from __future__ import annotations

import contextlib
import gc
import os
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ovhflow.apischema.cache_folder import cache_root
from ovhflow.cli import collector
from ovhflow.cli.common import client_deadline, reported_errors
from ovhflow.cli.interrupts import Terminated, interruption
from ovhflow.cli.locking import lock_dir
from ovhflow.cli.output_dir import output_folder
from ovhflow.cli.run_plan import check_plan_options, plan_target, save_plan, warn_about_unused_planned_writes
from ovhflow.cli.unattended import errors_as_json, redact_tracebacks, report_early_exit, run_lock
from ovhflow.errors import OvhflowError
from ovhflow.exit_status import ExitStatus
from ovhflow.plan.applied import consume
from ovhflow.plan.apply import check_secret_inputs, planned_values, warn_about_other_version
from ovhflow.plan.gate import PLUGIN_NAME as GATE_NAME
from ovhflow.plan.gate import PlanGate
from ovhflow.recipe.environment_access import mask_machine_credentials
from ovhflow.reporting.redaction import Redactor

if TYPE_CHECKING:  # for annotations: the engine itself is imported lazily, in execute_run
    from ovhflow.engine.runner import RunResult


@dataclass(frozen=True)
class RunOptions:
    """Everything ``ovhflow run`` was asked, as its options say it (see ``ovhflow run --help``)."""

    recipe_path: str
    params: tuple[str, ...] = ()
    params_file: str | None = None
    check: bool = False
    sandbox: bool = False
    sandbox_schemas: str | None = None  # with sandbox: the API schemas it serves
    endpoint: str | None = None
    config_file: str | None = None
    concurrency: int | None = None  # None: each loop's default (ovhflow/engine/loop.py)
    no_batch: bool = False  # never read a loop's objects ahead in batch calls
    rate: float | None = None
    timeout: float | None = None  # seconds: each request's deadline (None: the client's default)
    verbosity: int = 0  # -1 with -q, 1 with -v
    notify_webhook: str | None = None
    log_format: str = "text"
    report_file: str | None = None
    wait_lock: float | None = None
    no_lock: bool = False
    no_api_check: bool = False
    plugins_dir: str | None = None
    debug: bool = False
    diff: bool = False  # read each PUT's path first and show the fields it changes
    plan_out: str | None = None  # with check: save the plan there
    plan_file: str | None = None  # apply this saved plan: only its writes are sent
    max_age: str | None = None  # with plan_file: refuse an older plan (default: 24h)
    output_dir: str = "."  # every file the recipe writes goes in it (ovhflow/files/output_folder.py)
    environ: dict[str, str] = field(default_factory=lambda: dict(os.environ), repr=False)


@dataclass
class PreparedRun:
    """A run that passed every check and has not sent anything yet."""

    options: RunOptions
    redactor: Redactor
    plugins: Any  # ovhflow.plugin.manager.Plugins
    templates: Any  # ovhflow.templating.templates.Templates
    recipe: Any  # ovhflow.recipe.model.Recipe
    inputs: dict[str, Any]
    settings: dict[str, Any]
    logger: Any  # ovhflow.reporting.run_log.RunLogger, the run's reporter
    plan: dict[str, Any] | None = None  # the saved plan being applied (run --plan)
    output_folder: Any = None  # ovhflow.files.output_folder.OutputFolder: where outputs may write


def program(options: RunOptions) -> ExitStatus:
    """Prepare and execute one run; the exit status says how it ended (errors are printed on stderr)."""
    redactor = Redactor()
    # Before the client exists, errors (a recipe, an include, a params file) are masked with every
    # credential the run could read, in case one quotes a file that holds one.
    mask_machine_credentials(redactor, options.config_file)
    if options.debug:
        redact_tracebacks(redactor)  # ovhflow/cli/unattended.py: secrets stay masked in tracebacks too
    try:
        with (
            reported_errors(options.debug, redactor),
            errors_as_json(options.log_format, redactor),
            report_early_exit(options.report_file, options.recipe_path, options.check, redactor),
        ):
            with nothing_sent_when_interrupted():
                run = prepare_run(options, redactor)
            return execute_run(run)
    except SystemExit as exit_:  # an error the contexts above reported, with its status
        return ExitStatus(exit_.code if isinstance(exit_.code, int) else ExitStatus.STEP_FAILED)


class InterruptedBeforeSending(OvhflowError):
    """Ctrl-C or SIGTERM while the run prepares (plugins, recipe, inputs, API check): nothing was sent.
    An :class:`OvhflowError`, so the run's error path reports it (stderr line or JSON event, --report)."""

    def __init__(self, interrupted: KeyboardInterrupt | Terminated) -> None:
        self.exit_status, reason = interruption(interrupted)
        super().__init__(f"interrupted by {reason} during start-up: nothing was sent")


@contextlib.contextmanager
def nothing_sent_when_interrupted() -> Iterator[None]:
    """Around what runs before the first request: an interruption there becomes InterruptedBeforeSending."""
    try:
        yield
    except (KeyboardInterrupt, Terminated) as interrupted:
        raise InterruptedBeforeSending(interrupted) from None


def prepare_run(options: RunOptions, redactor: Redactor) -> PreparedRun:
    """Load plugins, recipe and inputs, check the recipe against the API schemas, set up the log."""
    # lazy: loaded when this command runs, not at start-up
    from ovhflow.cli.ovh_conf import warn_about_readable_configs
    from ovhflow.engine import check_mode
    from ovhflow.plugin.manager import load_plugins
    from ovhflow.recipe.environment_access import refuse_credential_reads
    from ovhflow.recipe.input_values import resolve_inputs
    from ovhflow.recipe.loader import load_recipe
    from ovhflow.recipe.params import parse_params
    from ovhflow.reporting.run_log import RunLogger
    from ovhflow.reporting.run_report import ReportWriter
    from ovhflow.templating.templates import Templates

    plugins = load_plugins(options.plugins_dir)
    templates = Templates.for_plugins(plugins)  # one environment: each template compiles once
    recipe = load_recipe(options.recipe_path, plugins, templates)
    refuse_credential_reads(recipe, plugins, options.environ, options.config_file)  # README: threat model
    plan = check_plan_options(options, recipe)
    planned = planned_values(plan) if plan is not None else None
    inputs = resolve_inputs(
        recipe, parse_params(options.params), options.params_file, options.environ, planned
    )
    if plan is not None:
        check_secret_inputs(plan, inputs, str(options.plan_file))
    # issue 10: when `ovhflow schemas pull` cached the endpoint's schemas (nothing pulled ever: the checker
    # is not even imported, start-up time)
    if not options.no_api_check and cache_root().is_dir():
        # lazy: loaded when this command runs, not at start-up
        from ovhflow.apicheck.commands import check_before_run

        check_before_run(recipe, options.endpoint, options.config_file, options.sandbox, options.log_format)
    settings = dict(recipe.sections)
    if options.notify_webhook:
        settings["notify"] = {**settings.get("notify", {}), "webhook": {"url": options.notify_webhook}}

    logger = RunLogger(sys.stderr, fmt=options.log_format, verbosity=options.verbosity, redactor=redactor)
    plugins.manager.register(logger, name="run-log")
    if options.report_file:
        plugins.manager.register(ReportWriter(options.report_file, redactor, logger.error), name="run-report")
    if not options.sandbox:
        warn_about_readable_configs(options.config_file, logger.warning)
    if options.check:
        plugins.manager.register(check_mode.CheckMode(), name=check_mode.PLUGIN_NAME)
    if plan is not None:
        warn_about_other_version(plan, str(options.plan_file), logger.warning)
        gate = PlanGate(plan["writes"], redactor, str(plan["recipe"]["path"]), str(recipe.path))
        plugins.manager.register(gate, name=GATE_NAME)
    folder = output_folder(options)
    return PreparedRun(options, redactor, plugins, templates, recipe, inputs, settings, logger, plan, folder)


def execute_run(run: PreparedRun) -> ExitStatus:
    """Take the recipe's lock, open the client, run the steps; print the error that ended the run."""
    with nothing_sent_when_interrupted():  # until stop_on_signals below takes over Ctrl-C and SIGTERM
        # lazy: loaded when this command runs, not at start-up
        from ovhflow.cli.client_setup import open_client
        from ovhflow.engine.loop import DEFAULT_CONCURRENCY
        from ovhflow.engine.runner import run_recipe
        from ovhflow.engine.session import max_concurrency, stop_on_signals
        from ovhflow.engine.stop import StopRequest

    options, redactor = run.options, run.redactor
    stop = StopRequest()
    no_lock = options.no_lock or options.sandbox  # a sandbox run touches nothing real
    with (
        stop_on_signals(stop),  # first: a stop while waiting for the lock still ends with a report
        run_lock(run.recipe.path, no_lock, options.wait_lock, stop.raise_if_requested),
        open_client(
            options.sandbox,
            options.sandbox_schemas,
            max_concurrency(run.recipe.steps, options.concurrency or DEFAULT_CONCURRENCY),
            redactor,
            endpoint=options.endpoint,
            config_file=options.config_file,
            rate_limit=options.rate,
            **client_deadline(options.timeout),
        ) as client,
    ):
        target = plan_target(run, client) if options.plan_out or run.plan is not None else None
        if run.plan is not None:  # checked, not yet written: from here the plan is used up (README)
            consume(lock_dir(), run.plan, str(options.plan_file), str(run.recipe.path))
        # What start-up built (modules, schemas, compiled templates) lives until the end: out of the
        # garbage collector's sight, full collections during a long loop stop re-walking it.
        gc.freeze()
        collector.resume()  # paused while the run started (ovhflow/cli/collector.py)
        result = run_recipe(
            run.recipe,
            run.inputs,
            plugins=run.plugins,
            client=client,
            check=options.check,
            redactor=redactor,
            stop=stop,
            default_concurrency=options.concurrency,
            batch_reads=not options.no_batch,
            reporter=run.logger,
            settings=run.settings,
            templates=run.templates,
            diff=options.diff or bool(options.plan_out),
            endpoint="sandbox" if options.sandbox else None,
            output_folder=run.output_folder,
        )
    return finish_run(run, result, target)


def finish_run(run: PreparedRun, result: RunResult, target: tuple[str, str | None] | None) -> ExitStatus:
    """After the steps: save the plan a check run made, warn of planned writes left unused, print the
    error that ended the run (unless the JSON log's run_end carries it); the run's exit status."""
    options = run.options
    if options.plan_out and target is not None:
        save_plan(run, result.info, target)
    warn_about_unused_planned_writes(run, result.info.changes)
    if result.error is not None:
        if options.debug and result.error.__cause__ is not None:
            raise result.error.__cause__
        if options.log_format != "json":  # in JSON the run_end event carries the error
            print(f"error: {run.redactor.text(str(result.error))}", file=sys.stderr, flush=True)
    return ExitStatus(result.exit_status)
