"""Where and how a recipe may read an input declared ``secret: true``.

Masking recognises a secret's own spellings (ovhflow/reporting/redaction.py), not what a template makes
of it: ``{{ inputs.token | reverse }}``, ``| upper``, a slice or a loop over its characters would print
it unmasked. So a secret input is read only as ``{{ inputs.NAME }}``, alone between its braces (text
around it is fine: the whole rendered text is masked), and never where its value is kept for later
templates to transform (``set:``, ``keep:``, ``loop:``, a plugin action's arguments, an included recipe's
input that is not secret itself). In a recipe with a secret input, ``inputs`` itself is read only as
``inputs.NAME``: ``inputs | tojson`` or ``inputs[name]`` would reach the secret by another road. A
secret used so goes to the API as is (path, query, body) and to messages masked. What the API answers
is data: an API that echoes a secret back is out of reach of this check.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Mapping
from typing import Any

from ovhflow.recipe.model import InputSpec

# steps whose arguments go to the API or to a message, never into a variable a later step can transform
AS_IS_ACTIONS = frozenset({"get", "post", "put", "delete", "log", "print", "fail", "assert"})


class SecretUses:
    """The secret-input rule for one recipe; ``stored_in`` marks the values that are kept for later."""

    def __init__(self, templates: Any, inputs: Mapping[str, InputSpec]) -> None:
        self.templates = templates
        self.secret = frozenset(name for name, spec in inputs.items() if spec.secret)
        self.storing: str | None = None

    @contextlib.contextmanager
    def stored_in(self, what: str | None) -> Iterator[None]:
        """Check the values given inside as kept by ``what`` (``set:``...); None: used as they are."""
        outer, self.storing = self.storing, what
        try:
            yield
        finally:
            self.storing = outer

    def problems(self, source: str, expression: bool) -> list[str]:
        """What is wrong with the secret inputs ``source`` reads, one message each."""
        if not self.secret:
            return []
        uses = self.templates.input_uses(source, expression)
        found = []
        if uses.unnamed:
            found.append(
                "inputs is read as a whole, by a computed name or by an expression filter given a computed "
                "expression, and this recipe has secret inputs "
                f"({', '.join(sorted(self.secret))}): read each input as inputs.NAME"
            )
        for name in sorted(self.secret & uses.other):
            found.append(
                f"inputs.{name} is secret: use it only as {{{{ inputs.{name} }}}}, alone between the braces "
                "(a filter, test, operator, index or statement could print it in a form masking misses)"
            )
        if self.storing is not None:
            for name in sorted(self.secret & uses.whole):
                found.append(
                    f"inputs.{name} is secret: {self.storing} cannot keep it (a later template could print "
                    "it transformed); use it in a request's path, query or body, or in a message"
                )
        return found
