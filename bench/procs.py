"""Running one measured command as a whole process: wall time, peak RSS and exit status.

Each measured run is its own process so that start-up, imports and interpreter teardown are part of
what is timed, as they are for a user's cron job. ``os.wait4`` in a small launcher gives the resource
usage of exactly that child (``RUSAGE_CHILDREN`` would be the maximum over every child ever reaped).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

MEASURE_CHILD = Path(__file__).resolve().parent / "measure_child.py"


class BenchError(RuntimeError):
    """A measured process failed or the harness could not set a case up."""


@dataclass
class Measurement:
    """One run of one command."""

    wall: float  # seconds
    max_rss_kb: int
    stdout: str
    stderr: str
    cpu: float = 0.0  # user + system seconds
    started_at: float = 0.0  # time.time() when the command was spawned


def run_measured(
    argv: list[str], env: dict[str, str] | None = None, cwd: str | None = None, timeout: float = 300
) -> Measurement:
    """Run ``argv`` to completion and measure it; raise :class:`BenchError` when it exits non-zero.

    The command runs under :mod:`bench.measure_child`, which times it and reads its own peak RSS.
    """
    full_env = dict(os.environ)
    full_env.update(env or {})
    with tempfile.TemporaryDirectory(prefix="ovhflow-measure-") as tmp:
        result_file = Path(tmp) / "result"
        out_path, err_path = Path(tmp) / "stdout", Path(tmp) / "stderr"
        launcher = [sys.executable, "-S", str(MEASURE_CHILD), str(result_file), *argv]
        with open(out_path, "wb") as out, open(err_path, "wb") as err:
            proc = subprocess.Popen(
                launcher,
                stdout=out,
                stderr=err,
                stdin=subprocess.DEVNULL,
                env=full_env,
                cwd=cwd,
                start_new_session=True,  # so a timeout can kill the launcher and the command together
            )
            try:
                proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
                raise BenchError(f"timed out after {timeout:g}s: {' '.join(argv)}") from None
        stdout = out_path.read_text(encoding="utf-8", errors="replace")
        stderr = err_path.read_text(encoding="utf-8", errors="replace")
        if not result_file.exists():
            raise BenchError(f"the measuring launcher failed: {' '.join(argv)}\n{stderr.strip()[-2000:]}")
        wall, max_rss_kb, code, cpu, started_at = result_file.read_text().split()
    if int(code) != 0:
        tail = "\n".join((stderr or stdout).strip().splitlines()[-15:])
        raise BenchError(f"exit {code}: {' '.join(argv)}\n{tail}")
    return Measurement(float(wall), int(max_rss_kb), stdout, stderr, float(cpu), float(started_at))
