"""``ovhflow run RECIPE``: the options, turned into a :class:`~ovhflow.cli.run_program.RunOptions`.

The run itself is :func:`ovhflow.cli.run_program.program`: everything is checked before the first
request, then the steps run. Results go to stdout, logs and the summary to stderr.
"""

from __future__ import annotations

import gc
import sys
from typing import Any

import click

from ovhflow.cli.common import FiniteFloat, debug_option, plugins_dir_option, timeout_option
from ovhflow.cli.unattended import unattended_options


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
    default=None,
    help="Loop iterations in flight at once, for loops that do not set `concurrency` "
    "(default: 16 for loops of GET, PUT and DELETE, 1 for others).",
)
@click.option(
    "--no-batch",
    is_flag=True,
    help="Never read a loop's objects ahead in batch calls (X-Ovh-Batch): one GET per item.",
)
@click.option("--rate", type=FiniteFloat(min=0, min_open=True), help="At most N requests a second.")
@timeout_option
@click.option("-v", "--verbose", count=True, help="Log each step start, loop item and request.")
@click.option("-q", "--quiet", is_flag=True, help="Log errors only.")
@click.option(
    "--notify-webhook",
    metavar="URL",
    help="POST a summary to this URL when the run fails (always, with `notify: {when: always}`).",
)
@click.option("--no-api-check", is_flag=True, help="Skip the check against cached API schemas.")
@click.option("--diff", is_flag=True, help="Read what each PUT would change first; show it field by field.")
@click.option(
    "--plan-out", metavar="FILE", help="With --check: save the plan to FILE (JSON, mode 0600) for review."
)
@click.option(
    "--plan",
    "plan_file",
    metavar="FILE",
    help="Apply a reviewed plan: send only the writes it has; anything else stops the run (exit 5).",
)
@click.option(
    "--output-dir",
    type=click.Path(exists=True, file_okay=False),
    default=".",
    metavar="DIR",
    help="The folder every file the recipe writes (csv, json...) goes in, by relative path (default: .).",
)
@click.option("--max-age", metavar="DURATION", help="With --plan: refuse an older plan (default 24h).")
@unattended_options  # --log-format, --report, --wait-lock, --no-lock (ovhflow/cli/unattended.py)
@plugins_dir_option
@debug_option
def run(recipe_path: str, verbose: int, quiet: bool, params: tuple[str, ...], **options: Any) -> None:
    """Run a recipe (see `ovhflow validate` to only check it).

    \b
    Examples:
      ovhflow run --sandbox recipes/burst-sbg1.yaml       # against a local sandbox, no account
      ovhflow run --check recipes/burst-sbg1.yaml         # real reads, writes only planned
      ovhflow run recipes/burst-sbg1.yaml -p datacenter=rbx3
      ovhflow run recipe.yaml -p names=a,b -p days=30     # a list input, an integer input
      ovhflow run recipe.yaml --params inputs.yaml --report report.json --log-format json
    """
    # lazy: loaded when this command runs, not at start-up
    from ovhflow.cli.run_program import RunOptions, program

    if options["sandbox"] and (options["endpoint"] or options["config_file"]):
        raise click.UsageError("--sandbox runs against the local sandbox: drop --endpoint and --config")
    if options["sandbox_schemas"] and not options["sandbox"]:
        raise click.UsageError("--schemas DIR is what the sandbox serves: use it with --sandbox")
    verbosity = -1 if quiet else min(verbose, 1)
    status = program(RunOptions(recipe_path, tuple(params), verbosity=verbosity, **options))
    # The run is over and everything it wrote is closed: spare the exit its last full collection of
    # every object the run made (~50 ms after a loop over 1,000 servers). Objects still referenced are
    # released as usual at exit; only unreachable reference cycles are left for the OS to reclaim.
    gc.freeze()
    sys.exit(int(status))
