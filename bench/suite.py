"""The benchmark's cases by name, in the order ``bench/run.py`` runs them."""

from __future__ import annotations

from collections.abc import Callable

from bench.burst_cases import case_fanout, case_overhead, case_rate
from bench.measure import Context
from bench.other_cases import case_memory, case_sandbox, case_start
from bench.report import Row
from bench.scale_cases import case_scale

CASES: dict[str, Callable[[Context], list[Row]]] = {
    "fan-out": case_fanout,
    "overhead": case_overhead,
    "rate": case_rate,
    "scale": case_scale,
    "start": case_start,
    "memory": case_memory,
    "sandbox": case_sandbox,
}
