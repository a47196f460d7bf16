"""Builds the pluggy plugin manager for one run: built-ins, entry points, a plugins folder.

Nothing is created at import time: each command builds its own manager with :func:`load_plugins`, so
tests and library users get a fresh one and ``ovhflow --version`` never loads a plugin.
"""

from __future__ import annotations

import importlib
import importlib.util
import inspect
import os
import re
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType

import pluggy

from ovhflow import PROJECT_NAME, hookspecs
from ovhflow.errors import PluginError
from ovhflow.plugin_api import ActionSpec
from ovhflow.recipe.schema import RESERVED_ACTION_NAMES

# Built-in actions, registered exactly like third-party plugins.
DEFAULT_PLUGINS: tuple[str, ...] = (
    "ovhflow.actions.http",
    "ovhflow.actions.control",
)

DISABLE_ENV = "OVHFLOW_DISABLE_PLUGINS"


@dataclass
class PluginRecord:
    """One loaded plugin, as ``ovhflow plugins`` lists it."""

    name: str
    source: str  # "built-in", "entry point module.name (dist 1.0)", or the file it was loaded from
    version: str
    module: ModuleType
    builtin: bool = False
    hooks: list[str] = field(default_factory=list)
    actions: list[str] = field(default_factory=list)


@dataclass
class Plugins:
    """A plugin manager plus what was loaded, and the actions every plugin registered."""

    manager: pluggy.PluginManager
    records: list[PluginRecord]
    actions: dict[str, ActionSpec]

    @property
    def hook(self) -> pluggy.HookRelay:
        return self.manager.hook


def disabled_names() -> set[str]:
    """The plugin names ``OVHFLOW_DISABLE_PLUGINS`` blocks (comma-separated, spaces ignored)."""
    return {name.strip() for name in os.environ.get(DISABLE_ENV, "").split(",") if name.strip()}


def _import_builtin(module_name: str) -> ModuleType:
    return importlib.import_module(module_name)


def _entry_point_modules(disabled: set[str]) -> Iterable[tuple[str, str, str, ModuleType]]:
    """(name, source, distribution version, module) of each entry point not disabled."""
    from importlib.metadata import entry_points

    # Reading a distribution's metadata parses its whole METADATA file (ours holds the README): once each.
    names_and_versions: dict[int, tuple[str, str]] = {}
    for ep in entry_points(group=PROJECT_NAME):
        if ep.name in disabled:
            continue
        name, version = "unknown distribution", ""
        if ep.dist is not None:
            if id(ep.dist) not in names_and_versions:
                metadata = ep.dist.metadata
                names_and_versions[id(ep.dist)] = (metadata["Name"], metadata["Version"])
            name, version = names_and_versions[id(ep.dist)]
        try:
            module = ep.load()
        except Exception as exc:  # any import-time failure of a third-party module
            raise PluginError(f"plugin {ep.name!r} ({ep.value}) failed to import: {_one_line(exc)}") from exc
        yield ep.name, f"entry point {ep.value} ({name} {version})".replace(" )", ")"), version, module


def _directory_modules(plugins_dir: Path, disabled: set[str]) -> Iterable[tuple[str, str, str, ModuleType]]:
    """(name, file, "" as version, module) of each plugin file not disabled or private."""
    if not plugins_dir.is_dir():
        raise PluginError(f"--plugins-dir {plugins_dir}: not a directory")
    for path in sorted(plugins_dir.glob("*.py")):
        name = path.stem
        if name in disabled or name.startswith("_"):
            continue
        module_name = f"ovhflow_local_plugins.{name}"
        spec = importlib.util.spec_from_file_location(module_name, path)
        assert spec and spec.loader
        module = importlib.util.module_from_spec(spec)
        # In sys.modules while it runs, as a normal import would be: dataclasses and typing need it.
        sys.modules[module_name] = module
        try:
            spec.loader.exec_module(module)
        except Exception as exc:
            del sys.modules[module_name]
            raise PluginError(f"plugin {name!r} ({path}) failed to import: {_one_line(exc)}") from exc
        yield name, str(path), "", module


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text if isinstance(exc, ImportError) else f"{type(exc).__name__}: {text}"


def _validation_message(exc: pluggy.PluginValidationError) -> str:
    """pluggy's complaint in a person's words, without the module repr it quotes."""
    text = str(exc)
    unknown = re.search(r"unknown hook '([^']+)'", text)
    if unknown:
        return f"unknown hook {unknown.group(1)!r} (hooks: {', '.join(hook_names())})"
    arguments = re.search(r"hookimpl definition: (\w+)\(.*?\)\s+Argument\(s\) \{(.*?)\}", text, re.DOTALL)
    if arguments:
        hook, extra = arguments.group(1), arguments.group(2).replace("'", "")
        names = ", ".join(inspect.signature(getattr(hookspecs, hook, lambda: None)).parameters)
        return f"{hook}() takes argument(s) the hook does not have: {extra} (the hook is {hook}({names}))"
    return _one_line(exc)


def _misnamed_hooks(module: ModuleType) -> list[str]:
    """Problems pluggy does not see: ``ovhflow_*`` functions without ``@hookimpl``, which would be ignored."""
    marker = f"{PROJECT_NAME}_impl"
    problems = []
    for attribute, value in sorted(vars(module).items()):
        if not attribute.startswith(f"{PROJECT_NAME}_") or not inspect.isfunction(value):
            continue
        if getattr(value, "__module__", None) != module.__name__ or hasattr(value, marker):
            continue
        if hasattr(hookspecs, attribute):
            problems.append(f"{attribute}() is not decorated with @ovhflow.hookimpl")
        else:
            problems.append(f"{attribute}() is not an ovhflow hook (hooks: {', '.join(hook_names())})")
    return problems


def hook_names() -> list[str]:
    """The names of every hook a plugin can implement, as :mod:`ovhflow.hookspecs` declares them."""
    marker = f"{PROJECT_NAME}_spec"
    return sorted(name for name, value in vars(hookspecs).items() if hasattr(value, marker))


def load_plugins(plugins_dir: str | Path | None = None, entry_points: bool = True) -> Plugins:
    """Build a plugin manager with the built-ins, installed entry points and ``plugins_dir``'s modules.

    Plugins named in ``OVHFLOW_DISABLE_PLUGINS`` (comma-separated) are skipped; built-ins cannot be.
    Raises :class:`PluginError` naming the plugin when one fails to import, declares an unknown hook,
    or registers an action name that is already taken.
    """
    manager = pluggy.PluginManager(PROJECT_NAME)
    manager.add_hookspecs(hookspecs)
    disabled = disabled_names()
    records: list[PluginRecord] = []

    def register(name: str, source: str, version: str, module: ModuleType, builtin: bool) -> None:
        try:
            manager.register(module, name=name)
            manager.check_pending()
        except pluggy.PluginValidationError as exc:
            raise PluginError(f"plugin {name!r} ({source}) is invalid: {_validation_message(exc)}") from exc
        except ValueError as exc:
            raise PluginError(f"plugin {name!r} ({source}) is invalid: {_one_line(exc)}") from exc
        problems = _misnamed_hooks(module)
        if problems:
            raise PluginError(f"plugin {name!r} ({source}) is invalid: {'; '.join(problems)}")
        version = str(getattr(module, "__version__", "")) or version
        hooks = sorted(caller.name for caller in manager.get_hookcallers(module) or [])
        records.append(PluginRecord(name, source, version, module, builtin, hooks))

    from ovhflow import __version__

    for module_name in DEFAULT_PLUGINS:
        register(module_name.rsplit(".", 1)[-1], "built-in", __version__, _import_builtin(module_name), True)
    sources: list[Iterable[tuple[str, str, str, ModuleType]]] = []
    if entry_points:
        sources.append(_entry_point_modules(disabled))
    if plugins_dir is not None:
        sources.append(_directory_modules(Path(plugins_dir), disabled))
    for source in sources:
        for name, where, version, module in source:
            if manager.has_plugin(name):
                raise PluginError(f"plugin {name!r} ({where}): another plugin already has that name")
            register(name, where, version, module, False)

    actions: dict[str, ActionSpec] = {}
    by_name = {record.name: record for record in records}
    # Through pluggy, in registration order, so only decorated implementations count.
    for impl in manager.hook.ovhflow_actions.get_hookimpls():
        record = by_name[impl.plugin_name]
        try:
            specs = list(impl.function() or [])
        except Exception as exc:
            raise PluginError(f"plugin {record.name!r}: ovhflow_actions() failed: {_one_line(exc)}") from exc
        for spec in specs:
            if not isinstance(spec, ActionSpec):
                raise PluginError(
                    f"plugin {record.name!r}: ovhflow_actions() returned {spec!r}, not an ActionSpec"
                )
            if spec.name in RESERVED_ACTION_NAMES:
                raise PluginError(
                    f"plugin {record.name!r}: action {spec.name!r} is a step keyword of the recipe language"
                )
            if spec.name in actions:
                raise PluginError(f"plugin {record.name!r}: action {spec.name!r} is already registered")
            actions[spec.name] = spec
            record.actions.append(spec.name)
    return Plugins(manager, records, actions)
