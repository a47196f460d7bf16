"""Loading a recipe file: parse with locations, validate, check templates, resolve includes.

Everything that can be known before the first request is checked here, and all problems found are
raised together as :class:`RecipeErrors`, each with its FILE:LINE:COL, sorted by position.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ovhflow.errors import Location, OvhflowError, RecipeError, RecipeErrors
from ovhflow.files.output_folder import path_problem
from ovhflow.recipe.environment_access import environment_reads, refused_by_name
from ovhflow.recipe.input_specs import build_input_specs
from ovhflow.recipe.inputs import TYPE_WORDS, matches_type, without_positions
from ovhflow.recipe.messages import describe, kind
from ovhflow.recipe.model import (
    DEFAULT_DELAY,
    DEFAULT_RETRIES,
    GROUP_ACTION,
    INCLUDE_ACTION,
    MODIFIERS,
    Recipe,
    Step,
)
from ovhflow.recipe.schema import CORE_KEYS
from ovhflow.recipe.semantics import SemanticChecker
from ovhflow.recipe.validation import StructureValidator
from ovhflow.recipe.yaml_loader import LocatedDict, LocatedList, load_yaml_source
from ovhflow.templating import Templates, is_template
from ovhflow.text.suggestions import did_you_mean

if TYPE_CHECKING:
    from ovhflow.plugin.manager import Plugins

MAX_INCLUDE_DEPTH = 16
MAX_ERRORS = 50  # a file with thousands of problems gets the first ones and a count, not a wall


def _raise(errors: Sequence[OvhflowError]) -> None:
    errors = sorted(errors, key=_sort_key)
    if len(errors) > MAX_ERRORS:
        hidden = len(errors) - MAX_ERRORS
        first_hidden = errors[MAX_ERRORS].location
        more = RecipeError(f"... and {hidden} more problems from here", first_hidden)
        errors = [*errors[:MAX_ERRORS], more]
    raise RecipeErrors(errors)


def load_recipe(path: str | Path, plugins: Plugins, templates: Templates | None = None) -> Recipe:
    """Load and fully validate a recipe; raise :class:`RecipeErrors` listing every problem found."""
    loader = RecipeLoader(plugins, templates or Templates.for_plugins(plugins))
    return loader.load(Path(path), ())


def _seconds(value: Any) -> Any:
    """Numbers become floats; a template string stays for the engine to render."""
    return float(value) if isinstance(value, (int, float)) else value


def _sort_key(error: OvhflowError) -> tuple[Any, ...]:
    where = error.location
    return (0, "", 0, 0) if where is None else (1, where.file, where.line, where.col)


def _non_finite_literals(value: Any, location: Location) -> list[OvhflowError]:
    """``.nan``, ``.inf`` and numbers too large for a float (YAML reads them as infinity) anywhere in the
    file: JSON has no such numbers, so no request, output or input may hold one."""
    if isinstance(value, float) and not math.isfinite(value):
        return [RecipeError(f"{value} is not a number JSON can carry (NaN or infinite)", location)]
    errors: list[OvhflowError] = []
    if isinstance(value, LocatedDict):
        for key, item in value.items():
            errors.extend(_non_finite_literals(item, value.value_locations.get(key, location)))
    elif isinstance(value, LocatedList):
        for index, item in enumerate(value):
            errors.extend(_non_finite_literals(item, value.item_locations[index]))
    return errors


class RecipeLoader:
    """Loads a recipe and the recipes it includes with one validator and one template environment."""

    def __init__(self, plugins: Plugins, templates: Templates) -> None:
        self.plugins = plugins
        self.templates = templates
        self.structure = StructureValidator(plugins)
        self.lazy = {name: frozenset(spec.lazy) for name, spec in plugins.actions.items()}
        self.output_paths = {name: spec.output_paths for name, spec in plugins.actions.items()}
        self.loaded: dict[Path, Recipe] = {}

    def load(self, path: Path, chain: tuple[Path, ...]) -> Recipe:
        try:
            document, sha256 = load_yaml_source(path)
        except RecipeError as error:
            raise RecipeErrors([error]) from None
        if not isinstance(document, LocatedDict):
            where = getattr(document, "location", None) or Location(str(path), 1, 1)
            raise RecipeErrors(
                [
                    RecipeError(
                        f"the top level must be a mapping with name: and steps:, got {kind(document)}",
                        where,
                    )
                ]
            )
        invalid = self.structure.validate(document)
        if invalid:
            _raise(invalid)
        inputs, input_errors = build_input_specs(document.get("inputs") or {})
        errors: list[OvhflowError] = list(input_errors)
        steps = [self.build_step(raw, path, chain, errors) for raw in document["steps"]]
        recipe = Recipe(
            name=document["name"],
            description=document.get("description", ""),
            inputs=inputs,
            steps=steps,
            sections={
                key: without_positions(value) for key, value in document.items() if key not in CORE_KEYS
            },
            path=path,
            raw=document,
            sha256=sha256,
        )
        errors.extend(refused_by_name(environment_reads(recipe, self.plugins)))
        errors.extend(_non_finite_literals(document, document.location))
        errors.extend(SemanticChecker(self.templates, inputs, steps, self.lazy).check(steps))
        if errors:
            _raise(errors)
        return recipe

    def build_step(
        self, raw: LocatedDict, path: Path, chain: tuple[Path, ...], errors: list[OvhflowError]
    ) -> Step:
        (action,) = self.structure.action_of(raw)
        until = raw.get("until")
        step = Step(
            action=action,
            args=raw[action],
            location=raw.location,
            id=raw.get("id"),
            name=raw.get("name"),
            options={key: value for key, value in raw.items() if key not in MODIFIERS and key != action},
            when=raw.get("when"),
            loop=raw.get("loop"),
            as_=raw.get("as", "item"),
            concurrency=raw.get("concurrency"),
            until=until,
            retries=raw.get("retries", DEFAULT_RETRIES if until is not None else 0),
            delay=_seconds(raw.get("delay", DEFAULT_DELAY if until is not None else 0.0)),
            backoff=_seconds(raw.get("backoff", 1.0)),
            ignore_errors=raw.get("ignore_errors", False),
            log=raw.get("log") if action != "log" else None,
            keep=raw.get("keep", True),
            key_locations=dict(raw.key_locations),
            value_locations=dict(raw.value_locations),
        )
        errors.extend(literal_output_problems(step, self.output_paths.get(action, frozenset())))
        if action == GROUP_ACTION:
            step.steps = [self.build_step(child, path, chain, errors) for child in raw[GROUP_ACTION]]
        elif action == INCLUDE_ACTION:
            step.options = {}
            step.with_ = raw.get("with") or {}
            self.include(step, path, chain, errors)
        return step

    def include(self, step: Step, path: Path, chain: tuple[Path, ...], errors: list[OvhflowError]) -> None:
        location = step.value_locations.get(INCLUDE_ACTION, step.location)
        if is_template(step.args):
            errors.append(RecipeError("include: takes a file path, not a template", location))
            return
        target = path.parent / step.args
        resolved = target.resolve()
        here = (*chain, path.resolve())
        if resolved in here:
            names = [p.name for p in here[here.index(resolved) :]]
            errors.append(RecipeError(f"include cycle: {' -> '.join(names)} -> {resolved.name}", location))
            return
        if len(here) >= MAX_INCLUDE_DEPTH:
            errors.append(RecipeError(f"include: more than {MAX_INCLUDE_DEPTH} nested includes", location))
            return
        if not target.is_file():
            what = "is a directory" if target.is_dir() else "no such file"
            errors.append(RecipeError(f"include: {step.args}: {what} ({target})", location))
            return
        included = self.loaded.get(resolved)
        if included is None:
            try:
                included = self.load(target, here)
            except RecipeErrors as failure:
                errors.extend(failure.errors)
                return
            self.loaded[resolved] = included
        step.include, step.included, step.steps = target, included, included.steps
        self.check_with(step, included, errors)

    @staticmethod
    def check_with(step: Step, included: Recipe, errors: list[OvhflowError]) -> None:
        given = step.with_ or {}
        with_location = step.value_locations.get("with", step.location)
        key_locations = given.key_locations if isinstance(given, LocatedDict) else {}
        declared = ", ".join(included.inputs) or "none"
        value_locations = given.value_locations if isinstance(given, LocatedDict) else {}
        for name, value in given.items():
            spec = included.inputs.get(name)
            if spec is None:
                errors.append(
                    RecipeError(
                        f"with: {name!r} is not an input of {included.path.name}"
                        f"{did_you_mean(name, included.inputs)} (its inputs: {declared})",
                        key_locations.get(name, with_location),
                    )
                )
            elif not is_template(value) and value is not None and not matches_type(value, spec.type):
                errors.append(
                    RecipeError(
                        f"with: {name!r} of {included.path.name} expects {TYPE_WORDS[spec.type]}, "
                        f"got {describe(value)}",
                        value_locations.get(name, with_location),
                    )
                )
        for name, spec in included.inputs.items():
            if spec.required and name not in given and not spec.env:
                errors.append(
                    RecipeError(
                        f"with: missing required input {name!r} of {included.path.name}", with_location
                    )
                )


def literal_output_problems(step: Step, keys: frozenset[str]) -> list[RecipeError]:
    """A literal output path (``keys`` of the step's mapping) no output folder takes (absolute, ``..``,
    ``ovh.conf``, ``*.pth``...: :func:`ovhflow.files.output_folder.path_problem`), located at its value;
    a templated one is checked once rendered, by the engine."""
    if not keys or not isinstance(step.args, LocatedDict):
        return []
    errors = []
    for key in sorted(keys):
        value = step.args.get(key)
        if isinstance(value, str) and not is_template(value):
            problem = path_problem(value)
            if problem is not None:
                where = step.args.value_locations.get(key, step.location)
                errors.append(RecipeError(f"{step.action}: {key} {value!r} {problem}", where))
    return errors
