"""``ovhflow schemas pull|list``: keep a local copy of an endpoint's published API schemas.

``validate --api`` and ``run`` check recipes against this copy, so they work offline and do not
download megabytes of JSON each time.
"""

from __future__ import annotations

import sys

import click

from ovhflow.cli.common import debug_option, reported_errors
from ovhflow.exit_status import ExitStatus


@click.group()
def schemas() -> None:
    """Download and list the OVH API schemas that recipes are checked against."""


@schemas.command()
@click.option(
    "--endpoint",
    "endpoint",
    default=None,
    metavar="NAME|URL",
    help="Endpoint name (ovh-eu, ovh-ca, ...) or API URL; default: the configured one.",
)
@debug_option
def pull(endpoint: str | None, debug: bool) -> None:
    """Download (or revalidate) every schema document of an endpoint into the cache.

    Exit status: 0 when every listed document is cached and current, 1 when some could not be
    downloaded (they are named), 2 for an unknown endpoint, 3 when the endpoint's listing is unreachable.
    """
    # lazy: loaded when this command runs, not at start-up
    from ovhflow.apicheck.cache import pull as pull_schemas
    from ovhflow.apicheck.commands import endpoint_url

    with reported_errors(debug):
        url = endpoint_url(endpoint)
        report = pull_schemas(url)
        click.echo(
            f"{url}: {len(report.downloaded)} downloaded, {len(report.unchanged)} unchanged, "
            f"{len(report.missing)} not published, {len(report.failed)} failed -> {report.folder}"
        )
        for failure in report.failed:
            click.echo(f"error: could not download {failure}", err=True)
        if report.failed:
            sys.exit(int(ExitStatus.STEP_FAILED))


@schemas.command(name="list")
@debug_option
def list_(debug: bool) -> None:
    """Show the endpoints whose schemas are cached, and when they were pulled."""
    # lazy: loaded when this command runs, not at start-up
    from ovhflow.apicheck.cache import cache_root, list_cached

    with reported_errors(debug):
        cached = list_cached()
        if not cached:
            click.echo(f"no schemas cached in {cache_root()} (run 'ovhflow schemas pull')")
            return
        for entry in cached:
            click.echo(
                f"{entry.endpoint}\t{entry.documents} documents\tpulled {entry.pulled_at}\t{entry.folder}"
            )
