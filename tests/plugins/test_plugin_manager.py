"""How plugins are found, listed, blocked and rejected: entry points, --plugins-dir, the env variable.

Entry-point tests install a small third-party distribution (a ``.dist-info`` folder and a module) in a
temporary folder on PYTHONPATH and run the real ``ovhflow`` command line as a subprocess, so discovery
reads the folder exactly as for a package installed with pip (tests/plugins/test_entry_points.py compares
that reading with ``importlib.metadata``'s) and the test's process never imports the third-party module.
The other command-line tests run in-process.
"""

from __future__ import annotations

import os
import textwrap
from pathlib import Path

import pytest

from ovhflow.errors import PluginError
from ovhflow.exit_status import ExitStatus
from ovhflow.plugin.manager import DEFAULT_PLUGINS, DISABLE_ENV, hook_names, load_plugins
from tests.cli_invoke import invoke_ovhflow
from tests.helpers import RECIPES_DIR, run_ovhflow

FIRST_PARTY = {"csv": ["csv"], "json": ["json"], "table": ["table"], "notify": [], "filters": []}

GOOD_PLUGIN = '''
"""A local plugin with an action and a filter."""
from ovhflow import hookimpl
from ovhflow.plugin_api import ActionSpec

__version__ = "2.5"


def shout(call):
    call.output(str(call.args).upper())
    return str(call.args).upper()


@hookimpl
def ovhflow_actions():
    return [ActionSpec(name="shout", run=shout, schema={"type": "string"})]


@hookimpl
def ovhflow_template_filters():
    return {"reverse_text": lambda text: str(text)[::-1]}
'''


def write_plugin(folder: Path, name: str, code: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.py"
    path.write_text(textwrap.dedent(code), encoding="utf-8")
    return path


def install_distribution(site: Path, dist: str, version: str, entry_points: dict[str, str]) -> None:
    """A minimal installed distribution: what pip leaves in site-packages, entry points included."""
    info = site / f"{dist}-{version}.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {dist}\nVersion: {version}\n")
    lines = "".join(f"{name} = {target}\n" for name, target in entry_points.items())
    (info / "entry_points.txt").write_text(f"[ovhflow]\n{lines}")


def env_with(site: Path | None = None, **extra: str) -> dict[str, str]:
    env = {"PYTHONPATH": os.pathsep.join(filter(None, [str(site) if site else "", os.getcwd()]))}
    env.update(extra)
    return env


def one_line_error(stderr: str) -> str:
    assert "Traceback" not in stderr
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    return lines[0]


@pytest.fixture(autouse=True)
def no_disabled_plugins(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(DISABLE_ENV, raising=False)


# -- discovery -----------------------------------------------------------------------------------


def test_first_party_plugins_come_through_entry_points() -> None:
    loaded = load_plugins()
    records = {record.name: record for record in loaded.records}
    for name, actions in FIRST_PARTY.items():
        record = records[name]
        assert record.source.startswith("entry point ovhflow_plugins."), record.source
        assert record.source.endswith("(ovhflow 0.1.0)")
        assert record.version == "0.1.0"
        assert not record.builtin
        assert record.actions == actions
        assert loaded.manager.get_plugin(name) is record.module
    assert records["notify"].hooks == ["ovhflow_recipe_sections", "ovhflow_run_end"]
    assert records["filters"].hooks == ["ovhflow_template_filters"]
    for name in ("csv", "json", "table"):
        assert loaded.actions[name].name == name


def test_builtins_are_registered_like_plugins() -> None:
    loaded = load_plugins()
    builtins = [record.name for record in loaded.records if record.builtin]
    assert builtins == [module.rsplit(".", 1)[-1] for module in DEFAULT_PLUGINS]
    assert {"get", "post", "put", "delete", "set"} <= set(loaded.actions)


def test_a_third_party_distribution_is_found_and_listed(tmp_path: Path) -> None:
    site = tmp_path / "site"
    write_plugin(site, "acme_ovhflow", GOOD_PLUGIN)
    install_distribution(site, "acme-tools", "3.1.4", {"acme": "acme_ovhflow"})
    listed = run_ovhflow("plugins", env=env_with(site))
    assert listed.returncode == 0, listed.stderr
    assert "acme 2.5  (entry point acme_ovhflow (acme-tools 3.1.4))" in listed.stdout
    block = listed.stdout.split("acme 2.5", 1)[1]
    assert "hooks:   ovhflow_actions, ovhflow_template_filters" in block
    assert "actions: shout" in block


def test_plugins_lists_builtins_only_with_all() -> None:
    default = invoke_ovhflow("plugins")
    assert default.returncode == 0, default.stderr
    everything = invoke_ovhflow("plugins", "--all")
    assert everything.returncode == 0, everything.stderr
    for name in FIRST_PARTY:
        assert f"\n{name} 0.1.0  (entry point" in "\n" + default.stdout
    assert "(built-in)" not in default.stdout
    assert "http 0.1.0  (built-in)" in everything.stdout
    assert "actions: get, delete, post, put" in everything.stdout


def test_plugins_dir_loads_local_modules(tmp_path: Path) -> None:
    write_plugin(tmp_path / "local", "shouting", GOOD_PLUGIN)
    write_plugin(tmp_path / "local", "_private_helper", "raise RuntimeError('never imported')")
    loaded = load_plugins(tmp_path / "local")
    record = next(r for r in loaded.records if r.name == "shouting")
    assert record.source == str(tmp_path / "local" / "shouting.py")
    assert record.version == "2.5"
    assert record.actions == ["shout"]
    assert "shout" in loaded.actions
    listed = invoke_ovhflow("plugins", "--plugins-dir", str(tmp_path / "local"))
    assert listed.returncode == 0, listed.stderr
    assert f"shouting 2.5  ({tmp_path / 'local' / 'shouting.py'})" in listed.stdout


def test_plugins_dir_from_the_environment(tmp_path: Path) -> None:
    write_plugin(tmp_path / "local", "shouting", GOOD_PLUGIN)
    listed = invoke_ovhflow("plugins", env={"OVHFLOW_PLUGINS_DIR": str(tmp_path / "local")})
    assert "actions: shout" in listed.stdout


def test_a_local_plugin_can_use_dataclasses(tmp_path: Path) -> None:
    code = """
    from __future__ import annotations
    from dataclasses import dataclass
    from ovhflow import hookimpl

    @dataclass
    class Totals:
        count: int = 0

    @hookimpl
    def ovhflow_template_filters():
        return {"totals": lambda items: Totals(len(items))}
    """
    write_plugin(tmp_path, "with_dataclass", code)
    assert any(r.name == "with_dataclass" for r in load_plugins(tmp_path).records)


# -- blocking --------------------------------------------------------------------------------------


def test_disable_variable_blocks_entry_point_plugins(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(DISABLE_ENV, " csv , notify")
    loaded = load_plugins()
    names = {record.name for record in loaded.records}
    assert "csv" not in names and "notify" not in names
    assert {"json", "table", "filters"} <= names
    assert "csv" not in loaded.actions


def test_disable_variable_blocks_a_broken_plugin_before_it_is_imported(tmp_path: Path) -> None:
    site = tmp_path / "site"
    write_plugin(site, "broken_dist_plugin", "raise RuntimeError('boom at import')")
    install_distribution(site, "broken-dist", "0.1", {"broken": "broken_dist_plugin"})
    failing = run_ovhflow("plugins", env=env_with(site))
    assert failing.returncode == ExitStatus.INVALID_INPUT
    assert one_line_error(failing.stderr) == (
        "error: plugin 'broken' (broken_dist_plugin) failed to import: RuntimeError: boom at import"
    )
    blocked = run_ovhflow("plugins", env=env_with(site, **{DISABLE_ENV: "broken,table"}))
    assert blocked.returncode == 0, blocked.stderr
    assert "broken 0.1" not in blocked.stdout and "table 0.1.0" not in blocked.stdout
    assert blocked.stdout.splitlines()[-1] == f"blocked by {DISABLE_ENV}: broken, table"


def test_disable_variable_blocks_plugins_dir_modules(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_plugin(tmp_path, "shouting", GOOD_PLUGIN)
    monkeypatch.setenv(DISABLE_ENV, "shouting")
    assert "shout" not in load_plugins(tmp_path).actions


def test_builtins_cannot_be_blocked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(DISABLE_ENV, "http,control")
    assert "get" in load_plugins().actions


# -- broken plugins: one line naming the plugin ------------------------------------------------------

BROKEN = {
    "import_error": (
        "import no_such_module_for_ovhflow_tests\n",
        "failed to import: No module named 'no_such_module_for_ovhflow_tests'",
    ),
    "syntax_error": ("def oops(:\n    pass\n", "failed to import: SyntaxError: "),
    "wrong_hook_name": (
        "from ovhflow import hookimpl\n\n@hookimpl\ndef ovhflow_action():\n    return []\n",
        "is invalid: unknown hook 'ovhflow_action' (hooks: ovhflow_actions, ovhflow_http_request,",
    ),
    "wrong_hook_argument": (
        "from ovhflow import hookimpl\n\n@hookimpl\ndef ovhflow_run_end(run, verbose):\n    pass\n",
        "is invalid: ovhflow_run_end() takes argument(s) the hook does not have: verbose"
        " (the hook is ovhflow_run_end(run))",
    ),
    "generator_without_wrapper": (
        "from ovhflow import hookimpl\n\n@hookimpl\ndef ovhflow_run_end(run):\n    yield\n",
        "is invalid: ovhflow_run_end() yields but is not a wrapper: use @ovhflow.hookimpl(wrapper=True)",
    ),
    "async_hook": (
        "from ovhflow import hookimpl\n\n@hookimpl\nasync def ovhflow_run_end(run):\n    pass\n",
        "is invalid: ovhflow_run_end() is async: hooks are called synchronously",
    ),
    "wrapper_without_yield": (
        "from ovhflow import hookimpl\n\n@hookimpl(wrapper=True)\ndef ovhflow_run_end(run):\n    pass\n",
        "is invalid: ovhflow_run_end() is marked as a wrapper but does not yield",
    ),
    "undecorated": (
        "def ovhflow_run_end(run):\n    pass\n",
        "is invalid: ovhflow_run_end() is not decorated with @ovhflow.hookimpl",
    ),
    "undecorated_typo": (
        "def ovhflow_run_ended(run):\n    pass\n",
        "is invalid: ovhflow_run_ended() is not an ovhflow hook (hooks: ovhflow_actions,",
    ),
    "not_a_spec": (
        "from ovhflow import hookimpl\n\n@hookimpl\ndef ovhflow_actions():\n    return ['csv']\n",
        "ovhflow_actions() returned 'csv', not an ActionSpec",
    ),
    "taken_action": (
        "from ovhflow import hookimpl\nfrom ovhflow.plugin_api import ActionSpec\n\n"
        "@hookimpl\ndef ovhflow_actions():\n    return [ActionSpec(name='csv', run=print)]\n",
        "action 'csv' is already registered",
    ),
    "csv": ("x = 1\n", "another plugin already has that name"),
    "reserved_action": (
        "from ovhflow import hookimpl\nfrom ovhflow.plugin_api import ActionSpec\n\n"
        "@hookimpl\ndef ovhflow_actions():\n    return [ActionSpec(name='when', run=print)]\n",
        "action 'when' is a step keyword of the recipe language",
    ),
}


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_a_broken_plugin_is_one_error_naming_it(tmp_path: Path, name: str) -> None:
    code, expected = BROKEN[name]
    path = write_plugin(tmp_path, name, code)
    with pytest.raises(PluginError) as raised:
        load_plugins(tmp_path)
    message = str(raised.value)
    assert message.startswith(f"plugin {name!r}"), message
    assert expected in message
    assert "\n" not in message
    if name not in ("not_a_spec", "taken_action", "reserved_action"):
        assert str(path) in message


def test_a_broken_plugin_through_the_command_line(tmp_path: Path) -> None:
    write_plugin(tmp_path, "wrong_hook_name", BROKEN["wrong_hook_name"][0])
    result = invoke_ovhflow("plugins", "--plugins-dir", str(tmp_path))
    assert result.returncode == ExitStatus.INVALID_INPUT
    line = one_line_error(result.stderr)
    assert line.startswith(
        f"error: plugin 'wrong_hook_name' ({tmp_path / 'wrong_hook_name.py'}) is invalid: "
    )
    assert "unknown hook 'ovhflow_action'" in line
    debug = run_ovhflow(
        "plugins", "--plugins-dir", str(tmp_path), "--debug"
    )  # the interpreter prints it: a process
    assert "Traceback" in debug.stderr and "PluginError" in debug.stderr


def test_an_action_named_like_a_step_keyword_is_refused_by_the_command_line(tmp_path: Path) -> None:
    write_plugin(tmp_path, "reserved_action", BROKEN["reserved_action"][0].replace("'when'", "'loop'"))
    result = invoke_ovhflow("plugins", "--plugins-dir", str(tmp_path))
    assert result.returncode == ExitStatus.INVALID_INPUT
    assert one_line_error(result.stderr) == (
        "error: plugin 'reserved_action': action 'loop' is a step keyword of the recipe language"
    )


def test_plugins_dir_must_be_a_folder(tmp_path: Path) -> None:
    result = invoke_ovhflow("plugins", "--plugins-dir", str(tmp_path / "missing"))
    assert result.returncode == ExitStatus.INVALID_INPUT
    assert one_line_error(result.stderr) == f"error: --plugins-dir {tmp_path / 'missing'}: not a directory"


def test_hook_names_are_the_hookspecs() -> None:
    assert hook_names() == sorted(
        [
            "ovhflow_actions",
            "ovhflow_template_filters",
            "ovhflow_recipe_sections",
            "ovhflow_http_request",
            "ovhflow_run_start",
            "ovhflow_step_start",
            "ovhflow_item_end",
            "ovhflow_step_end",
            "ovhflow_run_end",
        ]
    )


def test_a_blocked_action_is_unknown_to_recipes() -> None:
    recipe = str(RECIPES_DIR / "bills-csv.yaml")
    assert invoke_ovhflow("validate", recipe).returncode == 0
    blocked = invoke_ovhflow("validate", recipe, env={DISABLE_ENV: "csv"})
    assert blocked.returncode == ExitStatus.INVALID_INPUT
    assert f"{recipe}:" in blocked.stderr and "'csv'" in blocked.stderr
