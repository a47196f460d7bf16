"""The command line in-process, through click's ``CliRunner``: what a test of a CLI behaviour uses unless
the process itself is the subject (signals, locks held by another process, the interpreter's traceback
and exit at a crash, file descriptors, start-up, a terminal, cron).

An in-process command shares the test's process: :func:`invoke` checks that it leaves that process as it
found it (working directory, environment, umask, signal and logging handlers, standard streams, the
garbage collector's state), so a command that leaks state fails the test that ran it instead of a later,
unrelated one.
"""

from __future__ import annotations

import gc
import logging
import os
import signal
import subprocess
import sys
import threading
from dataclasses import dataclass
from pathlib import Path

from click.testing import CliRunner

from ovhflow.reporting.standard_streams import lost_streams
from tests.helpers import LOCK_DIR
from tests.secret_guard import record_output


@dataclass
class Invoked:
    """How one in-process command ended: its exit code, stdout and stderr (kept apart)."""

    exit_code: int
    stdout: str
    stderr: str
    exception: BaseException | None = None


ONE_AT_A_TIME = threading.Lock()  # click's CliRunner swaps the process-wide sys.stdout and sys.stderr
SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGALRM, signal.SIGHUP, signal.SIGPIPE)


def process_state() -> dict[str, object]:
    """What an in-process command could leave changed in the test's process."""
    loggers = [logging.getLogger(), *map(logging.getLogger, list(logging.root.manager.loggerDict))]
    return {
        "working directory": os.getcwd(),
        "environment": dict(os.environ),
        "signal handlers": {signum.name: signal.getsignal(signum) for signum in SIGNALS},
        "umask": current_umask(),
        "logging handlers": {logger.name: list(logger.handlers) for logger in loggers if logger.handlers},
        "standard streams": (sys.stdin, sys.stdout, sys.stderr),
        "lost standard streams": lost_streams(),
        "garbage collector on": gc.isenabled(),  # paused during start-up (ovhflow/cli/collector.py)
    }


def current_umask() -> int:
    mask = os.umask(0o077)  # reading it means setting it: put it back at once
    os.umask(mask)
    return mask


def invoke(
    *args: str, env: dict[str, str | None] | None = None, input: str | None = None, cwd: Path | None = None
) -> Invoked:
    """Run ``ovhflow ARGS`` in this process, without the caller's ``OVH_*`` settings, with test locks."""
    full_env: dict[str, str | None] = {name: None for name in os.environ if name.startswith("OVH_")}
    full_env["OVHFLOW_LOCK_DIR"] = LOCK_DIR
    full_env.update(env or {})
    if not ONE_AT_A_TIME.acquire(blocking=False):
        raise AssertionError("in-process commands share sys.stdout and sys.stderr: run them one at a time")
    try:
        return _invoke_alone(args, full_env, input, cwd)
    finally:
        ONE_AT_A_TIME.release()


def _invoke_alone(
    args: tuple[str, ...], full_env: dict[str, str | None], input: str | None, cwd: Path | None
) -> Invoked:
    from ovhflow.cli import main  # at the first command, not when pytest collects the tests

    runner = CliRunner()
    before = process_state()
    previous = Path.cwd()
    if cwd is not None:
        os.chdir(cwd)
    started_in = os.getcwd()
    try:
        result = runner.invoke(main, list(args), env=full_env, input=input, prog_name="ovhflow")
        ended_in = os.getcwd()
    finally:
        os.chdir(previous)
    record_output(result.stdout, result.stderr)  # searched for secrets at the test's teardown
    after = process_state()
    leaked = [what for what in before if before[what] != after[what]]
    leaked += ["working directory"] if ended_in != started_in else []
    assert not leaked, f"ovhflow {' '.join(args)} left the test's process changed: {', '.join(leaked)}"
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
