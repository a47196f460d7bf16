"""The benchmark's own machinery, without the sandbox: process measurement, profiling, the table."""

from __future__ import annotations

import pstats
import sys
from pathlib import Path

import pytest

from bench.procs import BenchError, run_measured
from bench.profiling import MEMORY_SCRIPT, PROFILE_SCRIPT
from bench.report import Report, Row, kept_analysis, markdown_table, speed_text, text_table


def test_run_measured_reports_the_childs_own_peak_rss_and_output() -> None:
    small = run_measured([sys.executable, "-c", "print('hi')"])
    big = run_measured([sys.executable, "-c", "b = b'x' * (80 * 1024 * 1024)"])
    assert small.stdout.strip() == "hi"
    assert small.wall > 0
    # the 80 MB child peaks at least 70 MB above the small one; the small one is not charged for it
    assert big.max_rss_kb - small.max_rss_kb > 70 * 1024
    again = run_measured([sys.executable, "-c", "pass"])
    assert again.max_rss_kb < big.max_rss_kb - 70 * 1024


def test_run_measured_raises_with_the_childs_stderr_on_failure() -> None:
    with pytest.raises(BenchError, match="exit 3") as error:
        run_measured([sys.executable, "-c", "import sys; sys.stderr.write('boom here'); sys.exit(3)"])
    assert "boom here" in str(error.value)


def test_run_measured_kills_a_child_past_its_timeout() -> None:
    with pytest.raises(BenchError, match="timed out"):
        run_measured([sys.executable, "-c", "import time; time.sleep(30)"], timeout=0.5)


def test_profile_run_sees_work_done_in_worker_threads(tmp_path: Path) -> None:
    script = tmp_path / "threaded.py"
    script.write_text(
        "import sys\n"
        "from concurrent.futures import ThreadPoolExecutor\n"
        "def busy_in_worker(n):\n"
        "    return sum(i * i for i in range(n))\n"
        "with ThreadPoolExecutor(4) as pool:\n"
        "    print(sum(pool.map(busy_in_worker, [20000] * 8)))\n"
        "sys.exit(0)\n",
        encoding="utf-8",
    )
    stats_file = tmp_path / "out.pstats"
    result = run_measured([sys.executable, str(PROFILE_SCRIPT), str(stats_file), str(script)])
    assert result.stdout.strip() == str(8 * sum(i * i for i in range(20000)))
    functions = {name for (_, _, name) in pstats.Stats(str(stats_file)).stats}  # type: ignore[attr-defined]
    assert "busy_in_worker" in functions


def test_profile_run_keeps_the_exit_status(tmp_path: Path) -> None:
    script = tmp_path / "fails.py"
    script.write_text("import sys\nsys.exit(5)\n", encoding="utf-8")
    with pytest.raises(BenchError, match="exit 5"):
        run_measured([sys.executable, str(PROFILE_SCRIPT), str(tmp_path / "s.pstats"), str(script)])


def test_speed_text_says_faster_or_slower() -> None:
    assert speed_text(10.0, 0.5, "python-ovh") == "20.0x faster than python-ovh"
    assert speed_text(10.0, 10.5, "python-ovh") == "1.05x the time of python-ovh"


def test_tables_show_median_comparison_and_verdict() -> None:
    rows = [
        Row("fan-out", "python-ovh seed script", [30.0, 20.0, 25.0], "s", detail="1250 calls"),
        Row("fan-out", "ovhflow concurrency 16", [2.0, 1.0, 3.0], "s", "12.5x faster", ">= 12x faster", True),
        Row("memory", "ovhflow 20,000 bills", [90.0], "MB", "1.8x", "<= 1.5x", False),
    ]
    text = text_table(rows)
    assert "25.00 s" in text and "2.00 s" in text  # medians, not means or first samples
    assert "yes" in text and "NO" in text
    markdown = markdown_table(rows)
    assert markdown.splitlines()[0].startswith("| case | variant | median")
    assert len(markdown.splitlines()) == 2 + len(rows)
    report = Report(rows=rows, machine=[("CPU", "Test CPU")], settings="s", notes=["a note"])
    document = report.markdown()
    assert "- CPU: Test CPU" in document and "## Notes" in document and "a note" in document


def test_profile_memory_names_the_line_that_holds_the_memory(tmp_path: Path) -> None:
    script = tmp_path / "hoard.py"
    script.write_text(
        "import time\n"
        "kept = []\n"
        "for i in range(200):\n"
        "    kept.append(bytearray(100_000))  # the hoarding line\n"
        "    time.sleep(0.003)\n"
        "time.sleep(0.5)\n",
        encoding="utf-8",
    )
    report = tmp_path / "memory.txt"
    run_measured([sys.executable, str(MEMORY_SCRIPT), str(report), str(script)])
    text = report.read_text(encoding="utf-8")
    assert text.startswith("traced peak ")
    first_site = text.split("\n\n")[1]
    assert first_site.split()[0] and float(first_site.split()[0]) >= 10  # MB held by that site
    assert "the hoarding line" in first_site


def test_a_hand_written_analysis_survives_a_rewrite() -> None:
    first = Report(rows=[], machine=[("CPU", "x")], analysis="## Analysis\n\nfan-out is fine.").markdown()
    assert kept_analysis(first) == "## Analysis\n\nfan-out is fine."
    assert kept_analysis(Report().markdown()) == ""
