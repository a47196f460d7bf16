"""The gate finds planned writes by key (ovhflow/plan/index.py): the same decisions as a walk of the plan
in order, for thousands of writes in any order, without comparing each write with every planned one."""

from __future__ import annotations

import random
from collections.abc import Iterator, Mapping
from typing import Any

import pytest

from ovhflow.engine.planned import placeholder_token
from ovhflow.errors import PlanMismatch
from ovhflow.plan import gate
from ovhflow.plan.placeholders import planned_with_placeholders
from ovhflow.plugin_api import HttpRequest
from ovhflow.reporting.redaction import Redactor

STEPS = ("r.yaml:3:5", "r.yaml:9:5")


def planned(step: str, method: str, path: str, body: Any = None, query: Any = None) -> dict[str, Any]:
    """A planned write as check mode records it (placeholder tokens become placeholders)."""
    shown, holes = planned_with_placeholders(HttpRequest(method, path, query, body))
    write = {"location": step, "method": method, "path": shown.path, "query": shown.query, "body": shown.body}
    return {**write, "placeholders": holes} if holes else write


def random_plan(rng: random.Random, count: int) -> list[tuple[dict[str, Any], str, HttpRequest]]:
    """``count`` planned writes, each with its step and a request of the run that it lets through:
    servers' bursts, records written by an id a POST returned (a path segment, a body value, text),
    and duplicates (the same write planned twice)."""
    made: list[tuple[dict[str, Any], str, HttpRequest]] = []
    for n in range(count):
        step = rng.choice(STEPS)
        kind = rng.randrange(6)
        record = placeholder_token(f"steps.create.results[{n}].id")
        if kind == 0:
            path, body = f"/dedicated/server/ns{rng.randrange(count // 2)}/burst", {"status": "active"}
            write, sent = planned(step, "PUT", path, body), HttpRequest("PUT", path, None, body)
        elif kind == 1:
            write = planned(step, "PUT", f"/zone/rec/{record}", {"target": "a"})
            sent = HttpRequest("PUT", f"/zone/rec/{rng.randrange(50)}", None, {"target": "a"})
        elif kind == 2:
            write = planned(step, "PUT", f"/zone/rec/r-{record}/x", {"ttl": rng.randrange(3)})
            sent = HttpRequest("PUT", f"/zone/rec/r-{n}/x", None, {"ttl": write["body"]["ttl"]})
        elif kind == 3:
            write = planned(step, "POST", "/zone/rec", {"id": record, "note": f"n {record}"}, {"a": "1"})
            sent = HttpRequest("POST", "/zone/rec", {"a": "1"}, {"id": n, "note": f"n {n % 7}"})
        elif kind == 4:
            target = f"/zone/rec/{rng.randrange(count // 4)}"
            write, sent = planned(step, "DELETE", target), HttpRequest("DELETE", target)
        else:
            write = planned(step, "POST", "/zone/refresh")
            sent = HttpRequest("POST", "/zone/refresh")
        made.append((write, step, sent))
    return made


class WalkOfThePlan:
    """The reference: each write uses the first planned write left, in plan order, of its step."""

    def __init__(self, writes: list[Mapping[str, Any]]) -> None:
        self.remaining = [(w["location"], w) for w in writes]

    def take(self, step: str, request: HttpRequest) -> Mapping[str, Any] | None:
        for index, (planned_step, write) in enumerate(self.remaining):
            if planned_step == step and gate.matches(write, request):
                del self.remaining[index]
                return write
        return None


def writes_through(
    the_gate: gate.PlanGate, sends: list[tuple[str, HttpRequest]], monkeypatch: pytest.MonkeyPatch
) -> Iterator[bool]:
    """Whether the gate lets each write through, sent by its step."""
    for step, request in sends:
        monkeypatch.setattr(gate, "sending_step", lambda step=step: step)
        try:
            yield the_gate.ovhflow_http_request(request=request, client=None, check=False) is None
        except PlanMismatch:
            yield False


def test_the_index_decides_as_a_walk_of_the_plan(monkeypatch: pytest.MonkeyPatch) -> None:
    """Thousands of writes, planned and not, from the right step and the other, in shuffled order:
    the same writes go through and the same planned writes are left unused as walking the plan."""
    rng = random.Random(20)
    made = random_plan(rng, 3000)
    writes = [write for write, _, _ in made]
    sends = [(step, request) for _, step, request in rng.sample(made, 2700)]  # some not needed
    other = {STEPS[0]: STEPS[1], STEPS[1]: STEPS[0]}
    sends += [(other[step], request) for _, step, request in rng.sample(made, 300)]  # another step's
    sends += [(step, request) for _, step, request in rng.sample(made, 300)]  # sent twice
    sends += [
        (STEPS[0], HttpRequest("PUT", f"/dedicated/server/ns{n}/burst", None, {"status": "x"}))
        for n in range(50)
    ]
    sends += [(STEPS[1], HttpRequest("PUT", "/zone/rec/1/2", None, {"target": "a"})) for _ in range(20)]
    rng.shuffle(sends)
    the_gate = gate.PlanGate(writes, Redactor())
    reference = WalkOfThePlan(writes)
    expected = [reference.take(step, request) is not None for step, request in sends]
    assert list(writes_through(the_gate, sends, monkeypatch)) == expected
    assert 2000 < sum(expected) < len(sends)  # the test tells decisions apart
    assert [id(w) for w in the_gate.unused] == [id(w) for _, w in reference.remaining] != []


def test_a_write_is_compared_with_a_few_planned_writes_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """Applying a plan of thousands of writes compares each write of the run in full with a few planned
    writes, not with every one left (a count of comparisons, not a time)."""
    rng = random.Random(5)
    made = random_plan(rng, 4000)
    sends = [(step, request) for _, step, request in made]
    rng.shuffle(sends)
    compared = 0
    real_matches = gate.matches

    def counted(write: Mapping[str, Any], request: HttpRequest) -> bool:
        nonlocal compared
        compared += 1
        return real_matches(write, request)

    monkeypatch.setattr(gate, "matches", counted)
    the_gate = gate.PlanGate([write for write, _, _ in made], Redactor())
    through = list(writes_through(the_gate, sends, monkeypatch))
    assert all(through) and the_gate.unused == []
    assert compared < 20 * len(sends)  # walking the plan: about len(sends) ** 2 / 4 (4 million)
