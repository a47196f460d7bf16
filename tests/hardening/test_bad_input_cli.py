"""Bad input through ``ovhflow run`` against a live sandbox: exit 2, one located message, no traceback,
and not one request - the sandbox's journal stays empty.

tests/recipe checks each corpus file through the loader and ``ovhflow validate``; this sweep runs every
one of them (and the file-level problems: empty, binary, non-UTF-8, huge, deeply nested, a folder, a
missing file) through ``run`` with credentials and an API that would answer.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from ovhflow.recipe import MAX_DEPTH, MAX_FILE_SIZE
from tests.cli_invoke import invoke_ovhflow
from tests.helpers import REPO_ROOT

CORPUS = REPO_ROOT / "tests" / "recipe" / "corpus"
EXPECT = re.compile(r"# expect: (?:(?P<file>[\w.]+):)?(?P<line>\d+):(?P<col>\d+): (?P<fragment>.+)")


def _corpus_cases() -> list[tuple[Path, str, str]]:
    """(file, where the message must start, a fragment it must hold) from each file's ``# expect:``."""
    cases = []
    for path in sorted(CORPUS.glob("bad_*.yaml")):
        match = EXPECT.fullmatch(path.read_text(encoding="utf-8").splitlines()[0])
        assert match, f"{path.name}: no '# expect:' first line"
        target = CORPUS / (match["file"] or path.name)
        where = str(target) if match["line"] == "0" else f"{target}:{match['line']}:{match['col']}:"
        cases.append((path, where, match["fragment"]))
    return cases


def _file_cases(folder: Path) -> list[tuple[Path, str, str]]:
    files = {
        "empty.yaml": (b"", "{path}: ", "empty file"),
        "comments.yaml": (b"# nothing\n", "{path}: ", "empty file"),
        "binary.yaml": (b"\x7fELF\x02\x01\x01\x00\x00\x00", "{path}: ", "binary file"),
        "latin1.yaml": (b"name: ok\nsteps:\n  - log: caf\xe9\n", "{path}:3:13: ", "not UTF-8"),
        "huge.yaml": (b"a: b\n" * (MAX_FILE_SIZE // 5 + 1), "{path}: ", "over the limit"),
        "deep.yaml": (b"name: deep\nsteps: " + b"[" * (MAX_DEPTH + 10) + b"\n", "{path}:2:", "nested more"),
        "crlf-tab.yaml": (b"name: x\r\nsteps:\r\n\t- get: /me\r\n", "{path}:3:", ""),
    }
    cases = []
    for name, (content, where, fragment) in files.items():
        path = folder / name
        path.write_bytes(content)
        cases.append((path, where.format(path=path), fragment))
    cases.append((folder, f"{folder}: ", "is a directory"))
    cases.append((folder / "missing.yaml", f"{folder / 'missing.yaml'}: ", "no such file"))
    return cases


def _problems(path: Path, where: str, fragment: str, env: dict[str, str]) -> list[str]:
    done = invoke_ovhflow("run", str(path), env=env, cwd=path if path.is_dir() else path.parent)
    name = path.name
    problems = []
    if done.returncode != 2:
        problems.append(f"{name}: exit {done.returncode}")
    if "Traceback" in done.stderr + done.stdout:
        problems.append(f"{name}: traceback")
    lines = done.stderr.splitlines()
    if not any(where in line and fragment in line for line in lines):
        problems.append(f"{name}: no line with {where!r} and {fragment!r} in {lines[:3]}")
    if done.stdout:
        problems.append(f"{name}: wrote to stdout: {done.stdout[:200]!r}")
    return problems


def _sweep(cases: list[tuple[Path, str, str]], env: dict[str, str]) -> list[str]:
    # one at a time: in-process commands share sys.stdout and sys.stderr
    return [problem for case in cases for problem in _problems(*case, env)]


@pytest.fixture
def run_env(sandbox, tmp_path: Path) -> dict[str, str]:
    home = tmp_path / "home"
    home.mkdir()
    return {**sandbox.env(), "HOME": str(home), "OVHFLOW_LOCK_DIR": str(tmp_path / "locks")}


@pytest.mark.timeout(300)
def test_every_corpus_file_is_refused_by_run_before_any_request(sandbox, run_env) -> None:
    cases = _corpus_cases()
    assert len(cases) >= 50
    assert _sweep(cases, run_env) == []
    assert sandbox.journal == []


def test_file_level_problems_are_refused_by_run_before_any_request(sandbox, run_env, tmp_path) -> None:
    folder = tmp_path / "bad"
    folder.mkdir()
    assert _sweep(_file_cases(folder), run_env) == []
    assert sandbox.journal == []


INPUTS = """\
name: typed inputs
inputs:
  dc: {type: string, default: sbg1, choices: [sbg1, gra1]}
  limit: {type: integer, default: 1}
  ratio: {type: number, default: 0.5}
  dry: {type: boolean, default: false}
  ids: {type: list, default: []}
  extra: {type: object, default: {}}
steps:
  - get: /dedicated/server
"""


@pytest.mark.parametrize(
    ("params", "message"),
    [
        (["-p", "limit=ten"], "-p limit: 'ten' is not an integer"),
        (["-p", "limit=1.5"], "is not an integer"),
        (["-p", "ratio=nan"], "expected a finite number"),
        (["-p", "dry=perhaps"], "is not true or false"),
        (["-p", "ids=[a, b"], "is not a list"),
        (["-p", "extra=[1]"], "is not a mapping"),
        (["-p", "dc=bhs1"], "'bhs1' is not one of sbg1, gra1"),
        (["-p", "limt=3"], "the recipe has no input 'limt' (did you mean 'limit'?)"),
        (["-p", "limit"], "NAME=VALUE"),
        (["-p", "=3"], "NAME=VALUE"),
        (["-p", "limit=1", "-p", "limit=2"], "limit"),
    ],
    ids=[
        "not-int",
        "float-for-int",
        "nan",
        "not-bool",
        "broken-list",
        "list-for-object",
        "bad-choice",
        "unknown-name",
        "no-equals",
        "no-name",
        "twice",
    ],
)
def test_malformed_inputs_exit_2_before_any_request(sandbox, run_env, write_recipe, params, message) -> None:
    recipe = write_recipe(INPUTS)
    done = invoke_ovhflow("run", str(recipe), *params, env=run_env, cwd=recipe.parent)
    assert done.returncode == 2, done.stderr
    assert message in done.stderr and "Traceback" not in done.stderr
    assert sandbox.journal == []


def test_params_file_errors_are_located_and_nothing_is_sent(sandbox, run_env, write_recipe, tmp_path) -> None:
    recipe = write_recipe(INPUTS)
    params = tmp_path / "params.yaml"
    for text, where, message in (
        ("limit: [1]\n", f"{params}:1:8:", "expects an integer"),
        ("dc: sbg1\nlimitt: 1\n", f"{params}:2:1:", "no input 'limitt'"),
        ("dc: [unclosed\n", f"{params}:", ""),
        ("- a\n", f"{params}", "mapping"),
    ):
        params.write_text(text, encoding="utf-8")
        done = invoke_ovhflow("run", str(recipe), "--params", str(params), env=run_env, cwd=tmp_path)
        assert done.returncode == 2, (text, done.stderr)
        assert any(where in line and message in line for line in done.stderr.splitlines()), done.stderr
        assert "Traceback" not in done.stderr
    assert sandbox.journal == []


ESCAPES = [
    "{{ ''.__class__.__mro__ }}",
    "{{ cycler.__init__.__globals__ }}",
    "{{ lipsum.__globals__ }}",
    "{{ self._TemplateReference__context }}",
    "{{ self.__dict__ }}",
]
EXPENSIVE = [
    ("{{ range(10**9) | list | length }}", "range() of 1,000,000,000 items is over the limit"),
    ("{{ 'x' * 10**9 }}", "over the limit of 1,000,000"),
    ("{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}", "too much work"),
    ("{{ 2 ** 100000000 }}", "over a limit"),
]


def _template_recipe(folder: Path, name: str, template: str) -> Path:
    path = folder / name
    quoted = template.replace("'", "''")
    path.write_text(f"name: abuse\nsteps:\n  - log: '{quoted}'\n  - get: /me\n", encoding="utf-8")
    return path


def test_template_escapes_are_refused_before_any_request(sandbox, run_env, tmp_path) -> None:
    cases = [
        (_template_recipe(tmp_path, f"escape{i}.yaml", source), f"escape{i}.yaml:3:", "templates cannot use")
        for i, source in enumerate(ESCAPES)
    ]
    assert _sweep(cases, run_env) == []
    assert sandbox.journal == []


@pytest.mark.parametrize(("source", "fragment"), EXPENSIVE, ids=["range", "repeat", "loops", "power"])
def test_expensive_templates_stop_the_run_at_their_step(sandbox, run_env, tmp_path, source, fragment) -> None:
    """Resource limits are met while rendering, so the step fails (exit 1) - at its location, promptly
    (the test's timeout bounds it), and before the next step's request."""
    recipe = _template_recipe(tmp_path, "expensive.yaml", source)
    done = invoke_ovhflow("run", str(recipe), env=run_env, cwd=tmp_path)
    assert done.returncode == 1, done.stderr
    [error] = [line for line in done.stderr.splitlines() if line.startswith("error:")]
    assert f"{recipe}:3:5:" in error and fragment in error and "Traceback" not in done.stderr
    assert sandbox.journal == []


def test_undecodable_input_bytes_exit_2_before_any_request(sandbox, run_env, write_recipe) -> None:
    """Bytes that are not UTF-8, in a -p value or in an input's environment variable, reach Python as
    lone surrogates; they are refused up front instead of failing at the first request that uses them."""
    recipe = write_recipe(
        "name: bytes\ninputs:\n  zone: {type: string, env: HARDENING_ZONE}\n"
        "steps:\n  - get: /me\n  - get: /domain/zone/{{ inputs.zone }}/record\n"
    )
    for params, env in (
        (["-p", "zone=caf\udce9"], {}),  # what a Latin-1 'café' on the command line becomes
        ([], {"HARDENING_ZONE": "caf\udce9"}),
    ):
        done = invoke_ovhflow("run", str(recipe), *params, env={**run_env, **env}, cwd=recipe.parent)
        assert done.returncode == 2, done.stderr
        assert "is not valid UTF-8 text" in done.stderr and "Traceback" not in done.stderr
    assert sandbox.journal == []
