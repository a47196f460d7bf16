"""``ovhflow cron``: print a ready crontab line and a systemd service + timer pair for a recipe.

Cron jobs break in boring ways: a relative path, a missing PATH entry, a ``%`` that cron turns into a
newline, two runs overlapping, a log nobody can parse. This command writes the job for the user with
absolute paths, the lock (on by default in ``ovhflow run``), a JSON log file and a report file.
"""

from __future__ import annotations

import os
import re
import shutil
import sys
from pathlib import Path
from typing import Any

import click

from ovhflow import __version__
from ovhflow.cli.common import FiniteFloat, debug_option, plugins_dir_option, reported_errors
from ovhflow.cli.cron_schedule import parse_schedule
from ovhflow.cli.cron_units import JobFiles, render
from ovhflow.errors import UsageError


def ovhflow_command() -> list[str]:
    """How cron should start ovhflow: the installed script's absolute path, else this Python with -m."""
    script = shutil.which("ovhflow")
    if script:
        return [os.path.abspath(script)]
    return [os.path.abspath(sys.executable), "-m", "ovhflow"]


def unit_name(recipe: Path, name: str | None = None) -> str:
    """``burst.yaml`` -> ``ovhflow-burst`` (or ``--name``, cleaned): a name systemd and files accept."""
    if name:
        return re.sub(r"[^A-Za-z0-9_.@-]+", "-", name).strip("-.") or "recipe"
    stem = re.sub(r"[^A-Za-z0-9_.-]+", "-", recipe.stem).strip("-.") or "recipe"
    return f"ovhflow-{stem}"


def checked_recipe(recipe: str, plugins_dir: str | None) -> tuple[Path, Any]:
    """The recipe's absolute path and the recipe, loaded and validated now: a job that cannot run
    should fail here, not at 3 a.m."""
    path = Path(recipe).resolve()
    if not path.is_file():
        raise UsageError(f"recipe {recipe}: no such file")
    # lazy: loaded when this command runs, not at start-up
    from ovhflow.plugin.manager import load_plugins
    from ovhflow.recipe.loader import load_recipe

    return path, load_recipe(path, load_plugins(plugins_dir))


def check_inputs(recipe: Any, params: tuple[str, ...], params_file: str | None) -> None:
    """Check ``-p`` and ``--params`` as ``ovhflow run`` will, before the job exists.

    Refuses a secret given with ``-p`` (it would be stored in clear), unknown names, wrong types and
    missing required inputs; those read with ``env:`` may be missing here, since only the job's
    environment has them.
    """
    # lazy: start-up, as checked_recipe
    from ovhflow.recipe.input_values import resolve_inputs
    from ovhflow.recipe.params import parse_params

    given = parse_params(params)
    secrets_given = sorted(secret_inputs(recipe) & set(given))
    if secrets_given:
        raise UsageError(
            f"input {', '.join(secrets_given)} is secret: a -p value would be stored in clear in the "
            "crontab and unit files; give it through the environment (the input's env:) or --params "
            "with a 0600 file"
        )
    from_environment = [name for name, spec in recipe.inputs.items() if spec.env]
    resolve_inputs(recipe, given, params_file, os.environ, deferred=from_environment)


def environment_note(recipe: Any, params: tuple[str, ...]) -> str:
    """Comment lines naming the variables the job's environment must hold (inputs read with ``env:``)."""
    # lazy: start-up, as checked_recipe
    from ovhflow.recipe.params import parse_params

    given = parse_params(params)
    needed = [(name, spec.env) for name, spec in recipe.inputs.items() if spec.env and name not in given]
    return "".join(
        f"# The job reads input {name!r} from ${variable}: set it in the crontab ({variable}=...) or the "
        "service (Environment= or EnvironmentFile=); cron and systemd do not pass your shell's.\n"
        for name, variable in needed
    )


def secret_inputs(recipe: Any) -> set[str]:
    """Inputs the recipe declares ``secret: true``."""
    return {name for name, spec in recipe.inputs.items() if spec.secret}


def run_arguments(
    recipe: Path,
    report: Path,
    params: tuple[str, ...],
    params_file: str | None,
    config_file: str | None,
    endpoint: str | None,
) -> list[str]:
    """The ``ovhflow run ...`` argument list, every path absolute."""
    arguments = ["run", str(recipe), "--log-format", "json", "--report", str(report)]
    for param in params:
        arguments += ["-p", param]
    if params_file:
        arguments += ["--params", str(Path(params_file).resolve())]
    if config_file:
        arguments += ["--config", str(Path(config_file).resolve())]
    if endpoint:
        arguments += ["--endpoint", endpoint]
    return arguments


def run_waits_and_plugins(wait_lock: float | None, plugins_dir: str | None, output_dir: str) -> list[str]:
    """The job's ``--output-dir`` (always: cron starts in $HOME, where a recipe's outputs would otherwise
    land), ``--wait-lock`` and ``--plugins-dir``, folders made absolute."""
    arguments = ["--output-dir", str(Path(output_dir).resolve())]
    if wait_lock is not None:
        arguments += ["--wait-lock", f"{wait_lock:g}"]
    if plugins_dir:
        arguments += ["--plugins-dir", str(Path(plugins_dir).resolve())]
    return arguments


@click.command()
@click.argument("recipe", type=click.Path(dir_okay=False))
@click.option("--schedule", required=True, help='Cron schedule, e.g. "0 3 * * *" or @daily.')
@click.option(
    "-p", "--param", "params", multiple=True, metavar="NAME=VALUE", help="Recipe input (repeatable)."
)
@click.option("--params", "params_file", type=click.Path(dir_okay=False), help="YAML file of inputs.")
@click.option("--config", "config_file", type=click.Path(dir_okay=False), help="The ovh.conf the job uses.")
@click.option("--endpoint", help="Endpoint name or URL for the job.")
@click.option(
    "--log-file", type=click.Path(dir_okay=False), help="JSON log file (default in the state folder)."
)
@click.option(
    "--report", "report_file", type=click.Path(dir_okay=False), help="Report file of the latest run."
)
@click.option(
    "--output-dir",
    type=click.Path(exists=True, file_okay=False),
    help="The folder the recipe's outputs go in (default: this one, made absolute).",
)
@click.option("--name", help="Job name, used for the units and default file names.")
@click.option("--wait-lock", type=FiniteFloat(min=0), help="Seconds a run waits for the previous one.")
@click.option("--kubernetes", is_flag=True, help="Print a Kubernetes CronJob and ConfigMap instead.")
@click.option(
    "--secret",
    default="ovhflow-credentials",
    show_default=True,
    help="With --kubernetes: the Secret holding the credentials.",
)
@click.option(
    "--image", default=f"ovhflow:{__version__}", show_default=True, help="With --kubernetes: the image."
)
@click.option("--time-zone", default="Etc/UTC", show_default=True, help="With --kubernetes: the schedule's.")
@plugins_dir_option
@debug_option
def cron(
    recipe: str,
    schedule: str,
    params: tuple[str, ...],
    params_file: str | None,
    config_file: str | None,
    endpoint: str | None,
    log_file: str | None,
    report_file: str | None,
    output_dir: str | None,
    name: str | None,
    wait_lock: float | None,
    kubernetes: bool,
    secret: str,
    image: str,
    time_zone: str,
    plugins_dir: str | None,
    debug: bool,
) -> None:
    """Print a crontab line and a systemd service and timer that run RECIPE on a schedule.

    The recipe and its inputs are checked first, as `ovhflow run` would: a job that cannot run fails
    here, not every night. With --kubernetes, print a Kubernetes CronJob and ConfigMap instead.

    \b
    Examples:
      ovhflow cron recipes/burst-sbg1.yaml --schedule "0 3 * * *"
      ovhflow cron recipes/bills-csv.yaml --schedule @daily --output-dir /srv/exports -p output=bills.csv
      ovhflow cron recipes/burst-sbg1.yaml --schedule "0 3 * * *" --kubernetes --secret ovh-credentials
    """
    with reported_errors(debug):
        parse_schedule(schedule)
        recipe_path, loaded = checked_recipe(recipe, plugins_dir)
        check_inputs(loaded, params, params_file)
        job = unit_name(recipe_path, name)
        if kubernetes:
            # lazy: only --kubernetes needs it
            from ovhflow.cli.cron_kubernetes import kubernetes_text

            unused: dict[str, object] = {"--params": params_file, "--config": config_file}
            unused |= {"--log-file": log_file, "--report": report_file, "--output-dir": output_dir}
            unused |= {"--wait-lock": wait_lock, "--plugins-dir": plugins_dir}
            pod = (endpoint, secret, image, time_zone)
            click.echo(
                kubernetes_text(loaded, job, parse_schedule(schedule).text, params, pod, unused), nl=False
            )
            return
        files = JobFiles.resolve(job, log_file, report_file)
        if config_file is None and Path("ovh.conf").is_file():
            config_file = "ovh.conf"  # cron starts in $HOME: the ./ovh.conf seen here would be missed
        arguments = run_arguments(recipe_path, files.report, params, params_file, config_file, endpoint)
        arguments += run_waits_and_plugins(wait_lock, plugins_dir, output_dir or ".")
        text = render(schedule, recipe_path, job, ovhflow_command() + arguments, *files)
        click.echo(environment_note(loaded, params) + text, nl=False)
