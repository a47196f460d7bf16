"""Builds the pluggy plugin manager for one run: built-ins, entry points, a plugins folder.

Nothing is created at import time: each command builds its own manager with :func:`load_plugins`, so
tests and library users get a fresh one and ``ovhflow --version`` never loads a plugin.
"""

from __future__ import annotations

import importlib
import importlib.util
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType

import pluggy

from ovhflow import PROJECT_NAME, hookspecs
from ovhflow.errors import PluginError
from ovhflow.plugin_api import ActionSpec

# Built-in actions and run-event subscribers, registered exactly like third-party plugins.
DEFAULT_PLUGINS: tuple[str, ...] = (
    "ovhflow.actions.http",
    "ovhflow.actions.control",
)

DISABLE_ENV = "OVHFLOW_DISABLE_PLUGINS"


@dataclass
class PluginRecord:
    """One loaded plugin, as ``ovhflow plugins`` lists it."""

    name: str
    source: str  # "built-in", "entry point (dist 1.0)", or the file it was loaded from
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


def _disabled_names() -> set[str]:
    return {name.strip() for name in os.environ.get(DISABLE_ENV, "").split(",") if name.strip()}


def _import_builtin(module_name: str) -> ModuleType:
    return importlib.import_module(module_name)


def _entry_point_modules(disabled: set[str]) -> Iterable[tuple[str, str, ModuleType]]:
    from importlib.metadata import entry_points

    for ep in entry_points(group=PROJECT_NAME):
        if ep.name in disabled:
            continue
        dist = f"{ep.dist.name} {ep.dist.version}" if ep.dist else "unknown"
        try:
            module = ep.load()
        except Exception as exc:  # any import-time failure of a third-party module
            raise PluginError(f"plugin {ep.name!r} ({ep.value}) failed to import: {exc}") from exc
        yield ep.name, f"entry point ({dist})", module


def _directory_modules(plugins_dir: Path, disabled: set[str]) -> Iterable[tuple[str, str, ModuleType]]:
    if not plugins_dir.is_dir():
        raise PluginError(f"--plugins-dir {plugins_dir}: not a directory")
    for path in sorted(plugins_dir.glob("*.py")):
        name = path.stem
        if name in disabled or name.startswith("_"):
            continue
        spec = importlib.util.spec_from_file_location(f"ovhflow_local_plugins.{name}", path)
        assert spec and spec.loader
        module = importlib.util.module_from_spec(spec)
        try:
            spec.loader.exec_module(module)
        except Exception as exc:
            raise PluginError(f"plugin {name!r} ({path}) failed to import: {exc}") from exc
        yield name, str(path), module


def load_plugins(plugins_dir: str | Path | None = None, entry_points: bool = True) -> Plugins:
    """Build a plugin manager with the built-ins, installed entry points and ``plugins_dir``'s modules.

    Plugins named in ``OVHFLOW_DISABLE_PLUGINS`` (comma-separated) are skipped; built-ins cannot be.
    Raises :class:`PluginError` naming the plugin when one fails to import, declares an unknown hook,
    or registers an action name that is already taken.
    """
    manager = pluggy.PluginManager(PROJECT_NAME)
    manager.add_hookspecs(hookspecs)
    disabled = _disabled_names()
    records: list[PluginRecord] = []

    def register(name: str, source: str, module: ModuleType, builtin: bool) -> None:
        try:
            manager.register(module, name=name)
            manager.check_pending()
        except (pluggy.PluginValidationError, ValueError) as exc:
            raise PluginError(f"plugin {name!r} ({source}) is invalid: {exc}") from exc
        version = str(getattr(module, "__version__", "")) or _version_of(source)
        hooks = sorted(caller.name for caller in manager.get_hookcallers(module) or [])
        records.append(PluginRecord(name, source, version, module, builtin, hooks))

    from ovhflow import __version__

    for module_name in DEFAULT_PLUGINS:
        register(module_name.rsplit(".", 1)[-1], "built-in", _import_builtin(module_name), True)
        records[-1].version = __version__
    sources: list[Iterable[tuple[str, str, ModuleType]]] = []
    if entry_points:
        sources.append(_entry_point_modules(disabled))
    if plugins_dir is not None:
        sources.append(_directory_modules(Path(plugins_dir), disabled))
    for source in sources:
        for name, where, module in source:
            if manager.has_plugin(name):
                raise PluginError(f"plugin {name!r} ({where}): another plugin already has that name")
            register(name, where, module, False)

    actions: dict[str, ActionSpec] = {}
    for record in records:
        impl = getattr(record.module, "ovhflow_actions", None)
        if impl is None:
            continue
        for spec in impl() or []:
            if spec.name in actions:
                raise PluginError(f"plugin {record.name!r}: action {spec.name!r} is already registered")
            actions[spec.name] = spec
            record.actions.append(spec.name)
    return Plugins(manager, records, actions)


def _version_of(source: str) -> str:
    if source.startswith("entry point (") and " " in source:
        return source.rstrip(")").rsplit(" ", 1)[-1]
    return ""
