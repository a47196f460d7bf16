"""ovhflow's benchmark: ``python bench/run.py [--quick] [--cases a,b] [--repeat N] [--output FILE]``.

Needs the ``bench`` extra (``pip install ".[bench]"``: python-ovh 1.2.0, the baseline). Each case
starts the sandbox as a separate process, runs the measured clients as whole processes ``--repeat``
times, interleaved, and reports medians; ratios compare programs measured side by side in this run.

Cases (targets from the performance issue):

- fan-out: the burst-in-SBG1 job over 1,000 servers with 20 ms of sandbox latency: the seed's
  python-ovh script vs ``ovhflow run`` at concurrency 1, 16, with batch reads and an expanded listing,
  python-ovh with 16 threads (the contender), and the gallery's recipes/burst-sbg1.yaml with no flags
  (>= 3x the 16-thread script, >= 40x python-ovh, within 1.5x of calls/16 x latency + start-up).
- overhead: the same job with no latency, time per call (calls counted in the sandbox's journal).
- rate: the sandbox limited to 50 requests/s: ``--concurrency 16 --rate 50`` (no 429, within 15% of
  calls/50), and with no flags, plain calls and the gallery recipe (succeeds, <= 5% 429s, within 1.2x).
- scale: the gallery recipe over 1,000 and 10,000 servers at 20 ms: time per call stays the same,
  peak memory grows by less than 1 KB a server.
- start: ``ovhflow --version`` and ``ovhflow validate`` of a gallery recipe vs
  ``python -c "import requests"``.
- memory: peak RSS of the bills CSV export (recipes/bills-csv.yaml) of 2,000 and of 20,000 bills.
- sandbox: signed GETs per second the sandbox serves at concurrency 16, from a separate process.

Targets that are missed get a profile of the slow variant (cProfile over every thread) in the notes.
``--quick`` runs every case with tiny sizes, for a smoke test; it does not touch bench/RESULTS.md.
Exit status: 0 when every variant of every case was measured, 1 when one could not be (or, with
``--strict``, when a target was missed), 2 for bad options.
"""

from __future__ import annotations

import argparse
import signal
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.machine import load_average, machine_details  # noqa: E402
from bench.measure import REPO, Context, byte_compile_checkout  # noqa: E402
from bench.procs import BenchError  # noqa: E402
from bench.report import Report, kept_analysis, text_table  # noqa: E402
from bench.suite import CASES  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "RESULTS.md"


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="tiny sizes, one repeat: a smoke test")
    parser.add_argument("--cases", default=",".join(CASES), help=f"comma-separated, from: {', '.join(CASES)}")
    parser.add_argument(
        "--repeat", type=int, default=None, help="runs per variant (default 3, 1 with --quick)"
    )
    parser.add_argument(
        "--output", type=Path, default=None, help="markdown results (default bench/RESULTS.md)"
    )
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target is missed, too")
    parser.add_argument(
        "--no-profile", action="store_true", help="do not profile variants that miss a target"
    )
    args = parser.parse_args(argv)
    args.cases = [name.strip() for name in args.cases.split(",") if name.strip()]
    unknown = [name for name in args.cases if name not in CASES]
    if unknown:
        parser.error(f"unknown case(s) {', '.join(unknown)}; known: {', '.join(CASES)}")
    if args.repeat is None:
        args.repeat = 1 if args.quick else 3
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    return args


def _exit_on_sigterm(signum: int, frame: object) -> None:
    raise SystemExit(128 + signum)  # unwinds the cases' ``with`` blocks: their sandboxes stop


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, _exit_on_sigterm)
    report = Report(machine=machine_details(REPO))
    report.settings = f"cases {', '.join(args.cases)}; {args.repeat} run(s) per variant" + (
        "; QUICK smoke sizes, not representative" if args.quick else ""
    )
    failed = []
    began = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="ovhflow-bench-") as workdir:
        ctx = Context(
            repeat=args.repeat, quick=args.quick, workdir=Path(workdir), profile=not args.no_profile
        )
        note = byte_compile_checkout()
        if note:
            ctx.notes.append(note)
        for name in args.cases:
            print(f"[bench] {name} ...", file=sys.stderr, flush=True)
            case_began = time.perf_counter()
            try:
                report.rows += CASES[name](ctx)
            except BenchError as error:
                failed.append(name)
                report.notes.append(f"**{name}: could not be measured.**\n\n```\n{error}\n```")
                print(f"[bench] {name} FAILED: {error}", file=sys.stderr, flush=True)
            print(
                f"[bench] {name} took {time.perf_counter() - case_began:.0f} s", file=sys.stderr, flush=True
            )
    report.notes += ctx.notes
    report.machine.append(("load average at end", load_average()))
    report.settings += f"; whole run {time.perf_counter() - began:.0f} s"
    print(text_table(report.rows))
    print()
    for label, value in report.machine:
        print(f"{label}: {value}")
    output = args.output or (None if args.quick else RESULTS)
    if output is not None:
        if output.exists():
            report.analysis = kept_analysis(output.read_text(encoding="utf-8"))
        output.write_text(report.markdown(), encoding="utf-8")
        print(f"\nwrote {output}", file=sys.stderr)
    failed += [row.variant for row in report.rows if row.failed]
    missed = [row for row in report.rows if row.met is False]
    return 1 if failed or (missed and args.strict) else 0


if __name__ == "__main__":
    sys.exit(main())
