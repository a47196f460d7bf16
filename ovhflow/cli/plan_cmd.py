"""``ovhflow plan show FILE``: a saved plan for a reviewer (text) or a program (``--format json``)."""

from __future__ import annotations

import json

import click

from ovhflow.cli.common import debug_option, reported_errors


@click.group("plan")
def plan() -> None:
    """Read plans saved by `ovhflow run --check --plan-out FILE`."""


@plan.command("show")
@click.argument("plan_file", metavar="FILE")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@debug_option
def show(plan_file: str, fmt: str, debug: bool) -> None:
    """Print a plan grouped by step, with counts and field changes.

    \b
    Examples:
      ovhflow run --check --plan-out plan.json recipes/burst-sbg1.yaml
      ovhflow plan show plan.json
      ovhflow run --plan plan.json recipes/burst-sbg1.yaml
    """
    # lazy: loaded when this command runs, not at start-up
    from ovhflow.plan.document import read_plan
    from ovhflow.plan.show import plan_text

    with reported_errors(debug):
        loaded = read_plan(plan_file)
        click.echo(json.dumps(loaded, indent=2, ensure_ascii=False) if fmt == "json" else plan_text(loaded))
