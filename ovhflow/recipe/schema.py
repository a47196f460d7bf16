"""The recipe JSON Schema (Draft 2020-12), assembled from the core language and every plugin.

``ovhflow schema`` prints :func:`build_recipe_schema` for editors. Validation uses the same pieces, but one
step at a time (see :mod:`ovhflow.recipe.validation`): first which action a step names, then that action's
schema, so that a mistake gives one message instead of a ``oneOf`` failure per action.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ovhflow.errors import PluginError
from ovhflow.recipe.model import CORE_ACTIONS, GROUP_ACTION, INCLUDE_ACTION, INPUT_TYPES, MODIFIERS

if TYPE_CHECKING:
    from ovhflow.plugin.manager import Plugins
    from ovhflow.plugin_api import ActionSpec

DIALECT = "https://json-schema.org/draft/2020-12/schema"
ID_PATTERN = r"^[a-z_][a-z0-9_]*$"
NAME_PATTERN = r"^[A-Za-z_][A-Za-z0-9_]*$"
CORE_KEYS = ("name", "description", "inputs", "steps")
STEP_REF = {"$ref": "#/$defs/step"}
OBJECT = {"type": "object"}

# A step key that only makes sense with another key.
DEPENDENCIES = {
    "retries": ["until"],
    "delay": ["until"],
    "backoff": ["until"],
    "as": ["loop"],
    "concurrency": ["loop"],
}

TEMPLATE = {"type": "string", "pattern": r"\{\{"}


def _number_or_template(kind: str, low: float, high: float, description: str) -> dict[str, Any]:
    """A number in a range, or a template rendered at run time (``retries: "{{ inputs.attempts }}"``)."""
    word = "an integer" if kind == "integer" else "a number"
    return {
        "anyOf": [{"type": kind, "minimum": low, "maximum": high}, TEMPLATE],
        "description": description,
        "x-accepts": f"{word} from {low} to {high}, or a {{{{ template }}}}",
    }


MODIFIER_SCHEMAS: dict[str, dict[str, Any]] = {
    "id": {
        "type": "string",
        "pattern": ID_PATTERN,
        "description": "Records the step's result as steps.<id>; unique among its sibling steps.",
        "x-hint": "use lowercase letters, digits and _, not starting with a digit",
    },
    "name": {"type": "string", "description": "A label for logs."},
    "when": {"type": ["string", "boolean"], "description": "Bare expression: run the step only when true."},
    "loop": {
        "type": ["array", "string"],
        "description": "A list, or a template giving one: the step runs once per item.",
    },
    "as": {
        "type": "string",
        "pattern": NAME_PATTERN,
        "description": "Name of the loop variable (default: item).",
        "x-hint": "use letters, digits and _, not starting with a digit",
    },
    "concurrency": _number_or_template("integer", 1, 256, "Loop iterations in flight at once."),
    "until": {
        "type": ["string", "boolean"],
        "description": "Bare expression over `result`: retry until true.",
    },
    "retries": _number_or_template("integer", 0, 1000, "Attempts after the first (with until)."),
    "delay": _number_or_template("number", 0, 86400, "Seconds between attempts (with until)."),
    "backoff": _number_or_template("number", 1, 10, "Delay multiplier per attempt (with until)."),
    "ignore_errors": {"type": "boolean", "description": "Record a failure and carry on."},
    "log": {"type": "string", "description": "Message printed after the action ran."},
    "keep": {
        "type": ["boolean", "string", "object", "array"],
        "description": "What steps.<id> records of each result: false for nothing, or a template over "
        "`result` (default: all of it). Keeps a long loop's memory small.",
    },
}
assert tuple(MODIFIER_SCHEMAS) == MODIFIERS

INPUT_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "type": {"enum": list(INPUT_TYPES), "description": "Value type; -p values are converted to it."},
        "default": {"description": "Value when no -p, --params or env gives one."},
        "required": {"type": "boolean", "description": "Default: true unless a default is given."},
        "description": {"type": "string"},
        "env": {"type": "string", "pattern": NAME_PATTERN, "description": "Environment variable to read."},
        "secret": {"type": "boolean", "description": "Never printed, logged or reported."},
        "choices": {"type": "array", "minItems": 1, "description": "The allowed values."},
    },
}


def core_actions(step_items: Mapping[str, Any]) -> dict[str, tuple[dict[str, Any], dict[str, Any]]]:
    """The actions of the language itself: action name -> (schema of its key, its options)."""
    return {
        GROUP_ACTION: (
            {"type": "array", "minItems": 1, "items": dict(step_items), "description": "A group of steps."},
            {},
        ),
        INCLUDE_ACTION: (
            {"type": "string", "minLength": 1, "description": "Another recipe file, relative to this one."},
            {"with": {"type": "object", "description": "Inputs of the included recipe."}},
        ),
    }


# Names no plugin action may take: the step modifiers and core actions (``log`` is the built-in action's).
RESERVED_ACTION_NAMES = frozenset((set(MODIFIERS) - {"log"}) | set(CORE_ACTIONS))


def check_plugin_actions(actions: Mapping[str, ActionSpec]) -> None:
    """Refuse plugin actions or options whose names the language already uses."""
    for name, spec in actions.items():
        if name in RESERVED_ACTION_NAMES:
            raise PluginError(f"action {name!r}: that name is a step keyword of the recipe language")
        clash = set(spec.options) & (set(MODIFIERS) | set(CORE_ACTIONS) | set(actions))
        if clash:
            raise PluginError(f"action {name!r}: option {sorted(clash)[0]!r} is already a step keyword")


def action_step_schema(action: str, schema: Mapping[str, Any], options: Mapping[str, Any]) -> dict[str, Any]:
    """The schema of a step whose action is ``action``: modifiers, the action key and its options."""
    properties: dict[str, Any] = copy.deepcopy(MODIFIER_SCHEMAS)
    properties[action] = copy.deepcopy(dict(schema))
    for option, option_schema in options.items():
        properties[option] = copy.deepcopy(dict(option_schema))
    return {
        "type": "object",
        "required": [action],
        "properties": properties,
        "additionalProperties": False,
        "dependentRequired": copy.deepcopy(DEPENDENCIES),
    }


def step_schemas(plugins: Plugins, step_items: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """Action name -> schema of a step with that action; plugin actions and the core ones."""
    check_plugin_actions(plugins.actions)
    result = {
        name: action_step_schema(name, schema, options)
        for name, (schema, options) in core_actions(step_items).items()
    }
    for name, spec in sorted(plugins.actions.items()):
        result[name] = action_step_schema(name, spec.schema, spec.options)
        if spec.description:
            result[name]["description"] = spec.description
    return result


def plugin_sections(plugins: Plugins) -> dict[str, dict[str, Any]]:
    """Top-level recipe keys plugins add (``notify``...), name -> schema."""
    sections: dict[str, dict[str, Any]] = {}
    for provided in plugins.hook.ovhflow_recipe_sections():
        for name, schema in (provided or {}).items():
            if name in CORE_KEYS or name in sections:
                raise PluginError(f"recipe section {name!r} is already taken")
            sections[name] = copy.deepcopy(dict(schema))
    return sections


def top_level_schema(plugins: Plugins, step_items: Mapping[str, Any]) -> dict[str, Any]:
    """The recipe mapping itself; ``step_items`` is the schema of each item of ``steps``."""
    properties: dict[str, Any] = {
        "name": {
            "type": "string",
            "minLength": 1,
            "description": "What the recipe does, for logs and reports.",
        },
        "description": {"type": "string"},
        "inputs": {
            "type": "object",
            "propertyNames": {"pattern": NAME_PATTERN},
            "additionalProperties": {"$ref": "#/$defs/input"},
            "description": "Input name -> spec; values come from -p, --params, env or default.",
        },
        "steps": {"type": "array", "minItems": 1, "items": dict(step_items)},
    }
    properties.update(plugin_sections(plugins))
    return {
        "$schema": DIALECT,
        "title": "ovhflow recipe",
        "type": "object",
        "required": ["name", "steps"],
        "properties": properties,
        "additionalProperties": False,
        "$defs": {"input": copy.deepcopy(INPUT_SCHEMA)},
    }


def build_recipe_schema(plugins: Plugins) -> dict[str, Any]:
    """The full recipe schema, every registered action included (for editors and ``ovhflow schema``).

    A step is ``oneOf`` the per-action step schemas: each forbids keys other than its own, so a step
    with two actions matches none and a step with one action matches exactly one (``log`` is a
    modifier in every other action's schema, so ``get`` + ``log`` matches only the ``get`` one).
    """
    schema = top_level_schema(plugins, STEP_REF)
    per_action = step_schemas(plugins, STEP_REF)
    for name, step_schema in per_action.items():
        schema["$defs"][f"step_{name}"] = step_schema
    schema["$defs"]["step"] = {
        "type": "object",
        "description": "One step: exactly one action plus modifiers.",
        "oneOf": [{"$ref": f"#/$defs/step_{name}"} for name in per_action],
    }
    return schema
