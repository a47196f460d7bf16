"""``ovhflow run RECIPE``: validate everything, then run the recipe's steps against the API.

Order matters: plugins, recipe, inputs and configuration are all checked before the first request, so
a mistake costs exit 2 or 3 and nothing is sent. Results go to stdout, logs and the summary to stderr.
"""

from __future__ import annotations

import gc
import os
import sys

import click

from ovhflow.cli.common import debug_option, plugins_dir_option, reported_errors
from ovhflow.cli.unattended import (
    errors_as_json,
    redact_tracebacks,
    report_early_exit,
    run_lock,
    unattended_options,
)


@click.command("run")
@click.argument("recipe_path", metavar="RECIPE")
@click.option(
    "-p", "--param", "params", multiple=True, metavar="NAME=VALUE", help="Set an input (repeatable)."
)
@click.option("--params", "params_file", metavar="FILE", help="Read inputs from a YAML file.")
@click.option("--check", is_flag=True, help="Run GETs, plan POST/PUT/DELETE without sending them.")
@click.option("--sandbox", is_flag=True, help="Run against a local sandbox API (no account needed).")
@click.option(
    "--schemas",
    "sandbox_schemas",
    type=click.Path(exists=True, file_okay=False),
    metavar="DIR",
    help="With --sandbox: serve every API described in DIR (default: the 'ovhflow schemas pull' cache).",
)
@click.option("--endpoint", metavar="NAME|URL", help="API endpoint (ovh-eu, ovh-ca, ... or a URL).")
@click.option("--config", "config_file", metavar="FILE", help="Also read this ovh.conf file.")
@click.option(
    "--concurrency",
    type=click.IntRange(1, 256),
    default=1,
    show_default=True,
    help="Loop iterations in flight at once, for loops that do not set `concurrency`.",
)
@click.option("--rate", type=click.FloatRange(min=0, min_open=True), help="At most N requests a second.")
@click.option("-v", "--verbose", count=True, help="Log each step start, loop item and request.")
@click.option("-q", "--quiet", is_flag=True, help="Log errors only.")
@click.option(
    "--notify-webhook",
    metavar="URL",
    help="POST a summary to this URL when the run fails (always, with `notify: {when: always}`).",
)
@click.option("--no-api-check", is_flag=True, help="Skip the check against cached API schemas.")
@unattended_options  # --log-format, --report, --wait-lock, --no-lock (ovhflow/cli/unattended.py)
@plugins_dir_option
@debug_option
def run(
    recipe_path: str,
    params: tuple[str, ...],
    params_file: str | None,
    check: bool,
    sandbox: bool,
    sandbox_schemas: str | None,
    endpoint: str | None,
    config_file: str | None,
    concurrency: int,
    rate: float | None,
    verbose: int,
    quiet: bool,
    notify_webhook: str | None,
    log_format: str,
    report_file: str | None,
    wait_lock: float | None,
    no_lock: bool,
    no_api_check: bool,
    plugins_dir: str | None,
    debug: bool,
) -> None:
    """Run a recipe (see `ovhflow validate` to only check it)."""
    from ovhflow.cli.ovh_conf import warn_about_readable_configs
    from ovhflow.engine import check_mode
    from ovhflow.engine.runner import run_recipe
    from ovhflow.engine.session import max_concurrency, open_client, stop_on_signals
    from ovhflow.engine.stop import StopRequest
    from ovhflow.plugin.manager import load_plugins
    from ovhflow.recipe.environment_access import refuse_credential_reads
    from ovhflow.recipe.inputs import parse_params, resolve_inputs
    from ovhflow.recipe.loader import load_recipe
    from ovhflow.reporting.redaction import Redactor
    from ovhflow.reporting.run_log import RunLogger
    from ovhflow.reporting.run_report import ReportWriter
    from ovhflow.templating.templates import Templates

    if sandbox and (endpoint or config_file):
        raise click.UsageError("--sandbox runs against the local sandbox: drop --endpoint and --config")
    if sandbox_schemas and not sandbox:
        raise click.UsageError("--schemas DIR is what the sandbox serves: use it with --sandbox")
    redactor = Redactor()
    if debug:
        redact_tracebacks(redactor)  # ovhflow/cli/unattended.py: secrets stay masked in tracebacks too
    with (
        reported_errors(debug),
        errors_as_json(log_format, redactor),
        report_early_exit(report_file, recipe_path, check, redactor),
    ):
        plugins = load_plugins(plugins_dir)
        templates = Templates.for_plugins(plugins)  # one environment: each template compiles once
        recipe = load_recipe(recipe_path, plugins, templates)
        refuse_credential_reads(recipe, plugins, os.environ, config_file)  # README: threat model
        inputs = resolve_inputs(recipe, parse_params(params), params_file, os.environ)
        if not no_api_check:  # issue 10: when `ovhflow schemas pull` cached the endpoint's schemas
            from ovhflow.apicheck.commands import check_before_run

            check_before_run(recipe, endpoint, config_file, sandbox, log_format)
        settings = dict(recipe.sections)
        if notify_webhook:
            settings["notify"] = {**settings.get("notify", {}), "webhook": {"url": notify_webhook}}

        verbosity = -1 if quiet else min(verbose, 1)
        logger = RunLogger(sys.stderr, fmt=log_format, verbosity=verbosity, redactor=redactor)
        plugins.manager.register(logger, name="run-log")
        if report_file:
            plugins.manager.register(ReportWriter(report_file, redactor, logger.error), name="run-report")
        if not sandbox:
            warn_about_readable_configs(config_file, logger.warning)
        if check:
            plugins.manager.register(check_mode.CheckMode(), name=check_mode.PLUGIN_NAME)

        stop = StopRequest()
        pool_size = max_concurrency(recipe.steps, concurrency)
        client_settings = (sandbox, endpoint, config_file, rate, pool_size, redactor)
        with (
            run_lock(recipe.path, no_lock or sandbox, wait_lock),  # a sandbox run touches nothing real
            open_client(*client_settings, sandbox_schemas=sandbox_schemas) as client,
            stop_on_signals(stop),
        ):
            # What start-up built (modules, schemas, compiled templates) lives until the end: out of
            # the garbage collector's sight, full collections during a long loop stop re-walking it.
            gc.freeze()
            result = run_recipe(
                recipe,
                inputs,
                plugins=plugins,
                client=client,
                check=check,
                redactor=redactor,
                stop=stop,
                default_concurrency=concurrency,
                message=logger.message,
                warning=logger.warning,
                settings=settings,
                templates=templates,
            )
        if result.error is not None:
            if debug and result.error.__cause__ is not None:
                raise result.error.__cause__
            if log_format != "json":  # in JSON the run_end event carries the error
                click.echo(f"error: {redactor.text(str(result.error))}", err=True)
    # The run is over and everything it wrote is closed: spare the exit its last full collection of
    # every object the run made (~50 ms after a loop over 1,000 servers). Objects still referenced are
    # released as usual at exit; only unreachable reference cycles are left for the OS to reclaim.
    gc.freeze()
    sys.exit(result.exit_status)
