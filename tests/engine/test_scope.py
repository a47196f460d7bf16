"""What a template sees in a scope (ovhflow/engine/scope.py), which keeps its names between calls: a
change of variables or step records, here or in an enclosing scope, shows in the next context."""

from __future__ import annotations

from ovhflow.engine.namespace import StepRecord
from ovhflow.engine.scope import Scope


def test_a_context_shows_variables_set_and_steps_recorded_after_the_previous_one() -> None:
    root = Scope(inputs={"dc": "sbg1"}, run={"check": False})
    iteration = root.child({"item": "s1"})
    group = iteration.child()
    assert group.context()["item"] == "s1" and "ids" not in group.context()["steps"]
    root.record("ids", StepRecord.single("ok", ["s1"]))
    iteration.set_variables({"name": "first"})
    assert group.context()["steps"].ids.result == ["s1"] and group.context()["name"] == "first"
    group.record("current", StepRecord.single("ok", {"status": "active"}))
    assert group.context()["steps"].current.result == {"status": "active"}
    assert "current" not in iteration.context()["steps"]  # records stay in the scope that made them
    group.set_variables({"name": "second"})
    assert group.context()["name"] == "second" and iteration.context()["name"] == "first"
    assert group.context({"result": 1})["result"] == 1 and "result" not in group.context()
    assert group.context()["inputs"].dc == "sbg1" and group.context()["run"].check is False


def test_a_context_is_the_callers_to_change() -> None:
    scope = Scope(inputs={}).child({"item": 1})
    scope.context()["item"] = 2
    assert scope.context()["item"] == 1
