"""Batch reads without being asked (ovhflow/engine/batch.py): a loop whose GETs differ in one path
segment reads its objects 50 a call, and gives exactly what plain calls give - results, order, errors
per item, `when`, `keep:`, `log:`, check mode - falls back where the API refuses, and can be turned off."""

from __future__ import annotations

import threading
from typing import Any

import pytest

from ovhflow.ovh.exceptions import BadParametersError, ResourceNotFoundError
from tests.engine.helpers import FakeClient, FakeResponse, step

SERVERS = {f"GET /server/s{i}": {"name": f"s{i}", "dc": "sbg1" if i % 3 else "rbx1"} for i in range(12)}
BURSTS = {f"GET /server/s{i}/burst": {"status": "active" if i % 2 else "inactive"} for i in range(12)}


def routes() -> dict[str, Any]:
    answers: dict[str, Any] = {"GET /server": [f"s{i}" for i in range(12)], **SERVERS, **BURSTS}
    answers["GET /server/s4"] = ResourceNotFoundError("The requested object (s4) does not exist")
    answers["GET /server/s7/burst"] = ResourceNotFoundError("no burst on s7")
    for i in range(12):
        answers[f"PUT /server/s{i}/burst"] = None
    return answers


def burst_steps(**loop_options: Any) -> list[Any]:
    """The gallery's burst job in small: details per server (one missing), then a group per sbg1
    server that reads its burst (one missing) and PUTs it where it is not active."""
    return [
        step("get", "/server", id="ids"),
        step(
            "get",
            "/server/{{ item }}",
            id="details",
            loop="{{ steps.ids.result }}",
            when="item != 's2'",
            ignore_errors=True,
            keep="{{ result.name }}:{{ result.dc }}",
            log="read {{ item }}",
            **loop_options,
        ),
        step(
            "steps",
            None,
            id="burst",
            loop="{{ steps.details.results | select | list }}",
            when="item.endswith('sbg1')",
            ignore_errors=True,
            **loop_options,
            steps=[
                step("get", "/server/{{ item.split(':')[0] }}/burst", id="current"),
                step(
                    "put",
                    "/server/{{ item.split(':')[0] }}/burst",
                    id="enable",
                    when="steps.current.result.status != 'active'",
                    options={"body": {"status": "active"}},
                ),
            ],
        ),
    ]


def outcome(result: Any, events: Any) -> tuple[Any, ...]:
    """Everything a recipe's user sees of a run: status, errors, each step's results and items, logs."""
    reports = {
        step_id: (report.status, report.result, report.error, report.items)
        for step_id, report in events.reports().items()
    }
    errors = [(error["message"], error["step"]) for error in result.info.errors]
    return result.exit_status, result.info.counts, errors, reports, events.messages


def test_batch_reads_give_what_plain_calls_give_in_fewer_calls(run_steps) -> None:
    plain_client, batch_client = FakeClient(routes()), FakeClient(routes())
    steps = burst_steps()
    plain = run_steps(steps, plain_client, batch_reads=False)
    batched = run_steps(steps, batch_client)
    assert plain[0].exit_status == 0, plain[0].error
    assert outcome(*batched) == outcome(*plain)
    assert batched[0].info.errors and "(s4) does not exist" in batched[0].info.errors[0]["message"]
    assert not [call for call in plain_client.calls if call[0] == "BATCH"]
    assert ("BATCH", "/server", [f"s{i}" for i in range(12) if i != 2], True) in batch_client.calls
    assert any(call[0] == "BATCH" and call[1] == "/server/*/burst" for call in batch_client.calls)
    assert batch_client.writes() == plain_client.writes()
    assert len(batch_client.calls) < len(plain_client.calls) / 2


def test_items_the_batch_answered_with_an_error_send_their_own_get(run_steps) -> None:
    client = FakeClient(routes())
    run_steps(burst_steps(), client)
    singles = [call[1] for call in client.calls if call[0] == "GET"]
    assert singles == ["/server", "/server/s4", "/server/s7/burst"]  # for their own error and status


@pytest.mark.parametrize("concurrency", [1, 4])
def test_a_failure_stops_the_loop_as_with_plain_calls(run_steps, concurrency: int) -> None:
    steps = burst_steps()[:2]
    steps[1].ignore_errors = False
    steps[1].concurrency = concurrency
    plain = run_steps(steps, FakeClient(routes()), batch_reads=False)
    batched = run_steps(steps, FakeClient(routes()))
    assert batched[0].exit_status == 1
    if concurrency == 1:
        assert outcome(*batched) == outcome(*plain)
    items = batched[1].reports()["details"].items
    assert [item["item"] for item in items] == ["s0", "s1", "s2", "s3", "s4"]


def test_check_mode_gives_the_same_plan_with_batch_reads(run_steps) -> None:
    steps = burst_steps()
    plain = run_steps(steps, FakeClient(routes()), check=True, batch_reads=False)
    batched = run_steps(steps, FakeClient(routes()), check=True)
    assert outcome(*batched) == outcome(*plain)
    assert plain[0].info.changes == batched[0].info.changes and batched[0].info.changes


class RefusingClient(FakeClient):
    """An API without batch reads: X-Ovh-Batch is answered 400, as OVH does where it is not offered."""

    def call_with_response(self, method: str, path: str, data: Any = None, need_auth: bool = True,
                           headers: dict[str, str] | None = None) -> Any:  # fmt: skip
        if headers and "X-Ovh-Batch" in headers:
            with self.lock:
                self.calls.append(("REFUSED", path, None, True))
            raise BadParametersError("Batch mode is not available on this call", response=FakeResponse(400))
        return super().call_with_response(method, path, data, need_auth, headers)


def test_where_the_api_refuses_batch_reads_each_item_is_read_alone_once_refused(run_steps) -> None:
    steps = burst_steps()
    plain = run_steps(steps, FakeClient(routes()), batch_reads=False)
    client = RefusingClient(routes())
    refused = run_steps(
        steps
        + [step("get", "/server/{{ item }}", id="again", loop="{{ steps.ids.result }}", ignore_errors=True)],
        client,
    )
    assert outcome(*refused)[2][:2] == outcome(*plain)[2]  # the same errors
    for step_id in ("details", "burst"):
        assert refused[1].reports()[step_id].items == plain[1].reports()[step_id].items
    attempts = [call[1] for call in client.calls if call[0] == "REFUSED"]
    assert len(attempts) == 2  # once per path shape; the second loop over /server/* does not try again
    assert len([call for call in client.calls if call[0] == "GET"]) > 20


@pytest.mark.parametrize("how", ["batch: false on the step", "--no-batch for the run"])
def test_batch_reads_can_be_turned_off(run_steps, how: str) -> None:
    client = FakeClient(routes())
    if how == "--no-batch for the run":
        run_steps(burst_steps(), client, batch_reads=False)
    else:
        steps = burst_steps(options={"batch": False})
        steps[2].steps[0].options = {"batch": False}
        run_steps(steps, client)
    assert not [call for call in client.calls if call[0] == "BATCH"]


def test_a_long_loop_reads_ahead_one_window_at_a_time(run_steps) -> None:
    """At most one batch call per worker is read ahead at a time, so a loop over 20,000 bills never
    holds 20,000 whole bills before `keep:` trims each one (concurrency 1: windows of 50)."""
    from ovhflow import hookimpl

    timeline: list[tuple[str, int]] = []

    def bill(number: int) -> Any:
        def read(data: Any) -> Any:
            timeline.append(("read", number))
            return {"billId": f"b{number}", "pdf": "x" * 100}

        return read

    class Ends:
        @hookimpl
        def ovhflow_item_end(self, run: Any, step_id: Any, index: int, record: Any) -> None:
            if step_id == "bills":
                timeline.append(("done", index))

    client = FakeClient(
        {"GET /bill": [f"b{i}" for i in range(120)], **{f"GET /bill/b{i}": bill(i) for i in range(120)}}
    )
    bills = step(
        "get", "/bill/{{ item }}", id="bills", loop="{{ steps.ids.result }}", keep="{{ result.billId }}"
    )
    result, events = run_steps([step("get", "/bill", id="ids"), bills], client, extra_plugins=(Ends(),))
    assert result.exit_status == 0, result.error
    assert events.reports()["bills"].result == [f"b{i}" for i in range(120)]
    assert [len(call[2]) for call in client.calls if call[0] == "BATCH"] == [50, 50, 20]
    assert timeline.index(("done", 49)) < timeline.index(("read", 50))  # window 2 read after window 1 ran
    assert timeline.index(("done", 99)) < timeline.index(("read", 100))


def bills_client(count: int, timeline: list[tuple[str, int]], **routes: Any) -> FakeClient:
    """``/bill`` lists ``count`` bills; each object read (alone or in a batch call) is on ``timeline``."""

    def bill(number: int) -> Any:
        def read(data: Any) -> Any:
            timeline.append(("read", number))
            return {"billId": f"b{number}"}

        return read

    return FakeClient(
        {"GET /bill": [f"b{i}" for i in range(count)], **{f"GET /bill/b{i}": bill(i) for i in range(count)}}
        | routes
    )


def test_with_several_workers_the_next_window_is_read_while_this_one_runs(run_steps) -> None:
    """4 workers: windows of 200 bills. Item 100 waits until bill 200 is read: it is, while window 1
    still runs (it used to be read once the whole window had ended, so item 100 waited in vain)."""
    timeline: list[tuple[str, int]] = []
    read_200 = threading.Event()
    waited: list[bool] = []

    def wait_for_bill_200(data: Any) -> Any:
        waited.append(read_200.wait(10))
        return "ok"

    def read_bill_200(data: Any) -> Any:
        read_200.set()
        return {"billId": "b200"}

    client = bills_client(
        400, timeline, **{"GET /bill/b200": read_bill_200, "GET /wait/b100": wait_for_bill_200}
    )
    group = step(
        "steps",
        None,
        id="bills",
        loop="{{ steps.ids.result }}",
        concurrency=4,
        steps=[step("get", "/bill/{{ item }}", id="bill"), step("get", "/wait/{{ item }}", id="wait")],
    )
    result, _ = run_steps([step("get", "/bill", id="ids"), group], client)
    assert result.exit_status == 0, result.error
    assert waited == [True]
    assert [len(call[2]) for call in client.calls if call[0] == "BATCH"] == [50] * 8


def test_with_several_workers_at_most_two_windows_are_read_ahead(run_steps) -> None:
    """The bound on memory: a bill of window n + 2 is read only once the items of window n were taken,
    so at most two windows of whole objects wait for their iterations (4 workers: windows of 200)."""
    from ovhflow import hookimpl

    timeline: list[tuple[str, int]] = []

    class Ends:
        @hookimpl
        def ovhflow_item_end(self, run: Any, step_id: Any, index: int, record: Any) -> None:
            if step_id == "bills":
                timeline.append(("done", index))

    client = bills_client(1000, timeline)
    bills = step(
        "get", "/bill/{{ item }}", id="bills", loop="{{ steps.ids.result }}", keep="{{ result.billId }}"
    )
    bills.concurrency = 4
    result, events = run_steps([step("get", "/bill", id="ids"), bills], client, extra_plugins=(Ends(),))
    assert result.exit_status == 0, result.error
    assert events.reports()["bills"].result == [f"b{i}" for i in range(1000)]
    assert len([call for call in client.calls if call[0] == "BATCH"]) == 20
    for position, (event, number) in enumerate(timeline):
        if event == "read" and number >= 400:
            done = sum(1 for event, _ in timeline[:position] if event == "done")
            assert done >= (number // 200 - 1) * 200 - 4, (number, done)
