"""``import yaml`` without PyYAML's slowest line: recipes, params files and plans all start here.

When imported, PyYAML's reader compiles ``NON_PRINTABLE``, a character class spanning most of Unicode,
and Python's regex compiler fills a 65,536-entry table one character at a time for it: about a tenth of
what ``ovhflow validate`` costs, for a pattern only the pure-Python reader uses (ovhflow reads with
libyaml when it is there). The same set, written as the few ranges it leaves out, compiles about a
hundred times faster and matches exactly the same characters (tests/test_yaml_import.py checks
every code point). It is put in ``re``'s cache under PyYAML's pattern just before the import, so PyYAML's
``re.compile`` finds it compiled. On a Python whose ``re`` keeps no such cache, or a PyYAML with another
pattern, PyYAML compiles its own: slower, and the same result.
"""

from __future__ import annotations

import re

__all__ = ["yaml"]

# PyYAML's yaml/reader.py: NON_PRINTABLE = re.compile(...) of this very string
PYYAML_NON_PRINTABLE = "[^\x09\x0a\x0d\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]"
# what that class leaves out of U+0000..U+10FFFF: the same characters, as a positive class
NON_PRINTABLE = r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f\ud800-\udfff\ufffe\uffff]"


def _seed_pattern_cache() -> None:
    cache = getattr(re, "_cache", None)
    if isinstance(cache, dict):
        cache.setdefault((str, PYYAML_NON_PRINTABLE, 0), re.compile(NON_PRINTABLE))


_seed_pattern_cache()

import yaml  # noqa: E402  (after the seed: that is the point)
