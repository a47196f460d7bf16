"""The stop request shared by the signal handlers and the engine.

Ctrl-C and SIGTERM must not cut a request in half: the handlers only set this flag, and the engine looks
at it before each step, loop iteration and ``until`` attempt, so work in flight finishes and nothing new
starts.
"""

from __future__ import annotations

import threading

from ovhflow.errors import OvhflowError
from ovhflow.exit_status import ExitStatus


class StopRequest:
    """Set once by a signal handler; read by every thread of the run."""

    def __init__(self) -> None:
        self._event = threading.Event()
        self.exit_status: ExitStatus = ExitStatus.INTERRUPTED_INT
        self.reason = ""

    def request(self, exit_status: ExitStatus, reason: str) -> None:
        """Ask the run to stop (the first request wins)."""
        if not self._event.is_set():
            self.exit_status = exit_status
            self.reason = reason
            self._event.set()

    @property
    def requested(self) -> bool:
        return self._event.is_set()

    def sleep(self, seconds: float) -> None:
        """Wait ``seconds`` unless a stop is requested meanwhile, then raise :class:`RunInterrupted`."""
        if seconds > 0:
            self._event.wait(seconds)
        self.raise_if_requested()

    def raise_if_requested(self) -> None:
        if self._event.is_set():
            raise RunInterrupted(self)


class RunInterrupted(OvhflowError):
    """The run stopped on Ctrl-C or SIGTERM after the work in flight finished."""

    def __init__(self, stop: StopRequest) -> None:
        super().__init__(f"interrupted by {stop.reason}: in-flight work finished, nothing new started")
        self.exit_status = stop.exit_status
