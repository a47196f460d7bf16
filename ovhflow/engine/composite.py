"""Steps made of steps: a group (``steps:``) and an included recipe (``include:`` with ``with:``).

A group runs its steps in a child scope: they see everything outside, and their own ids stay inside,
so in a looped group ``steps.<id>`` is the current iteration's. The group's result is its steps'
records (``steps.<group>.result.<inner id>.result``). An included recipe runs with its own ``inputs``
(from ``with:``, then its defaults) and its own ``steps``; its result is likewise its steps' records.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from ovhflow.engine.outcome import Outcome, aggregate
from ovhflow.engine.planned import PLANNED, is_planned
from ovhflow.engine.scope import Scope
from ovhflow.errors import StepFailed
from ovhflow.recipe.model import Step

if TYPE_CHECKING:
    from ovhflow.engine.steps import StepRunner


def run_group(runner: StepRunner, step: Step, scope: Scope) -> Outcome:
    """Run a group's steps once; a failing inner step fails the group (it was counted already)."""
    inner = scope.child()
    return _run_inner(runner, step.steps, inner)


def run_include(runner: StepRunner, step: Step, scope: Scope) -> Outcome:
    """Run the included recipe's steps with inputs from ``with:``."""
    runtime = runner.runtime
    if runtime.load_include is None:
        raise StepFailed("include: this run cannot load other recipes", step.location)
    values = runtime.renderer.render(dict(step.with_ or {}), scope.context())
    if is_planned(values):
        return Outcome("planned", PLANNED)
    recipe, inputs = runtime.load_include(step, values)
    root = Scope(inputs=inputs, run=scope.run_values())
    root.in_iteration = scope.in_iteration  # inside a loop item, its steps report through the item
    return _run_inner(runner, recipe.steps, root)


def _run_inner(runner: StepRunner, steps: Sequence[Step], inner: Scope) -> Outcome:
    try:
        statuses = runner.run_steps(steps, inner)
    except StepFailed as error:
        return Outcome(
            "failed",
            inner.recorded(),
            error=error.message,
            query_id=error.query_id,
            location=error.location,
            counted=True,
            cause=error.__cause__ or error,
        )
    return Outcome(aggregate(statuses), inner.recorded(), counted=True)
