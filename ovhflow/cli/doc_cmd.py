"""``ovhflow doc [ACTION]``: an action's options from the command line, as ``ansible-doc csv`` does.

Everything shown is generated from the action's :class:`~ovhflow.plugin_api.ActionSpec`, the same schema
validation uses, so a plugin's documentation cannot drift from what its actions accept: each option with
its type, default, whether it is required and its description.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import click

from ovhflow.cli.common import debug_option, plugins_dir_option, reported_errors
from ovhflow.errors import UsageError
from ovhflow.plugin.manager import load_plugins
from ovhflow.recipe.messages import accepted, missing_plugin_hint
from ovhflow.recipe.model import MODIFIERS
from ovhflow.text.suggestions import did_you_mean


def _type_words(schema: Mapping[str, Any]) -> str:
    return (
        accepted(dict(schema)) if schema.get("type") or "anyOf" in schema or "enum" in schema else "any value"
    )


def _option_text(schema: Mapping[str, Any], required: bool) -> str:
    """``a string; required. File to write.`` or ``true or false; default false. ...``."""
    parts = [_type_words(schema)]
    if required:
        parts.append("required")
    if "default" in schema:
        parts.append(f"default {json.dumps(schema['default'], ensure_ascii=False)}")
    text = "; ".join(parts) + "."
    if schema.get("description"):
        text += f" {schema['description']}"
    return text


def _rows(properties: Mapping[str, Any], required: list[str]) -> list[tuple[str, str]]:
    return [(name, _option_text(schema, name in required)) for name, schema in properties.items()]


def describe_action(name: str, spec: Any, plugin: str) -> str:
    """The whole page for one action, as text."""
    formatter = click.HelpFormatter(max_width=100)
    formatter.write_text(f"{name} ({plugin}): {spec.description}".rstrip(": "))
    schema = dict(spec.schema)
    properties = schema.get("properties")
    if schema.get("type") == "object" and isinstance(properties, Mapping):
        if schema.get("description"):
            formatter.write_paragraph()
            formatter.write_text(str(schema["description"]))
        with formatter.section(f"Options ({name}: {{...}})"):
            formatter.write_dl(_rows(properties, list(schema.get("required", []))))
    else:
        formatter.write_paragraph()
        formatter.write_text(f"Value ({name}: ...): {_option_text(schema, True)}")
    if spec.options:
        with formatter.section("Keys beside it in the step"):
            formatter.write_dl(_rows(spec.options, []))
    formatter.write_paragraph()
    formatter.write_text(
        f"Any step also takes: {', '.join(MODIFIERS)} (README, 'Modifiers'). The full schema: ovhflow schema."
    )
    return formatter.getvalue()


@click.command("doc")
@click.argument("action", required=False)
@plugins_dir_option
@debug_option
def doc(action: str | None, plugins_dir: str | None, debug: bool) -> None:
    """Show an action's options, from its schema; without ACTION, list the actions.

    \b
    Examples:
      ovhflow doc            # every action, with the plugin that provides it
      ovhflow doc csv        # csv's options: type, default, description
      ovhflow doc --plugins-dir my-plugins count
    """
    with reported_errors(debug):
        plugins = load_plugins(plugins_dir)
        owners = {name: record.name for record in plugins.records for name in record.actions}
        if action is None:
            formatter = click.HelpFormatter(max_width=100)
            rows = [
                (name, f"{spec.description} [{owners.get(name, '?')}]")
                for name, spec in plugins.actions.items()
            ]
            with formatter.section("Actions (ovhflow doc ACTION for one's options)"):
                formatter.write_dl(rows)
            click.echo(formatter.getvalue(), nl=False)
            return
        spec = plugins.actions.get(action)
        if spec is None:
            hint = did_you_mean(action, plugins.actions) or missing_plugin_hint(action)
            raise UsageError(f"no action {action!r}{hint}")
        click.echo(describe_action(action, spec, owners.get(action, "?")), nl=False)
