"""The progress bar of a loop on a terminal, drawn by rich (imported only when a bar is shown).

Used by :class:`ovhflow.reporting.run_log.RunLogger`, which decides when a bar is wanted (a terminal,
text logs) and routes its own lines through :meth:`LoopProgress.print` so they appear above
the bar, not through it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TextIO


class LoopProgress:
    """One bar at a time: started by the first item of a loop, removed when the step ends."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self._bar: Any = None  # rich.progress.Progress while a loop runs
        self._task: Any = None

    @property
    def active(self) -> bool:
        return self._bar is not None

    def advance(self, step_id: str | None, record: Mapping[str, Any]) -> None:
        """Count one finished item; ``record["length"]``, when the engine gives it, is the total."""
        if self._bar is None:
            from rich.console import Console  # lazy: rich only when a bar is shown (start-up)
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

            self._bar = Progress(
                TextColumn("{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                console=Console(file=self.stream, force_terminal=True),
                transient=True,
            )
            self._bar.start()
            total = record.get("length") if isinstance(record.get("length"), int) else None
            self._task = self._bar.add_task(step_id or "loop", total=total)
        self._bar.advance(self._task)

    def print(self, line: str) -> None:
        """Write a log line above the bar."""
        self._bar.refresh()  # the bar redrawn under the line must show the latest count
        self._bar.console.print(line, markup=False, highlight=False, soft_wrap=True)

    def stop(self) -> None:
        if self._bar is not None:
            self._bar.stop()
            self._bar = None
            self._task = None
