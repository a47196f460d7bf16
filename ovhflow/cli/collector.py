"""The garbage collector is paused while a command starts, and resumed before its long work.

Start-up allocates a great deal (modules, plugins, the recipe, compiled templates) and frees almost
nothing that only the collector could free (a few hundred objects, all from imports; loading a recipe
leaves none): each automatic collection then only walks what was just built, to find nothing. Pausing
it saves about 3% of the instructions to ``ovhflow run``'s first request and of ``ovhflow validate``.
The group pauses it for every command (``ovhflow/cli/__init__.py``) and resumes it as the command starts,
except for the commands whose whole work is start-up (``validate``) or that resume it themselves once
their long work begins (``run``, before its first step). A collector that was off already stays off.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator

_paused = False  # True while start-up holds the collector off (it was on before)


@contextlib.contextmanager
def paused() -> Iterator[None]:
    """Hold the collector off (unless something else turned it off already); back on when done."""
    global _paused
    if not gc.isenabled():
        yield
        return
    gc.disable()
    _paused = True
    try:
        yield
    finally:
        resume()


def resume() -> None:
    """Turn the collector back on if start-up paused it; nothing otherwise (safe to call again)."""
    global _paused
    if _paused:
        _paused = False
        gc.enable()
