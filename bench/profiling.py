"""Profiles of the variants that missed a target, as markdown notes for bench/RESULTS.md."""

from __future__ import annotations

import io
import pstats
import sys
from pathlib import Path

from bench.procs import BenchError, run_measured

PROFILE_SCRIPT = Path(__file__).resolve().parent / "profile_run.py"
MEMORY_SCRIPT = Path(__file__).resolve().parent / "profile_memory.py"
TOP = 25


def _profiled_argv(argv: list[str], script: Path, output: Path) -> list[str]:
    """The same command with the Python program run under a profiling ``script``."""
    if argv[0] != sys.executable:
        raise BenchError(f"cannot profile a non-Python command: {argv[0]}")
    return [sys.executable, str(script), str(output), *argv[1:]]


def _top(stats_file: Path, sort: str) -> str:
    buffer = io.StringIO()
    stats = pstats.Stats(str(stats_file), stream=buffer)
    stats.strip_dirs().sort_stats(sort).print_stats(TOP)
    lines = buffer.getvalue().splitlines()
    start = next((i for i, line in enumerate(lines) if "ncalls" in line), 0)
    head = [line for line in lines[:start] if "function calls" in line]
    return "\n".join(head + lines[start:]).strip()


def profile_note(label: str, argv: list[str], env: dict[str, str], workdir: Path) -> str:
    """Run ``argv`` once under the all-threads profiler; a markdown note with its hot spots.

    Called while the case's sandbox is still up, with the environment of the measured runs.
    """
    stats_file = workdir / f"profile-{abs(hash((label, tuple(argv))))}.pstats"
    try:
        run_measured(_profiled_argv(argv, PROFILE_SCRIPT, stats_file), env=env, cwd=str(workdir), timeout=600)
    except BenchError as error:
        return f"**{label}: missed its target; profiling it failed:** `{error}`"
    return (
        f"**{label}: missed its target.** Profile of one run (cProfile in every thread, CPU time "
        f"of each thread, so waits on the network and the GIL are not counted; top {TOP} by own "
        f"time, then by cumulative time):\n\n"
        f"```\n{_top(stats_file, 'tottime')}\n```\n\n```\n{_top(stats_file, 'cumulative')}\n```"
    )


def memory_note(label: str, argv: list[str], env: dict[str, str], workdir: Path) -> str:
    """Run ``argv`` once under tracemalloc; a markdown note with what held the memory near the peak."""
    report = workdir / f"memory-{abs(hash((label, tuple(argv))))}.txt"
    try:
        run_measured(_profiled_argv(argv, MEMORY_SCRIPT, report), env=env, cwd=str(workdir), timeout=1200)
    except BenchError as error:
        return f"**{label}: missed its target; profiling its memory failed:** `{error}`"
    return (
        f"**{label}: missed its target.** Where the memory held near the peak was allocated "
        f"(tracemalloc, one run; tracing makes it several times slower):\n\n"
        f"```\n{report.read_text(encoding='utf-8').strip()}\n```"
    )
