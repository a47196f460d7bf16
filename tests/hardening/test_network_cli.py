"""Network and API trouble through the real ``ovhflow run``: rate limits, dropped connections, slow and
uneven answers, a clock that differs from the API's."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli_invoke import invoke_ovhflow
from tests.hardening.helpers import READ_AND_PUT

READ_ALL = """\
name: read every server
inputs:
  concurrency: {type: integer, default: 1}
steps:
  - id: servers
    get: /dedicated/server
  - id: details
    loop: "{{ steps.servers.result }}"
    concurrency: "{{ inputs.concurrency }}"
    get: /dedicated/server/{{ item }}
    batch: false  # one GET per server: these tests are about each call's trip
  - id: names
    log: "names={{ steps.details.results | map(attribute='name') | join(',') }}"
"""


def _run(recipe: Path, sandbox, isolated, *args: str):
    result = invoke_ovhflow("run", str(recipe), *args, env={**isolated, **sandbox.env()}, cwd=recipe.parent)
    assert "Traceback" not in result.stderr, result.stderr
    return result


def _names_logged(stderr: str) -> list[str]:
    [line] = [line for line in stderr.splitlines() if "names=" in line]
    return line.split("names=", 1)[1].split(",")


def test_429_retry_after_is_honoured_without_a_storm(sandbox_factory, isolated, write_recipe):
    sb = sandbox_factory(servers=10, bills=1, rate_limit=4)
    recipe = write_recipe(READ_ALL)
    done = _run(recipe, sb, isolated, "-p", "concurrency=4")
    assert done.returncode == 0, done.stderr
    assert _names_logged(done.stderr) == list(sb.state["servers"])
    by_path: dict[str, list[dict]] = {}
    for entry in sb.journal:
        by_path.setdefault(entry["path"], []).append(entry)
    limited = [e for e in sb.journal if e["status"] == 429]
    assert limited, "the run never met the rate limit: the test proves nothing"
    assert len(limited) <= len(sb.state["servers"])  # at most one 429 per call on average: no storm
    for entries in by_path.values():
        for answer, retry in zip(entries, entries[1:], strict=False):
            if answer["status"] == 429:  # Retry-After is at least 1 second
                assert retry["time"] - answer["time"] >= 0.95, (answer, retry)


def test_a_rate_limited_api_without_rate_succeeds_with_one_wave_of_429(
    sandbox_factory, isolated, write_recipe
):
    """16 threads meet the API's limit: the first 429 slows every thread down (no --rate given), the
    rest of the run stays under the limit, and the run succeeds (issue 17)."""
    sb = sandbox_factory(servers=80, bills=1, rate_limit=30)
    done = _run(write_recipe(READ_ALL), sb, isolated, "-p", "concurrency=16")
    assert done.returncode == 0, done.stderr
    assert _names_logged(done.stderr) == list(sb.state["servers"])
    limited = [e for e in sb.journal if e["status"] == 429]
    assert limited, "the run never met the rate limit: the test proves nothing"
    assert len(limited) <= 16 + 4, len(limited)  # the requests in flight when the first 429 came back
    assert done.stderr.count("429 Too Many Requests: slowing down") == 1, done.stderr


def test_a_client_side_rate_meets_no_429(sandbox_factory, isolated, write_recipe):
    sb = sandbox_factory(servers=6, bills=1, rate_limit=20)
    done = _run(write_recipe(READ_ALL), sb, isolated, "-p", "concurrency=4", "--rate", "10")
    assert done.returncode == 0, done.stderr
    assert [e for e in sb.journal if e["status"] == 429] == []


def test_dropped_connections_are_retried_for_get_and_put(sandbox_factory, isolated, write_recipe):
    sb = sandbox_factory(servers=6, bills=1, drop_rate=0.25, seed=5)
    done = _run(write_recipe(READ_AND_PUT), sb, isolated)
    assert done.returncode == 0, done.stderr
    dropped = {e["method"] for e in sb.journal if e.get("dropped")}
    assert {"GET", "PUT"} <= dropped
    applied = [e["path"] for e in sb.journal if e["method"] == "PUT" and e["status"] == 200]
    assert sorted(applied) == sorted(f"/dedicated/server/{name}/burst" for name in sb.state["servers"])


def test_uneven_latency_keeps_results_in_item_order(sandbox_factory, isolated, write_recipe):
    sb = sandbox_factory(servers=8, bills=1, latency=0.03, latency_jitter=0.03)
    done = _run(write_recipe(READ_ALL), sb, isolated, "-p", "concurrency=8")
    assert done.returncode == 0, done.stderr
    assert _names_logged(done.stderr) == list(sb.state["servers"])
    answered = [e["path"].rsplit("/", 1)[1] for e in sb.journal if e["path"].count("/") == 3]
    assert sorted(answered) == sorted(sb.state["servers"])


@pytest.mark.parametrize("skew", [-3600, 2 * 86400])
def test_clock_skew_is_corrected_by_the_time_delta(sandbox_factory, isolated, write_recipe, skew):
    sb = sandbox_factory(servers=3, bills=1, clock_skew=skew)
    done = _run(write_recipe(READ_AND_PUT), sb, isolated, "--log-format", "json")
    assert done.returncode == 0, done.stderr
    assert all(e["status"] == 200 for e in sb.journal)
    signed = [e for e in sb.journal if "X-Ovh-Timestamp" in e["headers"]]
    assert len(signed) == len(sb.journal) - 1  # all but the unsigned /auth/time
    for entry in signed:  # stamped with the API's clock, not the machine's
        assert abs(int(entry["headers"]["X-Ovh-Timestamp"]) - (entry["time"] + skew)) < 60
    assert json.loads(done.stderr.splitlines()[-1])["exit_status"] == 0
