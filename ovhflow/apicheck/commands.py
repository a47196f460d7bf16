"""What ``ovhflow validate --api`` and ``ovhflow run`` call, so each needs one small hook.

The catalog comes from ``--schemas DIR`` (a folder of schema documents, e.g. a copy of OVH's) or
from the cache that ``ovhflow schemas pull`` fills for the endpoint in use.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import click

from ovhflow.apicheck.cache import cached_catalog
from ovhflow.apicheck.catalog import Catalog
from ovhflow.apicheck.check import Finding, check_recipe, steps_with_values
from ovhflow.apicheck.known import input_values, renderings
from ovhflow.apicheck.paths import api_head, is_template, split_path
from ovhflow.apischema.document import HTTP_METHODS, normalize_path
from ovhflow.errors import ConfigError, OvhflowError, RecipeError, UsageError, raise_all
from ovhflow.reporting.run_log import iso_time


def endpoint_url(endpoint: str | None = None, config_file: str | None = None) -> str:
    """The API URL of ``endpoint`` (name or URL), else of the configured endpoint, else ovh-eu's."""
    from ovhflow.ovh.config import ENDPOINTS, ConfigurationManager, resolve_endpoint  # lazy: requests

    name = endpoint or ConfigurationManager(config_file).get("default", "endpoint") or "ovh-eu"
    try:
        return resolve_endpoint(name, "--endpoint")
    except Exception as error:  # InvalidRegion: shown as a usage error, not a traceback
        valid = ", ".join(ENDPOINTS)
        raise UsageError(f"unknown endpoint '{name}': use one of {valid}, or an http(s):// URL") from error


def load_catalog(schemas_dir: str | None = None, endpoint: str | None = None) -> Catalog:
    """The catalog to check against; a clear error when there is none (no folder, nothing pulled)."""
    if schemas_dir:
        return Catalog.from_dir(schemas_dir)
    url = endpoint_url(endpoint)
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


def documents_for(recipe: Any) -> Callable[[str], bool] | None:
    """Which cached documents a recipe's HTTP steps can need: those of APIs sharing their first segment.

    The first segment (``/dedicated`` for ``/dedicated/servr``) keeps near-miss suggestions working. A
    path whose first segment is a template with no known values needs none: it is not checked. None
    when no path names an API that can be checked.
    """
    heads: set[str] = set()
    inputs = input_values(getattr(recipe, "inputs", None) or {})
    for step, known in steps_with_values(getattr(recipe, "steps", None) or [], inputs, set()):
        if str(getattr(step, "action", "")).upper() not in HTTP_METHODS or not isinstance(step.args, str):
            continue
        paths = [path for path, _ in renderings(step.args, known)] or [step.args]
        for path in paths:
            head = api_head(split_path(normalize_path(path)))
            if head and not any(is_template(s) for s in head):
                heads.add("/".join(head))

    def head_of(relative: str) -> str:
        version, _, rest = relative.removesuffix(".json").partition("/")
        first = rest.split("/", 1)[0]
        return f"v2/{first}" if version == "v2" else first

    return (lambda relative: head_of(relative) in heads) if heads else None


def warning_line(finding: Finding, log_format: str = "text") -> str:
    """A warning as ``run`` logs it: the finding's line, or a JSON event with ``--log-format json``."""
    if log_format != "json":
        return str(finding)
    where = finding.location
    event = {
        "time": iso_time(),
        "level": "warning",
        "event": "api_check",
        "message": finding.message,
        "file": where.file,
        "line": where.line,
        "col": where.col,
    }
    return json.dumps(event, ensure_ascii=False)


def check_before_run(
    recipe: Any,
    endpoint: str | None = None,
    config_file: str | None = None,
    sandbox: bool = False,
    log_format: str = "text",
) -> None:
    """For ``run``: when schemas are cached for the endpoint, warn, and stop on errors before any request.

    Nothing is checked when nothing was pulled for that endpoint (the check is a help, not a
    requirement), nor for ``--sandbox`` runs, nor when the endpoint is misconfigured: the client's own
    setup reports that, with its exit status.
    """
    if sandbox:
        return
    try:
        url = endpoint_url(endpoint, config_file)
    except OvhflowError:
        return
    wanted = documents_for(recipe)
    if wanted is None:
        return  # no HTTP step, or none whose API is known before the run
    # a first segment no document has (a typo) needs every API, for the suggestions
    catalog = cached_catalog(url, wanted) or cached_catalog(url)
    if catalog is None:
        return
    findings = [f for f in check_recipe(recipe, catalog) if not f.unchecked]
    if any(f.severity == "error" for f in findings):
        every = cached_catalog(url)  # rare: check again with every API, for the best suggestions
        findings = [f for f in check_recipe(recipe, every) if not f.unchecked] if every else findings
    for finding in findings:
        if finding.severity == "warning":
            click.echo(warning_line(finding, log_format), err=True)
    errors = [
        RecipeError(f"{f.message} (API schema check; --no-api-check skips it)", f.location)
        for f in findings
        if f.severity == "error"
    ]
    raise_all(errors)
