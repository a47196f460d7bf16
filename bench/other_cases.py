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
            argv = ovhflow_argv(
                "run",
                recipe,
                "--output-dir",
                str(ctx.workdir),
                "-p",
                f"output={output.name}",
                "--concurrency",
                "16",
            )
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


SHARED_CORES = "load generator in its own process, sharing the cores (a lower bound)"
SCHEMAS = REPO.parent / "shared" / "ovh-api-schemas"  # where the tests find OVH's documents


def case_sandbox(ctx: Context) -> list[Row]:
    """Signed GETs at 16 threads: the hand-written sandbox, and (where OVH's documents are beside the
    repository) the schema-driven one, whose route lookup consults the documents on every request;
    the two sandboxes run side by side and their load runs alternate."""
    seconds = 1.0 if ctx.quick else 5.0
    configurations = {"": {}}
    if (SCHEMAS / "v1").is_dir():
        configurations[", schema-driven"] = {"schema_dir": str(SCHEMAS)}
    samples: dict[str, list[float]] = {name: [] for name in configurations}
    errors = dict.fromkeys(configurations, 0)
    with contextlib.ExitStack() as stack:
        boxes = {
            name: stack.enter_context(SandboxProcess(servers=ctx.size(1000, 20), latency=0, **options))
            for name, options in configurations.items()
        }
        for sandbox in boxes.values():  # unmeasured: the schema-driven one parses a document first
            run_measured(
                [sys.executable, str(CASES_DIR / "sandbox_load.py"), "2", "0.2"], env=python_env(sandbox.env)
            )
        for _ in range(ctx.repeat):
            for name, sandbox in boxes.items():
                argv = [sys.executable, str(CASES_DIR / "sandbox_load.py"), "16", str(seconds)]
                measurement = run_measured(argv, env=python_env(sandbox.env), cwd=str(ctx.workdir))
                result = json.loads(measurement.stdout.strip().splitlines()[-1])
                samples[name].append(result["per_second"])
                errors[name] += result["errors"]
    rows = []
    for name in configurations:
        value = statistics.median(samples[name])
        detail = f"{errors[name]} non-200 answers; {SHARED_CORES}"
        label = f"signed GET /dedicated/server/{{name}}, 16 threads{name}"
        comparison = f"{value / 2000:.2f}x the target"
        rows.append(
            Row("sandbox", label, samples[name], "req/s", comparison, ">= 2,000/s", value >= 2000, detail)
        )
    return rows
