"""What a top-level loop keeps of its items (ovhflow/engine/loop_records.py): everything when a later
template or a plugin may read it, its results only or its statuses only when nothing will, and the run
the same either way."""

from __future__ import annotations

from typing import Any

import pytest
from jinja2 import pass_context

from ovhflow import hookimpl
from ovhflow.engine.loop_records import ALL, RESULTS, STATUSES, loop_keeping
from ovhflow.engine.runner import run_recipe
from ovhflow.plugin.manager import load_plugins
from ovhflow.recipe.loader import load_recipe
from ovhflow.templating.templates import Templates
from tests.engine.helpers import Collector, FakeClient, recipe, step
from tests.helpers import RECIPES_DIR


@pytest.mark.parametrize(
    ("text", "read"),
    [
        ("{{ steps.details.results }}", {"details": {"results"}}),
        ("steps.current.result.status != 'active'", {"current": {"result"}}),  # a bare expression
        ("{{ steps.x }}", {"x": {"*"}}),
        ('{{ steps["d"].items | length }}', {"d": {"items"}}),
        ('{{ xs | select_expr("steps.a.items") | list }}', {"a": {"items"}}),
        ("Enabled burst for {{ server.name }}", {}),
        ("two words", {}),
        ("{{ steps[name] }}", None),
        ("{{ steps | tojson }}", None),
        ("steps", None),
        ("{{ xs | select_expr(expression) | list }}", None),  # an expression not written here
        ("{{ xs | mine }}", None),  # a plugin's filter handed the context
        ('{{ xs | map(attribute="a") | join(",") }}', {}),  # Jinja's own: no name read
    ],
)
def test_what_a_string_reads_of_steps(text: str, read: Any) -> None:
    assert Templates({"mine": pass_context(lambda context, value: value)}).steps_read(text) == read


def test_the_gallery_burst_recipe_keeps_the_details_results_and_the_burst_statuses() -> None:
    plugins = load_plugins(None, entry_points=False)
    templates = Templates.for_plugins(plugins)
    loaded = load_recipe(RECIPES_DIR / "burst-sbg1.yaml", plugins, templates)
    keeping = loop_keeping(loaded.steps, templates, plugins)
    assert {s.id: keeping.get(id(s), ALL) for s in loaded.steps if s.loop} == {
        "details": RESULTS,
        "burst": STATUSES,
    }


def _steps(last: str) -> list[Any]:
    return [
        step("get", "/server", id="ids"),
        step("get", "/server/{{ item }}", id="details", loop="{{ steps.ids.result }}"),
        step("log", last, id="last"),
    ]


@pytest.mark.parametrize(
    ("last", "kept"),
    [
        ("{{ steps.details.results | length }}", RESULTS),
        ("{{ steps.details.status }}", STATUSES),
        ("{{ steps.details.items | length }}", ALL),
        ("{{ steps.details }}", ALL),
        ("{{ steps[inputs.which].results }}", ALL),
    ],
)
def test_a_loop_keeps_what_later_templates_read(last: str, kept: str) -> None:
    plugins = load_plugins(None, entry_points=False)
    steps = _steps(last)
    assert loop_keeping(steps, Templates(), plugins).get(id(steps[1]), ALL) == kept


def test_a_plugin_reading_step_reports_or_a_plugin_action_later_keeps_everything() -> None:
    plugins = load_plugins(None, entry_points=False)
    steps = _steps("{{ steps.details.status }}")
    plugins.manager.register(Collector().hooks, name="collector")  # reads reports: items and results
    assert loop_keeping(steps, Templates(), plugins) == {}
    plugins = load_plugins(None, entry_points=False)

    class Marked:
        STEP_END_READS_STATUSES_ONLY = True

        @hookimpl
        def ovhflow_step_end(self, run: Any, report: Any) -> None:
            report.item_counts()

    plugins.manager.register(Marked(), name="marked")
    assert loop_keeping(steps, Templates(), plugins) == {id(steps[1]): STATUSES}
    spec = plugins.actions["log"]
    plugins.actions["custom"] = type(spec)("custom", lambda call: None, spec.schema)  # not ovhflow's own
    steps.append(step("custom", "x", id="later"))
    assert loop_keeping(steps, Templates(), plugins) == {}


def test_a_run_gives_the_same_results_whatever_its_loops_keep() -> None:
    """The same run, once with a plugin reading step reports (everything kept) and once without (the
    details loop keeps its results only, the burst loop its statuses only): same messages and counts."""
    routes = {"GET /server": ["a", "b", "c"], **{f"GET /server/{n}": {"name": n, "dc": n} for n in "abc"}}
    routes.update({f"PUT /server/{n}/burst": None for n in "abc"})
    steps = [
        step("get", "/server", id="ids"),
        step(
            "get", "/server/{{ item }}", id="details", loop="{{ steps.ids.result }}", keep="{{ result.dc }}"
        ),
        step("log", "{{ steps.details.results | join(',') }} {{ steps.details.status }}", id="seen"),
        step(
            "put",
            "/server/{{ item }}/burst",
            id="burst",
            loop="{{ steps.details.results }}",
            when="item != 'b'",
            log="put {{ item }}",
        ),
    ]
    outcomes = []
    for listen in (True, False):
        plugins = load_plugins(None, entry_points=False)
        collector = Collector()
        if listen:
            plugins.manager.register(collector.hooks, name="collector")
        kept = loop_keeping(steps, Templates(), plugins)
        assert kept == ({} if listen else {id(steps[1]): RESULTS, id(steps[3]): STATUSES})
        client = FakeClient(routes)
        result = run_recipe(recipe(steps), {}, plugins=plugins, client=client, reporter=collector)
        assert result.exit_status == 0, result.error
        outcomes.append((sorted(collector.messages), result.info.counts, sorted(client.writes())))
    assert outcomes[0] == outcomes[1]
    assert "a,b,c ok" in outcomes[1][0]
