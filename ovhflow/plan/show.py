"""A saved plan as a person reads it: grouped by step, with counts, each PUT's field changes and what
each placeholder (a value an earlier write's answer gives) stands for."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ovhflow.plan.diff import change_lines
from ovhflow.plan.placeholders import placeholder_lines
from ovhflow.plugin_api import describe_write


def plan_text(plan: Mapping[str, Any]) -> str:
    """The plan for a ticket or a terminal: what, against what, then each step's writes."""
    recipe = plan["recipe"]
    writes = plan["writes"]
    lines = [
        f"Plan for {recipe['name']} ({recipe['path']}, sha256 {recipe['sha256'][:12]})",
        f"made {plan['created_at']} by {made_by(plan)} against {plan['endpoint']}"
        + (f", account {plan['account']}" if plan.get("account") else ""),
    ]
    if recipe.get("includes"):
        lines.append(f"includes: {', '.join(item['path'] for item in recipe['includes'])}")
    if plan["inputs"]:
        shown = ", ".join(f"{name}={_input(value)}" for name, value in plan["inputs"].items())
        lines.append(f"inputs: {shown}")
    by_method: dict[str, int] = {}
    for write in writes:
        by_method[write["method"]] = by_method.get(write["method"], 0) + 1
    counts = ", ".join(f"{n} {method}" for method, n in by_method.items())
    lines.append(f"{len(writes)} write(s)" + (f": {counts}" if counts else "; nothing to change"))
    current_step: tuple[Any, Any] | None = None
    for write in writes:
        step = (write.get("step"), write.get("location"))
        if step != current_step:
            current_step = step
            in_step = sum(1 for w in writes if (w.get("step"), w.get("location")) == step)
            lines.append(f"\n{step_label(write)} ({write.get('location')}): {in_step} write(s)")
        describe = describe_write(write["method"], write["path"], write.get("query"), write.get("body"))
        lines.append(f"  {describe}")
        changes = write.get("diff")
        if changes is not None:
            pairs = [(c["field"], c["from"], c["to"]) for c in changes]
            lines.extend(f"      {line}" for line in change_lines(pairs))
        lines.extend(f"      {line}" for line in placeholder_lines(write.get("placeholders")))
        lines.extend(f"      {line}" for line in attempts_lines(write.get("attempts")))
    return "\n".join(lines)


def made_by(plan: Mapping[str, Any]) -> str:
    """The ovhflow that made the plan, as a reviewer reads it."""
    version = plan.get("ovhflow_version")
    return f"ovhflow {version}" if version else "an ovhflow that did not record its version"


def step_label(write: Mapping[str, Any]) -> str:
    """How a reviewer finds the step of a write: its id or name, else its action (the location follows)."""
    if write.get("step"):
        return f"step {write['step']}"
    return f"unnamed {write['action']} step" if write.get("action") else "unnamed step"


def attempts_lines(attempts: int | None) -> list[str]:
    """What a reviewer reads of a write its step may send again (``until:``)."""
    if not attempts or attempts < 2:
        return []
    return [f"may be sent up to {attempts} times: until: retries the step until its condition holds"]


def _input(value: Any) -> str:
    if isinstance(value, Mapping) and value.get("secret") is True:
        return "(secret)"
    return str(value)
