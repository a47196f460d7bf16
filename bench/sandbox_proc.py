"""The sandbox as a child process of the harness, with its request journal."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from types import TracebackType
from typing import Any

from bench.procs import BenchError

SERVE_SCRIPT = Path(__file__).resolve().parent / "serve_sandbox.py"
START_TIMEOUT = 120  # seconds; building a large seeded account takes a moment


class SandboxProcess:
    """``with SandboxProcess(servers=1000, latency=0.02) as sb:`` gives ``sb.url``, ``sb.env``, ``journal``.

    The keyword arguments go to ``ovhflow.sandbox.Sandbox`` unchanged; a journal file is added so
    that the harness can count what the measured clients really sent (calls, 429 answers).
    """

    def __init__(self, **options: Any) -> None:
        self._tmp = tempfile.TemporaryDirectory(prefix="ovhflow-bench-")
        self.journal = Path(self._tmp.name) / "journal.jsonl"
        self._err_path = Path(self._tmp.name) / "stderr"
        self.options = {"journal_path": str(self.journal), **options}
        self.url = ""
        self.env: dict[str, str] = {}
        self._proc: subprocess.Popen[str] | None = None

    def __enter__(self) -> SandboxProcess:
        # Files, not pipes: a chatty sandbox must never block on a full pipe nobody reads.
        out_path = Path(self._tmp.name) / "stdout"
        with open(out_path, "wb") as out, open(self._err_path, "wb") as err:
            self._proc = subprocess.Popen(
                [sys.executable, str(SERVE_SCRIPT), json.dumps(self.options)],
                stdout=out,
                stderr=err,
                stdin=subprocess.DEVNULL,
            )
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            text = out_path.read_text(encoding="utf-8", errors="replace")
            if "\n" in text:
                break
            if self._proc.poll() is not None or time.monotonic() > deadline:
                self.__exit__(None, None, None)
                error = self._err_path.read_text(errors="replace") if self._err_path.exists() else ""
                raise BenchError(f"the sandbox did not start ({self.options}):\n{error.strip()[-2000:]}")
            time.sleep(0.02)
        started = json.loads(text.splitlines()[0])
        self.url = started["url"]
        self.env = {k: str(v) for k, v in started["env"].items()}
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._proc is not None and self._proc.poll() is None:
            self._proc.send_signal(signal.SIGTERM)
            try:
                self._proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait()
        self._proc = None
        self._tmp.cleanup()

    def reset_bursts(self) -> None:
        """Put every server's burst back as it was when the sandbox started (see serve_sandbox.py)."""
        assert self._proc is not None
        out_path = Path(self._tmp.name) / "stdout"
        before = out_path.read_text(encoding="utf-8").count("\nreset")
        self._proc.send_signal(signal.SIGUSR1)
        deadline = time.monotonic() + 10
        while out_path.read_text(encoding="utf-8").count("\nreset") == before:
            if time.monotonic() > deadline:
                raise BenchError("the sandbox did not reset its bursts within 10 s")
            time.sleep(0.01)

    def stderr_tail(self, lines: int = 20) -> str:
        """The end of what the sandbox logged (its own errors show up here)."""
        if not self._err_path.exists():
            return ""
        return "\n".join(self._err_path.read_text(errors="replace").strip().splitlines()[-lines:])

    def journal_entries(self) -> list[dict[str, Any]]:
        """Every request the sandbox has journaled so far."""
        if not self.journal.exists():
            return []
        with open(self.journal, encoding="utf-8") as handle:
            return [json.loads(line) for line in handle if line.strip()]

    def journal_size(self) -> int:
        """How many requests the sandbox has journaled so far (cheap: counts lines)."""
        if not self.journal.exists():
            return 0
        with open(self.journal, "rb") as handle:
            return sum(1 for line in handle if line.strip())
