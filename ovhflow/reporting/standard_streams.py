"""stdout and stderr that can never abort a run: closed (``2>&-``) or with a reader gone (``| head``).

A night job's work matters more than its chatter. Python gives ``sys.stderr = None`` when the process
starts with descriptor 2 closed, and raises ``BrokenPipeError`` on the first write after the reader of a
pipe exited: either would end a run halfway through a loop of writes. :func:`protect_standard_streams`
(called once by the ``ovhflow`` command, before anything is written) makes both streams tolerant: a write
that fails is dropped, the stream is pointed at ``/dev/null`` (so buffered text and the interpreter's
flush at exit go nowhere instead of failing again), and :func:`lost_streams` remembers why, for the
report. A closed descriptor 0, 1 or 2 is first re-opened on ``/dev/null``, so that no file the run opens
(a lock file, a socket) gets its number and receives what was meant for the terminal.
"""

from __future__ import annotations

import io
import os
import sys
from typing import Any, TextIO

_lost: dict[str, str] = {}


def lost_streams() -> dict[str, str]:
    """``{"stderr": "Broken pipe", ...}``: the standard streams whose output was dropped, and why."""
    return dict(_lost)


class LossTolerantStream:
    """A text stream whose writes and flushes never raise; everything else is the wrapped stream's."""

    def __init__(self, stream: TextIO, name: str) -> None:
        self._stream = stream
        self._name = name

    def write(self, text: str) -> int:
        if not isinstance(text, str):  # as a text stream does (click probes streams with b"")
            raise TypeError(f"write() argument must be str, not {type(text).__name__}")
        if self._name in _lost:
            return len(text)
        try:
            return self._stream.write(text)
        except (OSError, ValueError) as error:
            self._lose(error)
            return len(text)

    def writelines(self, lines: Any) -> None:
        for line in lines:
            self.write(line)

    def flush(self) -> None:
        if self._name in _lost:
            return
        try:
            self._stream.flush()
        except (OSError, ValueError) as error:
            self._lose(error)

    def _lose(self, error: BaseException) -> None:
        _lost[self._name] = getattr(error, "strerror", None) or str(error) or type(error).__name__
        try:
            descriptor = self._stream.fileno()
            null = os.open(os.devnull, os.O_WRONLY)
        except (OSError, ValueError):
            return  # not a real descriptor (tests capture output in memory)
        try:
            os.dup2(null, descriptor)
        except OSError:
            pass
        finally:
            os.close(null)

    def __getattr__(self, name: str) -> Any:  # encoding, errors, isatty, fileno, buffer...
        return getattr(self._stream, name)


def _reserve_descriptor(descriptor: int) -> bool:
    """Open ``/dev/null`` on ``descriptor`` if it is closed; True when it was closed."""
    try:
        os.fstat(descriptor)
        return False
    except OSError:
        pass
    null = os.open(os.devnull, os.O_RDWR)
    if null != descriptor:
        os.dup2(null, descriptor)
        os.close(null)
    return True


def protect_standard_streams() -> None:
    """Make ``sys.stdout`` and ``sys.stderr`` loss-tolerant (idempotent); see the module docstring."""
    _lost.clear()
    for descriptor in (0, 1, 2):
        if _reserve_descriptor(descriptor) and descriptor:
            _lost["stdout" if descriptor == 1 else "stderr"] = "closed when ovhflow started"
    for name in ("stdout", "stderr"):
        stream = getattr(sys, name)
        if isinstance(stream, LossTolerantStream):
            continue
        if stream is None:  # Python found the descriptor closed at start-up
            _lost.setdefault(name, "closed when ovhflow started")
            null = os.open(os.devnull, os.O_WRONLY | os.O_CLOEXEC)
            stream = io.TextIOWrapper(io.FileIO(null, "w"), encoding="utf-8", errors="backslashreplace")
        setattr(sys, name, LossTolerantStream(stream, name))
