"""The ``ovhflow run`` options for unattended runs: log format, report, and the per-recipe lock.

Kept apart from the run command so that it stays a readable sequence and these options can be tested
on their own: :func:`unattended_options` adds them, :func:`run_lock` takes the lock they ask for, and
:func:`errors_as_json` keeps the ``--log-format json`` stream parseable even when the run stops before
its first event (invalid recipe, missing credentials, lock held).
"""

from __future__ import annotations

import contextlib
import json
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import click

from ovhflow.cli.common import FiniteFloat
from ovhflow.errors import OvhflowError
from ovhflow.reporting.redaction import Redactor
from ovhflow.reporting.run_log import LOG_FORMATS, iso_time

F = TypeVar("F", bound=Callable[..., Any])


def unattended_options(command: F) -> F:
    """Add ``--log-format``, ``--report``, ``--wait-lock`` and ``--no-lock`` to a click command."""
    options = [
        click.option(
            "--log-format",
            type=click.Choice(LOG_FORMATS),
            default="text",
            show_default=True,
            help="Log lines for people, or one JSON object per event for machines.",
        ),
        click.option(
            "--report", "report_file", metavar="FILE", help="Write a JSON report of the run to FILE."
        ),
        click.option(
            "--wait-lock",
            type=FiniteFloat(min=0),
            metavar="SECONDS",
            help="If the recipe is already running, wait up to SECONDS for it instead of exiting 4.",
        ),
        click.option(
            "--no-lock", is_flag=True, help="Do not take the recipe's lock (allow overlapping runs)."
        ),
    ]
    for option in reversed(options):
        command = option(command)
    return command


@contextlib.contextmanager
def run_lock(
    recipe_path: str | Path,
    no_lock: bool,
    wait_seconds: float | None,
    while_waiting: Callable[[], None] | None = None,
) -> Iterator[None]:
    """Hold the recipe's lock for the run, unless ``--no-lock``; exits 4 when another run holds it.

    ``while_waiting`` (with ``--wait-lock``) may end the wait by raising: a stop requested meanwhile."""
    if no_lock:
        yield
        return
    # lazy: loaded when this command runs, not at start-up
    from ovhflow.cli.locking import recipe_lock

    with recipe_lock(recipe_path, wait_seconds, while_waiting):
        yield


@contextlib.contextmanager
def errors_as_json(log_format: str, redactor: Redactor | None = None) -> Iterator[None]:
    """In JSON log mode, report an error that ends the command as one JSON ``error`` event on stderr.

    Outside JSON mode this does nothing, and the usual ``error: ...`` line is printed by
    :func:`ovhflow.cli.common.reported_errors`.
    """
    if log_format != "json":
        yield
        return
    try:
        yield
    except OvhflowError as error:
        masker = redactor or Redactor()
        event = {
            "time": iso_time(),
            "level": "error",
            "event": "error",
            "message": masker.text(str(error)),
            "exit_status": int(error.exit_status),
            "error_type": type(error).__name__,
        }
        if error.query_id:
            event["query_id"] = error.query_id
        print(json.dumps(event, ensure_ascii=False), file=sys.stderr, flush=True)
        sys.exit(int(error.exit_status))


@contextlib.contextmanager
def report_early_exit(
    report_file: str | None, recipe_path: str, check: bool, redactor: Redactor | None = None
) -> Iterator[None]:
    """Write the ``--report`` also when the command stops before the run starts.

    An invalid recipe (exit 2), rejected credentials (3) or a lock still held (4) at 3 a.m. must show in
    the report a monitoring script reads, not leave yesterday's report looking like today's.
    """
    started = time.time()
    try:
        yield
    except OvhflowError as error:
        if report_file:
            # lazy: loaded when this command runs, not at start-up
            from ovhflow.plugin_api import RunInfo
            from ovhflow.reporting.run_report import ReportWriter

            masker = redactor or Redactor()
            info = RunInfo(
                recipe_name="",
                recipe_path=str(Path(recipe_path).absolute()),
                inputs={},
                check=check,
                started_at=started,
                exit_status=int(error.exit_status),
                error=masker.text(str(error)),
            )
            info.errors.append(
                {"message": info.error, "step": None, "query_id": getattr(error, "query_id", None)}
            )
            with contextlib.suppress(OvhflowError):  # a bad --report path is the error being reported
                ReportWriter(report_file, masker).write(info)
        raise


def redact_tracebacks(redactor: Redactor) -> None:
    """Make ``--debug`` tracebacks pass through the redactor too: an exception's message may quote a
    secret input, and a traceback is output like any other."""
    # lazy: loaded when this command runs, not at start-up
    import traceback

    def print_redacted(kind: type[BaseException], error: BaseException, trace: Any) -> None:
        text = "".join(traceback.format_exception(kind, error, trace))
        sys.stderr.write(redactor.text(text))
        sys.stderr.flush()

    sys.excepthook = print_redacted
