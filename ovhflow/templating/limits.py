"""The limits every template render lives within, and the error raised when one is reached."""

from __future__ import annotations

MAX_OPERATIONS = 10_000_000  # work units per render: about a second of work at most
STEP_COST = 10  # one loop iteration, call or operator; building a value also costs its length
MAX_SIZE = 1_000_000  # characters of a string or items of a list a template may build
MAX_INT_BITS = 100_000  # about 30,000 decimal digits
MAX_RANGE = 100_000  # items of range()
MAX_OUTPUT = 10_000_000  # characters one render may produce


class TemplateLimitError(Exception):
    """A template tried to use more time or memory than a recipe may; the message says which limit."""
