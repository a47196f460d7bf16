"""What a valid recipe becomes, and the checks beyond the corpus: names in scope, includes, plugin actions."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from ovhflow.errors import RecipeErrors
from ovhflow.plugin.manager import load_plugins
from ovhflow.recipe import load_recipe
from tests.recipe.helpers import CORPUS

PING_PLUGIN = """
from ovhflow import hookimpl
from ovhflow.plugin_api import ActionSpec


@hookimpl
def ovhflow_actions():
    return [ActionSpec("ping", lambda call: call.args, {"type": "string"},
                       {"count": {"type": "integer", "minimum": 1}}, description="Ping a host.")]


@hookimpl
def ovhflow_recipe_sections():
    to = {"to": {"type": "string"}}
    return {"alerts": {"type": "object", "properties": to, "additionalProperties": False}}
"""


EXPORT_PLUGIN = """
from ovhflow import hookimpl
from ovhflow.plugin_api import ActionSpec


@hookimpl
def ovhflow_actions():
    return [ActionSpec("export", lambda call: None, {"type": "object"}, lazy=frozenset({"columns"}))]
"""


def errors_of(path: Path, plugins) -> list[str]:
    with pytest.raises(RecipeErrors) as caught:
        load_recipe(path, plugins)
    return [str(error) for error in caught.value.errors]


def test_burst_recipe_becomes_steps_with_raw_templates(plugins) -> None:
    recipe = load_recipe(CORPUS / "good_burst.yaml", plugins)
    assert recipe.name == "Enable network burst in one datacenter"
    assert list(recipe.inputs) == ["datacenter", "limit"]
    servers, details, burst = recipe.steps
    assert (servers.id, servers.action, servers.args, servers.loop) == (
        "servers",
        "get",
        "/dedicated/server",
        None,
    )
    assert (
        details.loop == "{{ steps.servers.result }}" and details.concurrency == 16 and details.as_ == "item"
    )
    assert burst.as_ == "server" and burst.when == "server.datacenter == inputs.datacenter"
    assert burst.options == {"body": {"status": "active"}}
    assert burst.log == "Enabled burst for {{ server.name }}"
    assert (burst.location.line, burst.location.col) == (14, 5)
    assert burst.key_locations["put"].line == 18 and burst.value_locations["put"].col == 10
    assert burst.retries == 0 and burst.ignore_errors is False and burst.until is None


def test_every_construct_is_modelled(plugins) -> None:
    recipe = load_recipe(CORPUS / "good_everything.yaml", plugins)
    steps = {step.id or step.action: step for step in recipe.steps}
    assert steps["log"].args == "{{ greeting }} ({{ count }})" and steps["log"].log is None
    assert steps["assert"].options == {"message": "unexpected {{ count }}"}
    group = steps["group"]
    assert group.action == "steps" and [child.id for child in group.steps] == ["inner", None]
    assert group.loop == ["a", "b"] and group.as_ == "letter"
    task = steps["task"]
    assert (task.retries, task.delay, task.backoff, task.ignore_errors) == (
        "{{ inputs.attempts }}",
        0.5,
        2.0,
        True,
    )
    include = steps["include"]
    assert include.include == CORPUS / "included_ok.yaml"
    assert include.included.name == "included recipe" and include.steps == include.included.steps
    assert include.with_ == {"zones": ["{{ inputs.zone }}"]}
    assert steps["fail"].when is False


def test_until_defaults_to_ansible_retries_and_delay(write, plugins) -> None:
    step = load_recipe(write("name: n\nsteps:\n  - get: /t\n    until: result.done\n"), plugins).steps[0]
    assert (step.retries, step.delay, step.backoff) == (3, 5.0, 1.0)


def test_log_alone_is_an_action_and_beside_an_action_a_message(write, plugins) -> None:
    text = "name: n\nsteps:\n  - log: hello\n  - get: /me\n    log: done {{ result }}\n"
    alone, beside = load_recipe(write(text), plugins).steps
    assert (alone.action, alone.args, alone.log) == ("log", "hello", None)
    assert (beside.action, beside.args, beside.log) == ("get", "/me", "done {{ result }}")


def test_names_in_scope_are_accepted(write, plugins) -> None:
    text = textwrap.dedent(
        """\
        name: scopes
        steps:
          - id: first
            get: /me
          - set: {later: "{{ steps.first.result }}"}
          - loop: "{{ later }}"
            as: x
            steps:
              - id: inner
                get: "/me/{{ x }}/{{ loop.index }}"
              - log: "{{ steps.inner.result }} {{ x }} {{ run.check }} {{ now() }} {{ range(3) | list }}"
          - id: poll
            get: /me/task
            until: result.done and steps.poll is defined
            log: "{{ result }}"
          - when: steps.poll is defined and inputs is defined
            log: "{% for k, v in dict(a=1).items() %}{{ k }}{% endfor %}"
        """
    )
    assert len(load_recipe(write(text), plugins).steps) == 5


def test_all_problems_are_reported_sorted_by_line(write, plugins) -> None:
    path = write("name: n\nsteps:\n  - log: '{{ b }}'\n  - log: '{{ a }'\n  - log: '{{ inputs.c }}'\n")
    errors = errors_of(path, plugins)
    assert [error.split(":")[1] for error in errors] == ["3", "4", "5"]


def test_result_is_only_known_in_until_and_log_modifier(write, plugins) -> None:
    path = write("name: n\nsteps:\n  - get: /me\n    when: result.ok\n")
    assert errors_of(path, plugins) == [f"{path}:4:11: undefined name 'result' in 'result.ok'"]


def test_lazy_action_keys_are_compiled_but_see_their_own_names(tmp_path: Path, write) -> None:
    # like the csv action: `columns` holds per-row templates the action renders itself with `row`
    plugins_dir = tmp_path / "plugins"
    plugins_dir.mkdir()
    (plugins_dir / "export.py").write_text(EXPORT_PLUGIN, encoding="utf-8")
    plugins = load_plugins(plugins_dir, entry_points=False)
    head = "name: n\nsteps:\n  - id: s\n    get: /s\n  - export:\n      rows: '{{ steps.s.result }}'\n"
    assert load_recipe(write(head + "      columns: {name: '{{ row.name }}'}\n"), plugins)
    errors = errors_of(write(head + "      columns: {name: '{{ row.name }'}\n", "bad.yaml"), plugins)
    assert len(errors) == 1 and "template syntax error" in errors[0] and ":7:23:" in errors[0]
    errors = errors_of(write(head.replace("steps.s", "row") + "      columns: {}\n", "rows.yaml"), plugins)
    assert errors == [f"{tmp_path / 'rows.yaml'}:6:13: undefined name 'row' in '{{{{ row.result }}}}'"]


def test_include_errors_are_located_in_the_included_file(tmp_path: Path, plugins) -> None:
    (tmp_path / "lib").mkdir()
    (tmp_path / "lib" / "child.yaml").write_text("name: child\nsteps:\n  - gett: /me\n", encoding="utf-8")
    parent = tmp_path / "parent.yaml"
    parent.write_text("name: parent\nsteps:\n  - include: lib/child.yaml\n", encoding="utf-8")
    assert errors_of(parent, plugins) == [
        f"{tmp_path / 'lib' / 'child.yaml'}:3:5: unknown key 'gett' in step steps[0] (did you mean 'get'?)"
    ]


def test_include_with_values_are_checked_in_the_including_scope(write, plugins) -> None:
    write("name: child\ninputs:\n  x: {}\nsteps:\n  - log: '{{ inputs.x }}'\n", "child.yaml")
    path = write("name: p\nsteps:\n  - include: child.yaml\n    with: {x: '{{ nope }}'}\n")
    assert errors_of(path, plugins) == [f"{path}:4:15: undefined name 'nope' in '{{{{ nope }}}}'"]


def test_include_takes_a_literal_path(write, plugins) -> None:
    path = write("name: p\ninputs:\n  f: {}\nsteps:\n  - include: '{{ inputs.f }}.yaml'\n")
    assert errors_of(path, plugins) == [f"{path}:5:14: include: takes a file path, not a template"]


def test_plugin_actions_and_sections_join_the_language(tmp_path: Path, write) -> None:
    plugins_dir = tmp_path / "plugins"
    plugins_dir.mkdir()
    (plugins_dir / "ping.py").write_text(PING_PLUGIN, encoding="utf-8")
    plugins = load_plugins(plugins_dir, entry_points=False)
    recipe = load_recipe(
        write("name: n\nalerts: {to: ops}\nsteps:\n  - ping: example.net\n    count: 3\n"), plugins
    )
    assert recipe.steps[0].options == {"count": 3} and recipe.sections == {"alerts": {"to": "ops"}}
    bad = write("name: n\nalerts: {too: ops}\nsteps:\n  - ping: x\n    count: 0\n  - pong: x\n", "bad.yaml")
    assert errors_of(bad, plugins) == [
        f"{bad}:2:10: unknown key 'too' in alerts (did you mean 'to'?)",
        f"{bad}:5:12: steps[0].count: must be >= 1, got 0",
        f"{bad}:6:5: unknown key 'pong' in step steps[1] (did you mean 'ping'?)",
    ]


@pytest.mark.parametrize(
    ("step", "message"),
    [
        ("assert: 5", "steps[0].assert: expected a string or true or false or a list, got the integer 5"),
        ("assert: [5]", "steps[0].assert[0]: expected a string or true or false, got the integer 5"),
        (
            "get: /me\n    query: 5",
            "steps[0].query: expected a mapping or a {{ template }}, got the integer 5",
        ),
        (
            "get: /me\n    auth: 'yes'",
            "steps[0].auth: expected true or false or a {{ template }}, got a string of 3 characters",
        ),
        ("set: {}", "steps[0].set: must not be empty"),
        ("fail: 3", "steps[0].fail: expected a string, got the integer 3"),
    ],
)
def test_alternatives_are_explained_in_one_sentence(write, plugins, step: str, message: str) -> None:
    path = write(f"name: n\nsteps:\n  - {step}\n")
    [error] = errors_of(path, plugins)
    assert error.split(": ", 1)[1] == message


def test_a_set_inside_a_group_is_seen_by_the_group_only(write, plugins) -> None:
    inside = write(
        "name: ok\nsteps:\n  - loop: [1, 2]\n    steps:\n      - set: {double: '{{ item * 2 }}'}\n"
        "      - log: '{{ double }}'\n"
    )
    load_recipe(inside, plugins)
    text = "name: bad\nsteps:\n  - steps:\n      - set: {x: 1}\n  - log: '{{ x }}'\n"
    outside = write(text, name="bad.yaml")
    assert errors_of(outside, plugins) == [f"{outside}:5:10: undefined name 'x' in '{{{{ x }}}}'"]


def test_keep_sees_result_and_the_loop_variable_but_not_its_own_step(write, plugins) -> None:
    head = "name: n\nsteps:\n  - id: ids\n    get: /me/bill\n"
    head += "  - id: bill\n    loop: '{{ steps.ids.result }}'\n"
    ok = head + "    get: /me/bill/{{ item }}\n    keep: {id: '{{ result.billId }}', of: '{{ item }}'}\n"
    recipe = load_recipe(write(ok), plugins)
    assert recipe.steps[1].keep == {"id": "{{ result.billId }}", "of": "{{ item }}"}
    assert load_recipe(write(head + "    get: /me/bill/{{ item }}\n    keep: false\n", "f.yaml"), plugins)
    own = head + "    get: /me/bill/{{ item }}\n    keep: '{{ steps.bill.results }}'\n"
    path = write(own, "own.yaml")
    assert errors_of(path, plugins) == [
        f"{path}:8:11: steps.bill: no earlier step has id 'bill' here"
        " (a group's step ids stay inside the group)"
    ]
    path = write("name: n\nsteps:\n  - get: /me\n    keep: 3\n", "num.yaml")
    assert errors_of(path, plugins) == [
        f"{path}:4:11: steps[0].keep: expected true or false or a string or a mapping or a list,"
        " got the integer 3"
    ]


def test_a_misspelled_filter_or_test_gets_a_did_you_mean(write, plugins) -> None:
    steps = "  - log: '{{ 3 | lenght }}'\n  - log: '{{ 3 is evenn }}'\n  - log: '{{ 3 | zz }}'\n"
    path = write("name: n\nsteps:\n" + steps)
    assert errors_of(path, plugins) == [
        f"{path}:3:10: template syntax error in '{{{{ 3 | lenght }}}}': No filter named 'lenght'."
        " (did you mean 'length'?)",
        f"{path}:4:10: template syntax error in '{{{{ 3 is evenn }}}}': No test named 'evenn'."
        " (did you mean 'even'?)",
        f"{path}:5:10: template syntax error in '{{{{ 3 | zz }}}}': No filter named 'zz'.",
    ]
