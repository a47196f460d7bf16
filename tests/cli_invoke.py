"""The command line in-process, through click's ``CliRunner``: what a test of a CLI behaviour uses unless
the process itself is the subject (signals, exit at a crash, file descriptors)."""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

from click.testing import CliRunner

from tests.helpers import LOCK_DIR
from tests.secret_guard import record_output


@dataclass
class Invoked:
    """How one in-process command ended: its exit code, stdout and stderr (kept apart)."""

    exit_code: int
    stdout: str
    stderr: str
    exception: BaseException | None = None


def invoke(
    *args: str, env: dict[str, str | None] | None = None, input: str | None = None, cwd: Path | None = None
) -> Invoked:
    """Run ``ovhflow ARGS`` in this process, without the caller's ``OVH_*`` settings, with test locks."""
    from ovhflow.cli import main

    full_env: dict[str, str | None] = {name: None for name in os.environ if name.startswith("OVH_")}
    full_env["OVHFLOW_LOCK_DIR"] = LOCK_DIR
    full_env.update(env or {})
    runner = CliRunner()
    previous = Path.cwd()
    if cwd is not None:
        os.chdir(cwd)
    try:
        result = runner.invoke(main, list(args), env=full_env, input=input, prog_name="ovhflow")
    finally:
        os.chdir(previous)
    record_output(result.stdout, result.stderr)  # searched for secrets at the test's teardown
    exception = result.exception if not isinstance(result.exception, SystemExit) else None
    return Invoked(result.exit_code, result.stdout, result.stderr, exception)


def invoke_ovhflow(
    *args: str, env: dict[str, str] | None = None, cwd: str | Path | None = None, input: str | None = None
) -> subprocess.CompletedProcess[str]:
    """:func:`invoke` answering like :func:`tests.helpers.run_ovhflow` (``returncode``, ``stdout``,
    ``stderr``), so a test of a CLI behaviour moves in-process by changing only the function it calls."""
    done = invoke(*args, env=dict(env or {}), input=input, cwd=Path(cwd) if cwd is not None else None)
    if done.exception is not None:
        raise done.exception
    return subprocess.CompletedProcess(["ovhflow", *args], done.exit_code, done.stdout, done.stderr)
