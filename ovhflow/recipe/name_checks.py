"""The names a template reads, checked where it is certain they would fail at run time (a mixin of
:class:`ovhflow.recipe.semantics.SemanticChecker`): names nothing provides, ``inputs.X`` for an undeclared
X, ``steps.X`` where no earlier step has id X, a looped step's record read as a plain one and the
reverse, names starting with ``_``, and the secret-input rule (:mod:`ovhflow.recipe.secret_uses`)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ovhflow.errors import Location
from ovhflow.recipe.messages import preview
from ovhflow.recipe.model import InputSpec, Step
from ovhflow.recipe.secret_uses import SecretUses
from ovhflow.text.suggestions import did_you_mean


class NameChecks:
    """Checks of the names a template reads; the checker provides the attributes declared here."""

    templates: Any
    inputs: Mapping[str, InputSpec]
    known: frozenset[str] | set[str]
    secrets: SecretUses

    @property
    def earlier_ids(self) -> dict[str, Step]:
        raise NotImplementedError

    def fail(self, message: str, location: Location | None) -> None:
        raise NotImplementedError

    def check_names(
        self,
        source: str,
        location: Location | None,
        names: frozenset[str],
        self_id: str | None,
        expression: bool,
    ) -> None:
        available = self.known | names
        for problem in self.secrets.problems(source, expression):
            self.fail(problem, location)
        for attribute in sorted(self.templates.private_attributes(source, expression)):
            self.fail(
                f"{preview(source)} reads {attribute!r}: templates cannot use names starting with _", location
            )
        for name in sorted(self.templates.names_used(source, expression) - available):
            self.fail(f"undefined name {name!r} in {preview(source)}{self.meant(name, available)}", location)
        for root, attribute in sorted(
            self.templates.attributes_used(source, ("inputs", "steps"), expression)
        ):
            if root in names:
                continue  # shadowed by a loop variable
            if root == "inputs" and attribute not in self.inputs:
                declared = ", ".join(self.inputs) or "none"
                self.fail(
                    f"inputs.{attribute} is not a declared input{did_you_mean(attribute, self.inputs)} "
                    f"(declared: {declared})",
                    location,
                )
            elif root == "steps" and attribute not in (visible := self.earlier_ids) and attribute != self_id:
                self.fail(
                    f"steps.{attribute}: no earlier step has id {attribute!r} here"
                    f"{did_you_mean(attribute, visible)} (a group's step ids stay inside the group)",
                    location,
                )
        self.check_record_fields(source, location, names, expression)

    def meant(self, name: str, available: frozenset[str] | set[str]) -> str:
        """The did-you-mean of an undefined name: an input or a step id used bare (``{{ names }}`` for
        ``inputs.names``) before a name that is spelt alike."""
        if name in self.inputs:
            return f" (did you mean 'inputs.{name}'?)"
        step = self.earlier_ids.get(name)
        if step is not None:
            return f" (did you mean 'steps.{name}.{'results' if step.loop is not None else 'result'}'?)"
        return did_you_mean(name, available)

    def check_record_fields(
        self, source: str, location: Location | None, names: frozenset[str], expression: bool
    ) -> None:
        """``steps.x.result`` for a looped step x (it has ``results`` and ``items``), and the reverse."""
        if "steps" in names:
            return
        visible = self.earlier_ids
        for root, step_id, field in sorted(self.templates.facts(source, expression).chains):
            step = visible.get(step_id) if root == "steps" else None
            if step is None:
                continue
            if step.loop is not None and field == "result":
                self.fail(
                    f"steps.{step_id} is a looped step: use steps.{step_id}.results (the results in item "
                    f"order) or steps.{step_id}.items (one record per item), not .result",
                    location,
                )
            elif step.loop is None and field in ("results", "items"):
                self.fail(
                    f"steps.{step_id} is not looped: use steps.{step_id}.result, not .{field}", location
                )
