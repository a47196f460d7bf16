"""Serve one ovhflow sandbox in its own process for the benchmark, until SIGTERM.

The harness starts this script rather than an in-process sandbox so that the sandbox never shares a
GIL with the harness or with the measured clients. It prints one JSON line, ``{"url": ..., "env":
{...}}``, once the sandbox is listening; ``argv[1]`` is a JSON object of ``Sandbox`` keyword arguments.
On SIGUSR1 it puts every server's burst back as it was at the start and prints ``reset``: the gallery's
burst recipe only writes the bursts that are off, so each measured run must find the same ones off.
"""

from __future__ import annotations

import copy
import json
import os
import signal
import sys
import threading
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from ovhflow.sandbox import Sandbox  # noqa: E402


def main() -> None:
    options = json.loads(sys.argv[1]) if len(sys.argv) > 1 else {}
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    threading.Thread(target=_stop_when_orphaned, args=(stop,), daemon=True).start()
    with Sandbox(**options) as sandbox:
        initial = copy.deepcopy(sandbox.state["bursts"])

        def reset(*_: object) -> None:
            with sandbox._app.lock:  # the bench's own helper: the account's lock, held by each answer
                sandbox.state["bursts"] = copy.deepcopy(initial)
            print("reset", flush=True)

        signal.signal(signal.SIGUSR1, reset)
        print(json.dumps({"url": sandbox.url, "env": sandbox.env()}), flush=True)
        while not stop.wait(0.2):  # a timed wait lets the main thread run the signal handlers
            pass


def _stop_when_orphaned(stop: threading.Event) -> None:
    """A harness killed without cleaning up must not leave its sandbox serving forever."""
    parent = os.getppid()
    while not stop.wait(0.5):
        if os.getppid() != parent:
            stop.set()


if __name__ == "__main__":
    main()
