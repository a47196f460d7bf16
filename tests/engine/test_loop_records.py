"""What a top-level loop keeps of its items (ovhflow/engine/loop_records.py): everything when a later
template or a plugin may read it, its results only or its statuses only when nothing will, and the run
the same either way."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from jinja2 import pass_context

from ovhflow import hookimpl
from ovhflow.engine.loop_records import ALL, RESULTS, STATUSES, loop_keeping
from ovhflow.engine.runner import run_recipe
from ovhflow.plugin.manager import load_plugins
from ovhflow.recipe.loader import load_recipe
from ovhflow.templating.templates import Templates
from tests.cli_invoke import invoke
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
        # an expression filter called by name through map, at any depth, or given its text by keyword
        ("{{ [[0]] | map('map_expr', 'steps.scan.items | length') | list }}", {"scan": {"items"}}),
        ("{{ xs | map('map', 'select_expr', 'steps.a.results') | list }}", {"a": {"results"}}),
        ("{{ xs | map_expr(expression='steps.a.status', name='s') }}", {"a": {"status"}}),
        ("{{ xs | map('upper') | list }}", {}),
        ("{{ xs | map(which, 'steps.a.results') | list }}", None),  # a filter named by no constant
        ("{{ xs | map('map_expr', text) | list }}", None),
        ("{{ xs | map_expr(*texts) }}", None),
        ("{{ xs | map('mine') | list }}", None),  # a plugin's filter handed the context, by name
        ("{% filter mine %}x{% endfilter %}", None),  # no | and no steps written: still a filter
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


@pytest.mark.parametrize(
    ("expression", "printed"),
    [("'steps.scan.items | length'", "[[3]]"), ("'steps.scan.results | length'", "[[3]]")],
)
def test_a_loop_read_through_map_and_an_expression_filter_keeps_what_it_reads(
    sandbox, isolated_env, tmp_path: Path, expression: str, printed: str
) -> None:
    """``map('map_expr', 'steps.scan...')`` reads the loop's records: they are kept (they were dropped)."""
    recipe = tmp_path / "map.yaml"
    recipe.write_text(
        "name: m\nsteps:\n  - id: scan\n    loop: [1, 2, 3]\n    get: /me\n"
        f"  - print: \"{{{{ [[0]] | map('map_expr', {expression}) | list }}}}\"\n",
        encoding="utf-8",
    )
    done = invoke("run", str(recipe), env={**isolated_env, **sandbox.env()}, cwd=tmp_path)
    assert done.exit_code == 0, done.stderr
    assert done.stdout.splitlines() == [printed]
