"""ReportWriter: the JSON report of a run, written atomically, secrets masked, in check mode too."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from ovhflow.errors import UsageError
from ovhflow.plugin_api import RunInfo, StepReport
from ovhflow.reporting.redaction import Redactor
from ovhflow.reporting.run_report import ReportWriter


def test_report_holds_steps_changes_errors_and_exit_status(tmp_path: Path) -> None:
    redactor = Redactor()
    redactor.add("hunter2-secret")
    path = tmp_path / "out" / "report.json"
    path.parent.mkdir()
    writer = ReportWriter(path, redactor)
    run = RunInfo("Burst", "/r/burst.yaml", {"dc": "sbg1", "password": "***"}, True, time.time() - 2)
    writer.ovhflow_step_end(run=run, report=StepReport("servers", "servers", "get", "r:3:5", "ok", 0.25))
    writer.ovhflow_step_end(
        run=run,
        report=StepReport(
            "burst",
            "Enable burst",
            "put",
            "r:9:5",
            "planned",
            0.5,
            items=[{"status": "planned"}, {"status": "skipped"}, {"status": "planned"}],
        ),
    )
    run.changes = [
        {
            "method": "PUT",
            "path": "/dedicated/server/ns1/burst",
            "body": {"status": "active"},
            "planned": True,
        }
    ]
    run.errors = [{"step": "x", "message": "denied hunter2-secret", "query_id": "EU.q1"}]
    run.counts = {"ok": 1, "planned": 2, "skipped": 1}
    run.exit_status = 0
    writer.ovhflow_run_end(run=run)
    report = json.loads(path.read_text())
    assert report["recipe"] == {"name": "Burst", "path": "/r/burst.yaml"}
    assert report["check"] is True
    assert report["inputs"] == {"dc": "sbg1", "password": "***"}
    assert [s["id"] for s in report["steps"]] == ["servers", "burst"]
    assert report["steps"][1]["item_counts"] == {"planned": 2, "skipped": 1}
    assert report["changes"][0]["path"] == "/dedicated/server/ns1/burst"
    assert report["errors"] == [{"step": "x", "message": "denied ***", "query_id": "EU.q1"}]
    assert report["exit_status"] == 0 and report["duration"] >= 2
    assert report["started_at"] < report["ended_at"]
    assert list(path.parent.iterdir()) == [path]  # no temporary file left behind
    assert "hunter2-secret" not in path.read_text()


def test_report_replaces_previous_one(tmp_path: Path) -> None:
    path = tmp_path / "report.json"
    path.write_text("old")
    run = RunInfo("R", "/r.yaml", {}, False, time.time())
    run.exit_status = 1
    run.error = "boom"
    ReportWriter(path).ovhflow_run_end(run=run)
    report = json.loads(path.read_text())
    assert report["exit_status"] == 1 and report["error"] == "boom" and report["steps"] == []


def test_unwritable_report_is_said_not_raised(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    run = RunInfo("R", "/r.yaml", {}, False, time.time())
    folder = tmp_path / "gone"
    folder.mkdir()
    said: list[str] = []
    writer = ReportWriter(folder / "r.json", on_error=said.append)
    folder.rmdir()  # removed during the run
    writer.ovhflow_run_end(run=run)
    assert len(said) == 1 and said[0].startswith(f"cannot write the report {folder / 'r.json'}")
    default = ReportWriter(tmp_path / "r.json")
    default.path = folder / "r.json"
    default.ovhflow_run_end(run=run)
    assert capsys.readouterr().err.startswith("error: cannot write the report")


def test_impossible_report_path_refused_up_front(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="does not exist"):
        ReportWriter(tmp_path / "missing-folder" / "r.json")
    with pytest.raises(UsageError, match="is a folder"):
        ReportWriter(tmp_path)
