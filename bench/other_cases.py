"""Cases outside the burst job: start-up time, memory of a CSV export, the sandbox's own throughput."""

from __future__ import annotations

import contextlib
import json
import statistics
import sys
from pathlib import Path

from bench.measure import CASES_DIR, REPO, Context, Variant, measure_interleaved, ovhflow_argv, python_env
from bench.procs import BenchError, run_measured
from bench.report import Row
from bench.sandbox_proc import SandboxProcess


def gallery_recipe() -> Path:
    """The recipe ``ovhflow validate`` is timed on: the burst job if the gallery has it."""
    preferred = REPO / "recipes" / "burst-sbg1.yaml"
    if preferred.exists():
        return preferred
    candidates = sorted((REPO / "recipes").glob("*.yaml"))
    if not candidates:
        raise BenchError("start: no recipe in recipes/ to validate")
    return candidates[0]


def case_start(ctx: Context) -> list[Row]:
    recipe = gallery_recipe()
    target = "<= 1.2x"
    base = Variant('python -c "import requests"', [sys.executable, "-c", "import requests"])
    variants = [
        base,
        Variant("ovhflow --version", ovhflow_argv("--version")),
        Variant(f"ovhflow validate {recipe.relative_to(REPO)}", ovhflow_argv("validate", str(recipe))),
    ]
    env = python_env()
    # short runs: more repeats for a stable median
    measure_interleaved(ctx, variants, env, repeat=2 if ctx.quick else max(ctx.repeat * 4, 10))
    rows = [Row("start", base.label, [s * 1000 for s in base.samples], "ms")]
    for variant in variants[1:]:
        if variant.error:
            rows.append(variant.failed_row("start", "ms", target))
            continue
        ratio = variant.wall / base.wall
        comparison = f"{ratio:.2f}x the time of importing requests"
        rows.append(
            Row("start", variant.label, [s * 1000 for s in variant.samples], "ms", comparison, target)
        )
        rows[-1].met = ratio <= 1.2
        if not rows[-1].met:
            ctx.profile_missed(f"start: {variant.label}", variant.argv, env)
    return rows


BILLS_RECIPE = REPO / "recipes" / "bills-csv.yaml"


def case_memory(ctx: Context) -> list[Row]:
    if not BILLS_RECIPE.exists():
        raise BenchError(f"memory: {BILLS_RECIPE.relative_to(REPO)} does not exist")
    sizes = (ctx.size(2000, 20), ctx.size(20000, 200))
    target = "<= 1.5x"
    recipe = str(ctx.recipe(BILLS_RECIPE))
    # peak RSS hardly varies between runs, and 20,000 calls take a while: at most two runs each
    repeat = 1 if ctx.quick else min(ctx.repeat, 2)
    variants: list[Variant] = []
    envs: list[dict[str, str]] = []
    with contextlib.ExitStack() as sandboxes:  # both stay up: the small one serves the profile below
        for bills in sizes:
            output = ctx.workdir / f"bills-{bills}.csv"
            argv = ovhflow_argv("run", recipe, "-p", f"output={output}", "--concurrency", "16")
            variant = Variant(f"ovhflow bills CSV, {bills:,} bills", argv)
            sandbox = sandboxes.enter_context(SandboxProcess(servers=ctx.size(10, 5), bills=bills, latency=0))
            envs.append(python_env(sandbox.env))
            measure_interleaved(ctx, [variant], envs[-1], sandbox, repeat=repeat, timeout=600)
            if variant.error:
                raise BenchError(f"memory: {variant.error}")
            written = len(output.read_text(encoding="utf-8").splitlines()) - 1 if output.exists() else 0
            variant.label += f" ({written:,} rows)"
            variants.append(variant)
        small, large = variants
        ratio = statistics.median(large.rss_kb) / statistics.median(small.rss_kb)
        if ratio > 1.5:
            # tracing allocations slows a run tenfold: profile the small export, whose memory has the
            # same make-up, and say so
            ctx.profile_missed(
                f"memory: {large.label} (allocations profiled on {small.label})",
                small.argv,
                envs[0],
                memory=True,
            )
    rows = [Row("memory", small.label, [kb / 1024 for kb in small.rss_kb], "MB", detail=_time_calls(small))]
    comparison = f"{ratio:.2f}x the peak RSS at {sizes[0]:,}"
    rss = [kb / 1024 for kb in large.rss_kb]
    rows.append(Row("memory", large.label, rss, "MB", comparison, target, ratio <= 1.5, _time_calls(large)))
    return rows


def _time_calls(variant: Variant) -> str:
    return f"{variant.wall:.1f} s, {variant.calls_detail()}"


def case_sandbox(ctx: Context) -> list[Row]:
    seconds = 1.0 if ctx.quick else 5.0
    samples: list[float] = []
    errors = 0
    with SandboxProcess(servers=ctx.size(1000, 20), latency=0) as sandbox:
        env = python_env(sandbox.env)
        for _ in range(ctx.repeat):
            argv = [sys.executable, str(CASES_DIR / "sandbox_load.py"), "16", str(seconds)]
            measurement = run_measured(argv, env=env, cwd=str(ctx.workdir))
            result = json.loads(measurement.stdout.strip().splitlines()[-1])
            samples.append(result["per_second"])
            errors += result["errors"]
    value = statistics.median(samples)
    label = "signed GET /dedicated/server/{name}, 16 threads"
    detail = f"{errors} non-200 answers; load generator in its own process, sharing the cores (a lower bound)"
    return [
        Row(
            "sandbox",
            label,
            samples,
            "req/s",
            f"{value / 2000:.2f}x the target",
            ">= 2,000/s",
            value >= 2000,
            detail,
        )
    ]
