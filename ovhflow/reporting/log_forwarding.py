"""Warnings that libraries log during a run, written into the run's own log instead of raw on stderr.

urllib3 logs "Retrying ... after connection broken by ..." at WARNING; with no handler configured Python
prints it bare on stderr. That breaks ``--log-format json`` (one JSON object per line) and skips the
redactor, though a retried URL may hold a secret input in its query string.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

FORWARDED_LOGGERS = ("urllib3", "ovhflow")


class LibraryLogForwarder(logging.Handler):
    """Hands WARNING records to ``warning`` and ERROR or worse to ``error`` while attached."""

    def __init__(self, warning: Callable[[str], None], error: Callable[[str], None]) -> None:
        super().__init__(logging.WARNING)
        self._warning = warning
        self._error = error

    def attach(self) -> None:
        for name in FORWARDED_LOGGERS:
            logging.getLogger(name).addHandler(self)

    def detach(self) -> None:
        for name in FORWARDED_LOGGERS:
            logging.getLogger(name).removeHandler(self)

    def emit(self, record: logging.LogRecord) -> None:
        try:
            text = f"{record.name}: {record.getMessage()}"
        except Exception:  # a malformed log call in a library must not break the run
            text = f"{record.name}: {record.msg}"
        (self._error if record.levelno >= logging.ERROR else self._warning)(text)
