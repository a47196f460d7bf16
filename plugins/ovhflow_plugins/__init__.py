"""ovhflow's first-party plugins: CSV, JSON, tables, notifications and template filters.

Each module is one plugin, registered through the ``ovhflow`` entry-point group exactly like a
third-party plugin would be. What several of them share lives here: reading the engine's step records
and yes/no arguments. Files are written with the run's ``call.output_folder``
(:class:`ovhflow.plugin_api.OutputFolder`): atomically, so a crash never leaves half of one behind, and
only inside the folder the operator chose (``run --output-dir``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def is_mapping_like(value: Any) -> bool:
    """A dict, or a read-only record the engine hands to templates (``steps.x``, a group's result).

    Those records answer ``x["name"]`` and iterate over their names without being dicts; they are
    recognised by that behaviour so plugins need nothing from the engine's internals.
    """
    if isinstance(value, Mapping):
        return True
    if isinstance(value, (str, bytes, list, tuple)):
        return False
    kind = type(value)
    return all(hasattr(kind, name) for name in ("__getitem__", "__iter__", "__contains__", "__len__"))


def kind_name(value: Any) -> str:
    """What a value is, for a message: the engine's records are "a mapping", never their class name."""
    return "a mapping" if is_mapping_like(value) else type(value).__name__


def as_flag(value: Any, name: str) -> bool:
    """A yes/no argument: a boolean, or the text a template rendered (``true``/``false``), nothing else.

    ``bool("false")`` is True, so text is never passed to ``bool``: a typo is an error, not a yes.
    """
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("true", "yes", "1"):
        return True
    if text in ("false", "no", "0", "", "none"):
        return False
    raise ValueError(f"{name} must be true or false, got {value!r}")


def plural(count: Any, noun: str, many: str | None = None) -> str:
    """``1 row``, ``2 rows`` (``many`` for nouns that take more than an s): a count and its noun, in
    the number that reads right. Also the ``plural`` template filter."""
    if isinstance(count, bool) or not isinstance(count, (int, float)):
        raise ValueError(f"plural: expected a number, got {type(count).__name__}")
    return f"{count} {noun if count == 1 else many or noun + 's'}"


def json_default(value: Any) -> Any:
    """``json.dumps(default=...)``: records become objects, anything else (dates...) its text."""
    if is_mapping_like(value):
        return {str(key): value[key] for key in value}
    return str(value)
