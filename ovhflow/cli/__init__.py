"""The ``ovhflow`` command: a click group whose subcommands are imported only when used.

Each subcommand lives in its own module of this package; ``ovhflow --version`` imports none of them, so a
cron job's start-up stays light. Errors reach the user through :func:`ovhflow.cli.common.fail`.
"""

from __future__ import annotations

import importlib

import click

from ovhflow import __version__

# command name -> "module:attribute", imported on first use
COMMANDS: dict[str, str] = {
    "run": "ovhflow.cli.run_cmd:run",
    "validate": "ovhflow.cli.validate_cmd:validate",
    "schema": "ovhflow.cli.validate_cmd:schema",
    "sandbox": "ovhflow.cli.sandbox_cmd:sandbox",
    "plugins": "ovhflow.cli.plugins_cmd:plugins",
    "auth": "ovhflow.cli.auth_cmd:auth",
    "call": "ovhflow.cli.call_cmd:call",
    "cron": "ovhflow.cli.cron_cmd:cron",
    "schemas": "ovhflow.cli.schemas_cmd:schemas",
}


class LazyGroup(click.Group):
    """A click group that imports a subcommand's module only when that subcommand runs."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = COMMANDS.get(cmd_name)
        if target is None:
            return None
        module_name, attribute = target.split(":")
        return getattr(importlib.import_module(module_name), attribute)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="ovhflow")
def main() -> None:
    """Run declarative YAML recipes against the OVHcloud API."""
