"""The stop request that Ctrl-C and SIGTERM set: safe to set from a signal handler, noticed promptly."""

from __future__ import annotations

import signal
import threading
import time

import pytest

from ovhflow.engine.stop import RunInterrupted, StopRequest
from ovhflow.exit_status import ExitStatus


def test_a_signal_landing_anywhere_in_a_sleep_never_deadlocks_it() -> None:
    # A handler runs in the main thread between two bytecodes: if request() took a lock that sleep()
    # holds at that moment, the process would hang forever (it did, now and then, on SIGTERM during
    # an `until` delay). Signals every 0.1 ms land all over the sleeps below.
    current = [StopRequest()]

    def handler(signum: int, frame: object) -> None:
        current[0].request(ExitStatus.INTERRUPTED_TERM, "SIGTERM")

    previous = signal.signal(signal.SIGALRM, handler)
    interrupted = 0
    try:
        signal.setitimer(signal.ITIMER_REAL, 0.0001, 0.0001)
        for _ in range(500):
            current[0] = StopRequest()
            try:
                current[0].sleep(0.002)
            except RunInterrupted as stopped:
                assert stopped.exit_status == ExitStatus.INTERRUPTED_TERM
                interrupted += 1
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    assert interrupted > 0  # the signals really arrived during the sleeps


def test_a_request_from_another_thread_cuts_a_long_sleep_short() -> None:
    stop = StopRequest()
    threading.Timer(0.2, stop.request, (ExitStatus.INTERRUPTED_INT, "Ctrl-C")).start()
    started = time.monotonic()
    with pytest.raises(RunInterrupted, match="interrupted by Ctrl-C"):
        stop.sleep(30)
    assert time.monotonic() - started < 10  # far below 30 s; generous for a loaded machine


def test_the_first_request_wins() -> None:
    stop = StopRequest()
    assert not stop.requested
    stop.request(ExitStatus.INTERRUPTED_TERM, "SIGTERM")
    stop.request(ExitStatus.INTERRUPTED_INT, "Ctrl-C")
    assert stop.requested and (stop.exit_status, stop.reason) == (ExitStatus.INTERRUPTED_TERM, "SIGTERM")
    with pytest.raises(RunInterrupted, match="SIGTERM"):
        stop.sleep(0)
