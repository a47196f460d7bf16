"""The ``ovhflow`` command: a click group whose subcommands are imported only when used.

Each subcommand lives in its own module of this package; ``ovhflow --version`` imports none of them, so a
cron job's start-up stays light. Errors reach the user through :func:`ovhflow.cli.common.fail`.
"""

from __future__ import annotations

import importlib
from typing import Any

import click

from ovhflow import __version__
from ovhflow.cli import collector
from ovhflow.cli.interrupts import exit_when_interrupted, sigterm_raises

# Commands that keep the garbage collector paused (ovhflow/cli/collector.py): validate's work is all
# start-up; run resumes it itself before its first step.
COLLECTOR_PAUSED = frozenset({"run", "validate"})

# command name -> ("module:attribute", one-line help); a module is imported on first use only
COMMANDS: dict[str, tuple[str, str]] = {
    "run": ("ovhflow.cli.run_cmd:run", "Run a recipe."),
    "validate": ("ovhflow.cli.validate_cmd:validate", "Check recipes without running them."),
    "schema": ("ovhflow.cli.validate_cmd:schema", "Print the recipe JSON Schema."),
    "sandbox": ("ovhflow.cli.sandbox_cmd:sandbox", "Serve the local OVH API sandbox."),
    "plugins": ("ovhflow.cli.plugins_cmd:plugins", "List installed plugins."),
    "auth": ("ovhflow.cli.auth_cmd:auth", "Request a consumer key and save it to ovh.conf."),
    "call": ("ovhflow.cli.call_cmd:call", "Make one signed API call and print its JSON answer."),
    "cron": (
        "ovhflow.cli.cron_cmd:cron",
        "Print a crontab line and systemd units (or a CronJob) for a recipe.",
    ),
    "doc": ("ovhflow.cli.doc_cmd:doc", "Show an action's options (ovhflow doc csv)."),
    "schemas": ("ovhflow.cli.schemas_cmd:schemas", "Download and list OVH's API schema documents."),
    "plan": ("ovhflow.cli.plan_cmd:plan", "Show a plan saved by run --check --plan-out."),
}


class LazyGroup(click.Group):
    """A click group that imports a subcommand's module only when that subcommand runs."""

    def main(self, *args: Any, **kwargs: Any) -> Any:
        with (
            collector.paused(),  # start-up leaves no garbage to collect: see ovhflow/cli/collector.py
            sigterm_raises(),  # a SIGTERM during start-up ends with exit 143 and a line, not silently
        ):
            return super().main(*args, **kwargs)

    def invoke(self, ctx: click.Context) -> Any:
        with exit_when_interrupted():  # not click's "Aborted!" (exit 1): the documented 130 or 143
            return super().invoke(ctx)

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in COMMANDS:
            return None
        module_name, attribute = COMMANDS[cmd_name][0].split(":")
        return getattr(importlib.import_module(module_name), attribute)

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        name = args[0] if args else ""
        if name and name not in COMMANDS and not ctx.resilient_parsing and not name.startswith("-"):
            from ovhflow.text.suggestions import did_you_mean  # only on this error path: start-up stays light

            ctx.fail(f"No such command {name!r}{did_you_mean(name, COMMANDS)}.")
        return super().resolve_command(ctx, args)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        # Listing commands must not import them: `ovhflow --help` stays as light as `--version`.
        with formatter.section("Commands"):
            formatter.write_dl([(name, COMMANDS[name][1]) for name in self.list_commands(ctx)])


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="ovhflow")
def main() -> None:
    """Run declarative YAML recipes against the OVHcloud API."""
    if click.get_current_context().invoked_subcommand not in COLLECTOR_PAUSED:
        collector.resume()
    from ovhflow.reporting.standard_streams import protect_standard_streams  # lazy: start-up

    protect_standard_streams()  # a closed stderr or a dead `| head` reader never aborts a job
