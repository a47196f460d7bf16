"""Property tests: whatever the document, the loader and validator give a Recipe or RecipeErrors.

Documents are drawn from the recipe vocabulary (so that many get deep into step validation), from
arbitrary text, and from mutations of a valid recipe. A Recipe the loader accepts must also satisfy the
full JSON Schema that ``ovhflow schema`` prints.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from ovhflow.errors import OvhflowError, RecipeError, RecipeErrors, UsageError
from ovhflow.recipe import Recipe, build_recipe_schema, load_recipe, resolve_inputs
from ovhflow.recipe.inputs import without_positions
from ovhflow.recipe.yaml_loader import parse_yaml
from ovhflow.templating import Templates

STEP_KEYS = [
    "id", "name", "get", "post", "put", "delete", "set", "log", "assert", "fail", "include", "with", "steps",
    "when", "loop", "as", "concurrency", "until", "retries", "delay", "backoff", "ignore_errors", "query",
    "body", "auth", "message", "batch", "expand",
]  # fmt: skip
INPUT_KEYS = ["type", "default", "required", "description", "env", "secret", "choices"]
TEXTS = [
    "{{ item }}", "{{ steps.a.result }}", "{{", "{% if %}", "/me/{{ x }}", "inputs.x == 1", "{{ 5 }}",
    "a", "result.done", "{{ inputs.x }}", "string", "integer", "list", "{{ ''.__class__ }}", "included.yaml",
    "{{ range(10**9) }}", "item", "{{ [1, 2] }}", "x == 1 and", "/dedicated/server",
]  # fmt: skip

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-3, 300),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=12),
    st.sampled_from(TEXTS),
)
keys = st.one_of(st.sampled_from(STEP_KEYS + INPUT_KEYS + ["x", "a"]), st.text(max_size=6))
values = st.recursive(
    scalars,
    lambda children: st.lists(children, max_size=3) | st.dictionaries(keys, children, max_size=4),
    max_leaves=12,
)
plausible_steps = st.builds(
    lambda action, argument, modifiers: {action: argument, **modifiers},
    st.sampled_from(["get", "post", "put", "delete", "log", "fail", "assert"]),
    st.sampled_from(["/me", "/me/{{ item }}", "hello {{ inputs.x }}", "{{ steps.a.result }}", "x == 1"]),
    st.dictionaries(
        st.sampled_from(["when", "loop", "id", "ignore_errors", "name", "as"]),
        st.sampled_from([True, "item == 1", "{{ [1, 2] }}", ["a"], "a", "{{ item }}", 3]),
        max_size=3,
    ),
)
steps = st.one_of(
    plausible_steps, st.dictionaries(st.sampled_from(STEP_KEYS), values, min_size=1, max_size=4)
)
input_specs = st.dictionaries(st.sampled_from(INPUT_KEYS), values, max_size=3)
recipes = st.fixed_dictionaries(
    {"name": st.one_of(st.text(min_size=1, max_size=10), values), "steps": st.lists(steps, max_size=4)},
    optional={
        "inputs": st.dictionaries(st.sampled_from(["x", "y", "Bad-Name"]), input_specs, max_size=2),
        "description": values,
        "extra": values,
    },
)

plausible_recipes = st.fixed_dictionaries(
    {
        "name": st.just("plausible"),
        "inputs": st.just({"x": {"type": "integer", "default": 1}}),
        "steps": st.lists(
            st.builds(
                lambda action, argument, when, loop: {action: argument, **when, **loop},
                st.sampled_from(["get", "post", "log", "fail"]),
                st.sampled_from(["/me", "/me/{{ item }}", "n={{ inputs.x }}", "{{ inputs.y }}"]),
                st.sampled_from([{}, {"when": True}, {"when": "inputs.x == 1"}, {"when": "item > 1"}]),
                st.sampled_from([{}, {"loop": [1, 2]}, {"loop": "{{ [1, 2] }}"}, {"loop": "{{ 3 }}"}]),
            ),
            min_size=1,
            max_size=4,
        ),
    }
)

SEED = """name: seed
inputs:
  x: {type: integer, default: 1}
steps:
  - id: a
    get: /me/{{ inputs.x }}
  - loop: "{{ steps.a.result }}"
    when: item > 1
    put: /me/{{ item }}
    body: {a: [1, 2]}
"""


@pytest.fixture(scope="module")
def work_dir() -> Path:
    with tempfile.TemporaryDirectory() as name:
        (Path(name) / "included.yaml").write_text("name: inc\nsteps:\n  - log: hi\n", encoding="utf-8")
        yield Path(name)


@pytest.fixture(scope="module")
def shared(plugins):
    return Templates.for_plugins(plugins), Draft202012Validator(build_recipe_schema(plugins))


def check_text(text: str, work_dir: Path, plugins, shared) -> None:
    templates, full_schema = shared
    path = work_dir / "recipe.yaml"
    path.write_text(text, encoding="utf-8")
    try:
        recipe = load_recipe(path, plugins, templates)
    except RecipeErrors as failure:
        assert failure.errors and all(isinstance(e, RecipeError) and e.message for e in failure.errors)
        assert failure.exit_status == 2
        event("recipe error")
        return
    event("valid recipe")
    assert isinstance(recipe, Recipe) and recipe.steps
    assert full_schema.is_valid(without_positions(parse_yaml(text, "x"))), text
    try:
        resolve_inputs(recipe, {}, None, {})
    except (RecipeError, UsageError):
        pass


SETTINGS = settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@SETTINGS
@given(document=recipes)
def test_recipe_shaped_documents(document, work_dir, plugins, shared) -> None:
    check_text(yaml.safe_dump(document, allow_unicode=True), work_dir, plugins, shared)


@SETTINGS
@given(document=plausible_recipes)
def test_plausible_recipes(document, work_dir, plugins, shared) -> None:
    check_text(yaml.safe_dump(document), work_dir, plugins, shared)


@SETTINGS
@given(text=st.text(max_size=200))
def test_arbitrary_text(text, work_dir, plugins, shared) -> None:
    check_text(text, work_dir, plugins, shared)


@SETTINGS
@given(
    edits=st.lists(st.tuples(st.integers(0, len(SEED)), st.integers(0, 3), st.text(max_size=3)), max_size=4)
)
def test_mutations_of_a_valid_recipe(edits, work_dir, plugins, shared) -> None:
    text = SEED
    for position, removed, inserted in edits:
        text = text[:position] + inserted + text[position + removed :]
    check_text(text, work_dir, plugins, shared)


@SETTINGS
@given(params=st.dictionaries(st.sampled_from(["x", "y", "z"]), st.text(max_size=12), max_size=3))
def test_arbitrary_p_values(params, work_dir, plugins, shared) -> None:
    path = work_dir / "typed.yaml"
    path.write_text(
        "name: t\ninputs:\n  x: {type: integer}\n  y: {type: list, required: false}\n"
        "  z: {type: object, required: false}\nsteps:\n  - log: hi\n",
        encoding="utf-8",
    )
    recipe = load_recipe(path, plugins, shared[0])
    try:
        values = resolve_inputs(recipe, params, None, {})
    except OvhflowError as error:
        assert isinstance(error, (RecipeError, UsageError)) and error.exit_status == 2
        return
    assert isinstance(values["x"], int)
