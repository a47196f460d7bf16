"""``ovhflow auth``: get a consumer key validated by the account owner and save it into ``ovh.conf``.

OVH's "use the API on behalf of a user" flow as one command: ask for a key with access rules, show the
validation URL, wait until the owner has validated it, then store it (mode 0600) where the client will
find it. The key itself is never printed: it is a password.
"""

from __future__ import annotations

import select
import sys
import time
from typing import Any

import click

from ovhflow.cli.client_setup import api_errors, make_client
from ovhflow.cli.common import FiniteFloat, debug_option, reported_errors
from ovhflow.cli.ovh_conf import check_saveable, save_consumer_key
from ovhflow.cli.unattended import redact_tracebacks
from ovhflow.errors import ConfigError, UsageError
from ovhflow.ovh.consumer_key import API_READ_ONLY, API_READ_WRITE, API_READ_WRITE_SAFE
from ovhflow.reporting.redaction import Redactor

METHODS = tuple(API_READ_WRITE)
PRESETS: dict[str, tuple[str, ...]] = {
    "read-only": tuple(API_READ_ONLY),
    "read-write": tuple(API_READ_WRITE_SAFE),  # no DELETE
    "full": tuple(API_READ_WRITE),
}
PENDING_STATUSES = ("pendingValidation",)


def parse_rule(text: str) -> dict[str, str]:
    """``GET:/me`` -> ``{"method": "GET", "path": "/me"}``; anything else is a usage error."""
    method, sep, path = text.partition(":")
    method = method.strip().upper()
    if not sep or method not in METHODS or not path.startswith("/"):
        raise UsageError(f"--rule {text!r}: expected METHOD:/path with METHOD one of {', '.join(METHODS)}")
    return {"method": method, "path": path}


def access_rules(rules: tuple[str, ...], preset: str | None) -> list[dict[str, str]]:
    """The rules asked for: each ``--rule`` plus the preset's methods on ``/*`` (read-only by default)."""
    wanted = [parse_rule(rule) for rule in rules]
    if preset is not None or not wanted:
        wanted += [{"method": method, "path": "/*"} for method in PRESETS[preset or "read-only"]]
    unique: list[dict[str, str]] = []
    for rule in wanted:
        if rule not in unique:
            unique.append(rule)
    return unique


def _validated(client: Any) -> bool:
    """Whether the client's (new) consumer key has been validated; a rejected one stops the wait."""
    # lazy: loaded when this command runs, not at start-up
    from ovhflow.ovh.exceptions import InvalidCredential, NotCredential

    try:
        answer = client.get("/auth/currentCredential")
    except (InvalidCredential, NotCredential):
        return False  # what OVH answers for a key not validated yet
    status = answer.get("status") if isinstance(answer, dict) else None
    if status in PENDING_STATUSES:
        return False
    if status not in (None, "validated"):
        raise ConfigError(f"the consumer key was not validated (status {status!r}); run ovhflow auth again")
    return True


def _pause(seconds: float, interactive: bool) -> bool:
    """Sleep up to ``seconds``; on a terminal, return early (True) when the user presses Enter."""
    if not interactive:
        time.sleep(seconds)
        return False
    ready, _, _ = select.select([sys.stdin], [], [], seconds)
    if ready:
        sys.stdin.readline()
        return True
    return False


def wait_for_validation(client: Any, timeout: float, poll_interval: float) -> None:
    """Poll ``GET /auth/currentCredential`` until the key is validated or ``timeout`` seconds passed."""
    interactive = sys.stdin.isatty()
    deadline = time.monotonic() + timeout
    while True:
        with api_errors():
            if _validated(client):
                return
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise ConfigError(
                f"the consumer key was not validated within {timeout:g} seconds; nothing was saved. "
                "Run ovhflow auth again and open the new URL"
            )
        if _pause(min(poll_interval, remaining), interactive):
            click.echo("checking...", err=True)


@click.command()
@click.option("--rule", "rules", multiple=True, metavar="METHOD:/path", help="Grant one call (repeatable).")
@click.option(
    "--read-only",
    "preset",
    flag_value="read-only",
    help="Grant GET on everything (the default when no --rule is given).",
)
@click.option(
    "--read-write",
    "preset",
    flag_value="read-write",
    help="Grant GET, POST and PUT on everything, not DELETE (python-ovh's API_READ_WRITE_SAFE).",
)
@click.option(
    "--full",
    "preset",
    flag_value="full",
    help="Grant GET, POST, PUT and DELETE on everything (--read-write plus DELETE).",
)
@click.option(
    "--save",
    "save_path",
    type=click.Path(dir_okay=False),
    default="ovh.conf",
    show_default=True,
    help="The ovh.conf to store the consumer key in (created with mode 0600).",
)
@click.option("--endpoint", help="Endpoint name (ovh-eu, ovh-ca, ...) or URL.")
@click.option("--config", "config_file", type=click.Path(dir_okay=False), help="Also read this ovh.conf.")
@click.option("--redirect-url", help="Where OVH sends the user's browser after validation.")
@click.option("--no-wait", is_flag=True, help="Save the key at once, without waiting for its validation.")
@click.option(
    "--timeout",
    type=FiniteFloat(min=0),
    default=600,
    show_default=True,
    help="Seconds to wait for the validation.",
)
@click.option("--poll-interval", type=FiniteFloat(min=0.05), default=2.0, hidden=True)
@debug_option
def auth(
    rules: tuple[str, ...],
    preset: str | None,
    save_path: str,
    endpoint: str | None,
    config_file: str | None,
    redirect_url: str | None,
    no_wait: bool,
    timeout: float,
    poll_interval: float,
    debug: bool,
) -> None:
    """Request a consumer key, wait for its validation and save it into ovh.conf.

    The application key and secret come from the usual places (OVH_* variables, ovh.conf files). Open the
    printed URL, log in and validate; the key is then saved into the endpoint's section of --save.
    Press Enter to check at once instead of waiting for the next poll.
    """
    redactor = Redactor()
    if debug:
        redact_tracebacks(redactor)
    with reported_errors(debug):
        wanted = access_rules(rules, preset)
        check_saveable(save_path)
        client = make_client(endpoint, config_file, redactor)
        try:
            _run_flow(client, wanted, save_path, redirect_url, no_wait, timeout, poll_interval, redactor)
        finally:
            client.close()


def _run_flow(
    client: Any,
    wanted: list[dict[str, str]],
    save_path: str,
    redirect_url: str | None,
    no_wait: bool,
    timeout: float,
    poll_interval: float,
    redactor: Redactor,
) -> None:
    with api_errors():
        answer = client.request_consumerkey(wanted, redirect_url)
    consumer_key = answer.get("consumerKey") if isinstance(answer, dict) else None
    redactor.add(consumer_key)
    url = answer.get("validationUrl") if isinstance(answer, dict) else None
    if not consumer_key or not url:
        raise ConfigError("the API did not answer a consumer key and a validation URL")
    granted = ", ".join(f"{r['method']} {r['path']}" for r in wanted)
    click.echo(f"Rules asked for: {granted}", err=True)
    click.echo("Open this URL, log in and validate the new consumer key:", err=True)
    click.echo(url)
    if not no_wait:
        click.echo(f"Waiting for the validation (up to {timeout:g} s; Enter checks at once)...", err=True)
        wait_for_validation(client, timeout, poll_interval)
        click.echo("The consumer key is validated.", err=True)
    saved = save_consumer_key(save_path, client.endpoint, consumer_key)
    note = " (not validated yet: open the URL above before using it)" if no_wait else ""
    click.echo(f"Consumer key saved to {saved}, section [{client.endpoint}], mode 0600{note}.", err=True)
