"""Structural validation of a parsed recipe against the JSON Schema, one step at a time.

The top level is validated with steps left as plain mappings; then each step in two passes: which action
does it name (exactly one of the registered ones, unknown keys get a "did you mean"), then that action's
schema. A typo in a key thus reads "unknown key 'gett' in step" rather than a failure per action.

A document :func:`~ovhflow.recipe.schema_check.decide` finds valid is not shown to jsonschema at all:
jsonschema is imported, and its validators built, only to explain a document that may be invalid.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from ovhflow.errors import RecipeError
from ovhflow.recipe.messages import follow, missing_plugin_hint, path_words
from ovhflow.recipe.model import CORE_ACTIONS, GROUP_ACTION, MODIFIERS
from ovhflow.recipe.schema import OBJECT, step_schemas, top_level_schema
from ovhflow.recipe.schema_check import decide
from ovhflow.recipe.yaml_loader import LocatedDict
from ovhflow.text.suggestions import did_you_mean

if TYPE_CHECKING:
    from ovhflow.plugin.manager import Plugins


class StructureValidator:
    """Schema validation of a recipe document; built once per plugin set and reused for includes."""

    def __init__(self, plugins: Plugins) -> None:
        self.plugins = plugins
        self.top_schema = top_level_schema(plugins, OBJECT)
        self.step_schemas = step_schemas(plugins, OBJECT)
        # action -> the sibling keys it accepts besides the modifiers
        self.options = {
            name: tuple(key for key in schema["properties"] if key not in MODIFIERS and key != name)
            for name, schema in self.step_schemas.items()
        }
        self.validators: dict[int, Any] = {}  # id(schema) -> its jsonschema validator, built on need

    @property
    def action_names(self) -> tuple[str, ...]:
        return tuple(self.step_schemas)

    def schema_errors(
        self, schema: dict[str, Any], instance: Any, document: Any, prefix: Sequence[Any] = ()
    ) -> list[RecipeError]:
        """The problems of ``instance`` (at ``prefix`` in ``document``) against ``schema``; none if valid."""
        if decide(schema, instance) is True:
            return []
        # lazy: jsonschema only for a document the quick check could not pass (start-up time)
        from ovhflow.recipe.schema_errors import Draft202012Validator, schema_errors

        validator = self.validators.get(id(schema))
        if validator is None:
            validator = self.validators[id(schema)] = Draft202012Validator(schema)
        return schema_errors(validator, instance, document, prefix)

    def validate(self, document: LocatedDict) -> list[RecipeError]:
        """Every structural problem of a recipe document (top level, then each step)."""
        errors = self.schema_errors(self.top_schema, document, document)
        steps = document.get("steps")
        if isinstance(steps, list):
            errors.extend(self.validate_steps(steps, document, ["steps"]))
        return errors

    def validate_steps(self, steps: list[Any], document: Any, prefix: list[Any]) -> list[RecipeError]:
        errors: list[RecipeError] = []
        for index, step in enumerate(steps):
            if isinstance(step, dict):
                errors.extend(self.validate_step(step, document, [*prefix, index]))
            # a non-mapping step was reported by its parent's schema (items: object)
        return errors

    def action_of(self, step: dict[str, Any]) -> list[str]:
        """The action keys of a step; ``log`` counts only when nothing else is an action."""
        present = [key for key in step if key in self.step_schemas]
        if len(present) > 1 and "log" in present:
            present.remove("log")
        return present

    def validate_step(self, step: dict[str, Any], document: Any, path: list[Any]) -> list[RecipeError]:
        words = path_words(path)
        _, step_location = follow(document, path)
        key_locations = step.key_locations if isinstance(step, LocatedDict) else {}
        present = self.action_of(step)
        all_options = {option for options in self.options.values() for option in options}
        known = set(self.action_names) | set(MODIFIERS) | all_options
        unknown = [key for key in step if key not in known]
        if not present:
            if unknown:
                # the step has no action: an unknown key is likely one, maybe of a plugin not loaded
                return [
                    RecipeError(
                        f"unknown key {key!r} in step {words}"
                        f"{did_you_mean(key, known) or missing_plugin_hint(key)}",
                        key_locations.get(key, step_location),
                    )
                    for key in unknown
                ]
            return [
                RecipeError(f"step {words} has no action: add one of {self._action_list()}", step_location)
            ]
        if len(present) > 1:
            listed = ", ".join(repr(key) for key in present[:-1]) + f" and {present[-1]!r}"
            return [
                RecipeError(
                    f"step {words} has {len(present)} actions, {listed}: a step does exactly one thing, "
                    "split it into one step per action",
                    key_locations.get(present[1], step_location),
                )
            ]
        action = present[0]
        allowed = set(MODIFIERS) | {action} | set(self.options[action])
        errors = []
        for key in step:
            if key in allowed:
                continue
            location = key_locations.get(key, step_location)
            if key in all_options:
                has = ", ".join(self.options[action]) or "none"
                errors.append(
                    RecipeError(
                        f"{key!r} is not an option of {action!r} in step {words} (its options: {has})",
                        location,
                    )
                )
            else:
                candidates = allowed | set(self.action_names) | all_options
                errors.append(
                    RecipeError(
                        f"unknown key {key!r} in step {words}{did_you_mean(key, candidates)}", location
                    )
                )
        if errors:
            return errors
        errors = self.schema_errors(self.step_schemas[action], step, document, path)
        children = step.get(GROUP_ACTION)
        if action == GROUP_ACTION and isinstance(children, list):
            errors.extend(self.validate_steps(children, document, [*path, GROUP_ACTION]))
        return errors

    def _action_list(self) -> str:
        plugin_actions = [name for name in self.action_names if name not in CORE_ACTIONS]
        return ", ".join([*plugin_actions, *CORE_ACTIONS])
