"""Builds the pluggy plugin manager for one run: built-ins, entry points, a plugins folder.

Loading follows pluggy's own way (as tox does): names in ``OVHFLOW_DISABLE_PLUGINS`` are blocked with
``set_blocked``, then the ``ovhflow`` entry points are imported and registered in the order and with the
skips of pluggy's ``load_setuptools_entrypoints``, from a cheaper scan (:mod:`ovhflow.plugin.entry_points`).
Every registration is checked first (:mod:`ovhflow.plugin.validation`), so what cannot work is refused
at load time with one line naming the plugin. Nothing is created at import time: each command builds its
own manager with :func:`load_plugins`, so tests and library users get a fresh one.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

import pluggy

from ovhflow import PROJECT_NAME, __version__, hookspecs
from ovhflow.errors import PluginError
from ovhflow.plugin import entry_points as entry_point_scan
from ovhflow.plugin.blocking import DISABLE_ENV, disabled_names
from ovhflow.plugin.validation import hook_names, plugin_problems
from ovhflow.plugin_api import ActionSpec
from ovhflow.recipe.schema import RESERVED_ACTION_NAMES

__all__ = [
    "DEFAULT_PLUGINS", "DISABLE_ENV", "PluginRecord", "Plugins",
    "disabled_names", "hook_names", "load_plugins",
]  # fmt: skip

# Built-in actions, registered exactly like third-party plugins.
DEFAULT_PLUGINS: tuple[str, ...] = (
    "ovhflow.actions.http",
    "ovhflow.actions.control",
)
LOCAL_PACKAGE = "ovhflow_local_plugins"  # the package --plugins-dir modules are imported under


@dataclass
class PluginRecord:
    """One loaded plugin, as ``ovhflow plugins`` lists it."""

    name: str
    source: str  # "built-in", "entry point module.name (dist 1.0)", or the file it was loaded from
    version: str
    module: Any
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

    def each(self, hook_name: str, **kwargs: Any) -> Iterator[tuple[str, Any]]:
        """Call ``hook_name`` once per plugin implementing it, in pluggy's call order, yielding
        ``(plugin name, result)``; a failure is yielded as the exception, and the next plugin still runs.

        Through pluggy's own ``subset_hook_caller`` (as pytest scopes conftest hooks), so each plugin's
        wrappers run around its implementation. For hooks whose callers must tell plugins apart: which
        plugin registered an action, which run-end reporter failed.
        """
        yield from _call_each(self.manager, hook_name, kwargs)


class _Manager(pluggy.PluginManager):
    """pluggy's manager, checking each plugin (:func:`plugin_problems`) before it registers."""

    def __init__(self, project_name: str) -> None:
        super().__init__(project_name)
        self.files: dict[str, str] = {}  # --plugins-dir plugin name -> its file, as given
        self.entry_points: dict[str, entry_point_scan.EntryPoint] = {}  # entry-point plugins by name

    def register(self, plugin: Any, name: str | None = None) -> str | None:
        problems = plugin_problems(self, plugin)
        if problems:
            raise PluginError(
                f"plugin {name!r} ({self.where(name, plugin)}) is invalid: {'; '.join(problems)}"
            )
        try:
            return super().register(plugin, name)
        except (pluggy.PluginValidationError, ValueError) as exc:  # what the checks above did not foresee
            where = self.where(name, plugin)
            raise PluginError(f"plugin {name!r} ({where}) is invalid: {_one_line(exc)}") from exc

    def where(self, name: str | None, plugin: Any) -> str:
        """Where a plugin came from, for messages: its file for --plugins-dir modules, else its module."""
        if name in self.files:
            return self.files[name]
        return str(getattr(plugin, "__name__", type(plugin).__name__))


def load_plugins(plugins_dir: str | Path | None = None, entry_points: bool = True) -> Plugins:
    """Build a plugin manager with the built-ins, installed entry points and ``plugins_dir``'s modules.

    Plugins named in ``OVHFLOW_DISABLE_PLUGINS`` (comma-separated) are skipped; built-ins cannot be.
    Raises :class:`PluginError` naming the plugin when one fails to import, cannot work as written, or
    registers an action name that is already taken.
    """
    manager = _Manager(PROJECT_NAME)
    manager.add_hookspecs(hookspecs)
    builtins = {}
    for module_name in DEFAULT_PLUGINS:
        name = module_name.rsplit(".", 1)[-1]
        manager.register(importlib.import_module(module_name), name=name)
        builtins[name] = module_name
    for name in disabled_names() - set(builtins):
        manager.set_blocked(name)
    if entry_points:
        _load_entry_points(manager)
    if plugins_dir is not None:
        _load_directory(manager, Path(plugins_dir))
    try:
        manager.check_pending()
    except pluggy.PluginValidationError as exc:
        raise PluginError(f"plugin {manager.get_name(exc.plugin)!r} is invalid: {_one_line(exc)}") from exc
    records = _records(manager, set(builtins))
    return Plugins(manager, records, _collect_actions(manager, records))


def _load_entry_points(manager: _Manager) -> None:
    try:
        found = entry_point_scan.find(PROJECT_NAME)
    except Exception as exc:  # importlib.metadata refusing an installed distribution's entry_points.txt
        raise PluginError(f"the installed entry points could not be read: {_one_line(exc)}") from exc
    for entry in found:
        if manager.has_plugin(entry.name) or manager.is_blocked(entry.name):
            continue  # the first distribution giving a name wins, as with pluggy
        try:
            plugin = entry.load()
        except Exception as exc:  # any import-time failure of a third-party module: say which one
            raise PluginError(
                f"plugin {entry.name!r} ({entry.value}) failed to import: {_one_line(exc)}"
            ) from exc
        manager.register(plugin, name=entry.name)
        manager.entry_points[entry.name] = entry


def _load_directory(manager: _Manager, plugins_dir: Path) -> None:
    """Register each ``*.py`` of ``plugins_dir`` (not ``_private`` ones, not blocked ones)."""
    if not plugins_dir.is_dir():
        raise PluginError(f"--plugins-dir {plugins_dir}: not a directory")
    for path in sorted(plugins_dir.glob("*.py")):
        name = path.stem
        if name.startswith("_") or manager.is_blocked(name):
            continue
        if manager.has_plugin(name):
            raise PluginError(f"plugin {name!r} ({path}): another plugin already has that name")
        manager.files[name] = str(path)
        manager.register(_import_file(name, path), name=name)


def _import_file(name: str, path: Path) -> ModuleType:
    module_name = f"{LOCAL_PACKAGE}.{name}"
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
    return module


def _records(manager: _Manager, builtins: set[str]) -> list[PluginRecord]:
    records = []
    for name, plugin in manager.list_name_plugin():
        if plugin is None:  # a blocked name
            continue
        hooks = sorted(caller.name for caller in manager.get_hookcallers(plugin) or [])
        if name in builtins:
            source, version = "built-in", __version__
        elif name in manager.entry_points:
            dist_name, version = manager.entry_points[name].about()
            source = f"entry point {manager.where(name, plugin)} ({dist_name} {version})"
        else:
            source, version = manager.where(name, plugin), ""
        version = str(getattr(plugin, "__version__", "")) or version
        records.append(PluginRecord(name, source, version, plugin, name in builtins, hooks))
    return records


def _call_each(
    manager: pluggy.PluginManager, hook_name: str, kwargs: dict[str, Any]
) -> Iterator[tuple[str, Any]]:
    implementing = []
    for impl in reversed(getattr(manager.hook, hook_name).get_hookimpls()):  # pluggy's call order
        if impl.plugin_name not in implementing:
            implementing.append(impl.plugin_name)
    plugins = dict(manager.list_name_plugin())
    for name in implementing:
        others = [plugin for other, plugin in plugins.items() if other != name and plugin is not None]
        try:
            yield name, manager.subset_hook_caller(hook_name, remove_plugins=others)(**kwargs)
        except Exception as exc:
            yield name, exc


def _collect_actions(manager: pluggy.PluginManager, records: list[PluginRecord]) -> dict[str, ActionSpec]:
    """Every plugin's actions, first registered first (built-ins), each name taken once."""
    by_name = {record.name: record for record in records}
    answers = dict(_call_each(manager, "ovhflow_actions", {}))
    actions: dict[str, ActionSpec] = {}
    for record in records:
        if record.name not in answers:
            continue
        answer = answers[record.name]
        if isinstance(answer, Exception):
            raise PluginError(
                f"plugin {record.name!r}: ovhflow_actions() failed: {_one_line(answer)}"
            ) from answer
        for specs in answer:  # one list per implementation (a plugin object has one)
            for spec in specs or []:
                _check_action(record.name, spec, actions)
                actions[spec.name] = spec
                by_name[record.name].actions.append(spec.name)
    return actions


def _check_action(plugin: str, spec: Any, actions: dict[str, ActionSpec]) -> None:
    if not isinstance(spec, ActionSpec):
        raise PluginError(f"plugin {plugin!r}: ovhflow_actions() returned {spec!r}, not an ActionSpec")
    if spec.name in RESERVED_ACTION_NAMES:
        raise PluginError(f"plugin {plugin!r}: action {spec.name!r} is a step keyword of the recipe language")
    if spec.name in actions:
        raise PluginError(f"plugin {plugin!r}: action {spec.name!r} is already registered")


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text if isinstance(exc, ImportError) else f"{type(exc).__name__}: {text}"
