"""What ``ovhflow validate --api`` and ``ovhflow run`` call, so each needs one small hook.

The catalog comes from ``--schemas DIR`` (a folder of schema documents, e.g. a copy of OVH's) or
from the cache that ``ovhflow schemas pull`` fills for the endpoint in use.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click

from ovhflow.apicheck.cache import cached_catalog
from ovhflow.apicheck.catalog import Catalog
from ovhflow.apicheck.check import Finding, check_recipe
from ovhflow.errors import ConfigError, OvhflowError, RecipeError, RecipeErrors


def configured_endpoint_url(endpoint: str | None = None, config_file: str | None = None) -> str:
    """The API URL of ``endpoint`` (name or URL), else of the configured endpoint, else ovh-eu's."""
    from ovhflow.cli.schemas_cmd import endpoint_url

    return endpoint_url(endpoint, config_file)


def load_catalog(schemas_dir: str | None = None, endpoint: str | None = None) -> Catalog:
    """The catalog to check against; a clear error when there is none (no folder, nothing pulled)."""
    if schemas_dir:
        return Catalog.from_dir(schemas_dir)
    url = configured_endpoint_url(endpoint)
    catalog = cached_catalog(url)
    if catalog is None:
        raise ConfigError(
            f"no API schemas cached for {url}: run 'ovhflow schemas pull' (or give --schemas DIR)"
        )
    return catalog


def print_findings(findings: list[Finding], echo: Callable[[str], Any] | None = None) -> int:
    """Print findings one a line (``FILE:LINE:COL: error|warning: message``); return the error count."""
    echo = echo or (lambda line: click.echo(line, err=True))
    for finding in findings:
        echo(str(finding))
    return sum(1 for f in findings if f.severity == "error")


def validate_against_api(recipe: Any, schemas_dir: str | None = None, endpoint: str | None = None) -> int:
    """For ``validate --api``: print the recipe's findings and return how many are errors."""
    return print_findings(check_recipe(recipe, load_catalog(schemas_dir, endpoint)))


def check_before_run(
    recipe: Any, endpoint: str | None = None, config_file: str | None = None, sandbox: bool = False
) -> None:
    """For ``run``: when schemas are cached for the endpoint, warn, and stop on errors before any request.

    Nothing is checked when nothing was pulled for that endpoint (the check is a help, not a
    requirement), nor for ``--sandbox`` runs, nor when the endpoint is misconfigured: the client's own
    setup reports that, with its exit status.
    """
    if sandbox:
        return
    try:
        url = configured_endpoint_url(endpoint, config_file)
    except OvhflowError:
        return
    catalog = cached_catalog(url)
    if catalog is None:
        return
    findings = check_recipe(recipe, catalog)
    for finding in findings:
        if finding.severity == "warning":
            click.echo(str(finding), err=True)
    errors = [
        RecipeError(f"{f.message} (API schema check; --no-api-check skips it)", f.location)
        for f in findings
        if f.severity == "error"
    ]
    if len(errors) == 1:
        raise errors[0]
    if errors:
        raise RecipeErrors(errors)
