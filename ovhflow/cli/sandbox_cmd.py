"""``ovhflow sandbox``: serve the local OVH API sandbox on 127.0.0.1 until Ctrl-C or SIGTERM.

Stopping with Ctrl-C or SIGTERM is the normal end of a sandbox: it exits 0 after saving ``--state``.
"""

from __future__ import annotations

import shlex
import signal
import threading
from typing import Any

import click

from ovhflow.cli.common import FiniteFloat, debug_option, reported_errors
from ovhflow.errors import UsageError

SHARE = FiniteFloat(0.0, 1.0)


@click.command()
@click.option(
    "--port", type=click.IntRange(0, 65535), default=0, show_default=True, help="0 picks a free port."
)
@click.option("--servers", type=click.IntRange(0), default=20, show_default=True, help="Dedicated servers.")
@click.option("--bills", type=click.IntRange(0), default=24, show_default=True, help="Bills over two years.")
@click.option("--seed", type=int, default=1, show_default=True, help="Seed of the generated account.")
@click.option("--latency-ms", type=FiniteFloat(0), default=0.0, help="Added to every answer.")
@click.option("--jitter-ms", type=FiniteFloat(0), default=0.0, help="Latency varies by up to this.")
@click.option(
    "--rate-limit", type=FiniteFloat(0, min_open=True), default=None, help="Requests/s; 429 beyond."
)
@click.option("--error-rate", type=SHARE, default=0.0, help="Share of requests answered with a 5xx.")
@click.option("--drop-rate", type=SHARE, default=0.0, help="Share of connections closed without an answer.")
@click.option("--clock-skew", type=int, default=0, help="Seconds added to the server's clock.")
@click.option("--redirect", metavar="URL", help="Answer 307 to URL+path instead (see --faults-on).")
@click.option("--redirect-status", type=click.IntRange(300, 399), default=307, help="With --redirect.")
@click.option("--hang", type=FiniteFloat(0), default=0.0, metavar="SECONDS", help="Wait, then answer.")
@click.option("--trickle", type=FiniteFloat(0), default=0.0, metavar="SECONDS", help="Between body bytes.")
@click.option("--cut-bodies", type=click.IntRange(-1), default=0, metavar="N", help="Cut N bodies (-1: all).")
@click.option("--throttle", type=click.IntRange(-1), default=0, metavar="N", help="Answer N requests 429.")
@click.option("--retry-after", metavar="VALUE", help="Retry-After of every 429, as is (e.g. soon, -5).")
@click.option("--text-answers", metavar="TEXT", help="2xx answers carry TEXT (text/plain), not JSON.")
@click.option(
    "--faults-on",
    metavar="'METHOD /path'",
    multiple=True,
    callback=lambda _ctx, _param, values: _selectors(values),
    help="Requests the network faults above apply to (methods, path prefixes); repeat for the requests "
    "any value selects; default: all.",
)
@click.option("--no-batch", is_flag=True, help="Refuse X-Ovh-Batch reads (400).")
@click.option("--no-expand", is_flag=True, help="Refuse CachedObjectList-Pages listings (400).")
@click.option(
    "--schemas",
    "--schema-dir",
    "schema_dir",
    type=click.Path(exists=True, file_okay=False),
    metavar="DIR",
    help="Serve every API described in DIR (default: the cache 'ovhflow schemas pull' fills).",
)
@click.option("--strict", is_flag=True, help="Reject requests that do not fit the schemas (needs schemas).")
@click.option(
    "--state", "state_file", type=click.Path(dir_okay=False), help="Load and save the account here."
)
@click.option(
    "--journal", "journal_path", type=click.Path(dir_okay=False), help="Append requests as JSON lines."
)
@debug_option
def sandbox(debug: bool, **options: Any) -> None:
    """Serve a local OVH API (with a generated account) on 127.0.0.1 for trying recipes.

    Prints its URL and throwaway, sandbox-only credentials. Ctrl-C or SIGTERM stops it (exit 0).
    """
    with reported_errors(debug):
        _serve(options)


def _serve(options: dict[str, Any]) -> None:
    # lazy: loaded when this command runs, not at start-up
    from ovhflow.sandbox import Sandbox
    from ovhflow.sandbox.schema_store import find_schema_dir

    options["schema_dir"] = find_schema_dir(options["schema_dir"])
    if options["strict"] and not options["schema_dir"]:
        raise UsageError("--strict needs API schemas: run 'ovhflow schemas pull' or give --schemas DIR")
    try:
        running = Sandbox(
            servers=options["servers"],
            bills=options["bills"],
            seed=options["seed"],
            latency=options["latency_ms"] / 1000,
            latency_jitter=options["jitter_ms"] / 1000,
            rate_limit=options["rate_limit"],
            error_rate=options["error_rate"],
            drop_rate=options["drop_rate"],
            clock_skew=options["clock_skew"],
            batch=not options["no_batch"],
            expand=not options["no_expand"],
            schema_dir=options["schema_dir"],
            strict=options["strict"],
            state_file=options["state_file"],
            journal_path=options["journal_path"],
            port=options["port"],
            network=_network_faults(options),
        )
    except (ValueError, OSError) as error:
        raise UsageError(f"cannot prepare the sandbox: {error}") from None
    try:
        running.start()
    except OSError as error:
        raise UsageError(f"cannot listen on 127.0.0.1:{options['port']}: {error.strerror}") from None
    stop = threading.Event()
    previous = signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        _announce(running)
        _announce_schemas(options["schema_dir"])
        while not stop.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGTERM, previous)
        running.stop()
    click.echo("sandbox stopped", err=True)


def _selectors(values: tuple[str, ...]) -> tuple[str, ...]:
    """``--faults-on`` values, each checked: a typo would otherwise select nothing, silently."""
    from ovhflow.sandbox.faults import selector_problem  # lazy: only `ovhflow sandbox` loads the sandbox

    for value in values:
        problem = selector_problem(value)
        if problem is not None:
            raise click.BadParameter(problem)
    return values


def _network_faults(options: dict[str, Any]) -> Any:
    from ovhflow.sandbox.faults import NetworkFaults  # lazy: only `ovhflow sandbox` loads the sandbox

    return NetworkFaults(
        redirect=options["redirect"],
        redirect_status=options["redirect_status"],
        hang=options["hang"],
        trickle=options["trickle"],
        cut_bodies=options["cut_bodies"],
        throttle=options["throttle"],
        retry_after=options["retry_after"],
        text=options["text_answers"],
        applies_to=options["faults_on"],
    )


def _announce(running: Any) -> None:
    """The URL first (scripts read that line), then the credentials and a block to paste into a shell."""
    env = running.env()
    click.echo(f"ovhflow sandbox listening on {running.url}  (v2 API: {running.root}/v2)")
    click.echo("Sandbox-only credentials (throwaway, generated for this sandbox; not valid on OVH):")
    click.echo(f"  application key:    {env['OVH_APPLICATION_KEY']}")
    click.echo(f"  application secret: {env['OVH_APPLICATION_SECRET']}")
    click.echo(f"  consumer key:       {env['OVH_CONSUMER_KEY']}")
    click.echo("To point ovhflow or python-ovh at it:")
    for name, value in env.items():
        click.echo(f"export {name}={shlex.quote(value)}")
    click.echo("Stop with Ctrl-C.", err=True)


def _announce_schemas(folder: Any) -> None:
    """Say which APIs are served, and how to get all of them when only the hand-written ones are."""
    if folder is None:
        # lazy: loaded when this command runs, not at start-up
        from ovhflow.sandbox.app import NO_SCHEMAS_HINT

        click.echo(f"note: {NO_SCHEMAS_HINT}", err=True)
    else:
        click.echo(f"Serving every API described in {folder}", err=True)
