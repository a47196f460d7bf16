"""A local OVH API for trying recipes, for tests and for benchmarks: ``with Sandbox() as sb: sb.url``.

It serves real HTTP on 127.0.0.1, checks requests as OVH does (keys, timestamp, signature, access
rules), answers from a seeded account (servers, bills, credentials, mail redirections, a DNS zone,
v2 IAM resources), can inject faults, and journals every request it received.
"""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path
from typing import Any

from ovhflow.files.atomic import write_atomic
from ovhflow.sandbox.app import Options, SandboxApp
from ovhflow.sandbox.auth import ensure_sandbox_credentials
from ovhflow.sandbox.data import generate_account
from ovhflow.sandbox.faults import Faults, NetworkFaults
from ovhflow.sandbox.journal import Journal
from ovhflow.sandbox.server import SandboxServer

__all__ = ["NetworkFaults", "Sandbox"]

HOST = "127.0.0.1"


def load_state(path: Path) -> dict[str, Any] | None:
    """The account saved by an earlier sandbox, or None when the file does not exist yet."""
    if not path.exists():
        return None
    with path.open(encoding="utf-8") as file:
        state = json.load(file)
    if not isinstance(state, dict) or state.get("format") != 1:
        raise ValueError(f"{path}: not an ovhflow sandbox state file")
    return state


def save_state(path: Path, state: dict[str, Any]) -> None:
    """Write atomically, readable by the owner only: the state holds the sandbox's keys."""
    write_atomic(path, json.dumps(state, indent=1, sort_keys=True), mode=0o600)


class Sandbox:
    """One sandbox server. Use as a context manager, or call :meth:`start` and :meth:`stop`.

    ``latency`` and ``latency_jitter`` are seconds, ``rate_limit`` requests a second (429 with
    ``Retry-After`` beyond it), ``error_rate`` and ``drop_rate`` shares of requests answered 5xx or
    dropped, ``clock_skew`` seconds added to the server's clock. ``network``: a hostile network
    (redirections, silence, trickling or cut answers, 429s with any ``Retry-After``, text answers), see
    :class:`~ovhflow.sandbox.faults.NetworkFaults`.
    """

    def __init__(
        self,
        servers: int = 20,
        bills: int = 24,
        seed: int = 1,
        latency: float = 0.0,
        latency_jitter: float = 0.0,
        rate_limit: float | None = None,
        error_rate: float = 0.0,
        drop_rate: float = 0.0,
        clock_skew: int = 0,
        batch: bool = True,
        expand: bool = True,
        schema_dir: str | os.PathLike[str] | None = None,
        strict: bool = False,
        state_file: str | os.PathLike[str] | None = None,
        journal_path: str | os.PathLike[str] | None = None,
        port: int = 0,
        network: NetworkFaults | None = None,
    ) -> None:
        self.state_file = Path(state_file) if state_file else None
        if self.state_file is not None and not self.state_file.resolve().parent.is_dir():
            raise ValueError(f"{self.state_file}: its folder does not exist")
        loaded = load_state(self.state_file) if self.state_file else None
        self.state: dict[str, Any] = loaded or generate_account(seed, servers, bills)
        self._own = ensure_sandbox_credentials(self.state)
        self._journal = Journal(journal_path)
        self._app = SandboxApp(
            self.state,
            Options(batch=batch, expand=expand, clock_skew=int(clock_skew)),
            Faults(seed, latency, latency_jitter, rate_limit, error_rate, drop_rate, network),
            self._journal,
            schema_dir=Path(schema_dir) if schema_dir is not None else None,
            strict=strict,
        )
        self._port = port
        self._server: Any = None
        self._thread: threading.Thread | None = None

    # lifecycle
    def start(self) -> Sandbox:
        if self._server is not None:
            return self
        self._server = SandboxServer((HOST, self._port), self._app)
        self._port = self._server.server_address[1]
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"ovhflow-sandbox-{self._port}",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving, close connections, save the state file if one was given.

        The account stays in memory: :meth:`start` serves it again on the same port (an API restart).
        """
        if self._server is not None:
            self._server.shutdown()
            self._server.close()
            if self._thread is not None:
                self._thread.join(timeout=5)
            self._server = None
            self._thread = None
        if self.state_file is not None:
            with self._app.lock:
                save_state(self.state_file, self.state)
        self._journal.close()

    def __enter__(self) -> Sandbox:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    # what callers need
    @property
    def port(self) -> int:
        return self._port

    @property
    def root(self) -> str:
        """``http://127.0.0.1:PORT``: the v1 API is under ``/1.0`` (or ``/v1``), the v2 API under ``/v2``."""
        return f"http://{HOST}:{self._port}"

    @property
    def url(self) -> str:
        """The endpoint as python-ovh takes it."""
        return f"{self.root}/1.0"

    @property
    def credentials(self) -> dict[str, str]:
        return {"endpoint": self.url, **self._own}

    def env(self) -> dict[str, str]:
        """The environment variables that point an OVH client at this sandbox."""
        return {
            "OVH_ENDPOINT": self.url,
            "OVH_APPLICATION_KEY": self._own["application_key"],
            "OVH_APPLICATION_SECRET": self._own["application_secret"],
            "OVH_CONSUMER_KEY": self._own["consumer_key"],
        }

    @property
    def faults(self) -> Faults:
        """The live fault settings: ``sb.faults.error_rate = 0.3`` changes them while the sandbox runs."""
        return self._app.faults

    @property
    def options(self) -> Options:
        """The live switches: ``batch``, ``expand`` and ``clock_skew`` (seconds)."""
        return self._app.options

    @property
    def journal(self) -> list[dict[str, Any]]:
        return self._journal.entries

    def writes(self) -> list[dict[str, Any]]:
        """The journal's POST, PUT, PATCH and DELETE entries (a ``--check`` run must have none)."""
        return self._journal.writes()

    def __repr__(self) -> str:  # never the keys
        return f"Sandbox(url={self.url!r}, running={self._server is not None})"
