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

from ovhflow.engine.stop import StopRequest
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
    """Turn the first Ctrl-C or SIGTERM into a stop request; a second Ctrl-C stops at once."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def on_sigint(signum: int, frame: Any) -> None:
        if stop.requested:
            raise KeyboardInterrupt
        stop.request(ExitStatus.INTERRUPTED_INT, "Ctrl-C")

    def on_sigterm(signum: int, frame: Any) -> None:
        stop.request(ExitStatus.INTERRUPTED_TERM, "SIGTERM")

    previous = {signal.SIGINT: signal.signal(signal.SIGINT, on_sigint)}
    previous[signal.SIGTERM] = signal.signal(signal.SIGTERM, on_sigterm)
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
