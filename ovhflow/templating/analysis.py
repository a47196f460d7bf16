"""What a template reads, for validation: names, ``name.attribute`` pairs, private attributes, constants.

A mixin of :class:`ovhflow.templating.Templates`, which provides ``env``, ``_cache``, ``_lock`` and
``is_single_expression``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from jinja2 import meta, nodes
from jinja2.exceptions import TemplateSyntaxError
from jinja2.parser import Parser

from ovhflow.templating.expressions import FILTERS as EXPRESSION_FILTERS
from ovhflow.templating.expressions import expression_uses, filter_calls
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


@dataclass(frozen=True)
class InputUses:
    """How a template reads ``inputs``: ``whole`` names the inputs read as ``{{ inputs.NAME }}`` alone
    in an output the template prints as it is; ``other`` those read in any other way (a filter, test,
    operator, index, statement, a block that captures or filters its output, an expression filter's
    text); ``unnamed`` is True when ``inputs`` itself is read other than as ``inputs.NAME``."""

    whole: frozenset[str]
    other: frozenset[str]
    unnamed: bool


_PLAIN_BODIES = {nodes.If: ("body", "elif_", "else_"), nodes.For: ("body", "else_")}


def _printed_as_is(body: list[nodes.Node], found: set[int]) -> None:
    """The ids of the expressions ``body`` prints unchanged: an Output's own expressions, also inside
    ``if`` and ``for`` bodies; not inside macros, call, filter or ``set`` blocks, whose output is
    captured or transformed."""
    for node in body:
        if isinstance(node, nodes.Output):
            found.update(id(expression) for expression in node.nodes)
        for kind, fields in _PLAIN_BODIES.items():
            if isinstance(node, kind):
                for name in fields:
                    for part in getattr(node, name):
                        _printed_as_is(part.body if isinstance(part, nodes.If) else [part], found)


def _reads_context(function: Any) -> bool:
    """Whether a filter may read names its template does not show: a plugin's filter handed the context
    (``@pass_context``; Jinja's own use it only to call filters and tests by name)."""
    if getattr(function, "__module__", "").startswith("jinja2."):
        return False
    passed = getattr(function, "jinja_pass_arg", None)
    return getattr(passed, "name", None) == "context"


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
        return found if found is not None else self._remember(key, self._facts(source, expression))

    def _remember(self, key: tuple[str, str], found: Any) -> Any:
        with self._lock:
            self._cache[key] = found
        return found

    def _facts(self, source: str, expression: bool) -> TemplateFacts:
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
            for inner in expression_uses(tree):
                if inner is None:  # an expression not written here: its names cannot be checked
                    continue
                # an expression filter's text is a template too: what it reads, less its item
                text, bound = inner
                nested = self.facts(text, expression=True)
                names |= nested.names - {bound}
                attributes |= {pair for pair in nested.attributes if pair[0] != bound}
                private |= nested.private
                chains |= {chain for chain in nested.chains if chain[0] != bound}
        return TemplateFacts(frozenset(names), frozenset(attributes), frozenset(private), frozenset(chains))

    def input_uses(self, source: str, expression: bool = False) -> InputUses:
        """How the template reads ``inputs`` (cached): see :class:`InputUses`; what secret inputs allow."""
        key = ("inputs-expr" if expression else "inputs", source)
        found = self._cache.get(key)
        return found if found is not None else self._remember(key, self._input_uses(source, expression))

    def _input_uses(self, source: str, expression: bool) -> InputUses:
        whole: set[str] = set()
        other: set[str] = set()
        unnamed = False
        if expression or is_template(source):
            tree = self._tree(source, expression)
            printed: set[int] = set()
            _printed_as_is(tree.body, printed)
            named = 0
            for node in tree.find_all((nodes.Getattr, nodes.Getitem)):
                target = getattr(node, "node", None)
                name = _key(node)
                if isinstance(target, nodes.Name) and target.name == "inputs" and name is not None:
                    named += 1
                    (whole if id(node) in printed else other).add(name)
            loads = [n for n in tree.find_all(nodes.Name) if n.name == "inputs" and n.ctx == "load"]
            unnamed = len(loads) > named
            for inner in expression_uses(tree):
                if inner is None:  # an expression not written here may read inputs any way
                    unnamed = True
                    continue
                # an expression filter applies its text to every item: never as is
                nested = self.input_uses(inner[0], expression=True)
                other |= nested.whole | nested.other
                unnamed = unnamed or nested.unnamed
        return InputUses(frozenset(whole), frozenset(other), unnamed)

    def steps_read(self, text: str) -> dict[str, set[str]] | None:
        """What a string of a recipe reads of ``steps``, read as a template, or as a bare expression
        (``when``) when it is no template: ``{id: {"results", ...}}``, ``"*"`` for a record read whole;
        ``None`` when ``steps`` is read in a way that names no step (``steps[name]``, ``steps | ...``)."""
        if "steps" not in text and "|" not in text and "{%" not in text:  # no filter: reads nothing
            return {}
        try:
            tree = self._tree(text, expression=not is_template(text))
        except TemplateSyntaxError:  # no template and no expression: text, which reads nothing
            return {}
        except Exception:  # noqa: BLE001 - whatever it is, what it reads cannot be told
            return None
        named: dict[int, str] = {}  # id of each steps.<id> node -> the id
        for node in tree.find_all((nodes.Getattr, nodes.Getitem)):
            target, key = getattr(node, "node", None), _key(node)
            if key is not None and isinstance(target, nodes.Name) and target.name == "steps":
                named[id(node)] = key
        loads = [n for n in tree.find_all(nodes.Name) if n.name == "steps" and n.ctx == "load"]
        if len(loads) > len(named):
            return None
        reads: dict[str, set[str]] = {}
        whole = set(named)
        for node in tree.find_all((nodes.Getattr, nodes.Getitem)):
            target, key = getattr(node, "node", None), _key(node)
            if key is not None and id(target) in named:
                reads.setdefault(named[id(target)], set()).add(key)
                whole.discard(id(target))
        for node_id in whole:
            reads.setdefault(named[node_id], set()).add("*")
        for inner in expression_uses(tree):
            nested = self.steps_read(inner[0]) if inner is not None else None
            if nested is None:  # an expression not written here, or one reading steps by no name
                return None
            for name, fields in nested.items():
                reads.setdefault(name, set()).update(fields)
        others = (name for name, _, _ in filter_calls(tree) if name and name not in EXPRESSION_FILTERS)
        if any(_reads_context(self.env.filters.get(name)) for name in others):
            return None  # a plugin's filter may read steps from its context
        return reads

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
        return [inner[0] for inner in expression_uses(tree) if inner is not None]

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
