"""The ``--report FILE`` of a run: one JSON document saying what ran, what changed and what failed.

Written once, when the run ends (also after a failure, an interruption, or in check mode), atomically:
a monitoring script reading it sees the previous report or the complete new one. Everything in it passes
through the run's :class:`Redactor`.
"""

from __future__ import annotations

import json
import os
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ovhflow import hookimpl
from ovhflow.errors import UsageError
from ovhflow.exit_status import ExitStatus
from ovhflow.files.atomic import TEMP_SUFFIX, write_atomic
from ovhflow.plugin_api import RunInfo, StepReport
from ovhflow.reporting.redaction import Redactor
from ovhflow.reporting.run_log import iso_time
from ovhflow.reporting.standard_streams import lost_streams

REPORT_VERSION = 1


def step_summary(report: StepReport) -> dict[str, Any]:
    """What the report keeps of a step: status, duration and, for loops, how many items ended how."""
    summary: dict[str, Any] = {
        "id": report.step_id,
        "name": report.name,
        "action": report.action,
        "location": report.location,
        "status": report.status,
        "duration": round(report.duration, 6),
    }
    counts = report.item_counts()  # not len(report.items): that makes every item JSON-ready
    if counts:
        summary["items"] = sum(counts.values())
        summary["item_counts"] = counts
    if report.error:
        summary["error"] = report.error
    if report.query_id:
        summary["query_id"] = report.query_id
    return summary


def check_report_path(path: Path) -> None:
    """Refuse, before the run, a report that could not be written after it (exit 2 instead of a run
    whose report silently never appears)."""
    folder = path.parent if str(path.parent) else Path(".")
    if path.is_dir():
        raise UsageError(f"--report {path}: is a folder, not a file")
    if not folder.is_dir():
        raise UsageError(f"--report {path}: folder {folder} does not exist")
    # Try for real: permission bits do not tell (root ignores them; read-only mounts, /sys...).
    probe = folder / f".{path.name}.{os.getpid()}.probe{TEMP_SUFFIX}"
    try:
        os.close(os.open(probe, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600))
        os.unlink(probe)
    except OSError as error:
        raise UsageError(f"--report {path}: folder {folder} is not writable ({error.strerror})") from None


class ReportWriter:
    """Collects step reports during a run and writes the JSON report when it ends."""

    # its ovhflow_step_end reads a report's item_counts(), never its items or result: a loop whose
    # records nothing else reads need not keep them (ovhflow/engine/loop_records.py)
    STEP_END_READS_STATUSES_ONLY = True

    def __init__(
        self,
        path: str | Path,
        redactor: Redactor | None = None,
        on_error: Callable[[str], None] | None = None,
    ) -> None:
        self.path = Path(path)
        check_report_path(self.path)
        self.on_error = on_error or _print_error
        self.redactor = redactor or Redactor()
        self.steps: list[dict[str, Any]] = []
        self._lock = threading.Lock()

    @hookimpl
    def ovhflow_step_end(self, run: RunInfo, report: StepReport) -> None:
        with self._lock:
            self.steps.append(step_summary(report))

    @hookimpl
    def ovhflow_run_end(self, run: RunInfo) -> None:
        self.write(run)

    def build(self, run: RunInfo, ended_at: float | None = None) -> dict[str, Any]:
        """The report as a JSON-ready dict, secrets masked."""
        ended = time.time() if ended_at is None else ended_at
        with self._lock:
            steps = list(self.steps)
        document = {
            "report_version": REPORT_VERSION,
            "recipe": {"name": run.recipe_name, "path": run.recipe_path},
            "inputs": run.inputs,
            "check": run.check,
            "started_at": iso_time(run.started_at),
            "ended_at": iso_time(ended),
            "duration": round(max(ended - run.started_at, 0.0), 6),
            "exit_status": run.exit_status if run.exit_status is not None else 0,
            "error": run.error,
            "counts": dict(run.counts),
            "steps": steps,
            "changes": list(run.changes),
            "errors": list(run.errors),
        }
        lost = lost_streams()
        if lost:  # the run went on without them; say so where someone will look
            document["lost_output"] = lost
        return self.redactor.data(json.loads(json.dumps(document, default=str)))

    def write(self, run: RunInfo) -> None:
        """Write the report; a failure to write is said through ``on_error`` (the run's log) and turns a
        successful run into a failed one (exit 1): a monitoring script would otherwise read yesterday's
        report as today's. Run-end hooks called after this one (the log's summary) see that status."""
        text = json.dumps(self.build(run), indent=2, ensure_ascii=False) + "\n"
        try:
            write_atomic(self.path, self.redactor.text(text))
        except OSError as error:
            message = f"cannot write the report {self.path}: {error.strerror or error}"
            self.on_error(message)
            if not run.exit_status:
                run.exit_status, run.error = int(ExitStatus.STEP_FAILED), message


def _print_error(text: str) -> None:
    print(f"error: {text}", file=sys.stderr)
