"""Ctrl-C and SIGTERM before a command has handlers of its own: exit 130 or 143 with one line.

Python's default lets SIGTERM kill the process without a word (a cron mail or systemd's journal then
shows nothing), and Ctrl-C ends in a traceback or click's "Aborted!" (exit 1), depending on where it
lands. Start-up (plugins, recipe, inputs, the API check) takes a noticeable time, so a job stopped then
must say so, with the documented exit codes. While the command runs, SIGTERM raises :class:`Terminated`
in the main thread as Ctrl-C raises ``KeyboardInterrupt``; ``ovhflow run`` installs its own handlers
(a polite stop, ovhflow/engine/session.py) once it is about to send its first request.
"""

from __future__ import annotations

import contextlib
import signal
import sys
import threading
from collections.abc import Iterator
from typing import Any

import click

from ovhflow.exit_status import ExitStatus


class Terminated(BaseException):
    """SIGTERM arrived: a ``BaseException``, as ``KeyboardInterrupt`` is, so that no ``except Exception``
    takes it for an error of the code it interrupted (a plugin failing to import, a bad recipe)."""


def _raise_terminated(signum: int, frame: Any) -> None:
    raise Terminated


def interruption(error: KeyboardInterrupt | Terminated) -> tuple[ExitStatus, str]:
    """The exit status and the name of the signal behind an interruption."""
    if isinstance(error, Terminated):
        return ExitStatus.INTERRUPTED_TERM, "SIGTERM"
    return ExitStatus.INTERRUPTED_INT, "Ctrl-C"


@contextlib.contextmanager
def sigterm_raises() -> Iterator[None]:
    """While the command runs, SIGTERM raises :class:`Terminated` (unless SIGTERM is ignored, or handled
    by whoever embeds ovhflow); the previous handler is back afterwards."""
    if threading.current_thread() is not threading.main_thread():
        yield  # only the main thread may set handlers (CliRunner in a thread)
        return
    previous = signal.getsignal(signal.SIGTERM)
    if previous is not signal.SIG_DFL:
        yield
        return
    signal.signal(signal.SIGTERM, _raise_terminated)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


@contextlib.contextmanager
def exit_when_interrupted() -> Iterator[None]:
    """An interruption that reaches here ends the command: one line on stderr, exit 130 or 143."""
    try:
        yield
    except (KeyboardInterrupt, Terminated) as error:
        status, reason = interruption(error)
        click.echo(f"interrupted by {reason}", err=True)
        sys.exit(int(status))
