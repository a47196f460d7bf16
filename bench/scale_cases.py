"""The scale case: the gallery's burst recipe over 1,000 and 10,000 servers at 20 ms of latency.

It stays linear when the time a call costs after start-up is about the same at both sizes, and its
memory grows by less than 1 KB a server between them (peak RSS of the whole process).
"""

from __future__ import annotations

import statistics

from bench.burst_cases import GALLERY_LABEL, gallery_variant
from bench.measure import Context, Variant, measure_interleaved, python_env
from bench.procs import BenchError
from bench.report import Row
from bench.sandbox_proc import SandboxProcess

LINEAR_TARGET = "<= 1.2x the time a call costs at 1,000 servers"
MEMORY_TARGET = "< 1 KB more per server"


def _after_start_ms(variant: Variant) -> float:
    """Milliseconds per call once the first request left (start-up has a case of its own)."""
    steady = [wall - first for wall, first in zip(variant.samples, variant.first_call, strict=True)]
    return statistics.median(steady) * 1000 / max(1, variant.median_calls)


def case_scale(ctx: Context) -> list[Row]:
    sizes = (ctx.size(1000, 20), ctx.size(10000, 200))
    latency = 0.002 if ctx.quick else 0.02
    repeat = 1 if ctx.quick else min(ctx.repeat, 2)  # 10,000 servers take a while to set up and run
    measured: list[Variant] = []
    for servers in sizes:
        with SandboxProcess(servers=servers, latency=latency) as sandbox:
            variant = gallery_variant(ctx, sandbox)
            variant.label = f"{GALLERY_LABEL}, {servers:,} servers"
            measure_interleaved(ctx, [variant], python_env(sandbox.env), sandbox, repeat=repeat, timeout=600)
            if variant.error or len(variant.first_call) != len(variant.samples):
                raise BenchError(f"scale: {variant.error or 'the sandbox journaled no call'}")
            measured.append(variant)
    small, large = measured
    rows = [Row("scale", small.label, small.samples, "s", detail=_detail(small))]
    ratio = _after_start_ms(large) / _after_start_ms(small)
    comparison = f"{ratio:.2f}x the time per call at {sizes[0]:,} servers"
    rows.append(Row("scale", large.label, large.samples, "s", comparison, LINEAR_TARGET, ratio <= 1.2))
    rows[-1].detail = _detail(large)
    grown_kb = (statistics.median(large.rss_kb) - statistics.median(small.rss_kb)) / (sizes[1] - sizes[0])
    rss = [kb / 1024 for kb in large.rss_kb]
    comparison = f"{grown_kb * 1024:.0f} bytes more per server than at {sizes[0]:,}"
    memory = Row("scale", f"peak RSS at {sizes[1]:,} servers", rss, "MB", comparison, MEMORY_TARGET)
    memory.met = grown_kb < 1.0
    memory.detail = f"{statistics.median(small.rss_kb) / 1024:.1f} MB at {sizes[0]:,} servers"
    rows.append(memory)
    return rows


def _detail(variant: Variant) -> str:
    return f"{variant.calls_detail()}; {_after_start_ms(variant):.3f} ms a call after the first"
