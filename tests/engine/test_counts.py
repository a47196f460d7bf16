"""The run's counts add up to its step lines (README "What the counts count"), ignored errors are
"ignored", and a step that failed because the credentials were rejected is counted as failed."""

from __future__ import annotations

import json
from pathlib import Path

from tests.cli_invoke import invoke

RECIPE = """\
name: Counts
steps:
  - id: servers
    get: /dedicated/server
  - id: per_server
    loop: "{{ steps.servers.result[:3] }}"
    as: name
    steps:
      - get: /dedicated/server/{{ name }}
      - log: "{{ name }}"
  - name: plain group
    steps:
      - get: /me
      - log: "read /me"
  - name: skipped group
    when: false
    steps:
      - get: /me
  - name: missing server
    get: /dedicated/server/no-such-server
    ignore_errors: true
  - id: many
    loop: "{{ ['a', 'b'] }}"
    get: /dedicated/server/{{ item }}
    ignore_errors: true
  - loop: []
    get: /me
"""


def _events(stderr: str) -> list[dict]:
    return [json.loads(line) for line in stderr.splitlines()]


def test_counts_add_up_to_the_step_lines_and_ignored_errors_say_so(tmp_path: Path) -> None:
    recipe = tmp_path / "counts.yaml"
    recipe.write_text(RECIPE)
    report = tmp_path / "report.json"
    result = invoke("run", "--sandbox", "--log-format", "json", "--report", str(report), str(recipe))
    assert result.exit_code == 0, result.stderr
    events = _events(result.stderr)
    ends = [
        (event["name"], event["status"], event.get("items"))
        for event in events
        if event["event"] == "step_end"
    ]
    assert ends == [
        ("servers", "ok", None),
        ("per_server", "ok", {"ok": 3}),
        ("get", "ok", None),
        ("log", "ok", None),
        ("plain group", "ok", None),
        ("skipped group", "skipped", None),
        ("missing server", "ignored", None),
        ("many", "ignored", {"ignored": 2}),
        ("get", "skipped", None),
    ]
    # servers, 3 iterations, the plain group's two steps (the group's own line sums them up), the
    # skipped group, the loop over nothing; the ignored step and the two ignored items
    counts = events[-1]["counts"]
    assert counts == {"ok": 6, "changed": 0, "planned": 0, "skipped": 2, "ignored": 3, "failed": 0}
    items = [event["status"] for event in events if event["event"] == "item_end" and event["step"] == "many"]
    assert items == ["ignored", "ignored"]
    written = json.loads(report.read_text())
    assert [error.get("ignored") for error in written["errors"]] == [True, True, True]


def test_text_summary_names_ignored_errors(tmp_path: Path) -> None:
    recipe = tmp_path / "counts.yaml"
    recipe.write_text(RECIPE)
    result = invoke("run", "--sandbox", str(recipe))
    assert result.exit_code == 0, result.stderr
    lines = result.stderr.splitlines()
    assert any(" ignored  missing server (" in line for line in lines)
    assert any(" ignored  many (" in line and "[2 ignored]" in line for line in lines)
    assert lines[-1].endswith(": 6 ok, 0 changed, 0 planned, 2 skipped, 3 ignored, 0 failed")


def test_rejected_credentials_are_counted_as_failed(sandbox, tmp_path: Path, isolated_env) -> None:
    recipe = tmp_path / "loop.yaml"
    recipe.write_text("name: L\nsteps:\n  - loop: [a, b]\n    get: /dedicated/server/{{ item }}\n")
    single = tmp_path / "single.yaml"
    single.write_text("name: S\nsteps:\n  - get: /me\n")
    env = {**isolated_env, **sandbox.env(), "OVH_CONSUMER_KEY": "not-the-right-consumer-key"}
    for path in (single, recipe):
        result = invoke("run", "--log-format", "json", str(path), env=env)
        assert result.exit_code == 3, result.stderr
        events = _events(result.stderr)
        step_ends = [event for event in events if event["event"] == "step_end"]
        assert [event["status"] for event in step_ends] == ["failed"]
        assert events[-1]["counts"]["failed"] == 1
        assert sum(events[-1]["counts"].values()) == 1
