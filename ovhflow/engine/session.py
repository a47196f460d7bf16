"""What ``ovhflow run`` needs around the engine: the pool size, the signal handlers.

Kept out of the click command so that the command reads as the sequence it is (validate everything,
then open the client, then run) and so tests can use the pieces without a subprocess.
"""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Iterator, Sequence
from typing import Any

from ovhflow.engine.stop import RequestAbandoned, StopRequest
from ovhflow.exit_status import ExitStatus
from ovhflow.recipe.model import Step

MAX_CONCURRENCY = 256  # the largest --concurrency and the largest pool a run opens


def max_concurrency(steps: Sequence[Step], default: int) -> int:
    """The largest ``concurrency`` in the recipe (and what it includes), to size the connection pool.

    A templated value is only known at run time: the pool is then sized for the largest allowed.
    """
    largest = default
    for step in steps:
        if isinstance(step.concurrency, int):
            largest = max(largest, step.concurrency)
        elif step.concurrency is not None:
            largest = MAX_CONCURRENCY
        largest = max(largest, max_concurrency(step.steps or [], default))
        included = getattr(step, "included", None)
        if included is not None:
            largest = max(largest, max_concurrency(included.steps, default))
    return largest


@contextlib.contextmanager
def stop_on_signals(stop: StopRequest) -> Iterator[None]:
    """Turn the first Ctrl-C or SIGTERM into a stop request; a second Ctrl-C stops at once.

    The request's grace (engine/stop.py) is timed with SIGALRM: when it runs out while the main thread
    still waits for an API answer, that wait is abandoned; worker threads are given up by the loop."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def stop_with(exit_status: ExitStatus, reason: str) -> None:
        if not stop.requested:
            stop.request(exit_status, reason)
            signal.setitimer(signal.ITIMER_REAL, stop.grace)  # then on_grace_over

    def on_sigint(signum: int, frame: Any) -> None:
        if stop.requested:
            raise KeyboardInterrupt
        stop_with(ExitStatus.INTERRUPTED_INT, "Ctrl-C")

    def on_sigterm(signum: int, frame: Any) -> None:
        stop_with(ExitStatus.INTERRUPTED_TERM, "SIGTERM")

    def on_grace_over(signum: int, frame: Any) -> None:
        if stop.main_thread_sending:  # this thread waits for an answer that did not come in time
            raise RequestAbandoned

    previous = {signal.SIGINT: signal.signal(signal.SIGINT, on_sigint)}
    previous[signal.SIGTERM] = signal.signal(signal.SIGTERM, on_sigterm)
    previous[signal.SIGALRM] = signal.signal(signal.SIGALRM, on_grace_over)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        for signum, handler in previous.items():
            signal.signal(signum, handler)
