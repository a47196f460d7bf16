"""PyYAML's problems as one located sentence: the classic slips (a tab in the indentation, an unquoted
``{{ template }}``) said plainly, and no piece of the file quoted (it may be no recipe at all: an
include of a credentials file). Imported only when a file has a problem.
"""

from __future__ import annotations

import re
from typing import Any

import yaml

from ovhflow.errors import Location, RecipeError


def yaml_problem(exc: yaml.YAMLError, text: str, filename: str) -> RecipeError:
    """The error to raise for ``exc``, met parsing ``text`` (the file ``filename``)."""
    if not isinstance(exc, yaml.MarkedYAMLError):  # reader errors: control characters and the like
        position = getattr(exc, "position", 0) or 0
        line = text.count("\n", 0, position) + 1
        column = position - (text.rfind("\n", 0, position) + 1) + 1
        reason = getattr(exc, "reason", None) or str(exc)
        return RecipeError(f"invalid YAML: {reason}", Location(filename, line, column))
    mark = exc.problem_mark or exc.context_mark
    location = Location(filename, mark.line + 1, mark.column + 1) if mark else Location(filename, 1, 1)
    problem = _without_content(exc.problem or "invalid YAML")
    context = _without_content(exc.context or "")
    if context.startswith("expected"):
        problem = f"{context}, {problem}"
    elif context and context != problem:
        problem = f"{problem} ({context})"
    explained = _explained(text, filename, [m for m in (exc.problem_mark, exc.context_mark) if m])
    if explained is not None:
        problem, location = explained
    return RecipeError(f"invalid YAML: {problem}", location)


_TEMPLATE_VALUE = re.compile(r"(?:^|[:\-?]\s)\s*(\{\{)")


def unquoted_template(text: str, index: int) -> str:
    """The message for a value that starts with ``{{`` without quotes, which YAML reads as a mapping."""
    end = text.find("\n", index)
    value = text[index : end if end >= 0 else len(text)].strip()
    return f"a value starting with {{{{ must be quoted, or YAML reads it as a mapping: write {_quoted(value)}"


def _quoted(value: str) -> str:
    shown = value if len(value) <= 60 else value[:57] + "..."
    return '"' + shown.replace('"', "'") + '"'


def _explained(text: str, filename: str, marks: list[Any]) -> tuple[str, Location] | None:
    """A clearer problem for the two classic slips PyYAML words obscurely: a tab in the indentation and
    an unquoted ``{{ template }}``; None when neither is on the lines the error points at."""
    lines = text.splitlines()
    for mark in marks:
        if mark.line >= len(lines):
            continue
        line = lines[mark.line]
        indent = len(line) - len(line.lstrip(" \t-"))
        tab = line.find("\t", 0, max(indent, mark.column + 1))
        if tab >= 0:
            return (
                "a tab in the indentation: YAML indents with spaces only",
                Location(filename, mark.line + 1, tab + 1),
            )
    for mark in marks:
        if mark.line < len(lines) and (found := _TEMPLATE_VALUE.search(lines[mark.line])):
            index = sum(len(line) + 1 for line in lines[: mark.line]) + found.start(1)
            return unquoted_template(text, index), Location(filename, mark.line + 1, found.start(1) + 1)
    return None


# PyYAML quotes pieces of the file in some problems (an undefined alias, a tag, an escape): words of a
# file that may not be a recipe at all (an include of a credentials file) are never shown. Token names
# such as '<block end>' and single characters such as '\t' say nothing about the content and stay.
_QUOTED_CONTENT = re.compile(r"'(?![<\\])[^']{2,}'|\"[^\"]{2,}\"")


def _without_content(problem: str) -> str:
    return _QUOTED_CONTENT.sub("(not shown)", problem)
