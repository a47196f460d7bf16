"""``ovhflow plugins``: which plugins a run would load, where each came from and what it provides.

It loads plugins exactly as ``ovhflow run`` does, so a broken or blocked plugin shows up here first, with
the same one-line error.
"""

from __future__ import annotations

import click

from ovhflow.cli.common import debug_option, plugins_dir_option, reported_errors
from ovhflow.plugin.manager import DISABLE_ENV, PluginRecord, disabled_names, load_plugins


def describe(record: PluginRecord) -> str:
    """A plugin as a few lines of text: name, version and source, then its hooks and actions."""
    heading = f"{record.name} {record.version}".rstrip() + f"  ({record.source})"
    lines = [heading, f"    hooks:   {', '.join(record.hooks) or '-'}"]
    if record.actions:
        lines.append(f"    actions: {', '.join(record.actions)}")
    return "\n".join(lines)


@click.command("plugins")
@click.option("--all", "show_all", is_flag=True, help="Also list the built-in plugins.")
@plugins_dir_option
@debug_option
def plugins(show_all: bool, plugins_dir: str | None, debug: bool) -> None:
    """List the loaded plugins: name, version, source, hooks and actions.

    Plugins come from the `ovhflow` entry-point group (installed packages, including ovhflow's own
    first-party plugins) and from --plugins-dir. Block some with OVHFLOW_DISABLE_PLUGINS=name,name.
    """
    with reported_errors(debug):
        loaded = load_plugins(plugins_dir)
        shown = [record for record in loaded.records if show_all or not record.builtin]
        if shown:
            click.echo("\n".join(describe(record) for record in shown))
        else:
            click.echo("no plugins (built-ins are listed with --all)")
        blocked = disabled_names()
        if blocked:
            click.echo(f"blocked by {DISABLE_ENV}: {', '.join(sorted(blocked))}")
