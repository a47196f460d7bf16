"""The check ``ovhflow run`` makes before the first request, when schemas are cached for its endpoint."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from ovhflow.apicheck.commands import check_before_run
from ovhflow.errors import RecipeError, RecipeErrors
from ovhflow.plugin.manager import load_plugins
from ovhflow.recipe import load_recipe
from tests.cli_invoke import invoke_ovhflow
from tests.helpers import RECIPES_DIR, SCHEMAS_DIR

HERE = Path(__file__).parent / "recipes"


@pytest.fixture
def cached_eu(monkeypatch, tmp_path: Path) -> Path:
    """Schemas cached for ovh-eu, as ``schemas pull`` lays them out (copied from the shared folder)."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    folder = tmp_path / "ovhflow" / "schemas" / "eu.api.ovh.com"
    shutil.copytree(SCHEMAS_DIR, folder)
    return folder


@pytest.fixture(scope="module")
def plugins():
    return load_plugins(None)


def test_errors_stop_the_run(cached_eu: Path, plugins, capsys) -> None:
    recipe = load_recipe(HERE / "mistakes.yaml", plugins)
    with pytest.raises(RecipeErrors) as stopped:
        check_before_run(recipe, "ovh-eu")
    assert len(stopped.value.errors) == 12
    first = stopped.value.errors[0]
    assert (first.location.line, first.location.col) == (7, 10)
    assert first.message.endswith("(API schema check; --no-api-check skips it)")
    warnings = capsys.readouterr().err.splitlines()
    assert len(warnings) == 2 and all(": warning: " in line for line in warnings)


def test_good_recipes_and_uncached_endpoints_pass(cached_eu: Path, plugins, capsys) -> None:
    check_before_run(load_recipe(RECIPES_DIR / "burst-sbg1.yaml", plugins), "ovh-eu")
    mistakes = load_recipe(HERE / "mistakes.yaml", plugins)
    check_before_run(mistakes, "ovh-ca")  # nothing cached for ovh-ca: not checked
    check_before_run(mistakes, "ovh-eu", sandbox=True)  # the sandbox run is not checked
    check_before_run(mistakes, "no-such-endpoint")  # the client's setup reports that one
    assert capsys.readouterr().err == ""


def test_run_stops_before_any_request_and_no_api_check_skips(tmp_path: Path) -> None:
    from ovhflow.sandbox import Sandbox

    with Sandbox(servers=1, bills=1, schema_dir=SCHEMAS_DIR) as sb:
        env = {"XDG_CACHE_HOME": str(tmp_path), **sb.env()}
        assert invoke_ovhflow("schemas", "pull", env=env).returncode == 0
        del sb.journal[:]
        stopped = invoke_ovhflow("run", str(HERE / "mistakes.yaml"), "--no-lock", env=env)
        assert stopped.returncode == 2, stopped.stderr
        assert f"{HERE / 'mistakes.yaml'}:7:10: unknown API path '/dedicated/servr'" in stopped.stderr
        assert sb.journal == []  # nothing was sent
        skipped = invoke_ovhflow("run", str(HERE / "mistakes.yaml"), "--no-lock", "--no-api-check", env=env)
        assert skipped.returncode == 1  # the sandbox answers the unknown path with a 404
        sent = [(e["method"], e["path"], e["status"]) for e in sb.journal if e["path"] != "/auth/time"]
        assert sent == [("GET", "/dedicated/servr", 404)]  # (the client reads /auth/time to sync its clock)
        good = invoke_ovhflow("run", str(RECIPES_DIR / "welcome.yaml"), "--no-lock", env=env)
        assert good.returncode == 0, good.stderr


def test_run_loads_only_the_apis_a_recipe_uses(plugins, schema_subset: Path) -> None:
    from ovhflow.apicheck.catalog import Catalog
    from ovhflow.apicheck.commands import documents_for

    burst = documents_for(load_recipe(RECIPES_DIR / "burst-sbg1.yaml", plugins))
    assert burst is not None
    assert Catalog.from_dir(schema_subset, burst).sources == ["v1/dedicated/server.json"]
    mail = documents_for(load_recipe(RECIPES_DIR / "mail-redirection.yaml", plugins))
    loaded = sorted(Catalog.from_dir(schema_subset, mail).sources)
    assert loaded == ["v1/email/domain.json", "v1/email/pro.json"]


def test_a_typo_in_the_first_segment_still_gets_a_suggestion(cached_eu: Path, plugins, tmp_path) -> None:
    recipe = tmp_path / "typo.yaml"
    recipe.write_text("name: typo\nsteps:\n  - get: /dedicatd/server\n")
    with pytest.raises(RecipeError, match="did you mean /dedicated/server"):
        check_before_run(load_recipe(recipe, plugins), "ovh-eu")


def test_warnings_follow_the_log_format(cached_eu: Path, plugins, tmp_path: Path, capsys) -> None:
    import json

    recipe = tmp_path / "time.yaml"
    recipe.write_text("name: time\nsteps:\n  - get: /auth/time\n")
    check_before_run(load_recipe(recipe, plugins), "ovh-eu", log_format="json")
    event = json.loads(capsys.readouterr().err)
    assert (event["level"], event["event"], event["line"], event["col"]) == ("warning", "api_check", 3, 10)
    assert event["file"] == str(recipe) and "needs no authentication" in event["message"]


def test_run_says_nothing_about_paths_it_cannot_check(monkeypatch, tmp_path: Path, plugins, capsys) -> None:
    """`validate --api` lists unchecked paths; a cron run does not repeat them on every run."""
    from tests.helpers import copy_schema_subset

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    copy_schema_subset(tmp_path / "ovhflow" / "schemas" / "eu.api.ovh.com")
    check_before_run(load_recipe(HERE / "unchecked.yaml", plugins), "ovh-eu")
    assert capsys.readouterr().err == ""


def test_paths_whose_api_is_known_only_at_run_time_load_no_document(plugins, tmp_path: Path) -> None:
    from ovhflow.apicheck.catalog import Catalog
    from ovhflow.apicheck.commands import documents_for

    recipe = tmp_path / "any.yaml"
    recipe.write_text("name: any\ninputs:\n  api: {type: string}\nsteps:\n  - get: /{{ inputs.api }}\n")
    assert documents_for(load_recipe(recipe, plugins)) is None
    recipe.write_text("name: two\nsteps:\n  - get: /{{ item }}\n    loop: [vps, ip]\n")
    wanted = documents_for(load_recipe(recipe, plugins))
    assert wanted is not None
    assert sorted(Catalog.from_dir(SCHEMAS_DIR, wanted).sources) == ["v1/ip.json", "v1/vps.json"]
