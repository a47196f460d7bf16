"""Helpers shared by every test area: paths, the shared schema corpus, the command line.

Fixtures live in the conftest files; what a test imports lives here (``from tests.helpers import ...``).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

from tests.secret_guard import record_output

REPO_ROOT = Path(__file__).resolve().parent.parent
SHARED = REPO_ROOT.parent / "shared"
SCHEMAS_DIR = SHARED / "ovh-api-schemas"
RECIPES_DIR = REPO_ROOT / "recipes"
LOCK_DIR = tempfile.mkdtemp(prefix="ovhflow-test-locks-")

# A few APIs of the shared corpus, for tests about what happens when an API's document is absent: the
# shared folder holds nearly every API, so those tests build a folder that lacks the rest.
SCHEMA_SUBSET = (
    "v1/_index.json",
    "v1/auth.json",
    "v1/me.json",
    "v1/dedicated/server.json",
    "v1/email/domain.json",
    "v1/email/pro.json",
    "v1/domain.json",
    "v1/ip.json",
    "v2/_index.json",
    "v2/domain.json",
    "v2/iam.json",
)


def copy_schema_subset(folder: Path, documents: tuple[str, ...] = SCHEMA_SUBSET) -> Path:
    """Copy ``documents`` (paths relative to the shared schema folder) into ``folder``; return it."""
    for relative in documents:
        target = folder / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(SCHEMAS_DIR / relative, target)
    return folder


def run_ovhflow(
    *args: str,
    env: dict[str, str] | None = None,
    cwd: str | Path | None = None,
    input: str | None = None,
    timeout: float = 120,
) -> subprocess.CompletedProcess[str]:
    """Run the real ``ovhflow`` command line as a subprocess (``python -m ovhflow``)."""
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("OVH_")}
    full_env["OVHFLOW_LOCK_DIR"] = LOCK_DIR  # recipe locks of test runs never meet a real run's
    full_env.update(env or {})
    result = subprocess.run(
        [sys.executable, "-m", "ovhflow", *args],
        capture_output=True,
        text=True,
        env=full_env,
        cwd=cwd,
        input=input,
        timeout=timeout,
    )
    record_output(result.stdout, result.stderr)  # searched for secrets at the test's teardown
    return result


def start_ovhflow(args: list[str], env: dict[str, str], cwd: Path) -> subprocess.Popen[str]:
    """Start ``python -m ovhflow ARGS`` in the background, with piped output, for tests that must watch or
    signal the running process (the machine's ``OVH_*`` variables left out, ``env`` added)."""
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("OVH_")}
    full_env.update(env)
    full_env["PYTHONPATH"] = str(REPO_ROOT)
    return subprocess.Popen(
        [sys.executable, "-m", "ovhflow", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        text=True,
        env=full_env,
        cwd=cwd,
    )


class Listener:
    """A plain TCP listener on 127.0.0.1 that counts connections and records every byte any client sends
    it, answering nothing: where a redirection would lead, or a host a request must never reach.

    A raw socket, not an HTTP server (pytest-httpserver): it must see connections and bytes that are not
    a complete HTTP request, and answer nothing at all."""

    def __init__(self) -> None:
        self._server = socket.create_server(("127.0.0.1", 0))
        self.port = self._server.getsockname()[1]
        self.received = bytearray()
        self.connections = 0
        self._lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _accept(self) -> None:
        while True:
            try:
                connection, _ = self._server.accept()
            except OSError:
                return
            with self._lock:
                self.connections += 1
            threading.Thread(target=self._read, args=(connection,), daemon=True).start()

    def _read(self, connection: socket.socket) -> None:
        connection.settimeout(5)
        with connection:
            while True:
                try:
                    chunk = connection.recv(65536)
                except OSError:
                    return
                if not chunk:
                    return
                with self._lock:
                    self.received.extend(chunk)

    def close(self) -> None:
        self._server.close()
