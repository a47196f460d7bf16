"""Faults injected by the sandbox, over real HTTP, through the real ``ovhflow run`` (in-process; a
subprocess where a run is watched or stopped from outside).

Loops here run one item at a time unless said otherwise, so the sandbox's seeded fault generator hands
out the same faults in the same order on every run: these tests are deterministic, not lucky.
"""

from __future__ import annotations

from pathlib import Path

from tests.cli_invoke import invoke_ovhflow
from tests.hardening.helpers import (
    READ_AND_PUT,
    read_report,
    run_stderr,
    start_run,
    succeeded_paths,
    wait_for,
    writes_per_path,
)

READ_PUT_DELETE = (
    READ_AND_PUT
    + """\
  - id: records
    get: /domain/zone/example.com/record
  - id: drop
    loop: "{{ steps.records.result[:3] }}"
    delete: /domain/zone/example.com/record/{{ item }}
"""
)

PUT_EACH = """\
name: put each
inputs:
  concurrency: {type: integer, default: 1}
steps:
  - id: servers
    get: /dedicated/server
  - id: burst
    loop: "{{ steps.servers.result }}"
    concurrency: "{{ inputs.concurrency }}"
    put: /dedicated/server/{{ item }}/burst
    body: {status: active}
"""

POST_EACH = """\
name: post each
steps:
  - id: servers
    get: /dedicated/server
  - id: reboot
    loop: "{{ steps.servers.result }}"
    post: /dedicated/server/{{ item }}/reboot
    ignore_errors: true
  - id: record
    post: /domain/zone/example.com/record
    body: {fieldType: TXT, subDomain: hardening, target: "one"}
    ignore_errors: true
"""


def _run(recipe: Path, sandbox, isolated, *args: str):
    result = invoke_ovhflow("run", str(recipe), *args, env={**isolated, **sandbox.env()}, cwd=recipe.parent)
    assert "Traceback" not in result.stderr, result.stderr
    return result


def _statuses(journal, method: str) -> list[int | None]:
    return [
        entry["status"] for entry in journal if entry["method"] == method and entry["path"] != "/auth/time"
    ]


def test_5xx_on_get_put_delete_are_retried_and_the_run_succeeds(sandbox_factory, isolated, write_recipe):
    sb = sandbox_factory(servers=4, bills=1, error_rate=0.3, seed=2)
    recipe = write_recipe(READ_PUT_DELETE)
    done = _run(recipe, sb, isolated, "--report", str(recipe.parent / "report.json"))
    assert done.returncode == 0, done.stderr
    for method in ("GET", "PUT", "DELETE"):  # each method met 5xx answers and got through them
        statuses = _statuses(sb.journal, method)
        assert any(s >= 500 for s in statuses), (method, statuses)
    names = sorted(sb.state["servers"])
    assert succeeded_paths(sb.journal, "PUT") == {f"/dedicated/server/{n}/burst": 1 for n in names}
    assert all(sb.state["bursts"][n]["status"] == "active" for n in names)
    assert len(succeeded_paths(sb.journal, "DELETE")) == 3
    report = read_report(recipe.parent / "report.json")
    assert report["exit_status"] == 0 and report["errors"] == []
    assert sorted(c["path"] for c in report["changes"] if c["status"] == "changed") == sorted(
        [f"/dedicated/server/{n}/burst" for n in names] + list(succeeded_paths(sb.journal, "DELETE"))
    )


def test_high_error_rate_ends_exit_1_and_the_report_says_which_items_failed(
    sandbox_factory, isolated, write_recipe
):
    """The API starts failing every request after the first PUT went through: the run stops with exit 1
    and its report names each PUT that was applied and each one that failed, as the journal saw them."""
    sb = sandbox_factory(servers=6, bills=1, latency=0.05)
    recipe = write_recipe(PUT_EACH)
    report_path = recipe.parent / "report.json"
    process = start_run(
        ["run", str(recipe), "--report", str(report_path)], {**isolated, **sb.env()}, recipe.parent
    )
    wait_for(lambda: bool(succeeded_paths(sb.journal, "PUT")), process, "a first PUT applied")
    sb.faults.error_rate = 1.0
    assert process.wait(timeout=60) == 1
    stderr = run_stderr(recipe.parent)
    assert "Traceback" not in stderr and "HTTP 5" in stderr
    applied = succeeded_paths(sb.journal, "PUT")
    attempted = writes_per_path(sb.journal, "PUT")
    failed = set(attempted) - set(applied)
    assert applied and failed
    assert all(count == 1 for count in applied.values())
    assert all(attempted[path] == 4 for path in failed)  # one try and three retries, then given up
    report = read_report(report_path)
    assert report["exit_status"] == 1
    changed = sorted(c["path"] for c in report["changes"] if c["status"] == "changed")
    not_changed = sorted(c["path"] for c in report["changes"] if c["status"] == "failed")
    assert changed == sorted(applied) and not_changed == sorted(failed)
    assert [step["id"] for step in report["steps"] if step["status"] == "failed"] == ["burst"]
    assert any(path in error["message"] for error in report["errors"] for path in failed)


def test_a_post_is_never_sent_twice_through_5xx_and_dropped_connections(
    sandbox_factory, isolated, write_recipe
):
    sb = sandbox_factory(servers=8, bills=1, error_rate=0.3, drop_rate=0.2, seed=11)
    recipe = write_recipe(POST_EACH)
    report_path = recipe.parent / "report.json"
    done = _run(recipe, sb, isolated, "--report", str(report_path))
    assert done.returncode == 0, done.stderr  # ignore_errors: failed POSTs are reported, not fatal
    posts = writes_per_path(sb.journal, "POST")
    assert len(posts) == 9 and set(posts.values()) == {1}  # 8 reboots and one record, each sent once
    outcomes = {
        e["path"]: ("changed" if e["status"] and e["status"] < 300 else "failed")
        for e in sb.journal
        if e["method"] == "POST"
    }
    assert {"changed", "failed"} <= set(outcomes.values())
    assert any(e.get("dropped") for e in sb.journal if e["method"] == "POST")
    report = read_report(report_path)
    assert {c["path"]: c["status"] for c in report["changes"]} == outcomes


def test_concurrent_writes_under_a_high_error_rate_are_reported_as_the_api_saw_them(
    sandbox_factory, isolated, write_recipe
):
    """Six PUTs in flight at once, 60% of answers 5xx: whatever the draw, the exit code follows the
    outcome and the report's changes match the journal write for write."""
    sb = sandbox_factory(servers=12, bills=1, error_rate=0.6, seed=5)
    recipe = write_recipe(PUT_EACH)
    report_path = recipe.parent / "report.json"
    done = _run(recipe, sb, isolated, "-p", "concurrency=6", "--report", str(report_path))
    applied = succeeded_paths(sb.journal, "PUT")
    attempted = writes_per_path(sb.journal, "PUT")
    failed = set(attempted) - set(applied)
    assert set(applied.values()) <= {1}
    assert all(attempted[path] == 4 for path in failed)
    report = read_report(report_path)
    assert done.returncode == report["exit_status"] == (1 if failed or not attempted else 0), done.stderr
    assert sorted(c["path"] for c in report["changes"] if c["status"] == "changed") == sorted(applied)
    assert sorted(c["path"] for c in report["changes"] if c["status"] == "failed") == sorted(failed)
    assert len(report["changes"]) == len(attempted)
