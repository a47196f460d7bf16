"""The ``ovhflow`` entry points of the installed distributions, read without importing importlib.metadata.

Every run looks for entry-point plugins (ovhflow's own first-party plugins come that way too), and
importing ``importlib.metadata`` (with ``email``, ``zipfile``, ``csv``...) then parsing each plugin's
``METADATA`` with the email parser cost more than the rest of plugin loading. :func:`find` reads what
importlib.metadata reads, the way it reads it: each folder of ``sys.path`` in order, its ``*.dist-info`` and
``*.egg-info`` folders, their ``entry_points.txt`` (and, for ``ovhflow plugins``, the name and version
lines of ``METADATA``). Where the environment holds something it does not read that way (a zip file or
an egg on ``sys.path``, a finder on ``sys.meta_path`` that provides distributions of its own, an
``entry_points.txt`` importlib.metadata would refuse), it asks importlib.metadata itself.
"""

from __future__ import annotations

import importlib
import os
import re
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import partial, reduce
from importlib.machinery import PathFinder
from typing import Any

# importlib.metadata's own pattern for an entry point's value: module, optional :attribute, [extras]
_VALUE = re.compile(r"(?P<module>[\w.]+)\s*(:\s*(?P<attr>[\w.]+)\s*)?((?P<extras>\[.*\])\s*)?$")
_NAME_SEPARATORS = re.compile(r"[-_.]+")


@dataclass(frozen=True)
class EntryPoint:
    """One ``name = module:attribute`` line of a distribution's group; ``about`` gives (name, version)
    of the distribution, read on demand."""

    name: str
    value: str
    about: Callable[[], tuple[str, str]]

    def load(self) -> Any:
        """Import the module and follow the attributes, as ``importlib.metadata.EntryPoint.load``."""
        match = _VALUE.match(self.value)
        if match is None:
            raise ValueError(f"{self.value!r} is not an entry point (module or module:attribute)")
        module = importlib.import_module(match.group("module"))
        return reduce(getattr, filter(None, (match.group("attr") or "").split(".")), module)


def find(group: str) -> list[EntryPoint]:
    """The entry points of ``group`` in every installed distribution, in importlib.metadata's order
    (``sys.path`` order; a distribution installed twice gives its entry points twice, the first wins)."""
    found = _scan(group)
    return found if found is not None else _from_importlib_metadata(group)


def _scan(group: str) -> list[EntryPoint] | None:
    if any(finder is not PathFinder and hasattr(finder, "find_distributions") for finder in sys.meta_path):
        return None  # another finder provides distributions: only importlib.metadata knows them
    found: list[EntryPoint] = []
    for folder in sys.path:
        root = folder or "."
        if not isinstance(folder, str) or os.path.basename(root).lower().endswith(".egg"):
            return None
        try:
            children = os.listdir(root)
        except OSError:
            if os.path.exists(root):  # a zip file: importlib.metadata reads inside it
                return None
            continue
        for info in _metadata_folders(children):
            entries = _read_group(os.path.join(root, info), group)
            if entries is None:
                return None
            found.extend(entries)
    return found


def _metadata_folders(children: list[str]) -> Iterator[str]:
    """The ``.dist-info`` and ``.egg-info`` entries of a folder, grouped by distribution name in the
    order of their first appearance, as importlib.metadata's lookup groups them."""
    by_name: dict[str, list[str]] = {}
    for child in children:
        low = child.lower()
        if low.endswith((".dist-info", ".egg-info")):
            name = _NAME_SEPARATORS.sub("_", low.rpartition(".")[0].partition("-")[0])
            by_name.setdefault(name, []).append(child)
    for infos in by_name.values():
        yield from infos


def _read_group(info: str, group: str) -> list[EntryPoint] | None:
    """The entry points of ``group`` in one distribution; None when importlib.metadata would read its
    file differently (a line that is neither a section, a comment nor ``name = value``)."""
    try:
        with open(os.path.join(info, "entry_points.txt"), encoding="utf-8") as file:
            text = file.read()
    except (OSError, UnicodeDecodeError):
        return []  # importlib.metadata skips an unreadable file the same way (no entry points)
    section: str | None = None
    entries = []
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("[") and line.endswith("]"):
            section = line.strip("[]")
            continue
        if "=" not in line:
            return None
        if section == group:
            name, value = (part.strip() for part in line.split("=", 1))
            entries.append(EntryPoint(name, value, partial(_about, info)))
    return entries


def _about(info: str) -> tuple[str, str]:
    """The Name and Version header lines of a distribution's METADATA (PKG-INFO for an egg-info)."""
    headers: dict[str, str] = {}
    for file_name in ("METADATA", "PKG-INFO"):
        try:
            with open(os.path.join(info, file_name), encoding="utf-8") as file:
                for line in file:
                    if not line.strip():
                        break  # the headers end at the first blank line
                    key, _, value = line.partition(":")
                    headers.setdefault(key.strip().lower(), value.strip())
            break
        except (OSError, UnicodeDecodeError):
            continue
    return headers.get("name", ""), headers.get("version", "")


def _from_importlib_metadata(group: str) -> list[EntryPoint]:
    # lazy: only when the environment holds what _scan does not read (see the module's docstring)
    import importlib.metadata

    found = []
    for dist in importlib.metadata.distributions():
        for entry in dist.entry_points:
            if entry.group == group:
                found.append(EntryPoint(entry.name, entry.value, partial(_dist_about, dist)))
    return found


def _dist_about(dist: Any) -> tuple[str, str]:
    return dist.metadata["Name"], dist.metadata["Version"]
