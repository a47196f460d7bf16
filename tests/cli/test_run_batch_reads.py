"""Batch reads through the real command line against the sandbox: the gallery's burst recipe gives
the same outcome with and without them, errors per item are those of plain calls, a sandbox that
refuses batch reads gets plain calls, and ``--no-batch`` sends none."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.cli_invoke import invoke_ovhflow
from tests.helpers import RECIPES_DIR

BURST = str(RECIPES_DIR / "burst-sbg1.yaml")


def _run(sandbox: Any, *args: str) -> Any:
    done = invoke_ovhflow("run", *args, env=sandbox.env())
    assert "Traceback" not in done.stderr, done.stderr
    return done


def _gets(sandbox: Any) -> list[str]:
    return [entry["path"] for entry in sandbox.journal if entry["method"] == "GET"]


def _batch_reads(sandbox: Any) -> list[str]:
    return [path for path in _gets(sandbox) if "," in path]


def test_the_burst_recipe_gives_the_same_outcome_with_batch_reads_in_far_fewer_calls(sandbox_factory):
    plain, batched = sandbox_factory(servers=60, seed=3), sandbox_factory(servers=60, seed=3)
    without = _run(plain, BURST, "--no-batch")
    done = _run(batched, BURST)
    assert without.returncode == done.returncode == 0, done.stderr
    assert batched.state["bursts"] == plain.state["bursts"]
    assert sorted(e["path"] for e in batched.writes()) == sorted(e["path"] for e in plain.writes())

    def enabled(stderr: str) -> list[str]:
        return sorted(line for line in _said(stderr) if "Enabled burst for" in line)

    assert enabled(done.stderr) and enabled(done.stderr) == enabled(without.stderr)
    assert _batch_reads(batched) and not _batch_reads(plain)
    assert len(_gets(batched)) * 5 < len(_gets(plain))


def _said(stderr: str) -> list[str]:
    """The run's messages without their time stamps, durations and query ids."""
    lines = [line.split(" ", 2)[2] if line[:4].isdigit() else line for line in stderr.splitlines()]
    lines = [re.sub(r"query id [\w.-]+", "query id Q", line) for line in lines]  # numbered per sandbox
    lines = [re.sub(r"http://127\.0\.0\.1:\d+", "SANDBOX", line) for line in lines]  # one port each
    return [re.sub(r"\d+(\.\d+)? m?s\b", "N ms", line) for line in lines]


MISSING = """\
name: read some servers, one of them missing
inputs:
  names: {type: list}
steps:
  - id: details
    loop: "{{ inputs.names }}"
    get: /dedicated/server/{{ item }}
    ignore_errors: true
  - log: "{{ steps.details.results | map(attribute='name', default='-') | join(',') }}"
"""


@pytest.mark.parametrize("sandbox_batch", [True, False], ids=["batch reads", "API refuses them"])
def test_an_item_the_api_cannot_find_fails_as_with_plain_calls(sandbox_factory, tmp_path, sandbox_batch):
    plain, batched = sandbox_factory(servers=8), sandbox_factory(servers=8, batch=sandbox_batch)
    names = list(plain.state["servers"])[:3]
    names.insert(1, "ns-does-not-exist")
    recipe = tmp_path / "missing.yaml"
    recipe.write_text(MISSING, encoding="utf-8")
    params = ("-p", f"names={','.join(names)}")
    without = _run(plain, str(recipe), *params, "--no-batch")
    done = _run(batched, str(recipe), *params)
    assert done.returncode == without.returncode == 0, done.stderr
    assert _said(done.stderr) == _said(without.stderr)
    assert "ns-does-not-exist" in done.stderr and "404" in done.stderr
    assert _batch_reads(batched)  # tried, and answered or refused
    if not sandbox_batch:  # refused once (400), then one GET per item
        assert [e["status"] for e in batched.journal if "," in e["path"]] == [400]
