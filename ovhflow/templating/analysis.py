"""What a template reads, for validation: names, ``name.attribute`` pairs, private attributes, constants.

A mixin of :class:`ovhflow.templating.Templates`, which provides ``env``, ``_cache``, ``_lock`` and
``is_single_expression``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from jinja2 import meta, nodes
from jinja2.parser import Parser

from ovhflow.templating.expressions import expression_arguments
from ovhflow.templating.values import is_template, single_expression


@dataclass(frozen=True)
class TemplateFacts:
    """Names a template reads: undeclared top-level names, ``(name, attribute)`` pairs, ``_`` attributes."""

    names: frozenset[str]
    attributes: frozenset[tuple[str, str]]
    private: frozenset[str]
    chains: frozenset[tuple[str, str, str]] = frozenset()  # name.attribute.attribute, e.g. steps.x.result


def _key(node: nodes.Node) -> str | None:
    """The attribute a Getattr/Getitem node reads, when it is a constant name."""
    if isinstance(node, nodes.Getattr):
        return node.attr
    if (
        isinstance(node, nodes.Getitem)
        and isinstance(node.arg, nodes.Const)
        and isinstance(node.arg.value, str)
    ):
        return node.arg.value
    return None


class TemplateAnalysis:
    """Static analysis of templates, cached with the compiled templates."""

    env: Any
    _cache: dict[tuple[str, str], Any]
    _lock: Any
    is_single_expression: Any  # Templates.is_single_expression

    def _tree(self, source: str, expression: bool) -> nodes.Template:
        if expression:
            parser = Parser(self.env, source, state="variable")
            expr = parser.parse_expression()
            tree = nodes.Template([nodes.Output([expr], lineno=1)], lineno=1)
        else:
            tree = self.env.parse(source)
        tree.set_environment(self.env)
        return tree

    def facts(self, source: str, expression: bool = False) -> TemplateFacts:
        """What a template reads, from one parse (cached: recipes repeat the same templates)."""
        key = ("facts-expr" if expression else "facts", source)
        found = self._cache.get(key)
        if found is not None:
            return found
        names: set[str] = set()
        attributes: set[tuple[str, str]] = set()
        private: set[str] = set()
        chains: set[tuple[str, str, str]] = set()
        if expression or is_template(source):
            tree = self._tree(source, expression)
            names = set(meta.find_undeclared_variables(tree))
            for node in tree.find_all((nodes.Getattr, nodes.Getitem)):
                name = _key(node)
                if name is None:
                    continue
                if name.startswith("_"):
                    private.add(name)
                assert isinstance(node, (nodes.Getattr, nodes.Getitem))  # what find_all was asked for
                target = node.node
                if isinstance(target, nodes.Name) and target.ctx == "load":
                    attributes.add((target.name, name))
                middle = _key(target)
                root = getattr(target, "node", None)  # a chain: target is a Getattr or Getitem too
                if middle is not None and isinstance(root, nodes.Name) and root.ctx == "load":
                    chains.add((root.name, middle, name))
            for filter_node in tree.find_all(nodes.Filter):
                inner = expression_arguments(filter_node)
                if inner is None:
                    continue
                # an expression filter's text is a template too: what it reads, less its item
                text, bound = inner
                nested = self.facts(text, expression=True)
                names |= nested.names - {bound}
                attributes |= {pair for pair in nested.attributes if pair[0] != bound}
                private |= nested.private
                chains |= {chain for chain in nested.chains if chain[0] != bound}
        found = TemplateFacts(frozenset(names), frozenset(attributes), frozenset(private), frozenset(chains))
        with self._lock:
            self._cache[key] = found
        return found

    def names_used(self, source: str, expression: bool = False) -> set[str]:
        """Top-level names a template reads without defining them (``inputs``, ``item``...)."""
        return set(self.facts(source, expression).names)

    def attributes_used(
        self, source: str, roots: Iterable[str], expression: bool = False
    ) -> set[tuple[str, str]]:
        """``(root, name)`` for each ``root.name`` / ``root['name']`` read in a template, for roots given."""
        wanted = set(roots)
        return {pair for pair in self.facts(source, expression).attributes if pair[0] in wanted}

    def private_attributes(self, source: str, expression: bool = False) -> set[str]:
        """Attributes starting with ``_`` a template reads: the sandbox refuses them, validation too."""
        return set(self.facts(source, expression).private)

    def inner_expressions(self, source: str, expression: bool = False) -> list[str]:
        """The constant expressions given to expression filters (``select_expr("...")``) in a template."""
        if not (expression or is_template(source)):
            return []
        tree = self._tree(source, expression)
        found = [expression_arguments(node) for node in tree.find_all(nodes.Filter)]
        return [inner[0] for inner in found if inner is not None]

    def literal(self, source: str) -> tuple[bool, Any]:
        """``(True, value)`` when a single-expression template is a constant such as ``{{ 5 }}``."""
        inner = single_expression(source)
        if inner is None or not self.is_single_expression(source):
            return False, None
        output = self._tree(inner, expression=True).body[0]
        assert isinstance(output, nodes.Output)  # a single expression parses as one Output node
        expr = output.nodes[0]
        try:
            return True, expr.as_const()
        except nodes.Impossible:
            return False, None
