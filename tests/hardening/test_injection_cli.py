"""Values rendered into a path or a query, through ``ovhflow run`` over real HTTP: whatever an input or an
API result holds, the request goes to the path the recipe wrote, with the value inside its one segment
(or its one query parameter). The sandbox's journal shows what arrived on the wire."""

from __future__ import annotations

import copy
from urllib.parse import unquote

import pytest

from tests.cli_invoke import invoke_ovhflow

HOSTILE = [
    "a/b",
    "../../me",
    "..",
    ".",
    "x?admin=1",
    "frag#ment",
    "with space",
    "line\r\nX-Injected: 1",
    "%2F..%2Fme",
    "50%",
    "&date.to=2000-01-01",
]

RECIPE = """\
name: injection
inputs:
  value: {type: string}
steps:
  - id: in_path
    get: /dedicated/server/{{ inputs.value }}/burst
    ignore_errors: true
  - id: in_query_mapping
    get: /me/bill
    query: {date.from: "{{ inputs.value }}"}
    ignore_errors: true
  - id: in_query_text
    get: /me/bill?date.to={{ inputs.value }}
    ignore_errors: true
"""


@pytest.fixture
def run_env(sandbox, isolated) -> dict[str, str]:
    return {**isolated, **sandbox.env()}


@pytest.mark.parametrize("value", HOSTILE, ids=lambda v: repr(v)[1:-1])
def test_an_input_stays_in_its_path_segment_and_query_value(sandbox, run_env, write_recipe, value) -> None:
    recipe = write_recipe(RECIPE)
    done = invoke_ovhflow("run", str(recipe), "-p", f"value={value}", env=run_env, cwd=recipe.parent)
    assert done.returncode == 0, done.stderr  # the API errors are ignored; what matters is where they went
    assert "Traceback" not in done.stderr
    calls = [e for e in sandbox.journal if e["path"] != "/auth/time"]
    if value in (".", ".."):  # no encoding keeps a dot segment in place (%2E is decoded on the way)
        assert done.stderr.count("would move along") == 2  # refused in the path and in the path's query
        [in_query_mapping] = calls  # only the step with a query mapping sent its request
        assert in_query_mapping["path"] == "/me/bill" and in_query_mapping["query"] == {"date.from": value}
        return
    else:
        in_path, in_query_mapping, in_query_text = calls
        prefix, suffix = "/dedicated/server/", "/burst"
        assert in_path["path"].startswith(prefix) and in_path["path"].endswith(suffix)
        segment = in_path["path"][len(prefix) : -len(suffix)]
        assert not set(segment) & set("/?# \r\n") and unquote(segment) == value
        assert in_path["query"] == {} and in_path["status"] == 404  # a server of that name, not another call
    assert in_query_mapping["path"] == "/me/bill" and in_query_mapping["query"] == {"date.from": value}
    assert in_query_text["path"] == "/me/bill" and in_query_text["query"] == {"date.to": value}
    assert all(e["status"] != 403 for e in calls)  # the signed URL is the one sent: nothing re-encoded


@pytest.mark.parametrize("flags", [("--no-batch",), ()], ids=["one GET per item", "batch reads"])
def test_an_api_result_stays_in_its_path_segment(sandbox, run_env, write_recipe, flags) -> None:
    """A server whose name holds '/', '..' and '?' is listed by the API; reading it reaches that server,
    whether alone or among others in a batch read."""
    state = sandbox.state
    model = next(iter(state["servers"]))
    hostile = "../../me?x=1#y/.."
    state["servers"][hostile] = {**copy.deepcopy(state["servers"][model]), "name": hostile}
    state["bursts"][hostile] = copy.deepcopy(state["bursts"][model])
    recipe = write_recipe(
        "name: listed\nsteps:\n  - id: servers\n    get: /dedicated/server\n"
        "  - id: burst\n    loop: '{{ steps.servers.result }}'\n    get: /dedicated/server/{{ item }}/burst\n"
    )
    done = invoke_ovhflow("run", str(recipe), *flags, env=run_env, cwd=recipe.parent)
    assert done.returncode == 0, done.stderr
    reads = [e for e in sandbox.journal if e["path"].endswith("/burst")]
    assert all(e["status"] == 200 for e in reads)
    assert all(e["path"].count("/") == 4 and e["query"] == {} for e in reads)
    keys = [unquote(key) for e in reads for key in e["path"].split("/")[3].split(",")]
    assert sorted(set(keys)) == sorted(state["servers"])  # every server read, the hostile one included
    if flags:
        assert len(reads) == len(state["servers"])
    assert not any(e["path"] in ("/me", "/dedicated/server/..") for e in sandbox.journal)
