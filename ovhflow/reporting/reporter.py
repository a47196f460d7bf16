"""Where a run's words go: one :class:`Reporter` for ``log:`` messages, warnings and results.

The engine talks to the person running a recipe through one object rather than three callables, so
whoever runs a recipe (the command line, a test, a library user) swaps one thing to capture it all.
"""

from __future__ import annotations

import sys
from typing import Protocol, TextIO


class Reporter(Protocol):
    """What a run says: messages and warnings are logs (stderr), output is results (stdout)."""

    def message(self, text: str, step_id: str | None = None) -> None:
        """A ``log:`` message or an action's note for the person running the recipe."""

    def warning(self, text: str) -> None:
        """A problem that does not change the run's outcome (a run-end plugin that failed...)."""

    def output(self, text: str) -> None:
        """A result: a table, JSON, check mode's plan lines."""


class ConsoleReporter:
    """The plain :class:`Reporter`: messages and warnings to stderr, results to stdout (each line flushed)."""

    def __init__(self, stdout: TextIO | None = None, stderr: TextIO | None = None) -> None:
        self._stdout = stdout
        self._stderr = stderr

    def message(self, text: str, step_id: str | None = None) -> None:
        print(text, file=self._stderr or sys.stderr, flush=True)

    def warning(self, text: str) -> None:
        print(f"warning: {text}", file=self._stderr or sys.stderr, flush=True)

    def output(self, text: str) -> None:
        write_result(self._stdout or sys.stdout, text)


def write_result(stream: TextIO, text: str) -> None:
    """Write ``text`` to ``stream`` as whole lines and flush: results are read by pipes and scripts."""
    stream.write(text if text.endswith("\n") else text + "\n")
    stream.flush()
