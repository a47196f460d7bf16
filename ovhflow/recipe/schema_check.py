"""A quick answer to "is this document valid against this JSON Schema?", without importing jsonschema.

Importing jsonschema (with referencing, attrs and the format checkers) costs more than everything else
``ovhflow validate`` does, and a recipe that is valid, the usual case, needs none of its messages. So
:func:`decide` walks the document once and answers ``True`` (valid), ``False`` (invalid) or ``None``
(cannot tell: a keyword it does not implement, a remote ``$ref``, an unusual value type). Only ``True``
is trusted: on ``False`` or ``None`` the caller asks jsonschema, which gives the located messages. So a
mistake here can cost time, never a verdict, as long as ``True`` is only said when jsonschema would agree.

The keywords are Draft 2020-12's as jsonschema's ``Draft202012Validator`` applies them (without a format
checker, ``format`` only annotates). Keywords outside that vocabulary are ignored, as jsonschema ignores them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from ovhflow.recipe.schema_keywords import KEYWORDS, Verdict

# Every keyword Draft202012Validator acts on (tests/recipe/test_schema_check.py compares with jsonschema):
# those without a checker in schema_keywords.KEYWORDS make the answer None.
VOCABULARY = frozenset(
    {
        "$dynamicRef", "$ref", "additionalProperties", "allOf", "anyOf", "const", "contains",
        "dependentRequired", "dependentSchemas", "enum", "exclusiveMaximum", "exclusiveMinimum", "format",
        "if", "items", "maxItems", "maxLength", "maxProperties", "maximum", "minItems", "minLength",
        "minProperties", "minimum", "multipleOf", "not", "oneOf", "pattern", "patternProperties",
        "prefixItems", "properties", "propertyNames", "required", "type", "unevaluatedItems",
        "unevaluatedProperties", "uniqueItems",
    }
)  # fmt: skip
# Keys that change how references resolve: the answer is None wherever they appear.
_RESOLUTION = frozenset({"$id", "$anchor", "$dynamicAnchor", "$recursiveRef", "$recursiveAnchor"})
_JSON_VALUES = (type(None), bool, int, float, str, list, dict)
_MAX_DEPTH = 200  # a schema whose $ref loops back without the value getting smaller


class Check:
    """One document against one schema (``root``: what ``$ref: "#/..."`` points into)."""

    def __init__(self, root: Any) -> None:
        self.root = root
        self.patterns: dict[str, re.Pattern[str] | None] = {}

    def schema(self, schema: Any, value: Any, depth: int = 0) -> Verdict:
        """``value`` against ``schema`` (a sub-schema of the root, ``depth`` schemas down)."""
        if schema is True or schema is False:
            return schema
        if not isinstance(schema, Mapping) or depth > _MAX_DEPTH or not isinstance(value, _JSON_VALUES):
            return None
        unknown = False
        for keyword, argument in schema.items():
            if keyword in _RESOLUTION:
                return None
            if keyword not in VOCABULARY or keyword == "format":
                continue
            checker = KEYWORDS.get(keyword)
            verdict = None if checker is None else checker(self, argument, value, schema, depth)
            if verdict is False:
                return False
            if verdict is None:
                unknown = True
        return None if unknown else True

    def pattern(self, text: Any) -> re.Pattern[str] | None:
        """``text`` compiled once per document; None when it is no pattern Python reads."""
        if not isinstance(text, str):
            return None
        if text not in self.patterns:
            try:
                self.patterns[text] = re.compile(text)
            except re.error:
                self.patterns[text] = None
        return self.patterns[text]

    def ref(self, reference: Any, value: Any, depth: int) -> Verdict:
        """``value`` against the schema a local ``$ref`` points at; None for any other reference."""
        if not isinstance(reference, str) or not (reference == "#" or reference.startswith("#/")):
            return None  # another document or an anchor: leave it to jsonschema's resolver
        target = self.root
        for part in reference[2:].split("/") if reference != "#" else ():
            part = part.replace("~1", "/").replace("~0", "~")
            if "%" in part or not isinstance(target, Mapping) or part not in target:
                return None
            target = target[part]
        return self.schema(target, value, depth + 1)


def decide(schema: Any, value: Any) -> Verdict:
    """Whether ``value`` is valid against ``schema`` (True), is not (False), or this cannot tell (None)."""
    return Check(schema).schema(schema, value)
