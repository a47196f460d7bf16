"""The benchmark's cases. Each starts the sandbox it needs as a child process and measures whole processes.

Every case returns :class:`~bench.report.Row` objects; baselines and ovhflow variants of one case are
run interleaved (A, B, C, A, B, C, ...) so that a drift of the machine hits them alike.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from bench.procs import BenchError, Measurement, run_measured
from bench.profiling import profile_note
from bench.report import Row, speed_text
from bench.sandbox_proc import SandboxProcess

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
CASES_DIR = BENCH / "cases"
RECIPES = BENCH / "recipes"
PYTHON_OVH = "python-ovh"


@dataclass
class Context:
    """Options of this benchmark run and what cases report besides their rows."""

    repeat: int
    quick: bool
    workdir: Path
    profile: bool = True
    notes: list[str] = field(default_factory=list)

    def size(self, full: int, quick: int) -> int:
        return quick if self.quick else full

    def profile_missed(self, label: str, argv: list[str], env: dict[str, str]) -> None:
        """Profile a variant that missed its target (while its sandbox is still up) into the notes."""
        if self.profile and not self.quick:
            print(f"[bench] profiling {label} ...", file=sys.stderr, flush=True)
            self.notes.append(profile_note(label, argv, env, self.workdir))


def ovhflow_argv(*args: str) -> list[str]:
    return [sys.executable, "-m", "ovhflow", *args]


def python_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    """The environment of a measured process: this checkout importable, no stray OVH_* settings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("OVH_")}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH", "")]))
    env.update(extra or {})
    return env


@dataclass
class Variant:
    label: str
    argv: list[str]
    samples: list[float] = field(default_factory=list)
    rss_kb: list[int] = field(default_factory=list)
    calls: list[int] = field(default_factory=list)
    errors_429: list[int] = field(default_factory=list)


def measure_interleaved(
    ctx: Context,
    variants: list[Variant],
    env: dict[str, str],
    sandbox: SandboxProcess | None = None,
    repeat: int | None = None,
    timeout: float = 300,
) -> None:
    """Run every variant ``repeat`` times, interleaved, recording wall time, RSS and journaled calls."""
    for _ in range(repeat or ctx.repeat):
        for variant in variants:
            before = sandbox.journal_size() if sandbox else 0
            measurement: Measurement = run_measured(
                variant.argv, env=env, cwd=str(ctx.workdir), timeout=timeout
            )
            variant.samples.append(measurement.wall)
            variant.rss_kb.append(measurement.max_rss_kb)
            if sandbox:
                entries = sandbox.journal_entries()[before:]
                variant.calls.append(len(entries))
                variant.errors_429.append(sum(1 for entry in entries if entry.get("status") == 429))


def _median_int(values: list[int]) -> int:
    return sorted(values)[len(values) // 2] if values else 0


def _burst(recipe: str, concurrency: int, *extra: str) -> list[str]:
    return ovhflow_argv("run", str(RECIPES / recipe), "--concurrency", str(concurrency), *extra)


def burst_variants(python_ovh: bool = True) -> list[Variant]:
    variants = []
    if python_ovh:
        variants.append(Variant(PYTHON_OVH, [sys.executable, str(CASES_DIR / "burst_python_ovh.py")]))
    variants += [
        Variant("ovhflow concurrency 1", _burst("burst.yaml", 1)),
        Variant("ovhflow concurrency 16", _burst("burst.yaml", 16)),
        Variant("ovhflow batch reads, c=16", _burst("burst-batch.yaml", 16)),
        Variant("ovhflow expanded listing, c=16", _burst("burst-expand.yaml", 16)),
    ]
    return variants


# Targets of the fan-out case, by variant label: (minimum speed-up over python-ovh, words).
FANOUT_TARGETS: dict[str, tuple[float, str]] = {
    "ovhflow concurrency 1": (1 / 1.1, "within 1.1x of python-ovh"),
    "ovhflow concurrency 16": (12.0, ">= 12x faster"),
    "ovhflow batch reads, c=16": (25.0, ">= 25x faster (batch or expand)"),
    "ovhflow expanded listing, c=16": (25.0, ">= 25x faster (batch or expand)"),
}


def case_fanout(ctx: Context) -> list[Row]:
    servers = ctx.size(1000, 40)
    latency = 0.02 if not ctx.quick else 0.002
    variants = burst_variants()
    base = variants[0]
    rows = []
    with SandboxProcess(servers=servers, latency=latency) as sandbox:
        env = python_env(sandbox.env)
        measure_interleaved(ctx, variants, env, sandbox)
        detail = f"{servers} servers, {latency * 1000:g} ms latency; {_calls_detail(base)}"
        rows.append(Row("fan-out", "python-ovh seed script", base.samples, "s", detail=detail))
        for variant in variants[1:]:
            speedup = _median(base.samples) / _median(variant.samples)
            minimum, words = FANOUT_TARGETS[variant.label]
            comparison = speed_text(_median(base.samples), _median(variant.samples), PYTHON_OVH)
            row = Row("fan-out", variant.label, variant.samples, "s", comparison, words, speedup >= minimum)
            row.detail = _calls_detail(variant)
            rows.append(row)
        batch_or_expand = [row for row in rows if row.target.startswith(">= 25x")]
        if any(row.met for row in batch_or_expand):
            for row in batch_or_expand:
                if not row.met:  # the target asks for batch OR expand, and the other one met it
                    row.met = None
                    row.target += "; met by the other"
        for row, variant in zip(rows[1:], variants[1:], strict=True):
            if row.met is False:
                ctx.profile_missed(f"fan-out: {variant.label}", variant.argv, env)
    return rows


def _median(values: list[float]) -> float:
    ordered = sorted(values)
    mid = len(ordered) // 2
    return ordered[mid] if len(ordered) % 2 else (ordered[mid - 1] + ordered[mid]) / 2


def _calls_detail(variant: Variant) -> str:
    return f"{_median_int(variant.calls)} calls" if variant.calls else ""


def case_overhead(ctx: Context) -> list[Row]:
    servers = ctx.size(1000, 40)
    variants = burst_variants()[:2]
    with SandboxProcess(servers=servers, latency=0) as sandbox:
        env = python_env(sandbox.env)
        measure_interleaved(ctx, variants, env, sandbox)
        per_call = []
        for variant in variants:
            calls = _median_int(variant.calls)
            if not calls:
                raise BenchError(f"overhead: the sandbox journaled no call for {variant.label}")
            per_call.append([wall * 1000 / calls for wall in variant.samples])
        ratio = _median(per_call[1]) / _median(per_call[0])
        met = ratio <= 1.3
        if not met:
            ctx.profile_missed("overhead: ovhflow concurrency 1", variants[1].argv, env)
    base_detail = f"{servers} servers, no latency; {_calls_detail(variants[0])}"
    return [
        Row("overhead", "python-ovh seed script", per_call[0], "ms/call", detail=base_detail),
        Row(
            "overhead",
            "ovhflow concurrency 1",
            per_call[1],
            "ms/call",
            f"{ratio:.2f}x python-ovh's time per call",
            "<= 1.3x",
            met,
            _calls_detail(variants[1]),
        ),
    ]


def case_rate(ctx: Context) -> list[Row]:
    servers = ctx.size(200, 20)
    rate = 50
    variant = Variant("ovhflow c=16 --rate 50", _burst("burst.yaml", 16, "--rate", str(rate)))
    with SandboxProcess(servers=servers, latency=0, rate_limit=rate) as sandbox:
        env = python_env(sandbox.env)
        measure_interleaved(ctx, [variant], env, sandbox)
        too_many = max(variant.errors_429)
        accepted = _median_int(variant.calls) - _median_int(variant.errors_429)
        ideal = accepted / rate
        ratio = _median(variant.samples) / ideal
        met = too_many == 0 and abs(ratio - 1) <= 0.15
        if not met:
            ctx.profile_missed("rate: " + variant.label, variant.argv, env)
    return [
        Row(
            "rate",
            variant.label,
            variant.samples,
            "s",
            f"{ratio:.2f}x calls/{rate} ({ideal:.2f} s)",
            "zero 429s, within 15% of calls/50",
            met,
            f"{servers} servers, sandbox limit {rate}/s; {accepted} calls, {too_many} 429s (worst run)",
        ),
    ]


def gallery_recipe() -> Path:
    preferred = REPO / "recipes" / "burst-sbg1.yaml"
    if preferred.exists():
        return preferred
    candidates = sorted((REPO / "recipes").glob("*.yaml"))
    if not candidates:
        raise BenchError("start: no recipe in recipes/ to validate")
    return candidates[0]


def case_start(ctx: Context) -> list[Row]:
    recipe = gallery_recipe()
    variants = [
        Variant('python -c "import requests"', [sys.executable, "-c", "import requests"]),
        Variant("ovhflow --version", ovhflow_argv("--version")),
        Variant(f"ovhflow validate {recipe.name}", ovhflow_argv("validate", str(recipe))),
    ]
    repeat = max(ctx.repeat * 3, 5) if not ctx.quick else 2
    env = python_env()
    measure_interleaved(ctx, variants, env, repeat=repeat)
    base = variants[0]
    rows = [Row("start", base.label, [s * 1000 for s in base.samples], "ms")]
    for variant in variants[1:]:
        ratio = _median(variant.samples) / _median(base.samples)
        met = ratio <= 1.5
        rows.append(
            Row(
                "start",
                variant.label,
                [s * 1000 for s in variant.samples],
                "ms",
                f"{ratio:.2f}x the time of importing requests",
                "<= 1.5x",
                met,
            )
        )
        if not met:
            ctx.profile_missed(f"start: {variant.label}", variant.argv, env)
    return rows


def case_memory(ctx: Context) -> list[Row]:
    recipe = REPO / "recipes" / "bills-csv.yaml"
    if not recipe.exists():
        raise BenchError("memory: recipes/bills-csv.yaml does not exist yet")
    sizes = (ctx.size(2000, 20), ctx.size(20000, 200))
    results: list[Variant] = []
    rss_mb: list[list[float]] = []
    for bills in sizes:
        output = ctx.workdir / f"bills-{bills}.csv"
        argv = ovhflow_argv("run", str(recipe), "-p", f"output={output}", "--concurrency", "16")
        variant = Variant(f"ovhflow bills CSV, {bills:,} bills", argv)
        with SandboxProcess(servers=ctx.size(10, 5), bills=bills, latency=0) as sandbox:
            env = python_env(sandbox.env)
            repeat = 1 if ctx.quick else min(ctx.repeat, 3)
            measure_interleaved(ctx, [variant], env, sandbox, repeat=repeat, timeout=600)
            rows_written = len(output.read_text(encoding="utf-8").splitlines()) - 1 if output.exists() else -1
            variant.label += f" ({rows_written:,} rows)"
            results.append(variant)
            rss_mb.append([kb / 1024 for kb in variant.rss_kb])
            ratio = _median(rss_mb[-1]) / _median(rss_mb[0])
            met = ratio <= 1.5
            if len(results) == 2 and not met:
                ctx.profile_missed("memory: " + variant.label, argv, env)
    return [
        Row("memory", results[0].label, rss_mb[0], "MB", detail=_time_calls(results[0])),
        Row(
            "memory",
            results[1].label,
            rss_mb[1],
            "MB",
            f"{ratio:.2f}x the peak RSS at {sizes[0]:,}",
            "<= 1.5x",
            met,
            _time_calls(results[1]),
        ),
    ]


def _time_calls(variant: Variant) -> str:
    return f"{_median(variant.samples):.1f} s, {_calls_detail(variant)}"


def case_sandbox(ctx: Context) -> list[Row]:
    seconds = 1.0 if ctx.quick else 5.0
    samples: list[float] = []
    errors = 0
    with SandboxProcess(servers=ctx.size(1000, 20), latency=0) as sandbox:
        env = python_env(sandbox.env)
        for _ in range(ctx.repeat):
            measurement = run_measured(
                [sys.executable, str(CASES_DIR / "sandbox_load.py"), "16", str(seconds)],
                env=env,
                cwd=str(ctx.workdir),
            )
            result = json.loads(measurement.stdout.strip().splitlines()[-1])
            samples.append(result["per_second"])
            errors += result["errors"]
    value = _median(samples)
    return [
        Row(
            "sandbox",
            "signed GET /dedicated/server/{name}, 16 threads",
            samples,
            "req/s",
            f"{value / 2000:.2f}x the target",
            ">= 2,000/s",
            value >= 2000,
            f"{errors} non-200 answers; load generator in its own process",
        )
    ]


CASES: dict[str, Callable[[Context], list[Row]]] = {
    "fan-out": case_fanout,
    "overhead": case_overhead,
    "rate": case_rate,
    "start": case_start,
    "memory": case_memory,
    "sandbox": case_sandbox,
}
