"""The README's reliability section names the tests that show each guarantee: they must exist.

A reference is ``tests/<file>.py::<test>``; ``::<test>`` alone refers to the file named just before it.
"""

from __future__ import annotations

import re

from tests.helpers import REPO_ROOT

README = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
REFERENCE = re.compile(r"`(tests/[\w/]+\.py)?::(\w+)`")


def _section(title: str) -> str:
    start = README.index(f"\n## {title}\n")
    end = README.find("\n## ", start + 1)
    return README[start : end if end != -1 else None]


def test_every_test_named_in_the_reliability_section_exists() -> None:
    section = _section("Reliability")
    references = []
    current = None
    for match in REFERENCE.finditer(section):
        current = match[1] or current
        assert current, f"::{match[2]} comes before any file name"
        references.append((current, match[2]))
    assert len(references) >= 30
    missing = []
    for path, name in references:
        source = (REPO_ROOT / path).read_text(encoding="utf-8") if (REPO_ROOT / path).is_file() else ""
        if not re.search(rf"^def {name}\(", source, re.MULTILINE):
            missing.append(f"{path}::{name}")
    assert missing == []
