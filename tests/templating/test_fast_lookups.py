"""Trivial templates rendered by plain lookups (ovhflow/templating/lookups.py) give exactly what Jinja
gives: the same values, the same text, the same errors."""

from __future__ import annotations

from typing import Any

import pytest

from ovhflow.engine.namespace import Namespace
from ovhflow.templating import templates as templates_module
from ovhflow.templating.templates import FastExpression, FastText, RenderError, Templates

CONTEXT: dict[str, Any] = {
    "item": "ns1.example",
    "number": 7,
    "nothing": None,
    "server": {"name": "ns/1 ..", "datacenter": "sbg1", "items": [1, 2], "nested": {"x": [10, 20]}},
    "inputs": Namespace({"datacenter": "sbg1", "flag": False}),
    "steps": Namespace({"current": Namespace({"result": {"status": "inactive"}})}),
    "empty": "",
    "dots": "..",
}

EXPRESSIONS = [
    "item", "number", "nothing", "server.name", "server['name']", "server.items", "server.nested.x[1]",
    "server.datacenter == inputs.datacenter", "steps.current.result.status != 'active'",
    "inputs.flag == false", "number == 7", "item", "true", "'text'", "range",
    "missing", "server.missing", "server.missing == 'x'", "missing != 1", "item.upper", "item._x",
    "server.nested.x[5]", "nothing.attr", "server.__class__",
]  # fmt: skip
TEXTS = [
    "Enabled burst for {{ server.name }}", "{{ item }} and {{ number }}", "a {{ nothing }} b",
    "{{ server.missing }} x", "x {{ missing }}", "{{ server.nested.x[0] }}-{{ inputs.datacenter }}\n",
]  # fmt: skip
PATHS = [
    "/dedicated/server/{{ item }}", "/dedicated/server/{{ server.name }}/burst", "/x/{{ number }}",
    "/x/{{ empty }}", "/x/{{ dots }}", "/x/{{ missing }}", "/x/{{ nothing }}/y", "/me",
]  # fmt: skip


def _outcome(call: Any) -> tuple[str, Any]:
    try:
        return "value", call()
    except RenderError as error:
        return "error", str(error)


@pytest.fixture
def both(monkeypatch: pytest.MonkeyPatch) -> tuple[Templates, Templates]:
    fast = Templates()
    with monkeypatch.context() as patched:  # a Templates whose templates never take the shortcut
        patched.setattr(templates_module, "fast_expression", lambda env, source: None)
        patched.setattr(templates_module, "fast_text", lambda env, source, finalize: None)
        slow = Templates()
        for source in EXPRESSIONS:
            slow.compile_expression(source)
            slow.compile("{{ " + source + " }}")
        for source in TEXTS:
            slow.compile(source)
        for source in PATHS:
            slow.render_path(source, {"item": "x", "server": {"name": "x"}, "number": 1, "nothing": 1,
                                      "empty": "x", "dots": "x", "missing": "x"})  # fmt: skip
    return fast, slow


@pytest.mark.parametrize("source", EXPRESSIONS)
def test_a_fast_expression_evaluates_as_jinja_does(both: tuple[Templates, Templates], source: str) -> None:
    fast, slow = both
    assert _outcome(lambda: fast.evaluate(source, CONTEXT)) == _outcome(
        lambda: slow.evaluate(source, CONTEXT)
    )
    single = "{{ " + source + " }}"
    assert _outcome(lambda: fast.render(single, CONTEXT)) == _outcome(lambda: slow.render(single, CONTEXT))


@pytest.mark.parametrize("source", TEXTS)
def test_a_fast_text_renders_as_jinja_does(both: tuple[Templates, Templates], source: str) -> None:
    fast, slow = both
    assert _outcome(lambda: fast.render(source, CONTEXT)) == _outcome(lambda: slow.render(source, CONTEXT))


@pytest.mark.parametrize("source", PATHS)
def test_a_fast_path_renders_as_jinja_does(both: tuple[Templates, Templates], source: str) -> None:
    fast, slow = both
    expected = _outcome(lambda: slow.render_path(source, CONTEXT))
    assert _outcome(lambda: fast.render_path(source, CONTEXT)) == expected


def test_the_trivial_templates_of_a_loop_take_the_shortcut(both: tuple[Templates, Templates]) -> None:
    fast, slow = both
    for source in ("server.datacenter == inputs.datacenter", "steps.current.result.status != 'active'"):
        assert isinstance(fast._compiled("expr", source)[1], FastExpression)
        assert not isinstance(slow._compiled("expr", source)[1], FastExpression)
    assert isinstance(fast._compiled("path", "/dedicated/server/{{ item }}")[1], FastText)
    assert isinstance(fast._compiled("text", "Enabled burst for {{ server.name }}")[1], FastText)
    assert not isinstance(fast._compiled("expr", "item | upper")[1], FastExpression)  # filters: Jinja
