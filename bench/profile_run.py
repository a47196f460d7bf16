"""Run a Python program under cProfile in every thread and write the merged stats.

``profile_run.py STATS_FILE (-m MODULE | SCRIPT) ARGS...``. ``python -m cProfile`` sees only the main
thread, which hides the work of ovhflow's parallel loops; here each thread gets its own profiler
(patched into ``threading.Thread.run``) and the profiles are merged when the program ends.

The clock is each thread's CPU time (``time.thread_time``): with 16 threads mostly waiting on the
network or for the GIL, wall-clock profiles charge those waits to whatever call happened to block
(a ``stat``, a lock) and hide where the CPU, the real limit of a parallel run, goes.
"""

from __future__ import annotations

import cProfile
import pstats
import runpy
import sys
import threading
import time

_profiles: list[cProfile.Profile] = []
_lock = threading.Lock()
_original_run = threading.Thread.run


def _profiled_run(self: threading.Thread) -> None:
    profile = cProfile.Profile(time.thread_time)
    with _lock:
        _profiles.append(profile)
    profile.enable()
    try:
        _original_run(self)
    finally:
        profile.disable()


def main() -> None:
    stats_file, rest = sys.argv[1], sys.argv[2:]
    threading.Thread.run = _profiled_run  # type: ignore[method-assign]
    main_profile = cProfile.Profile(time.thread_time)
    _profiles.append(main_profile)
    if rest[0] == "-m":
        sys.argv = [rest[1], *rest[2:]]
        target, runner = rest[1], runpy.run_module
    else:
        sys.argv = rest
        target, runner = rest[0], runpy.run_path
    status: object = 0
    main_profile.enable()
    try:
        runner(target, run_name="__main__")
    except SystemExit as exit_:
        status = exit_.code
    finally:
        main_profile.disable()
        with _lock:
            profiles = [p for p in _profiles if p.getstats()]
        stats = pstats.Stats(profiles[0])
        for profile in profiles[1:]:
            stats.add(profile)
        stats.dump_stats(stats_file)
    sys.exit(status)


if __name__ == "__main__":
    main()
