"""Input values: -p, --params, env and defaults, converted to the declared type before anything runs."""

from __future__ import annotations

from pathlib import Path

import pytest

from ovhflow.errors import RecipeError, RecipeErrors, UsageError
from ovhflow.recipe import load_recipe, resolve_inputs

RECIPE = """\
name: inputs
inputs:
  dc: {type: string, default: sbg1, choices: [sbg1, gra1]}
  limit: {type: integer, required: false}
  ratio: {type: number, default: 0.5}
  dry: {type: boolean, default: false}
  ids: {type: list, default: []}
  extra: {type: object, default: {}}
  zone: {type: string, env: OVHFLOW_TEST_ZONE}
  token: {type: string, secret: true, required: false, env: OVHFLOW_TEST_TOKEN}
steps:
  - log: "{{ inputs.dc }}"
"""


@pytest.fixture
def recipe(write, plugins):
    return load_recipe(write(RECIPE), plugins)


def test_specs_are_built_from_the_recipe(recipe) -> None:
    dc, limit, zone = recipe.inputs["dc"], recipe.inputs["limit"], recipe.inputs["zone"]
    assert (dc.type, dc.default, dc.required, dc.choices) == ("string", "sbg1", False, ["sbg1", "gra1"])
    assert limit.required is False and not limit.default
    assert zone.required is True and zone.env == "OVHFLOW_TEST_ZONE"
    assert recipe.inputs["token"].secret is True


def test_values_come_from_p_then_file_then_env_then_default(recipe, tmp_path: Path) -> None:
    params_file = tmp_path / "params.yaml"
    params_file.write_text("ratio: 2.5\nids: [a, b]\nzone: from-file\n", encoding="utf-8")
    values = resolve_inputs(
        recipe, {"zone": "from-p", "limit": "7"}, params_file, {"OVHFLOW_TEST_ZONE": "env"}
    )
    assert values == {
        "dc": "sbg1",
        "limit": 7,
        "ratio": 2.5,
        "dry": False,
        "ids": ["a", "b"],
        "extra": {},
        "zone": "from-p",
    }  # `token` is optional without a default: left out, so `inputs.token is defined` is false
    assert resolve_inputs(recipe, {}, None, {"OVHFLOW_TEST_ZONE": "env"})["zone"] == "env"


@pytest.mark.parametrize(
    ("name", "text", "value"),
    [
        ("limit", "42", 42),
        ("limit", " -3 ", -3),
        ("ratio", "1e3", 1000.0),
        ("ratio", "2", 2),
        ("dry", "yes", True),
        ("dry", "OFF", False),
        ("ids", "a, b ,c", ["a", "b", "c"]),
        ("ids", "[1, 'x y']", [1, "x y"]),
        ("ids", "", []),
        ("extra", "{a: 1, b: [2]}", {"a": 1, "b": [2]}),
        ("dc", "gra1", "gra1"),
    ],
)
def test_p_values_are_converted(recipe, name: str, text: str, value) -> None:
    resolved = resolve_inputs(recipe, {name: text, "zone": "z"}, None, {})
    assert resolved[name] == value and type(resolved[name]) is type(value)


@pytest.mark.parametrize(
    ("name", "text", "fragment"),
    [
        ("limit", "ten", "-p limit: 'ten' is not an integer"),
        ("limit", "1.5", "is not an integer"),
        ("ratio", "nan", "expected a finite number"),
        ("dry", "perhaps", "is not true or false"),
        ("ids", "[a, b", "is not a list"),
        ("extra", "[1]", "is not a mapping"),
    ],
)
def test_malformed_p_values_are_usage_errors(recipe, name: str, text: str, fragment: str) -> None:
    with pytest.raises(UsageError) as caught:
        resolve_inputs(recipe, {name: text, "zone": "z"}, None, {})
    assert fragment in str(caught.value) and caught.value.exit_status == 2


def test_unknown_p_name_suggests_the_right_one(recipe) -> None:
    with pytest.raises(
        UsageError, match=r"-p limt: the recipe has no input 'limt' \(did you mean 'limit'\?\)"
    ):
        resolve_inputs(recipe, {"limt": "3"}, None, {})


def test_missing_required_and_bad_choice_are_reported_together(recipe) -> None:
    with pytest.raises(RecipeErrors) as caught:
        resolve_inputs(recipe, {"dc": "bhs1"}, None, {})
    messages = [error.message for error in caught.value.errors]
    assert "input 'dc': 'bhs1' is not one of sbg1, gra1" in messages
    assert "missing required input 'zone': pass -p zone=VALUE or set $OVHFLOW_TEST_ZONE" in messages
    assert caught.value.exit_status == 2


def test_params_file_errors_are_located(recipe, tmp_path: Path) -> None:
    params_file = tmp_path / "p.yaml"
    params_file.write_text("zone: z\nlimit: [1]\n", encoding="utf-8")
    with pytest.raises(RecipeError) as caught:
        resolve_inputs(recipe, {}, params_file, {})
    assert (
        str(caught.value) == f"{params_file}:2:8: params file: input 'limit' expects an integer, got a list"
    )
    params_file.write_text("zone: z\nlimitt: 1\n", encoding="utf-8")
    with pytest.raises(RecipeError) as caught:
        resolve_inputs(recipe, {}, params_file, {})
    assert str(caught.value).startswith(f"{params_file}:2:1: params file: the recipe has no input 'limitt'")
    params_file.write_text("- a\n", encoding="utf-8")
    with pytest.raises(RecipeError, match="a params file is a mapping"):
        resolve_inputs(recipe, {}, params_file, {})
    with pytest.raises(RecipeError, match="no such file"):
        resolve_inputs(recipe, {}, tmp_path / "missing.yaml", {})


def test_secret_values_never_appear_in_errors(recipe, tmp_path: Path) -> None:
    secret = "s3cr3t-Value-42"
    specs = recipe.inputs
    specs["token"].type = "integer"  # so that the secret text is a malformed value
    for attempt in (
        lambda: resolve_inputs(recipe, {"token": secret, "zone": "z"}, None, {}),
        lambda: resolve_inputs(recipe, {"zone": "z"}, None, {"OVHFLOW_TEST_TOKEN": secret}),
    ):
        with pytest.raises((RecipeError, UsageError)) as caught:
            attempt()
        assert secret not in str(caught.value) and "the value is not an integer" in str(caught.value)
    specs["token"].type, specs["token"].choices = "string", ["a"]
    with pytest.raises(RecipeError) as caught:
        resolve_inputs(recipe, {"token": secret, "zone": "z"}, None, {})
    assert secret not in str(caught.value)


@pytest.mark.parametrize(
    ("spec", "fragment"),
    [
        ("{type: integer, default: ten}", "inputs.x.default: expected an integer, got the string 'ten'"),
        ("{type: string, required: true, default: a}", "required: true and a default contradict"),
        ("{type: integer, choices: [1, two]}", "inputs.x.choices[1]: expected an integer"),
        ("{type: string, default: c, choices: [a, b]}", "inputs.x.default: 'c' is not one of its choices"),
        ("{type: str}", "inputs.x.type: must be one of string, integer"),
        ("{env: 1BAD}", "inputs.x.env: a string of 4 characters is not valid"),
    ],
)
def test_contradictory_input_specs_are_recipe_errors(write, plugins, spec: str, fragment: str) -> None:
    path = write(f"name: n\ninputs:\n  x: {spec}\nsteps:\n  - log: hi\n")
    with pytest.raises(RecipeErrors) as caught:
        load_recipe(path, plugins)
    assert any(
        fragment in str(error) and str(error).startswith(f"{path}:3:") for error in caught.value.errors
    ), [str(e) for e in caught.value.errors]


def test_secret_default_is_masked_in_repr(write, plugins) -> None:
    recipe = load_recipe(
        write("name: n\ninputs:\n  t: {secret: true, default: hunter2}\nsteps:\n  - log: x\n"), plugins
    )
    assert "hunter2" not in repr(recipe.inputs["t"]) and "***" in repr(recipe.inputs["t"])
    assert "hunter2" not in repr(recipe)
