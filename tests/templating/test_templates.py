"""Rendering recipe templates: native types, paths that stay paths, bare expressions, helpful errors."""

from __future__ import annotations

import threading
from datetime import datetime

import pytest

from ovhflow.errors import Location, RecipeError
from ovhflow.plugin.manager import load_plugins
from ovhflow.templating import RenderError, Templates


@pytest.fixture(scope="module")
def templates() -> Templates:
    return Templates(filters={"shout": lambda value: str(value).upper() + "!"})


CONTEXT = {
    "inputs": {"dc": "sbg1", "limit": 3, "ok": True},
    "steps": {"servers": {"result": ["ns1", "ns2"], "items": [{"item": "a", "status": "ok"}]}},
    "item": {"name": "ns1.example.net", "tags": ["a", "b"]},
}


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("{{ steps.servers.result }}", ["ns1", "ns2"]),
        ("{{ inputs.limit }}", 3),
        ("{{ inputs.ok }}", True),
        ("{{ inputs.limit * 1.5 }}", 4.5),
        ("{{ item }}", {"name": "ns1.example.net", "tags": ["a", "b"]}),
        ("{{ none }}", None),
        ("{{- inputs.limit -}}", 3),
        ("{{ inputs.limit }}\n", 3),  # a YAML block scalar ends with a newline
        ("{{ inputs.limit }} servers", "3 servers"),
        ("{{ inputs.limit }}{{ inputs.dc }}", "3sbg1"),
        (" {{ inputs.limit }}", " 3"),
        ("{{ '}}' }}", "}}"),
        ("plain text", "plain text"),
        ("{% if inputs.ok %}yes{% endif %}", "yes"),
        ("{{ inputs.dc | shout }}", "SBG1!"),
        ("{{ steps.servers.items }}", [{"item": "a", "status": "ok"}]),  # the key, not dict.items
    ],
)
def test_render_keeps_native_types_for_one_expression(templates: Templates, source: str, expected) -> None:
    assert templates.render(source, CONTEXT) == expected


def test_render_walks_structures_and_passes_other_values_through(templates: Templates) -> None:
    value = {"a": ["{{ inputs.limit }}", 5, None, True], "b": {"c": "x{{ inputs.dc }}"}, "d": 1.5}
    assert templates.render(value, CONTEXT) == {"a": [3, 5, None, True], "b": {"c": "xsbg1"}, "d": 1.5}
    assert templates.render(7, CONTEXT) == 7


@pytest.mark.parametrize(
    ("value", "encoded"),
    [
        ("a/b", "a%2Fb"),
        ("x?admin=1", "x%3Fadmin%3D1"),
        ("frag#x", "frag%23x"),
        ("...", "..."),
        ("../../me", "..%2F..%2Fme"),
        ("with space", "with%20space"),
        ("line\r\nX-Evil: 1", "line%0D%0AX-Evil%3A%201"),
        ("ns1.example.net", "ns1.example.net"),
        ("é", "%C3%A9"),
        (42, "42"),
        (True, "true"),
    ],
)
def test_path_values_cannot_change_the_path(templates: Templates, value, encoded: str) -> None:
    path = templates.render_path("/dedicated/server/{{ v }}/burst", {"v": value})
    assert path == f"/dedicated/server/{encoded}/burst"


def test_path_literal_text_is_kept(templates: Templates) -> None:
    assert templates.render_path("/me/bill?date.from=2024-01-01", {}) == "/me/bill?date.from=2024-01-01"
    assert templates.render_path("/a/{{ x }}/b?y={{ y }}", {"x": "1", "y": "a&b"}) == "/a/1/b?y=a%26b"


@pytest.mark.parametrize("value", [None, "", ".", ".."])
def test_null_empty_or_dot_path_segments_are_errors(templates: Templates, value) -> None:
    # "." and ".." cannot be made safe by encoding: servers and proxies decode %2E and normalize
    with pytest.raises(RenderError, match="null|empty|move along") as raised:
        templates.render_path("/dedicated/server/{{ v }}/burst", {"v": value})
    assert str(raised.value).startswith("template '/dedicated/server/{{ v }}/burst': a value rendered into")


def test_evaluate_bare_expressions(templates: Templates) -> None:
    assert templates.evaluate("item.name.startswith('ns1') and inputs.limit > 2", CONTEXT) is True
    assert templates.evaluate("steps.servers.result | length", CONTEXT) == 2
    assert templates.evaluate("steps.nope is defined", CONTEXT) is False
    assert templates.evaluate(False, CONTEXT) is False


@pytest.mark.parametrize(
    ("source", "name"),
    [("{{ nope }}", "'nope' is undefined"), ("{{ inputs.nope }}", "has no attribute 'nope'")],
)
def test_undefined_names_are_errors_naming_them(templates: Templates, source: str, name: str) -> None:
    with pytest.raises(RenderError) as caught:
        templates.render(source, CONTEXT)
    assert name in str(caught.value) and source in str(caught.value)
    with pytest.raises(RenderError, match="undefined"):
        templates.render(f"text {source}", CONTEXT)


def test_undefined_in_a_condition_is_an_error_not_false(templates: Templates) -> None:
    with pytest.raises(RenderError, match="'typo' is undefined"):
        templates.evaluate("typo == 1", CONTEXT)


def test_syntax_errors_are_recipe_errors_at_the_location(templates: Templates) -> None:
    where = Location("r.yaml", 7, 12)
    with pytest.raises(RecipeError) as caught:
        templates.compile("{{ item }", where)
    assert caught.value.location == where and "unexpected '}'" in caught.value.message
    with pytest.raises(RecipeError, match="template line 2"):
        templates.compile("line one\n{% if %}", where)
    with pytest.raises(RecipeError, match="bare expression"):
        templates.compile_expression("{{ a }}", where)
    with pytest.raises(RecipeError, match="expression syntax error"):
        templates.compile_expression("a ==", where)


def test_names_used_and_attributes_used(templates: Templates) -> None:
    source = "{% for s in steps.x.result %}{{ s }}{{ item.a }}{% endfor %}{{ inputs['dc'] }}"
    assert templates.names_used(source) == {"steps", "item", "inputs"}
    assert templates.attributes_used(source, ("steps", "inputs")) == {("steps", "x"), ("inputs", "dc")}
    assert templates.names_used("a.b == c", expression=True) == {"a", "c"}
    assert templates.names_used("no template") == set()


def test_now_and_plugin_filters() -> None:
    stamp = Templates().render("{{ now(utc=True) }}", {})
    assert isinstance(stamp, datetime) and stamp.utcoffset().total_seconds() == 0
    assert len(Templates().render("{{ now(fmt='%Y') }}", {})) == 4
    plugin_templates = Templates.for_plugins(load_plugins(entry_points=False))
    assert plugin_templates.render("{{ 'a' | upper }}", {}) == "A"


def test_concurrent_renders_share_the_cache_and_keep_their_own_budget(templates: Templates) -> None:
    results: list[object] = []
    errors: list[BaseException] = []

    def work(number: int) -> None:
        try:
            for _ in range(20):
                loop = "{% for i in range(50000) %}{% endfor %}"
                results.append(templates.render(loop + "{{ n }}", {"n": number}))
        except BaseException as exc:  # noqa: BLE001 - collected for the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == [] and sorted(set(results)) == ["0", "1", "2", "3"] and len(results) == 80


def test_undefined_inside_a_native_result_is_an_error(templates: Templates) -> None:
    with pytest.raises(RenderError, match="refused by the sandbox"):
        templates.render("{{ [''] | map(attribute='__class__') | list }}", {})
    with pytest.raises(RenderError, match="undefined"):
        templates.render("{{ [1, {'a': inputs.nope}] }}", CONTEXT)
    data = {"rows": [{"a": 1}] * 3}
    assert templates.render("{{ rows }}", data) is data["rows"]  # plain data passes without a copy
