"""Template escapes and abuse are refused by the sandbox, and every expensive template ends quickly.

Each case renders for real; a refusal is a RenderError whose message says why. The limits are counted,
not timed: these renders stop after a bounded amount of work, so the tests stay fast on any machine.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ovhflow.templating import MAX_RANGE, MAX_SIZE, RenderError, Templates


@pytest.fixture(scope="module")
def templates() -> Templates:
    return Templates()


ESCAPES = [
    "{{ ''.__class__.__mro__ }}",
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "{{ cycler.__init__.__globals__ }}",
    "{{ joiner.__init__.__globals__.os }}",
    "{{ lipsum.__globals__ }}",
    "{{ lipsum.__globals__['os'].popen('id').read() }}",
    "{{ namespace.__init__.__globals__ }}",
    "{{ self._TemplateReference__context }}",
    "{{ self.__dict__ }}",
    "{{ range.__self__ }}",
    "{{ now.__globals__ }}",
    "{{ inputs.__class__ }}",
    "{{ inputs['__class__'] }}",
    "{{ (1).__class__.__base__.__subclasses__() }}",
    "{% for c in [].__class__.__base__.__subclasses__() %}{{ c }}{% endfor %}",
    "{{ {}.update(a=1) }}",
    "{{ inputs.clear() }}",
]


@pytest.mark.parametrize("source", ESCAPES)
def test_escapes_are_refused_by_the_sandbox(templates: Templates, source: str) -> None:
    with pytest.raises(RenderError) as caught:
        templates.render(source, {"inputs": {"a": 1}})
    message = str(caught.value)
    assert "refused by the sandbox" in message or "undefined" in message, message


def test_native_results_are_data_never_internal_objects(templates: Templates) -> None:
    # {{ self }} exists in Jinja (block references): a single-expression render gives its text, not the object
    assert templates.render("{{ self }}", {}).startswith("<TemplateReference")
    assert isinstance(templates.render("{{ range }}", {}), str)
    assert templates.render("{{ range(3) }}", {}) == [0, 1, 2]
    assert templates.render("{{ xs | map('upper') }}", {"xs": ["a", "b"]}) == ["A", "B"]
    assert templates.render("{{ d.keys() }}", {"d": {"k": 1}}) == ["k"]


def test_no_file_access(templates: Templates) -> None:
    for source in ("{% include '/etc/passwd' %}", "{% import 'x' as x %}", "{% extends 'base' %}"):
        with pytest.raises(Exception) as caught:
            templates.render(source, {})
        assert "cannot include, import or extend" in str(caught.value)


def test_no_environment_access(templates: Templates) -> None:
    for source in ("{{ environ }}", "{{ env }}", "{{ os }}", "{{ config }}", "{{ request }}"):
        with pytest.raises(RenderError, match="undefined"):
            templates.render(source, {})


TOTAL = f"over a limit: format builds over {MAX_SIZE:,} characters in all"
LIMITS = [
    ("{{ range(10**9) | list }}", f"range() of 1,000,000,000 items is over the limit of {MAX_RANGE:,}"),
    ("{{ range(10**9) }}", "over a limit"),
    ("{{ 'a' * 10**9 }}", f"over the limit of {MAX_SIZE:,}"),
    ("{{ 10**9 * 'a' }}", f"over the limit of {MAX_SIZE:,}"),
    ("{{ [0] * 10**9 }}", f"over the limit of {MAX_SIZE:,}"),
    ("{{ 10 ** (10 ** 8) }}", "is too large"),
    ("{{ 2 ** 99999 * 2 ** 99999 }}", "too large"),
    ("{{ 'ab' | center(10**9) }}", "too large"),
    ("{{ 'ab'.ljust(10**9) }}", "too large"),
    ("{{ '%0999999999d' % 1 }}", "format width 999,999,999 is too large"),
    ("{{ '{:>999999999}'.format(1) }}", "format width 999,999,999 is too large"),
    ("{{ '%0999999999d' | format(1) }}", "format width 999,999,999 is too large"),
    ("{{ '%.999999999f' % 1 }}", "format precision 999,999,999 is too large"),
    # widths and precisions given as arguments are checked before the string is built
    ("{{ '%*s' % (750000000, 'a') }}", "format width 750,000,000 is too large"),
    ("{{ '%.*f' % (900000000, 1.5) }}", "format precision 900,000,000 is too large"),
    ("{{ '%*s' | format(750000000, 'a') }}", "format width 750,000,000 is too large"),
    ("{{ '{:{}}'.format('a', 9e8) }}", "format width 900,000,000 is too large"),
    ("{{ '{:>{w}}'.format('a', w=900000000) }}", "format width 900,000,000 is too large"),
    ("{{ '{a:{w}}'.format_map({'a': 1, 'w': 900000000}) }}", "format width 900,000,000 is too large"),
    ("{{ now(fmt='%999999999Y') }}", "too large"),
    # each field within the limit, the whole output gigabytes: the total is bounded too
    ("{{ ('{0:>999999}' * 90000).format(1) | length }}", TOTAL),
    ("{{ ('{}' * 90000).format(*(['x' * 999999] * 90000)) | length }}", TOTAL),
    ("{{ ('{a}' * 90000).format_map({'a': 'x' * 999999}) | length }}", TOTAL),
    ("{{ ('%999999s' * 90000) % ((1,) * 90000) }}", TOTAL),
    ("{{ ('%s' * 90000) % (('x' * 999999,) * 90000) }}", TOTAL),
    ("{{ ('%(a)s' * 90000) % {'a': 'x' * 999999} }}", TOTAL),
    ("{{ ('%.999999f' * 9000) | format(*([1.5] * 9000)) }}", TOTAL),
    ("{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}", "too much work"),
    (
        "{% set ns = namespace(s='ab') %}{% for i in range(64) %}{% set ns.s = ns.s ~ ns.s %}{% endfor %}",
        "over a limit: template builds a value of 1,048,576 items",
    ),
    (
        "{% set ns = namespace(s='ab') %}{% for i in range(64) %}{% set ns.s = ns.s + ns.s %}{% endfor %}",
        "over a limit: concatenation builds a value over the limit",
    ),
    ("{% macro f() %}{{ f() }}{% endmacro %}{{ f() }}", "recursion too deep"),
    ("{% for x in [1] recursive %}{{ loop([x]) }}{% endfor %}", "recursion too deep"),
    ("{% for i in range(100000) %}{% set x = range(100000) | list %}{% endfor %}", "too much work"),
    ("{% for i in range(100000) %}{% set x = 'ab' * 400000 %}{% endfor %}", "too much work"),
]


@pytest.mark.parametrize(("source", "fragment"), LIMITS)
def test_expensive_templates_stop_with_a_clear_error(
    templates: Templates, source: str, fragment: str
) -> None:
    with pytest.raises(RenderError) as caught:
        templates.render(source, {})
    assert fragment in str(caught.value)


ORDINARY_FORMATS = [
    # digits in values and in literal text are not widths: bill, order and service ids are ordinary data
    ("{{ '%s' | format('FR12345678') }}", "FR12345678"),
    ("{{ 'Order 1234567: %s' % 'x' }}", "Order 1234567: x"),
    ("{{ '%s' | format(123456789) }}", "123456789"),
    ("{{ 'Bill {}'.format('FR12345678') }}", "Bill FR12345678"),
    ("{{ '{:,}'.format(1234567) }}", "1,234,567"),
    (
        "{{ '%12s (%s): %10s --> %s' % ('FR12345678', '2026-01-31', '12.00 EUR', 'u') }}",
        "  FR12345678 (2026-01-31):  12.00 EUR --> u",
    ),
    ("{{ '%d%% of %(n)s' % {'n': 5} if false else '%d%%' % 50 }}", "50%"),
    ("{{ '%*s|%.*f' % (5, 'a', 2, 1.5) }}", "    a|1.50"),
    ("{{ '{:>{w}}'.format('a', w=4) }}", "   a"),
    ("{{ [12345678, 2] | select('equalto', 12345678) | list }}", [12345678]),
    ("{{ [12345678].index(12345678) }}", 0),
    ("{{ 'a-12345678'.replace('-', ' ', 12345678) }}", "a 12345678"),
]


@pytest.mark.parametrize(("source", "expected"), ORDINARY_FORMATS)
def test_ordinary_data_is_never_taken_for_a_width(templates: Templates, source: str, expected) -> None:
    assert templates.render(source, {}) == expected


def test_output_is_bounded(templates: Templates) -> None:
    with pytest.raises(RenderError, match="output is over the limit of 10,000,000 characters"):
        templates.render("{% for i in range(10000) %}{{ chunk }}{% endfor %}", {"chunk": "x" * 1001})


def test_limits_leave_room_for_real_work(templates: Templates) -> None:
    assert templates.render("{{ range(1000) | sum }}", {}) == sum(range(1000))
    assert templates.render("{{ 'ab' * 1000 }}", {}) == "ab" * 1000
    assert templates.render("{{ 2 ** 64 }}", {}) == 2**64
    big = list(range(50_000))
    assert templates.render("{{ items | map('string') | join(',') | length }}", {"items": big}) == len(
        ",".join(map(str, big))
    )


def test_formats_up_to_the_limit_still_build(templates: Templates) -> None:
    assert templates.render("{{ ('{0:>9}' * 1000).format(1) | length }}", {}) == 9000
    assert templates.render("{{ (('%9s' * 1000) % ((1,) * 1000)) | length }}", {}) == 9000


def test_running_out_of_memory_is_said_in_words() -> None:
    failure = Templates._render_failure("{{ x }}", MemoryError())  # Python's own says nothing
    assert str(failure).endswith("over a limit: out of memory (the template built a value too large to hold)")


def test_each_render_has_its_own_budget(templates: Templates) -> None:
    source = "{% for i in range(90000) %}{% endfor %}done"
    for _ in range(20):  # 20 x 90,000 iterations: over one render's budget, but each render is fresh
        assert templates.render(source, {}) == "done"


def test_limits_apply_to_bare_expressions_and_paths(templates: Templates) -> None:
    with pytest.raises(RenderError, match="over a limit"):
        templates.evaluate("'a' * 10**9", {})
    with pytest.raises(RenderError, match="over a limit"):
        templates.render_path("/x/{{ 'a' * 10**9 }}", {})


def test_deeply_nested_templates_are_recipe_errors(templates: Templates) -> None:
    from ovhflow.errors import RecipeError

    for source in ("{{ " + "(" * 3000 + "1" + ")" * 3000 + " }}", "{% if 1 %}" * 3000 + "{% endif %}" * 3000):
        with pytest.raises(RecipeError, match="nested too deeply"):
            templates.render(source, {})


JINJA_BITS = st.sampled_from(
    [
        "{{",
        "}}",
        "{%",
        "%}",
        "{#",
        "#}",
        "if",
        "for",
        "in",
        "endfor",
        "endif",
        "x",
        "item",
        "(",
        ")",
        "[",
        "]",
        "'",
        "|",
        "upper",
        "*",
        "**",
        "9",
        "~",
        ".",
        "_",
        "__class__",
        "range",
        "loop",
        ",",
        "set",
        "=",
        " ",
    ]
)


@settings(max_examples=200, deadline=None)
@given(source=st.lists(JINJA_BITS, max_size=25).map("".join))
def test_any_template_text_renders_or_gives_a_recipe_or_render_error(source: str) -> None:
    from ovhflow.errors import RecipeError

    try:
        Templates().render(source, {"x": [1, 2], "item": {"a": "b"}})
    except (RecipeError, RenderError) as error:
        assert str(error)
