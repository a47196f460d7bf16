"""``ovhflow validate RECIPE...`` and ``ovhflow schema``: check recipes without running them.

``validate`` prints ``FILE: ok`` on stdout for each valid file and each problem as ``FILE:LINE:COL: message``
on stderr; it exits 2 when any file is invalid. ``schema`` prints the recipe JSON Schema (Draft 2020-12),
built from the installed plugins, for editors (``# yaml-language-server: $schema=recipe.schema.json``).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from ovhflow.cli.common import debug_option, plugins_dir_option, reported_errors
from ovhflow.exit_status import ExitStatus


@click.command("validate")
@click.argument("recipe_paths", metavar="RECIPE...", nargs=-1, required=True)
@click.option(
    "--api", is_flag=True, help="Also check HTTP steps against the API schemas ('ovhflow schemas pull')."
)
@click.option(
    "--schemas",
    "schemas_dir",
    metavar="DIR",
    help="Check against the schema documents in DIR (implies --api).",
)
@plugins_dir_option
@debug_option
def validate(
    recipe_paths: tuple[str, ...], api: bool, schemas_dir: str | None, plugins_dir: str | None, debug: bool
) -> None:
    """Check recipe files (YAML, schema, templates, names, includes) without sending any request.

    \b
    Examples:
      ovhflow validate recipes/burst-sbg1.yaml
      ovhflow validate recipes/*.yaml
      ovhflow validate --api recipes/*.yaml          # also against the cached OVH API schemas
      ovhflow validate --api --schemas ../shared/ovh-api-schemas recipe.yaml
    """
    # lazy: loaded when this command runs, not at start-up
    from ovhflow.errors import RecipeError, RecipeErrors
    from ovhflow.plugin.manager import load_plugins
    from ovhflow.recipe.environment_access import mask_machine_credentials
    from ovhflow.recipe.loader import RecipeLoader
    from ovhflow.reporting.redaction import Redactor
    from ovhflow.templating import Templates

    redactor = Redactor()  # a problem may quote a file the recipe names: credentials stay masked
    mask_machine_credentials(redactor)  # read only when there is an error to print
    with reported_errors(debug, redactor):
        plugins = load_plugins(plugins_dir)
        templates = Templates.for_plugins(plugins)
        invalid = False
        catalog = None
        if api or schemas_dir:  # issue 10: API schema check
            # lazy: loaded when this command runs, not at start-up
            from ovhflow.apicheck.check import check_recipe
            from ovhflow.apicheck.commands import load_catalog, print_findings

            catalog = load_catalog(schemas_dir)
        for path in recipe_paths:
            loader = RecipeLoader(plugins, templates)
            try:
                recipe = loader.load(Path(path), ())
            except RecipeError as failure:
                if debug:
                    raise
                invalid = True
                problems = failure.errors if isinstance(failure, RecipeErrors) else [failure]
                for problem in problems:
                    click.echo(redactor.text(str(problem)), err=True)
                continue
            if catalog is not None and print_findings(check_recipe(recipe, catalog)):
                invalid = True
                continue
            click.echo(f"{path}: ok")
        if invalid:
            sys.exit(int(ExitStatus.INVALID_INPUT))


@click.command("schema")
@click.option("--plan", "plan", is_flag=True, help="Print the JSON Schema of saved plans instead.")
@plugins_dir_option
@debug_option
def schema(plan: bool, plugins_dir: str | None, debug: bool) -> None:
    """Print the recipe JSON Schema, with every installed plugin's actions and sections.

    \b
    Example (editors then check recipes as you type):
      ovhflow schema > recipe.schema.json
      # first line of a recipe: # yaml-language-server: $schema=recipe.schema.json
    """
    # lazy: loaded when this command runs, not at start-up
    from ovhflow.plugin.manager import load_plugins
    from ovhflow.recipe.schema import build_recipe_schema

    if plan:
        # lazy: loaded when this command runs, not at start-up
        from ovhflow.plan.schema import PLAN_SCHEMA

        click.echo(json.dumps(PLAN_SCHEMA, indent=2))
        return
    with reported_errors(debug):
        click.echo(json.dumps(build_recipe_schema(load_plugins(plugins_dir)), indent=2))
