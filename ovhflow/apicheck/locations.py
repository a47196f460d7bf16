"""Find where a key or value nested inside a recipe's YAML is written, for precise findings.

The recipe loader keeps line and column on the mappings and lists it builds (see
``ovhflow.recipe``); this module reads them without depending on that module's classes, so a
plain ``dict`` (no locations) simply falls back to the nearest located parent.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ovhflow.errors import Location

KEY_ATTRIBUTES = ("key_locations",)
VALUE_ATTRIBUTES = ("value_locations", "item_locations")


def _lookup(container: Any, attributes: tuple[str, ...], key: Any) -> Location | None:
    for attribute in attributes:
        table = getattr(container, attribute, None)
        if isinstance(table, Mapping):
            found = table.get(key)
        elif isinstance(table, (list, tuple)) and isinstance(key, int) and 0 <= key < len(table):
            found = table[key]
        else:
            continue
        if isinstance(found, Location):
            return found
    return None


def own_location(value: Any) -> Location | None:
    """The location a located value carries itself (a mapping or list from the recipe loader)."""
    found = getattr(value, "location", None)
    return found if isinstance(found, Location) else None


def locate_in(container: Any, path: tuple[Any, ...], fallback: Location, want_key: bool = False) -> Location:
    """Where ``container[path[0]][path[1]]...`` (its key if ``want_key``) is, else its nearest parent."""
    location = own_location(container) or fallback
    current = container
    for depth, key in enumerate(path):
        last = depth == len(path) - 1
        key_at = _lookup(current, KEY_ATTRIBUTES, key)
        if key_at is not None:
            location = key_at
        try:
            child = current[key]
        except (KeyError, IndexError, TypeError):
            return location
        if not (last and want_key):
            value_at = _lookup(current, VALUE_ATTRIBUTES, key) or own_location(child)
            if value_at is not None:
                location = value_at
        current = child
    return location
