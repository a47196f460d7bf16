"""The recipe JSON Schema: valid Draft 2020-12, made of every action and section, and consistent with the
step-by-step validation (a recipe the loader accepts validates; a structurally bad one does not)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

from ovhflow.errors import PluginError
from ovhflow.plugin.manager import load_plugins
from ovhflow.plugin_api import ActionSpec
from ovhflow.recipe import build_recipe_schema
from ovhflow.recipe.inputs import without_positions
from ovhflow.recipe.schema import check_plugin_actions
from ovhflow.recipe.yaml_loader import load_yaml_file
from tests.cli_invoke import invoke_ovhflow
from tests.helpers import RECIPES_DIR
from tests.recipe.helpers import CORPUS

STRUCTURALLY_BAD = [
    "bad_two_actions",
    "bad_unknown_action",
    "bad_no_action",
    "bad_option_of_other_action",
    "bad_unknown_modifier",
    "bad_wrong_type_retries",
    "bad_wrong_type_name",
    "bad_step_not_mapping",
    "bad_missing_name",
    "bad_empty_steps",
    "bad_retries_without_until",
    "bad_loop_mapping",
    "bad_input_type",
    "bad_id_pattern",
]


@pytest.fixture(scope="module")
def validator(plugins) -> Draft202012Validator:
    schema = build_recipe_schema(plugins)
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def test_schema_names_every_action_and_modifier(plugins) -> None:
    schema = build_recipe_schema(plugins)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    for action in [*plugins.actions, "steps", "include"]:
        step = schema["$defs"][f"step_{action}"]
        assert step["required"] == [action] and step["additionalProperties"] is False
        assert {"id", "when", "loop", "until", "retries", "ignore_errors", "log"} <= set(step["properties"])
    assert {"$ref": "#/$defs/step_get"} in schema["$defs"]["step"]["oneOf"]
    assert set(schema["$defs"]["step_get"]["properties"]) >= set(plugins.actions["get"].options)


@pytest.mark.parametrize("name", ["good_burst", "good_everything", "included_ok"])
def test_valid_recipes_validate_against_the_full_schema(validator, name: str) -> None:
    assert list(validator.iter_errors(without_positions(load_yaml_file(CORPUS / f"{name}.yaml")))) == []


@pytest.mark.parametrize("name", STRUCTURALLY_BAD)
def test_structurally_bad_recipes_fail_the_full_schema_too(validator, name: str) -> None:
    assert not validator.is_valid(without_positions(load_yaml_file(CORPUS / f"{name}.yaml")))


def test_log_beside_an_action_is_a_modifier_in_the_schema(validator) -> None:
    both = {"name": "n", "steps": [{"get": "/me", "log": "done"}]}
    two = {"name": "n", "steps": [{"get": "/me", "put": "/me"}]}
    assert validator.is_valid(both) and not validator.is_valid(two)


@pytest.mark.parametrize("name", ["when", "steps", "include", "id"])
def test_plugin_actions_cannot_take_language_keywords(name: str) -> None:
    with pytest.raises(PluginError, match="step keyword"):
        check_plugin_actions({name: ActionSpec(name, lambda call: None)})


def test_schema_command_prints_the_schema(tmp_path: Path) -> None:
    proc = invoke_ovhflow("schema")
    assert proc.returncode == 0, proc.stderr
    printed = json.loads(proc.stdout)
    Draft202012Validator.check_schema(printed)
    assert printed == build_recipe_schema(load_plugins())
    assert proc.stdout.startswith('{\n  "$schema"')  # indent 2, for people and editors


@pytest.mark.parametrize("path", sorted(RECIPES_DIR.glob("*.yaml")), ids=lambda p: p.name)
def test_gallery_recipes_validate_against_the_printed_schema(path: Path) -> None:
    # what an editor using `ovhflow schema` sees: the installed plugins (csv...) included
    plugins = load_plugins()
    validator = Draft202012Validator(build_recipe_schema(plugins))
    assert list(validator.iter_errors(without_positions(load_yaml_file(path)))) == []
