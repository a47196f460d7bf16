"""Loops (`loop`, `as`, `loop.*`, `concurrency`), groups with scoped ids, `until`, includes, batch, expand."""

from __future__ import annotations

import threading
import time

from ovhflow.engine.stop import StopRequest
from ovhflow.exit_status import ExitStatus
from ovhflow.ovh.exceptions import ResourceNotFoundError
from ovhflow.recipe.model import InputSpec, Recipe
from tests.engine.helpers import FakeClient, step

SERVERS = {f"GET /server/s{i}": {"name": f"s{i}", "dc": "sbg1" if i % 2 else "rbx1"} for i in range(8)}


def test_loop_with_as_and_per_item_when(run_steps):
    client = FakeClient({"GET /server": [f"s{i}" for i in range(8)], **SERVERS})
    steps = [
        step("get", "/server", id="ids"),
        step("get", "/server/{{ item }}", id="details", loop="{{ steps.ids.result }}"),
        step(
            "put",
            "/server/{{ s.name }}/burst",
            id="burst",
            loop="{{ steps.details.results }}",
            **{"as": "s"},
            when="s.dc == 'sbg1'",
            options={"body": {"status": "active"}},
            log="burst {{ s.name }} {{ loop.index }}/{{ loop.length }}",
        ),
    ]
    result, events = run_steps(steps, client)
    assert result.exit_status == 0, result.error
    assert [c[1] for c in client.writes()] == [
        "/server/s1/burst",
        "/server/s3/burst",
        "/server/s5/burst",
        "/server/s7/burst",
    ]
    assert events.messages == ["burst s1 2/8", "burst s3 4/8", "burst s5 6/8", "burst s7 8/8"]
    report = events.reports()["burst"]
    assert report.status == "changed"
    assert [item["status"] for item in report.items] == ["skipped", "changed"] * 4
    expected = {"ok": 9, "changed": 4, "planned": 0, "skipped": 4, "ignored": 0, "failed": 0}
    assert result.info.counts == expected


def test_loop_variables_count_as_jinja_does(run_steps):
    steps = [
        step(
            "log",
            "{{ item }}:{{ loop.index }}:{{ loop.index0 }}:{{ loop.revindex }}:"
            "{{ loop.first }}:{{ loop.last }}",
            loop=["a", "b"],
        )
    ]
    _, events = run_steps(steps)
    assert events.messages == ["a:1:0:2:True:False", "b:2:1:1:False:True"]


def test_concurrent_loop_keeps_item_order(run_steps):
    active = []
    peak = [0]
    lock = threading.Lock()

    def slow(index):
        def answer(data):
            with lock:
                active.append(index)
                peak[0] = max(peak[0], len(active))
            time.sleep(0.02 * (5 - index % 5))  # later items finish first
            with lock:
                active.remove(index)
            return {"n": index}

        return answer

    client = FakeClient({f"GET /n/{i}": slow(i) for i in range(10)})
    plain = {"batch": False}  # one GET per item, each on its own worker
    steps = [step("get", "/n/{{ item }}", id="n", loop=list(range(10)), concurrency=4, options=plain)]
    result, events = run_steps(steps, client)
    assert result.exit_status == 0, result.error
    assert [r["n"] for r in events.reports()["n"].result] == list(range(10))
    assert [item["item"] for item in events.reports()["n"].items] == list(range(10))
    assert 1 < peak[0] <= 4


def test_default_concurrency_comes_from_the_run(run_steps):
    seen = set()

    def answer(data):
        seen.add(threading.current_thread().name)
        time.sleep(0.01)

    client = FakeClient({f"GET /n/{i}": answer for i in range(6)})
    run_steps(
        [step("get", "/n/{{ item }}", loop=list(range(6)), options={"batch": False})], client, concurrency=3
    )
    assert len(seen) > 1 and all(name.startswith("ovhflow-loop") for name in seen)


def test_failed_iteration_stops_new_ones(run_steps):
    routes = {f"GET /n/{i}": {"n": i} for i in range(20)}
    routes["GET /n/3"] = ResourceNotFoundError("no 3")
    client = FakeClient(routes)
    steps = [step("get", "/n/{{ item }}", id="n", loop=list(range(20)), concurrency=2), step("get", "/after")]
    result, events = run_steps(steps, client)
    assert result.exit_status == 1
    assert "no 3" in str(result.error)
    started = {c[1] for c in client.calls}
    assert "/after" not in started
    assert len(started) <= 6  # 3 failed: at most the one in flight and the next pair were started
    items = events.reports()["n"].items
    assert [item["item"] for item in items] == sorted(item["item"] for item in items)


def test_ignore_errors_runs_every_item(run_steps):
    routes = {f"GET /n/{i}": {"n": i} for i in range(6)}
    routes["GET /n/2"] = ResourceNotFoundError("no 2")
    client = FakeClient(routes)
    steps = [
        step("get", "/n/{{ item }}", id="n", loop=list(range(6)), concurrency=3, ignore_errors=True),
        step(
            "log", "{{ steps.n.results | length }} {{ steps.n.items[2].status }} {{ steps.n.items[2].error }}"
        ),
    ]
    result, events = run_steps(steps, client)
    assert result.exit_status == 0
    assert events.messages == ["5 failed GET /n/2: no 2"]
    assert result.info.counts["ignored"] == 1 and result.info.counts["ok"] == 6  # 5 gets + the log
    assert result.info.counts["failed"] == 0
    assert result.info.errors[0]["message"] == "GET /n/2: no 2"


def test_looped_group_has_scoped_ids(run_steps):
    client = FakeClient(
        {
            "GET /server/a": {"name": "a", "state": "off"},
            "GET /server/b": {"name": "b", "state": "on"},
        }
    )
    inner = [
        step("get", "/server/{{ item }}", id="detail"),
        step(
            "post",
            "/server/{{ steps.detail.result.name }}/start",
            id="start",
            when="steps.detail.result.state == 'off'",
        ),
        step("log", "{{ item }} {{ steps.detail.result.state }}"),
    ]
    steps = [
        step("steps", None, id="each", steps=inner, loop=["a", "b"], concurrency=2),
        step("log", "{{ steps.each.results[1].detail.result.name }}"),
    ]
    result, events = run_steps(steps, client)
    assert result.exit_status == 0, result.error
    assert [c[1] for c in client.writes()] == ["/server/a/start"]
    assert sorted(events.messages[:2]) == ["a off", "b on"]
    assert events.messages[2] == "b"
    assert events.reports()["each"].status == "changed"


def test_group_when_and_failure_location(run_steps):
    failing = step("fail", "inner failed")
    steps = [
        step("steps", None, id="never", when="false", steps=[step("get", "/x")]),
        step("steps", None, id="grp", steps=[step("log", "in group"), failing]),
    ]
    result, events = run_steps(steps)
    assert result.exit_status == 1
    assert str(result.error) == f"{failing.location}: inner failed"
    assert events.messages == ["in group"]
    assert events.reports()["never"].status == "skipped"


def test_until_retries_with_result(run_steps):
    answers = iter(["todo", "doing", "done", "never"])
    client = FakeClient({"GET /task": lambda data: {"status": next(answers)}})
    steps = [step("get", "/task", id="task", until="result.status == 'done'", retries=5, delay=0)]
    result, events = run_steps(steps, client)
    assert result.exit_status == 0, result.error
    assert len(client.calls) == 3
    assert events.reports()["task"].result == {"status": "done"}


def test_until_exhausted_fails(run_steps):
    client = FakeClient({"GET /task": {"status": "todo"}})
    steps = [step("get", "/task", until="result.status == 'done'", retries="{{ 2 }}", delay=0, backoff=2)]
    result, _ = run_steps(steps, client)
    assert result.exit_status == 1
    assert len(client.calls) == 3
    assert "still false after 3 attempts" in str(result.error)


def test_group_until(run_steps):
    answers = iter([1, 2, 3])
    client = FakeClient({"GET /n": lambda data: next(answers)})
    group = step(
        "steps",
        None,
        id="g",
        steps=[step("get", "/n", id="n")],
        until="result.n.result >= 2",
        retries=5,
        delay=0,
    )
    result, _ = run_steps([group], client)
    assert result.exit_status == 0, result.error
    assert len(client.calls) == 2


def test_include_with_inputs_and_own_namespace(run_steps):
    included = Recipe(
        name="inner",
        path="inner.yaml",
        steps=[
            step("get", "/server/{{ inputs.name }}", id="detail"),
            step("log", "inner sees {{ inputs.name }} {{ inputs.dc }}"),
        ],
        inputs={"name": InputSpec("name"), "dc": InputSpec("dc", default="sbg1", required=False)},
    )
    client = FakeClient({"GET /server/a": {"name": "a"}})
    steps = [
        step("get", "/me", id="detail"),
        step(
            "include",
            None,
            id="inc",
            include="inner.yaml",
            included=included,
            **{"with": {"name": "{{ item }}"}},
            loop=["a"],
        ),
        step("log", "{{ steps.inc.results[0].detail.result.name }}"),
    ]
    result, events = run_steps(steps, client)
    assert result.exit_status == 0, result.error
    assert events.messages == ["inner sees a sbg1", "a"]


def test_batch_get(run_steps):
    client = FakeClient(
        {
            "GET /server": ["a", "b", "c"],
            "GET /server/a": {"n": "a"},
            "GET /server/b": {"n": "b"},
            "GET /server/c": {"n": "c"},
        }
    )
    steps = [
        step("get", "/server", id="ids"),
        step(
            "get",
            "/server/{{ item }}",
            id="d",
            loop="{{ steps.ids.result }}",
            options={"batch": True},
            when="item != 'b'",
        ),
    ]
    result, events = run_steps(steps, client)
    assert result.exit_status == 0, result.error
    assert client.calls[1] == ("BATCH", "/server", ["a", "c"], True)
    assert events.reports()["d"].result == [{"n": "a"}, {"n": "c"}]
    assert [i["status"] for i in events.reports()["d"].items] == ["ok", "skipped", "ok"]


def test_expand_get(run_steps):
    client = FakeClient({"GET /server": ["a", "b"], "GET /server/a": {"n": "a"}, "GET /server/b": {"n": "b"}})
    result, events = run_steps([step("get", "/server", id="all", options={"expand": True})], client)
    assert result.exit_status == 0, result.error
    assert events.reports()["all"].result == [{"n": "a"}, {"n": "b"}]
    assert client.calls == [("EXPAND", "/server", None, True)]


def test_stop_request_finishes_in_flight_and_starts_nothing_new(run_steps):
    stop = StopRequest()
    started = []

    def answer(index):
        def reply(data):
            started.append(index)
            if index == 2:
                stop.request(ExitStatus.INTERRUPTED_TERM, "SIGTERM")
            time.sleep(0.02)
            return index

        return reply

    client = FakeClient({f"GET /n/{i}": answer(i) for i in range(50)})
    looped = step(
        "get", "/n/{{ item }}", id="n", loop=list(range(50)), concurrency=3, options={"batch": False}
    )
    result, events = run_steps([looped, step("get", "/after")], client, stop=stop)
    assert result.exit_status == 143
    assert len(started) < 10 and "/after" not in {c[1] for c in client.calls}
    report = events.reports()["n"]
    assert len(report.items) == len(started)  # every started iteration finished and was recorded
    assert [kind for kind, _ in events.events][-1] == "run_end"


def test_nested_loops_inside_a_looped_group(run_steps):
    inner = [step("log", "{{ outer }}-{{ item }}", loop=[1, 2], concurrency=2)]
    steps = [step("steps", None, steps=inner, loop=["a", "b"], concurrency=2, **{"as": "outer"})]
    result, events = run_steps(steps)
    assert result.exit_status == 0, result.error
    assert sorted(events.messages) == ["a-1", "a-2", "b-1", "b-2"]
    assert result.info.counts["ok"] == 2  # as the group's line: one per iteration of the group


def test_loop_over_something_else_than_a_list_fails_with_location(run_steps):
    bad = step("log", "x", loop="{{ {'a': 1} }}")
    result, _ = run_steps([bad])
    assert result.exit_status == 1
    assert str(result.error) == f"{bad.location}: loop: expected a list, got a mapping (keys: a)"


def test_stop_during_until_delay(run_steps):
    stop = StopRequest()

    def answer(data):
        stop.request(ExitStatus.INTERRUPTED_INT, "Ctrl-C")
        return {"status": "todo"}

    client = FakeClient({"GET /task": answer})
    steps = [step("get", "/task", id="t", until="result.status == 'done'", retries=100, delay=30)]
    result, events = run_steps(steps, client, stop=stop)
    assert result.exit_status == 130
    assert len(client.calls) == 1  # the 30 s delay was cut short and no new attempt started
    assert events.reports()["t"].error.startswith("interrupted by Ctrl-C")


BILLS = {
    f"GET /bill/b{i}": {"billId": f"b{i}", "total": {"text": f"{i}.00 €"}, "big": "x" * 100} for i in range(4)
}


def test_keep_records_only_the_template_and_log_sees_the_whole_result(run_steps):
    client = FakeClient({"GET /bill": [f"b{i}" for i in range(4)], **BILLS})
    steps = [
        step("get", "/bill", id="ids", keep="{{ result[:3] }}"),
        step(
            "get",
            "/bill/{{ item }}",
            id="bill",
            loop="{{ steps.ids.result }}",
            concurrency=3,
            keep={"id": "{{ result.billId }}", "total": "{{ result.total.text }}", "of": "{{ item }}"},
            log="{{ result.big | length }}",
        ),
        step("log", "{{ steps.bill.results | map(attribute='total') | join(',') }}"),
    ]
    result, events = run_steps(steps, client)
    assert result.exit_status == 0, result.error
    assert events.reports()["ids"].result == ["b0", "b1", "b2"]
    kept = [{"id": f"b{i}", "total": f"{i}.00 €", "of": f"b{i}"} for i in range(3)]
    assert events.reports()["bill"].result == kept
    assert [item["result"] for item in events.reports()["bill"].items] == kept
    assert events.messages == ["100", "100", "100", "0.00 €,1.00 €,2.00 €"]


def test_keep_false_keeps_nothing_and_batch_loops_keep_too(run_steps):
    client = FakeClient({"GET /bill": [f"b{i}" for i in range(4)], **BILLS})
    steps = [
        step("get", "/bill", id="ids"),
        step("get", "/bill/{{ item }}", id="none", loop="{{ steps.ids.result }}", keep=False),
        step(
            "get",
            "/bill/{{ item }}",
            id="batched",
            loop="{{ steps.ids.result }}",
            options={"batch": True},
            keep="{{ result.billId }}",
        ),
    ]
    result, events = run_steps(steps, client)
    assert result.exit_status == 0, result.error
    assert events.reports()["none"].result == [None] * 4
    assert [item["status"] for item in events.reports()["none"].items] == ["ok"] * 4
    assert events.reports()["batched"].result == ["b0", "b1", "b2", "b3"]
    assert ("BATCH", "/bill", ["b0", "b1", "b2", "b3"], True) in client.calls


def test_keep_that_fails_fails_its_item_with_the_step_location(run_steps):
    client = FakeClient({"GET /bill": ["b0", "b1"], "GET /bill/b0": {"billId": "b0"}, "GET /bill/b1": {}})
    for options in ({}, {"batch": True}):
        bill = step("get", "/bill/{{ item }}", id="bill", loop="{{ steps.ids.result }}", options=options)
        bill.keep = "{{ result.billId }}"
        result, events = run_steps([step("get", "/bill", id="ids"), bill], client)
        assert result.exit_status == ExitStatus.STEP_FAILED
        assert [item["status"] for item in events.reports()["bill"].items] == ["ok", "failed"]
        message = str(result.error)
        assert "billId" in message and f"recipe.yaml:{bill.location.line}:" in message, message
