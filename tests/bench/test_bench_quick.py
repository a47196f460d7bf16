"""``python bench/run.py --quick``: every case runs end to end on tiny sizes and the table comes out.

No timing is asserted (that is the benchmark's job, not the test suite's); this shows the harness
starts sandboxes, runs python-ovh and ovhflow as processes, counts calls and writes its report.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.helpers import REPO_ROOT

RUN = REPO_ROOT / "bench" / "run.py"


def run_bench(*args: str, timeout: float = 240) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(RUN), *args], capture_output=True, text=True, cwd=REPO_ROOT, timeout=timeout
    )


def test_quick_run_measures_every_case_and_writes_the_report(tmp_path: Path) -> None:
    output = tmp_path / "RESULTS.md"
    proc = run_bench("--quick", "--no-profile", "--output", str(output))
    assert proc.returncode == 0, proc.stdout + proc.stderr[-4000:]
    table = proc.stdout
    for case in ("fan-out", "overhead", "rate", "scale", "start", "memory", "sandbox"):
        assert f"\n{case} " in table, f"no row for {case}:\n{table}"
    assert "FAILED" not in table
    for variant in ("python-ovh seed script", "ovhflow concurrency 16", "ovhflow --version", "no flags"):
        assert variant in table
    assert "16 threads, schema-driven" in table  # the sandbox over OVH's documents beside the repository
    document = output.read_text(encoding="utf-8")
    assert document.startswith("# Benchmark results")
    assert "## Machine" in document and "- CPU: " in document and "- Python: CPython" in document
    assert "| fan-out | python-ovh seed script |" in document
    # calls are counted in the sandbox's journal: for 40 servers python-ovh made /auth/time, the
    # listing, one GET per server and one PUT per sbg1 server
    baseline = next(line for line in table.splitlines() if line.startswith("fan-out   python-ovh"))
    calls = int(baseline.rsplit(";", 1)[1].split()[0])
    assert 1 + 1 + 40 < calls <= 1 + 1 + 40 + 40


def test_unknown_case_is_a_usage_error() -> None:
    proc = run_bench("--cases", "nope")
    assert proc.returncode == 2
    assert "unknown case(s) nope" in proc.stderr
