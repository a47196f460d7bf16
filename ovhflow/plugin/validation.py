"""What a plugin must get right before it is registered, checked against the hook specs themselves.

pluggy checks hook names and arguments too, but words its complaints for pluggy's developers; these
checks say the same in a plugin author's terms, from each hook's spec (``hook.spec.argnames``), and also
refuse what pluggy accepts yet would never work: a generator implementation without ``wrapper=True``
(never run: its generator is created and dropped), an ``async def`` one (its coroutine never awaited), and
an ``ovhflow_*`` function without ``@hookimpl`` (silently ignored).
"""

from __future__ import annotations

import inspect
from types import ModuleType
from typing import Any

import pluggy

from ovhflow import PROJECT_NAME, hookspecs


def hook_names() -> list[str]:
    """The names of every hook a plugin can implement, as :mod:`ovhflow.hookspecs` declares them."""
    marker = f"{PROJECT_NAME}_spec"
    return sorted(name for name, value in vars(hookspecs).items() if hasattr(value, marker))


def required_arguments(function: Any) -> list[str]:
    """The parameters a call must supply (pluggy passes hook arguments by name; defaults are optional)."""
    signature = inspect.signature(function)
    return [
        name
        for name, parameter in signature.parameters.items()
        if parameter.default is inspect.Parameter.empty
        and parameter.kind in (parameter.POSITIONAL_OR_KEYWORD, parameter.KEYWORD_ONLY)
    ]


def plugin_problems(manager: pluggy.PluginManager, plugin: object) -> list[str]:
    """Every reason ``plugin`` cannot work as written, one phrase each (empty when it can)."""
    problems = []
    for attribute in sorted(dir(plugin)):
        if not attribute.startswith(f"{PROJECT_NAME}_"):
            continue
        function = getattr(plugin, attribute, None)
        if not inspect.isroutine(function):
            continue
        options = manager.parse_hookimpl_opts(plugin, attribute)
        caller = getattr(manager.hook, attribute, None)
        spec = getattr(caller, "spec", None)
        if options is None:
            if isinstance(plugin, ModuleType) and getattr(function, "__module__", None) != plugin.__name__:
                continue  # imported from elsewhere: not this plugin's
            if spec is not None:
                problems.append(f"{attribute}() is not decorated with @{PROJECT_NAME}.hookimpl")
            else:
                problems.append(f"{attribute}() is not an ovhflow hook (hooks: {', '.join(hook_names())})")
            continue
        if spec is None:
            if not options.get("optionalhook"):
                problems.append(f"unknown hook {attribute!r} (hooks: {', '.join(hook_names())})")
            continue
        problems.extend(_implementation_problems(attribute, function, options, spec.argnames))
    return problems


def _implementation_problems(
    hook: str, function: Any, options: pluggy.HookimplOpts, argnames: tuple[str, ...]
) -> list[str]:
    problems = []
    wraps = bool(options.get("wrapper") or options.get("hookwrapper"))
    if inspect.iscoroutinefunction(function) or inspect.isasyncgenfunction(function):
        problems.append(f"{hook}() is async: hooks are called synchronously, define it with def")
    elif inspect.isgeneratorfunction(function) and not wraps:
        problems.append(
            f"{hook}() yields but is not a wrapper: use @{PROJECT_NAME}.hookimpl(wrapper=True), or return"
        )
    elif wraps and not inspect.isgeneratorfunction(function):
        problems.append(f"{hook}() is marked as a wrapper but does not yield")
    extra = [name for name in required_arguments(function) if name not in argnames]
    if extra:
        problems.append(
            f"{hook}() takes argument(s) the hook does not have: {', '.join(extra)}"
            f" (the hook is {hook}({', '.join(argnames)}))"
        )
    return problems
