"""The located YAML loader: positions, duplicate keys, tags, aliases and every refused kind of file."""

from __future__ import annotations

from pathlib import Path

import pytest

from ovhflow.errors import RecipeError, RecipeErrors
from ovhflow.recipe import MAX_DEPTH, MAX_FILE_SIZE, load_recipe
from ovhflow.recipe.yaml_loader import LocatedDict, LocatedList, load_yaml_file, parse_yaml
from tests.cli_invoke import invoke_ovhflow


def test_every_key_and_item_knows_its_line_and_column() -> None:
    doc = parse_yaml("name: x\nsteps:\n  - get: /me\n    query: {a: 1}\n", "r.yaml")
    assert isinstance(doc, LocatedDict)
    assert (doc.key_locations["steps"].line, doc.key_locations["steps"].col) == (2, 1)
    steps = doc["steps"]
    assert isinstance(steps, LocatedList)
    assert (steps.item_locations[0].line, steps.item_locations[0].col) == (3, 5)
    step = steps[0]
    assert (step.value_locations["get"].line, step.value_locations["get"].col) == (3, 10)
    assert (step["query"].key_locations["a"].line, step["query"].key_locations["a"].col) == (4, 13)
    assert str(step.value_locations["query"]) == "r.yaml:4:12"


def test_keys_are_the_text_written_and_timestamps_stay_text() -> None:
    doc = parse_yaml("on: yes\n1: 2\nnull: ~\nwhen: 2024-01-31\n", "r.yaml")
    assert doc == {"on": True, "1": 2, "null": None, "when": "2024-01-31"}


def test_merge_keys_and_aliases_work_and_written_keys_win() -> None:
    doc = parse_yaml("base: &b {a: 1, b: 2}\nm:\n  <<: *b\n  b: 3\nc: *b\n", "r.yaml")
    assert doc["m"] == {"a": 1, "b": 3}
    assert doc["c"] == {"a": 1, "b": 2}
    assert doc["c"] is not doc["base"]  # aliases are expanded copies: nothing shared between steps


@pytest.mark.parametrize(
    ("text", "line", "col", "fragment"),
    [
        ("a: 1\nb:\n  c: 1\n  c: 2\n", 4, 3, "duplicate key 'c' (first at line 3)"),
        ("a: [1, 2\n", 2, 1, "invalid YAML"),
        ("a: !!binary aGVsbG8=\n", 1, 4, "unsupported YAML tag !!binary"),
        ("a: !!set {x}\n", 1, 4, "unsupported YAML tag !!set"),
        ("a: !custom x\n", 1, 4, "unsupported YAML tag !custom"),
        ("? [a, b]\n: c\n", 1, 3, "mapping keys must be plain text"),
        ("a: 1\n---\nb: 2\n", 2, 1, "expected a single document"),
        ("a: \x07\n", 1, 4, "characters are not allowed"),
        ("m:\n  <<: [1]\n", 2, 8, "'<<' merges a mapping"),
    ],
)
def test_malformed_yaml_is_one_located_error(text: str, line: int, col: int, fragment: str) -> None:
    with pytest.raises(RecipeError) as caught:
        parse_yaml(text, "r.yaml")
    error = caught.value
    assert fragment in error.message
    assert (error.location.file, error.location.line, error.location.col) == ("r.yaml", line, col)


def test_deep_nesting_is_refused_before_the_python_stack_runs_out() -> None:
    for text in ("[" * 10_000, "a:\n" + "".join(f"{' ' * i}b:\n" for i in range(1, 200))):
        with pytest.raises(RecipeError) as caught:
            parse_yaml(text, "r.yaml")
        assert f"nested more than {MAX_DEPTH} levels" in caught.value.message


def test_nesting_up_to_the_limit_is_fine() -> None:
    depth = MAX_DEPTH - 1
    value = parse_yaml("[" * depth + "]" * depth, "r.yaml")
    for _ in range(depth - 1):
        value = value[0]
    assert value == []


def test_alias_bomb_stops_at_the_value_limit() -> None:
    lines = ['a0: &a0 ["x", "x", "x", "x", "x", "x", "x", "x", "x", "x"]']
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 12)]  # 10**12 values
    with pytest.raises(RecipeError) as caught:
        parse_yaml("\n".join(lines) + "\n", "bomb.yaml")
    assert "expands to more than 100,000 values" in caught.value.message


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        (b"", "empty file"),
        (b"# only a comment\n", "empty file"),
        (b"name: x\x00\x01\x02steps: []\n", "binary file"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary file"),
        (b"name: caf\xe9\nsteps: []\n", "not UTF-8 text"),
        (b"x" * (MAX_FILE_SIZE + 1), f"over the limit of {MAX_FILE_SIZE:,} bytes"),
    ],
    ids=["empty", "comment-only", "nul-bytes", "png", "latin-1", "huge"],
)
def test_bad_files_are_refused_with_one_message(
    tmp_path: Path, content: bytes, fragment: str, plugins
) -> None:
    path = tmp_path / "bad.yaml"
    path.write_bytes(content)
    with pytest.raises(RecipeErrors) as caught:
        load_recipe(path, plugins)
    [error] = caught.value.errors
    assert fragment in error.message
    assert str(path) in str(error)


def test_non_utf8_error_points_at_the_byte(tmp_path: Path) -> None:
    path = tmp_path / "latin.yaml"
    path.write_bytes(b"name: ok\nsteps:\n  - log: caf\xe9\n")
    with pytest.raises(RecipeError) as caught:
        load_yaml_file(path)
    assert (caught.value.location.line, caught.value.location.col) == (3, 13)


def test_directory_and_missing_file(tmp_path: Path, plugins) -> None:
    for path, message in (
        (tmp_path, "is a directory, not a recipe file"),
        (tmp_path / "no.yaml", "no such file"),
    ):
        with pytest.raises(RecipeErrors) as caught:
            load_recipe(path, plugins)
        assert str(caught.value) == f"{path}: {message}"
        assert caught.value.exit_status == 2


def test_utf8_bom_is_accepted(write, plugins) -> None:
    path = write("")
    path.write_bytes("\ufeffname: bom\nsteps:\n  - log: été\n".encode())
    assert load_recipe(path, plugins).steps[0].args == "été"


def test_cli_reports_bad_files_without_traceback(tmp_path: Path) -> None:
    huge = tmp_path / "huge.yaml"
    huge.write_bytes(b"a: b\n" * (MAX_FILE_SIZE // 5 + 10))
    binary = tmp_path / "binary.yaml"
    binary.write_bytes(b"\x00\x01\x02\x03")
    deep = tmp_path / "deep.yaml"
    deep.write_text("name: deep\nsteps: " + "[" * 5000 + "\n", encoding="utf-8")
    proc = invoke_ovhflow(
        "validate", str(huge), str(binary), str(deep), str(tmp_path), str(tmp_path / "missing.yaml")
    )
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    lines = proc.stderr.splitlines()
    assert f"{huge}: file is" in lines[0] and "over the limit" in lines[0]
    assert lines[1] == f"{binary}: binary file, not a YAML recipe"
    assert lines[2].startswith(f"{deep}:2:") and "nested more than" in lines[2]
    assert lines[3] == f"{tmp_path}: is a directory, not a recipe file"
    assert lines[4] == f"{tmp_path / 'missing.yaml'}: no such file"
    assert len(lines) == 5 and proc.stdout == ""


def test_without_libyaml_the_pure_python_composer_gives_the_same_results(monkeypatch) -> None:
    import yaml

    monkeypatch.setattr(yaml, "__with_libyaml__", False)
    doc = parse_yaml("name: x\nsteps:\n  - get: /me\n", "r.yaml")
    assert doc == {"name": "x", "steps": [{"get": "/me"}]} and doc["steps"].item_locations[0].line == 3
    with pytest.raises(RecipeError, match=f"nested more than {MAX_DEPTH} levels"):
        parse_yaml("[" * 10_000, "r.yaml")
    with pytest.raises(RecipeError, match="duplicate key 'a'"):
        parse_yaml("a: 1\na: 2\n", "r.yaml")


def test_thousands_of_problems_are_capped(write, plugins) -> None:
    path = write("name: many\nsteps:\n" + "  - gett: /me\n" * 300)
    with pytest.raises(RecipeErrors) as caught:
        load_recipe(path, plugins)
    errors = caught.value.errors
    assert len(errors) == 51 and errors[-1].message == "... and 250 more problems from here"
    assert (errors[-1].location.line, errors[-1].location.col) == (53, 5)
