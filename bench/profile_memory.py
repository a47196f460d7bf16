"""Run a Python program under tracemalloc and write where the memory held near its peak was allocated.

``profile_memory.py REPORT_FILE (-m MODULE | SCRIPT) ARGS...``. A sampling thread takes a snapshot
each time the traced size has grown by a fifth since the last one, so the last snapshot is close to
the peak; the report lists the biggest allocation sites of that snapshot, with their call stacks.
"""

from __future__ import annotations

import runpy
import sys
import threading
import tracemalloc

FRAMES = 10
TOP = 6
GROWTH = 1.2


def main() -> None:
    report_file, rest = sys.argv[1], sys.argv[2:]
    tracemalloc.start(FRAMES)
    latest: list[tracemalloc.Snapshot | int] = [0, 0]  # [size at snapshot, snapshot]
    done = threading.Event()

    def sample() -> None:
        while not done.wait(0.25):
            current, _ = tracemalloc.get_traced_memory()
            if current > int(latest[0]) * GROWTH:
                latest[:] = [current, tracemalloc.take_snapshot()]

    threading.Thread(target=sample, daemon=True).start()
    if rest[0] == "-m":
        sys.argv = [rest[1], *rest[2:]]
        target, runner = rest[1], runpy.run_module
    else:
        sys.argv = rest
        target, runner = rest[0], runpy.run_path
    status: object = 0
    try:
        runner(target, run_name="__main__")
    except SystemExit as exit_:
        status = exit_.code
    finally:
        done.set()
        _, peak = tracemalloc.get_traced_memory()
        snapshot = latest[1]
        with open(report_file, "w", encoding="utf-8") as report:
            report.write(f"traced peak {peak / 1e6:.1f} MB; snapshot at {int(latest[0]) / 1e6:.1f} MB\n")
            if isinstance(snapshot, tracemalloc.Snapshot):
                snapshot = snapshot.filter_traces([tracemalloc.Filter(False, tracemalloc.__file__)])
                for stat in snapshot.statistics("traceback")[:TOP]:
                    report.write(f"\n{stat.size / 1e6:.1f} MB in {stat.count} blocks, allocated at:\n")
                    report.write("\n".join(stat.traceback.format(limit=FRAMES)) + "\n")
    sys.exit(status)


if __name__ == "__main__":
    main()
