"""Rows of results, the printed table and bench/RESULTS.md."""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field


@dataclass
class Row:
    """One measured variant of one case: its median, its comparison, and whether the target holds."""

    case: str
    variant: str
    samples: list[float]
    unit: str  # how ``value`` is shown: "s", "ms", "ms/call", "MB", "req/s"
    comparison: str = ""  # e.g. "14.2x faster than python-ovh"; empty for a baseline
    target: str = ""  # the target, in words
    met: bool | None = None  # None: no target for this row
    detail: str = ""  # calls made, 429s seen, ...
    failed: bool = False  # the variant could not be measured

    @property
    def value(self) -> float:
        return statistics.median(self.samples) if self.samples else float("nan")


def format_value(value: float, unit: str) -> str:
    if value != value:  # NaN: no sample, the variant failed
        return "-"
    if unit in ("s",):
        return f"{value:.2f} s"
    if unit in ("ms", "ms/call"):
        return f"{value:.3g} {unit}" if value < 10 else f"{value:.1f} {unit}"
    if unit == "MB":
        return f"{value:.1f} MB"
    if unit == "req/s":
        return f"{value:,.0f} req/s"
    return f"{value:g} {unit}"


def speed_text(baseline: float, value: float, what: str) -> str:
    """How a duration compares with ``baseline``: "3.1x faster than X" or "1.04x the time of X"."""
    if value <= 0:
        return "n/a"
    if value <= baseline:
        return f"{baseline / value:.1f}x faster than {what}"
    return f"{value / baseline:.2f}x the time of {what}"


HEADERS = ("case", "variant", "median", "comparison", "target", "met", "detail")


def _cells(row: Row) -> tuple[str, ...]:
    met = "" if row.met is None else ("yes" if row.met else "NO")
    return (
        row.case,
        row.variant,
        format_value(row.value, row.unit),
        row.comparison,
        row.target,
        met,
        row.detail,
    )


def text_table(rows: list[Row]) -> str:
    """A fixed-width table for the terminal."""
    cells = [HEADERS] + [_cells(row) for row in rows]
    widths = [max(len(line[i]) for line in cells) for i in range(len(HEADERS))]
    lines = [
        "  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True)).rstrip()
        for line in cells
    ]
    lines.insert(1, "  ".join("-" * width for width in widths))
    return "\n".join(lines)


def markdown_table(rows: list[Row]) -> str:
    def line(cells: tuple[str, ...]) -> str:
        return "| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |"

    out = [line(HEADERS), line(tuple("---" for _ in HEADERS))]
    out += [line(_cells(row)) for row in rows]
    return "\n".join(out)


ANALYSIS_START = "<!-- analysis: written by hand, kept when bench/run.py rewrites this file -->"
ANALYSIS_END = "<!-- end of analysis -->"


def kept_analysis(previous: str) -> str:
    """The hand-written analysis section of a previous RESULTS.md, or "" when it has none."""
    start, end = previous.find(ANALYSIS_START), previous.find(ANALYSIS_END)
    if start < 0 or end < start:
        return ""
    return previous[start + len(ANALYSIS_START) : end].strip()


@dataclass
class Report:
    """Everything one benchmark run produced."""

    rows: list[Row] = field(default_factory=list)
    machine: list[tuple[str, str]] = field(default_factory=list)
    settings: str = ""
    notes: list[str] = field(default_factory=list)  # markdown paragraphs: failures, unmet targets, profiles
    analysis: str = ""  # a person's reading of the numbers, kept from the previous RESULTS.md

    def markdown(self) -> str:
        parts = [
            "# Benchmark results",
            "",
            "Produced by `python bench/run.py` (see the top of bench/run.py for what each case does). "
            "Medians of whole-process runs; every comparison was measured side by side in the same run.",
            "To reproduce: `pip install '.[bench]' && python bench/run.py` (about 10 minutes).",
            "",
            f"Settings: {self.settings}",
            "",
            markdown_table(self.rows),
            "",
        ]
        if self.analysis:
            parts += [ANALYSIS_START, self.analysis.strip(), ANALYSIS_END, ""]
        parts += ["## Machine", ""]
        parts += [f"- {label}: {value}" for label, value in self.machine]
        if self.notes:
            parts += ["", "## Notes", ""]
            for note in self.notes:
                parts += [note, ""]
        return "\n".join(parts).rstrip() + "\n"
