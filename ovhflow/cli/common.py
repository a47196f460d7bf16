"""What every subcommand shares: the ``--debug`` flag and turning errors into messages and exit codes."""

from __future__ import annotations

import contextlib
import math
import sys
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import click

from ovhflow.cli.interrupts import exit_when_interrupted
from ovhflow.errors import OvhflowError
from ovhflow.exit_status import ExitStatus

if TYPE_CHECKING:
    from ovhflow.reporting.redaction import Redactor

debug_option = click.option("--debug", is_flag=True, help="Show tracebacks for errors.")


@contextlib.contextmanager
def reported_errors(debug: bool, redactor: Redactor | None = None) -> Iterator[None]:
    """Print an :class:`OvhflowError` as one message on stderr and exit with its status.

    ``redactor`` masks the machine's credentials in the message (a recipe error may quote a file the
    recipe names). With ``debug`` the traceback is printed too. Any other exception is a bug in ovhflow:
    it gets a short message (and exit 1) unless ``debug`` asks for the traceback.
    """
    try:
        with exit_when_interrupted():  # Ctrl-C or SIGTERM: a line and exit 130 or 143
            yield
    except OvhflowError as error:
        if debug:
            raise
        message = str(error) if redactor is None else redactor.text(str(error))
        click.echo(f"error: {message}", err=True)
        sys.exit(int(error.exit_status))
    except (click.exceptions.Exit, click.ClickException, SystemExit):
        raise
    except Exception as error:  # a bug: still no traceback by default
        if debug:
            raise
        message = str(error) if redactor is None else redactor.text(str(error))
        click.echo(f"error: internal error: {type(error).__name__}: {message} (rerun with --debug)", err=True)
        sys.exit(int(ExitStatus.STEP_FAILED))


class FiniteFloat(click.FloatRange):
    """A number in a range that is also finite: ``inf`` or ``nan`` as a timeout, a wait or a rate would
    make a hang last forever (``nan`` passes every range comparison), so click refuses them (exit 2)."""

    name = "finite float"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        number = super().convert(value, param, ctx)
        if not math.isfinite(number):
            self.fail(
                f"{value!r} is not a finite number (inf and nan would make a wait last forever).", param, ctx
            )
        return number


# The client's default deadline (ovhflow.ovh.deadline.DEFAULT_DEADLINE) is said here rather than imported:
# importing the client at start-up would load requests for every command (tests check both agree).
timeout_option = click.option(
    "--timeout",
    type=FiniteFloat(min=0, min_open=True),
    metavar="SECONDS",
    help="Deadline of each API request: connecting and the whole answer (default: 60). A call and its "
    "retries stop after 3 times that.",
)


def client_deadline(timeout: float | None) -> dict[str, float]:
    """The client keyword argument for ``--timeout`` (none: the client's default)."""
    return {} if timeout is None else {"deadline": timeout}


plugins_dir_option = click.option(
    "--plugins-dir",
    type=click.Path(file_okay=False, path_type=str),
    default=None,
    envvar="OVHFLOW_PLUGINS_DIR",
    help="Also load every *.py plugin in this folder.",
)
