"""The stop request shared by the signal handlers and the engine.

Ctrl-C and SIGTERM first ask politely: the handlers only set this flag, and the engine looks at it before
each step, loop iteration, ``until`` attempt and request, so nothing new starts and the work in flight
gets :data:`STOP_GRACE_SECONDS` to finish. A request still waiting for its answer after that (a hung
API, a trickling answer) is abandoned: systemd sends SIGKILL 90 s after SIGTERM, and the report, the
log's ``run_end`` and the lock release must come first. A write abandoned that way is reported as
"outcome unknown", never as done.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterator

from ovhflow.errors import OvhflowError
from ovhflow.exit_status import ExitStatus

_SLEEP_SLICE = 0.05  # seconds: how late a stop request can be noticed by a sleeping thread
STOP_GRACE_SECONDS = 2.0  # how long requests in flight may take to finish once a stop is requested


class StopRequest:
    """Set once by a signal handler; read by every thread of the run.

    It holds no lock on purpose. A Python signal handler runs in the main thread, between two bytecodes
    of whatever that thread was doing: had :meth:`request` set a ``threading.Event``, a SIGTERM landing
    while the main thread held that event's lock (inside :meth:`sleep`) would wait for itself forever.
    A plain attribute, set once and read by everyone, needs no lock; :meth:`sleep` looks at it often.
    """

    def __init__(self, grace: float = STOP_GRACE_SECONDS) -> None:
        self._requested = False
        self.exit_status: ExitStatus = ExitStatus.INTERRUPTED_INT
        self.reason = ""
        self.grace = grace
        self._requested_at = 0.0
        self.main_thread_sending = 0  # > 0 while the main thread waits for an API answer

    def request(self, exit_status: ExitStatus, reason: str) -> None:
        """Ask the run to stop (the first request wins). Safe in a signal handler."""
        if not self._requested:
            self.exit_status = exit_status
            self.reason = reason
            self._requested_at = time.monotonic()
            self._requested = True

    @contextlib.contextmanager
    def waiting_on_network(self) -> Iterator[None]:
        """Mark the main thread as waiting for the API, so that the end of the grace abandons the wait
        (by raising :class:`RequestAbandoned` here); other threads are given up by their loop."""
        main = threading.current_thread() is threading.main_thread()
        if main:
            self.main_thread_sending += 1
        try:
            yield
        finally:
            if main:
                self.main_thread_sending -= 1

    @property
    def overdue(self) -> bool:
        """Whether the grace given to the work in flight has run out: stop waiting for it."""
        return self._requested and time.monotonic() - self._requested_at >= self.grace

    @property
    def requested(self) -> bool:
        return self._requested

    def sleep(self, seconds: float) -> None:
        """Wait ``seconds`` unless a stop is requested meanwhile, then raise :class:`RunInterrupted`."""
        deadline = time.monotonic() + seconds
        while not self._requested:
            left = deadline - time.monotonic()
            if left <= 0:
                break
            time.sleep(min(left, _SLEEP_SLICE))
        self.raise_if_requested()

    def raise_if_requested(self) -> None:
        if self._requested:
            raise RunInterrupted(self)


class RequestAbandoned(BaseException):
    """Raised in the main thread, out of a request still unanswered when the stop's grace ran out.

    A ``BaseException``, as ``KeyboardInterrupt`` is, so that no library's ``except Exception`` retries
    the request or mistakes it for a network error."""


class RunInterrupted(OvhflowError):
    """The run stopped on Ctrl-C or SIGTERM after the work in flight finished."""

    def __init__(self, stop: StopRequest, abandoned: bool = False) -> None:
        if abandoned:
            done = f"nothing new started, requests unanswered after {stop.grace:g} s were abandoned"
        else:
            done = "in-flight work finished, nothing new started"
        super().__init__(f"interrupted by {stop.reason}: {done}")
        self.exit_status = stop.exit_status
