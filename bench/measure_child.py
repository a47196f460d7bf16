"""Run one command; write its wall time, peak RSS, exit status, CPU time and start time to a file.

``python -S measure_child.py RESULT_FILE ARGV...``. Linux charges a new program with the peak RSS of
the process it was started from (the high-water mark survives ``exec``), so a command started
straight from the harness, or from pytest, would show at least their size. Started from this small
process instead, its peak is its own. The clock also starts here, so this launcher's own start-up is
not counted.
"""

import os
import sys
import time


def main() -> None:
    result_file, argv = sys.argv[1], sys.argv[2:]
    epoch = time.time()  # to line the run up with the sandbox journal's timestamps
    started = time.perf_counter()
    pid = os.posix_spawnp(argv[0], argv, os.environ)
    _, status, usage = os.wait4(pid, 0)
    wall = time.perf_counter() - started
    code = os.waitstatus_to_exitcode(status)
    with open(result_file, "w") as handle:
        handle.write(f"{wall!r} {usage.ru_maxrss} {code} {usage.ru_utime + usage.ru_stime!r} {epoch!r}\n")
    sys.exit(code if code >= 0 else 128 - code)


if __name__ == "__main__":
    main()
