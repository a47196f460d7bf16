"""What the hardening tests import: a shared recipe, journal queries, and a run of the real command line
in the background (``start_run``) for the tests whose subject is the process (signals, kills, locks)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.helpers import REPO_ROOT
from tests.secret_guard import record_output

# A recipe several fault tests share: read every server, then PUT every burst (reads and idempotent writes).
READ_AND_PUT = """\
name: read and put
steps:
  - id: servers
    get: /dedicated/server
  - id: details
    loop: "{{ steps.servers.result }}"
    get: /dedicated/server/{{ item }}
    batch: false  # one GET per server: these tests are about each call's trip
  - id: burst
    loop: "{{ steps.servers.result }}"
    put: /dedicated/server/{{ item }}/burst
    body: {status: active}
"""


def writes_per_path(journal: list[dict[str, Any]], method: str) -> Counter[str]:
    """How many ``method`` requests reached each path (dropped ones included: the server got them)."""
    return Counter(entry["path"] for entry in journal if entry["method"] == method)


def succeeded_paths(journal: list[dict[str, Any]], method: str) -> Counter[str]:
    """How many ``method`` requests to each path were answered 2xx (the ones the API applied)."""
    return Counter(
        entry["path"]
        for entry in journal
        if entry["method"] == method and entry["status"] is not None and 200 <= entry["status"] < 300
    )


def read_report(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))


def start_run(
    args: list[str], env: dict[str, str], cwd: Path, extra_path: Path | None = None
) -> subprocess.Popen:
    """Start ``python -m ovhflow ARGS`` in the background (stdout and stderr to files in ``cwd``)."""
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("OVH_")}
    full_env.update(env)
    if extra_path is not None:
        full_env["PYTHONPATH"] = os.pathsep.join([str(extra_path), str(REPO_ROOT)])
    return subprocess.Popen(
        [sys.executable, "-m", "ovhflow", *args],
        env=full_env,
        cwd=cwd,
        stdout=(cwd / "stdout.txt").open("w"),
        stderr=(cwd / "stderr.txt").open("w"),
        text=True,
    )


def run_stderr(folder: Path) -> str:
    """The stderr of a run started by :func:`start_run`; its stdout and stderr go to the secret guard."""
    stdout = (folder / "stdout.txt").read_text(encoding="utf-8")
    stderr = (folder / "stderr.txt").read_text(encoding="utf-8")
    record_output(stdout, stderr)
    return stderr


def wait_for(condition: Callable[[], bool], process: subprocess.Popen, what: str, limit: float = 60) -> None:
    """Poll until ``condition()`` holds; fail if the process ends first or ``limit`` seconds pass."""
    deadline = time.monotonic() + limit
    while not condition():
        if process.poll() is not None:
            raise AssertionError(f"the run ended (exit {process.returncode}) before: {what}")
        if time.monotonic() > deadline:
            process.send_signal(signal.SIGKILL)
            raise AssertionError(f"gave up waiting for: {what}")
        time.sleep(0.005)
