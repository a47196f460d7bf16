"""Did-you-mean: swapped letters, case, bare input and step names, commands, keys a missing plugin gives."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.cli_invoke import invoke

INPUTS = "inputs:\n  names: {type: list, default: [a]}\n"


@pytest.mark.parametrize(
    ("key", "meant"),
    [("gte", "get"), ("cvs", "csv"), ("lgo", "log"), ("GET", "get"), ("Get", "get"), ("ste", "set")],
)
def test_a_misspelt_action_gets_the_action_meant(write: Callable[..., Path], key: str, meant: str) -> None:
    recipe = write(f"name: t\nsteps:\n  - {key}: /me\n")
    result = invoke("validate", str(recipe))
    assert result.exit_code == 2
    expected = f"{recipe}:3:5: unknown key {key!r} in step steps[0] (did you mean {meant!r}?)"
    assert result.stderr.strip() == expected


def test_a_bare_input_name_suggests_the_input(write: Callable[..., Path]) -> None:
    recipe = write(f"name: t\n{INPUTS}steps:\n  - log: '{{{{ names }}}}'\n")
    result = invoke("validate", str(recipe))
    assert result.exit_code == 2
    assert result.stderr.strip() == (
        f"{recipe}:5:10: undefined name 'names' in '{{{{ names }}}}' (did you mean 'inputs.names'?)"
    )


def test_a_bare_step_id_suggests_its_record(write: Callable[..., Path]) -> None:
    recipe = write(
        "name: t\nsteps:\n  - id: servers\n    get: /dedicated/server\n"
        "  - id: each\n    loop: '{{ steps.servers.result }}'\n    get: /dedicated/server/{{ item }}\n"
        "  - log: '{{ servers }} {{ each }}'\n"
    )
    result = invoke("validate", str(recipe))
    assert result.exit_code == 2
    where = "in '{{ servers }} {{ each }}'"
    assert f"undefined name 'each' {where} (did you mean 'steps.each.results'?)" in result.stderr
    assert f"undefined name 'servers' {where} (did you mean 'steps.servers.result'?)" in result.stderr


@pytest.mark.parametrize(("typed", "meant"), [("rnu", "run"), ("vaildate", "validate"), ("Run", "run")])
def test_a_misspelt_command_gets_a_suggestion(typed: str, meant: str) -> None:
    result = invoke(typed, "recipe.yaml")
    assert result.exit_code == 2
    assert f"Error: No such command {typed!r} (did you mean {meant!r}?)." in result.stderr


def test_an_unrelated_command_gets_no_suggestion() -> None:
    result = invoke("xyzzy")
    assert result.exit_code == 2
    assert "Error: No such command 'xyzzy'." in result.stderr


def test_an_action_of_a_disabled_plugin_says_so(write: Callable[..., Path]) -> None:
    recipe = write("name: t\nsteps:\n  - csv: {path: a.csv, rows: []}\n")
    result = invoke("validate", str(recipe), env={"OVHFLOW_DISABLE_PLUGINS": "csv"})
    assert result.exit_code == 2
    assert result.stderr.strip() == (
        f"{recipe}:3:5: unknown key 'csv' in step steps[0] "
        "(the plugin 'csv' would provide it, but OVHFLOW_DISABLE_PLUGINS blocks it)"
    )


def test_an_unknown_action_hints_that_a_plugin_may_be_missing(write: Callable[..., Path]) -> None:
    recipe = write("name: t\nalerts: {to: ops}\nsteps:\n  - ping: example.com\n")
    result = invoke("validate", str(recipe))
    assert result.exit_code == 2
    hint = "(no loaded plugin provides it: if it comes from a plugin, install that plugin or load it with"
    assert f"{recipe}:2:1: unknown key 'alerts' in the recipe {hint}" in result.stderr
    assert f"{recipe}:4:5: unknown key 'ping' in step steps[0] {hint}" in result.stderr


@pytest.mark.parametrize(
    ("word", "candidates", "meant"),
    [
        ("row", ["now", "inputs"], None),  # one replaced letter in a short word is not a match
        ("stpes", ["steps", "set"], "steps"),
        ("retires", ["retries", "delay"], "retries"),
        ("pth", ["path", "method"], "path"),
        ("concurency", ["concurrency", "count"], "concurrency"),
    ],
)
def test_closest(word: str, candidates: list[str], meant: str | None) -> None:
    from ovhflow.text.suggestions import closest

    assert closest(word, candidates) == meant
