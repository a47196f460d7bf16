"""Serve one ovhflow sandbox in its own process for the benchmark, until SIGTERM.

The harness starts this script rather than an in-process sandbox so that the sandbox never shares a
GIL with the harness or with the measured clients. It prints one JSON line, ``{"url": ..., "env":
{...}}``, once the sandbox is listening; ``argv[1]`` is a JSON object of ``Sandbox`` keyword arguments.
"""

from __future__ import annotations

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
        print(json.dumps({"url": sandbox.url, "env": sandbox.env()}), flush=True)
        stop.wait()


def _stop_when_orphaned(stop: threading.Event) -> None:
    """A harness killed without cleaning up must not leave its sandbox serving forever."""
    parent = os.getppid()
    while not stop.wait(0.5):
        if os.getppid() != parent:
            stop.set()


if __name__ == "__main__":
    main()
