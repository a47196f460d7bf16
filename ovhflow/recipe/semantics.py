"""Checks a schema cannot express: ids, templates and the names they use, loops over non-lists.

Every template is compiled here, so a syntax error is reported at validation with its FILE:LINE:COL.
Names are checked where it is certain they would fail at run time: a name no step, input, loop or global
provides; ``inputs.X`` for an undeclared X; ``steps.X`` where no earlier step has id X.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from ovhflow.errors import Location, RecipeError
from ovhflow.recipe.messages import describe, preview
from ovhflow.recipe.model import (
    CONTEXT_NAMES,
    GROUP_ACTION,
    INCLUDE_ACTION,
    LOOP_NAMES,
    RESERVED_NAMES,
    RESULT_NAMES,
    SET_RESERVED_NAMES,
    InputSpec,
    Step,
)
from ovhflow.recipe.name_checks import NameChecks
from ovhflow.recipe.schema import NAME_PATTERN
from ovhflow.recipe.secret_uses import AS_IS_ACTIONS, SecretUses
from ovhflow.recipe.yaml_loader import LocatedDict, LocatedList
from ovhflow.templating import Templates, is_template

_NAME = re.compile(NAME_PATTERN.strip("^$"))
EXPRESSION_ACTIONS = frozenset({"assert"})  # their value is a bare expression (or a list of them)
SET_ACTION = "set"  # its keys become variables for later steps


def set_names(steps: Iterable[Step]) -> set[str]:
    """The variables the ``set`` steps of this list define.

    As in the engine, a variable lives in the scope of the list that sets it: a ``set`` inside a group
    (or a loop iteration of one) is seen by the group's later steps, not by the steps after the group.
    """
    names: set[str] = set()
    for step in steps:
        # a looped set's variables live in their iteration only: later steps read steps.<id>.results
        if step.action == SET_ACTION and step.loop is None and isinstance(step.args, dict):
            names.update(key for key in step.args if isinstance(key, str))
    return names


class SemanticChecker(NameChecks):
    """Walks the steps of one recipe in document order, collecting located errors."""

    def __init__(
        self,
        templates: Templates,
        inputs: Mapping[str, InputSpec],
        steps: list[Step],
        lazy: Mapping[str, frozenset[str]],
    ) -> None:
        self.templates = templates
        self.inputs = inputs
        self.lazy = lazy
        self.variables = set_names(steps)
        # ids visible from the step being checked: one set per enclosing list of steps, since a group's
        # (or a loop iteration's) step records stay inside it, as in the engine's scopes
        self.scopes: list[dict[str, Step]] = []
        self.errors: list[RecipeError] = []
        self.known = CONTEXT_NAMES | templates.global_names | self.variables
        self.secrets = SecretUses(templates, inputs)

    def check(self, steps: list[Step]) -> list[RecipeError]:
        self.check_steps(steps, frozenset())
        return self.errors

    @property
    def earlier_ids(self) -> dict[str, Step]:
        visible: dict[str, Step] = {}
        for scope in self.scopes:
            visible.update(scope)
        return visible

    def check_steps(self, steps: list[Step], names: frozenset[str]) -> None:
        names = names | frozenset(set_names(steps))
        first_seen: dict[str, Step] = {}
        self.scopes.append({})
        for step in steps:
            if step.id is not None:
                if step.id in first_seen:
                    first = first_seen[step.id].value_locations.get("id")
                    line = f" (first at line {first.line})" if first else ""
                    self.fail(
                        f"duplicate id {step.id!r}{line}: ids are unique among the steps of a list",
                        step.value_locations.get("id", step.location),
                    )
                first_seen.setdefault(step.id, step)
            self.check_step(step, names)
            if step.id is not None:
                self.scopes[-1][step.id] = step
        self.scopes.pop()

    def fail(self, message: str, location: Location | None) -> None:
        self.errors.append(RecipeError(message, location))

    def check_step(self, step: Step, outer: frozenset[str]) -> None:
        where = step.value_locations.get
        names = outer
        if step.loop is not None:
            with self.secrets.stored_in("loop:"):
                self.check_loop(step, outer)
            if step.as_ in RESERVED_NAMES:
                self.fail(f"as: {step.as_!r} is a reserved name, choose another", where("as", step.location))
            names = outer | {step.as_} | LOOP_NAMES
        if step.when is not None:
            self.expression(step.when, where("when"), names)
        if step.name is not None:
            self.value(step.name, where("name"), names)
        for key in ("concurrency", "retries", "delay", "backoff"):
            if isinstance(getattr(step, key), str):
                with self.secrets.stored_in(f"{key}:"):
                    self.value(getattr(step, key), where(key), outer if key == "concurrency" else names)
        if step.until is not None:
            self.expression(step.until, where("until"), names | RESULT_NAMES, step.id)
        if step.log is not None:
            self.value(step.log, where("log"), names | RESULT_NAMES, step.id)
        if not isinstance(step.keep, bool):
            with self.secrets.stored_in("keep:"):
                self.value(step.keep, where("keep"), names | RESULT_NAMES)
        stored = None if step.action in AS_IS_ACTIONS else f"a {step.action!r} step's arguments"
        with self.secrets.stored_in(stored):
            self.check_action(step, names)

    def check_loop(self, step: Step, outer: frozenset[str]) -> None:
        location = step.value_locations.get("loop", step.location)
        loop = step.loop
        if isinstance(loop, list):
            self.value(loop, location, outer)
            return
        if not is_template(loop):
            self.fail(
                f"loop: {preview(loop)} is not a list: give a YAML list or a template such as "
                '"{{ steps.servers.result }}"',
                location,
            )
            return
        if not self.template(loop, location, outer):
            return
        if not self.templates.is_single_expression(loop):
            self.fail(
                "loop: the template must be one {{ expression }} that gives a list, with no text around it",
                location,
            )
            return
        constant, value = self.templates.literal(loop)
        if constant and not isinstance(value, (list, tuple)):
            self.fail(f"loop: {preview(loop)} gives {describe(value)}, not a list", location)
        spec = self.inputs.get(_input_named(loop) or "") if "inputs" not in outer else None
        if spec is not None and spec.type != "list":
            self.fail(f"loop: inputs.{spec.name} is declared as {spec.type}, not list", location)

    def check_action(self, step: Step, names: frozenset[str]) -> None:
        where = step.value_locations.get
        if step.action == GROUP_ACTION:
            self.check_steps(step.steps, names)
            return
        if step.action == INCLUDE_ACTION:
            self.check_with(step, names)
            return
        location = where(step.action, step.location)
        if step.action in EXPRESSION_ACTIONS:
            expressions = step.args if isinstance(step.args, list) else [step.args]
            for index, expression in enumerate(expressions):
                item_location = _item_location(step.args, index, location)
                self.expression(expression, item_location, names)
        elif step.action == SET_ACTION and isinstance(step.args, dict):
            self.check_set(step.args, location, names)
        elif isinstance(step.args, dict):  # keys the action renders itself (csv columns) are only compiled
            lazy = self.lazy.get(step.action, frozenset())
            for key, value in step.args.items():
                key_location = (
                    step.args.value_locations.get(key, location)
                    if isinstance(step.args, LocatedDict)
                    else location
                )
                self.value(value, key_location, names, compile_only=key in lazy)
        else:
            self.value(step.args, location, names)
        lazy = self.lazy.get(step.action, frozenset())
        for option, value in step.options.items():
            self.value(value, where(option, step.location), names, compile_only=option in lazy)

    def check_with(self, step: Step, names: frozenset[str]) -> None:
        """``with:`` values: a secret input may go only to an input the included recipe declares secret."""
        given = step.with_ or {}
        inputs = step.included.inputs if step.included is not None else {}
        for key, value in given.items():
            location = getattr(given, "value_locations", {}).get(key, step.value_locations.get("with"))
            secret = key in inputs and inputs[key].secret
            with self.secrets.stored_in(None if secret else f"with: {key} (not a secret input there)"):
                self.value(value, location, names)

    def check_set(self, variables: dict[str, Any], location: Location, names: frozenset[str]) -> None:
        for key, value in variables.items():
            key_location = (
                variables.key_locations.get(key, location) if isinstance(variables, LocatedDict) else location
            )
            if not _NAME.fullmatch(key):
                self.fail(
                    f"set: {key!r} is not a valid variable name (use letters, digits and _)", key_location
                )
            elif key in SET_RESERVED_NAMES:
                self.fail(f"set: {key!r} is a reserved name, choose another", key_location)
            value_location = (
                variables.value_locations.get(key, location)
                if isinstance(variables, LocatedDict)
                else location
            )
            self.value(value, value_location, names)

    # -- templates -------------------------------------------------------------------------------

    def value(
        self,
        value: Any,
        location: Location | None,
        names: frozenset[str],
        self_id: str | None = None,
        compile_only: bool = False,
    ) -> None:
        """Check every template string inside a value (recursively through mappings and lists)."""
        if isinstance(value, str):
            if compile_only:
                try:
                    self.templates.compile(value, location)
                except RecipeError as error:
                    self.errors.append(error)
                    return
                for problem in self.secrets.problems(value, expression=False):
                    self.fail(problem, location)
            else:
                self.template(value, location, names, self_id)
        elif isinstance(value, dict):
            for key, item in value.items():
                item_location = (
                    value.value_locations.get(key, location) if isinstance(value, LocatedDict) else location
                )
                self.value(item, item_location, names, self_id, compile_only)
        elif isinstance(value, list):
            for index, item in enumerate(value):
                self.value(item, _item_location(value, index, location), names, self_id, compile_only)

    def template(
        self, source: str, location: Location | None, names: frozenset[str], self_id: str | None = None
    ) -> bool:
        if not is_template(source):
            return True
        try:
            self.templates.compile(source, location)
        except RecipeError as error:
            self.errors.append(error)
            return False
        self.check_names(source, location, names, self_id, expression=False)
        return True

    def expression(
        self, source: Any, location: Location | None, names: frozenset[str], self_id: str | None = None
    ) -> None:
        if not isinstance(source, str):
            return  # a literal boolean
        try:
            self.templates.compile_expression(source, location)
        except RecipeError as error:
            self.errors.append(error)
            return
        self.check_names(source, location, names, self_id, expression=True)


_INPUT_EXPRESSION = re.compile(r"\{\{-?\s*inputs\.([A-Za-z_][A-Za-z0-9_]*)\s*-?\}\}\n?")


def _input_named(source: str) -> str | None:
    """``x`` when a template is exactly ``{{ inputs.x }}``."""
    match = _INPUT_EXPRESSION.fullmatch(source)
    return match.group(1) if match else None


def _item_location(container: Any, index: int, default: Location | None) -> Location | None:
    if isinstance(container, LocatedList) and index < len(container.item_locations):
        return container.item_locations[index]
    return default
