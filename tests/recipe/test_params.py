"""The one parser of command-line NAME=VALUE items: ``-p`` (run, cron, validate) and ``call``'s arguments."""

from __future__ import annotations

import pytest

from ovhflow.errors import UsageError
from ovhflow.recipe import parse_params
from ovhflow.recipe.params import CALL_ARGUMENTS, RUN_PARAMS
from tests.cli_invoke import invoke


def test_run_params_are_strings_split_at_the_first_equals() -> None:
    assert parse_params(["a=1", "b=x=y", "c=", " d =2"]) == {"a": "1", "b": "x=y", "c": "", "d": "2"}
    assert parse_params(["n:=1"], RUN_PARAMS) == {"n:": "1"}  # no JSON form: an unknown input name later
    with pytest.raises(UsageError, match=r"-p option #2: expected NAME=VALUE \(no '=' found\)") as caught:
        parse_params(["a=1", "hunter2"])
    assert "hunter2" not in str(caught.value)
    with pytest.raises(UsageError, match="-p a: given more than once"):
        parse_params(["a=1", " a=2"])
    with pytest.raises(UsageError, match="the name before '=' is empty"):
        parse_params(["=1"])


def test_call_arguments_take_json_after_colon_equals() -> None:
    parsed = parse_params(["a=1", "n:=1", "on:=true", 'l:=[1, "x"]', "o:={}", "s=x:=y"], CALL_ARGUMENTS)
    assert parsed == {"a": "1", "n": 1, "on": True, "l": [1, "x"], "o": {}, "s": "x:=y"}
    for items, message in [
        (["a=1", "hunter2"], r"argument #2: expected NAME=VALUE or NAME:=JSON \(no '=' found\)"),
        ([":=1"], r"argument #1: expected .* \(the name before '=' is empty\)"),
        (["a=1", "a:=2"], "argument a: given more than once"),
        (["n:={bad"], "argument n:= is not valid JSON: Expecting property name"),
        (['n:=[1, {"x": NaN}]'], r"argument n:=: n\[1\].x is NaN or infinite"),
        (["n:=1e999"], "argument n:=: n is NaN or infinite"),
    ]:
        with pytest.raises(UsageError, match=message) as caught:
            parse_params(items, CALL_ARGUMENTS)
        assert "hunter2" not in str(caught.value)


def test_run_and_call_read_the_same_syntax_on_the_command_line(tmp_path) -> None:
    (tmp_path / "r.yaml").write_text(
        "name: r\ninputs:\n  zone: {type: string}\nsteps:\n  - log: '{{ inputs.zone }}'\n"
    )
    ran = invoke("run", "--sandbox", "r.yaml", "-p", " zone =example.com", cwd=tmp_path)
    assert ran.exit_code == 0 and "example.com" in ran.stderr, ran.stderr
    for args, expected in [
        (
            ("run", "--sandbox", "r.yaml", "-p", "hunter2"),
            "error: -p option #1: expected NAME=VALUE (no '=' found)",
        ),
        (
            ("run", "--sandbox", "r.yaml", "-p", "zone=a", "-p", "zone=b"),
            "error: -p zone: given more than once",
        ),
        (
            ("call", "--sandbox", "GET", "/me", "hunter2"),
            "error: argument #1: expected NAME=VALUE or NAME:=JSON",
        ),
        (("call", "--sandbox", "GET", "/me", "a=1", "a=2"), "error: argument a: given more than once"),
    ]:
        refused = invoke(*args, cwd=tmp_path)
        assert refused.exit_code == 2 and refused.stderr.startswith(expected), (args, refused.stderr)
        assert "hunter2" not in refused.stderr + refused.stdout
