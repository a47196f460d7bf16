"""What every case shares: the run's context, variants measured interleaved, and rows out of them."""

from __future__ import annotations

import os
import shutil
import statistics
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from bench.procs import BenchError, run_measured
from bench.profiling import memory_note, profile_note
from bench.report import Row
from bench.sandbox_proc import SandboxProcess

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
CASES_DIR = BENCH / "cases"
RECIPES = BENCH / "recipes"


@dataclass
class Context:
    """Options of this benchmark run, and the notes cases add for RESULTS.md."""

    repeat: int
    quick: bool
    workdir: Path
    profile: bool = True
    notes: list[str] = field(default_factory=list)

    def size(self, full: int, quick: int) -> int:
        return quick if self.quick else full

    def recipe(self, source: Path) -> Path:
        """A private copy of a recipe for this benchmark run.

        ``ovhflow run`` locks each recipe (by its path) against overlapping runs; with copies, two
        benchmark runs at once (a full one and the test suite's smoke run) never meet on a lock,
        while each measured run still pays for taking its lock as a cron job does.
        """
        copy = self.workdir / "recipes" / source.name
        if not copy.exists():
            copy.parent.mkdir(exist_ok=True)
            shutil.copyfile(source, copy)
        return copy

    def profile_missed(self, label: str, argv: list[str], env: dict[str, str], memory: bool = False) -> None:
        """Profile a variant that missed its target (while its sandbox is still up) into the notes.

        Time is profiled with cProfile in every thread; ``memory`` profiles allocations instead.
        """
        if self.profile and not self.quick:
            print(f"[bench] profiling {label} ...", file=sys.stderr, flush=True)
            note = memory_note if memory else profile_note
            self.notes.append(note(label, argv, env, self.workdir))


@dataclass
class Variant:
    """One program measured in a case, with what its runs gave."""

    label: str
    argv: list[str]
    samples: list[float] = field(default_factory=list)  # wall seconds
    rss_kb: list[int] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)  # user + system seconds
    calls: list[int] = field(default_factory=list)  # requests the sandbox journaled during each run
    errors_429: list[int] = field(default_factory=list)
    first_call: list[float] = field(default_factory=list)  # seconds from spawn to the first request
    prepare: Callable[[], None] | None = None  # run before each measured run (not timed)
    error: str = ""  # set when a run failed; the variant is then not run again

    @property
    def wall(self) -> float:
        return statistics.median(self.samples)

    @property
    def median_calls(self) -> int:
        return int(statistics.median(self.calls)) if self.calls else 0

    def calls_detail(self) -> str:
        """Calls the sandbox saw and the client's CPU time per call: what bounds a parallel run."""
        if not self.calls:
            return ""
        cpu = statistics.median(self.cpu)
        per_call = cpu * 1000 / max(1, self.median_calls)
        text = f"{self.median_calls} calls, CPU {cpu:.2f} s ({per_call:.2f} ms/call)"
        if self.first_call:
            text += f", first call after {statistics.median(self.first_call):.2f} s"
        return text

    def failed_row(self, case: str, unit: str, target: str) -> Row:
        last_line = self.error.strip().splitlines()[-1] if self.error.strip() else "failed"
        comparison = f"FAILED: {last_line[:70]} (see notes)"
        return Row(case, self.label, [], unit, comparison, target, False, failed=True)


def ovhflow_argv(*args: str) -> list[str]:
    return [sys.executable, "-m", "ovhflow", *args]


# Set on some machines (CI images, containers) to keep source trees clean; it would make every measured
# start compile ovhflow's modules from source, which no installed copy does (pip byte-compiles).
NO_BYTECODE = "PYTHONDONTWRITEBYTECODE"


def python_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    """The environment of a measured process: this checkout importable, no stray OVH_* settings, and
    byte-code caching on, as for an installed ovhflow."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("OVH_") and k != NO_BYTECODE}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH", "")]))
    env.update(extra or {})
    return env


def measure_interleaved(
    ctx: Context,
    variants: list[Variant],
    env: dict[str, str],
    sandbox: SandboxProcess | None = None,
    repeat: int | None = None,
    timeout: float = 300,
) -> None:
    """Run every variant ``repeat`` times, interleaved, recording wall time, RSS and journaled calls.

    A variant that fails is recorded (its error goes to the notes) and not run again; a failing
    first variant, the baseline, fails the whole case.
    """
    for _ in range(repeat or ctx.repeat):
        for index, variant in enumerate(variants):
            if variant.error:
                continue
            if variant.prepare is not None:
                variant.prepare()
            before = sandbox.journal_size() if sandbox else 0
            try:
                measurement = run_measured(variant.argv, env=env, cwd=str(ctx.workdir), timeout=timeout)
            except BenchError as error:
                if sandbox and sandbox.stderr_tail():
                    error = BenchError(f"{error}\n--- sandbox stderr:\n{sandbox.stderr_tail()}")
                if index == 0:
                    raise error from None
                variant.error = str(error)
                ctx.notes.append(f"**{variant.label} failed:**\n\n```\n{error}\n```")
                print(f"[bench] {variant.label} FAILED: {error}", file=sys.stderr, flush=True)
                continue
            variant.samples.append(measurement.wall)
            variant.rss_kb.append(measurement.max_rss_kb)
            variant.cpu.append(measurement.cpu)
            if sandbox:
                entries = sandbox.journal_entries()[before:]
                variant.calls.append(len(entries))
                if entries:
                    variant.first_call.append(entries[0]["time"] - measurement.started_at)
                variant.errors_429.append(sum(1 for entry in entries if entry.get("status") == 429))


def byte_compile_checkout() -> str:
    """Compile the checkout's modules to ``__pycache__`` once, as ``pip install`` does for an install.

    Returns a note for RESULTS.md when the harness's own environment had byte-code caching off.
    """
    folders = [str(REPO / name) for name in ("ovhflow", "plugins", "bench")]
    code = (
        "import compileall, sys; sys.exit(not all(compileall.compile_dir(d, quiet=1) for d in sys.argv[1:]))"
    )
    run_measured([sys.executable, "-c", code, *folders], env=python_env(), timeout=300)
    if os.environ.get(NO_BYTECODE):
        return (
            f"This machine sets {NO_BYTECODE}; the harness byte-compiled the checkout first and runs the "
            "measured processes without it, as an installed ovhflow (and python-ovh) would run. Without "
            "this, each ovhflow start would compile its own modules from source again."
        )
    return ""
