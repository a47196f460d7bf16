"""Trivial templates without Jinja's rendering machinery: ``{{ item }}``, ``{{ server.name }}``,
``/dedicated/server/{{ item }}/burst``, ``server.datacenter == inputs.datacenter``.

Rendering through Jinja builds a new context (a copy of every global and every variable) for each
template, which costs more than the rest of a loop iteration's engine work together. Most of a
recipe's templates are names, attribute or key lookups, and equality tests between them or constants.
Those are compiled here to plain lookups that use the environment's own ``getattr``/``getitem`` (the
sandbox's rules: keys win over methods, no ``_private`` attribute), so they give the same values.

Whenever such a lookup does not find its value (an undefined name, a missing key, anything unusual),
or anything raises, the template is rendered by Jinja instead, which gives the error or the value as
it always has: a fast template never has behaviour of its own.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from jinja2 import nodes
from jinja2.runtime import Undefined

MISSING: Any = object()
Lookup = Callable[[Mapping[str, Any]], Any]  # the value, or MISSING: ask Jinja


def _lookup(env: Any, node: nodes.Node) -> Lookup | None:
    """A lookup for a name, ``.attr``, ``['key']`` or ``[0]`` chain, or a constant; else ``None``."""
    if isinstance(node, nodes.Const):
        value = node.value
        return lambda context: value
    chain: list[tuple[bool, Any]] = []
    while isinstance(node, (nodes.Getattr, nodes.Getitem)):
        if isinstance(node, nodes.Getattr):
            chain.append((False, node.attr))
        elif isinstance(node.arg, nodes.Const) and type(node.arg.value) in (str, int):
            chain.append((True, node.arg.value))
        else:
            return None
        node = node.node
    if not isinstance(node, nodes.Name) or node.ctx != "load":
        return None
    name, steps, env_globals = node.name, tuple(reversed(chain)), env.globals
    getattr_, getitem = env.getattr, env.getitem

    def lookup(context: Mapping[str, Any]) -> Any:
        value = context.get(name, MISSING)
        if value is MISSING:
            value = env_globals.get(name, MISSING)
            if value is MISSING:
                return MISSING
        for is_item, key in steps:
            value = getitem(value, key) if is_item else getattr_(value, key)
            if isinstance(value, Undefined):
                return MISSING
        return value

    return lookup


def _comparison(env: Any, node: nodes.Compare) -> Lookup | None:
    """``a == b`` or ``a != b`` between lookups or constants."""
    if len(node.ops) != 1 or node.ops[0].op not in ("eq", "ne"):
        return None
    left, right = _lookup(env, node.expr), _lookup(env, node.ops[0].expr)
    if left is None or right is None:
        return None
    equal = node.ops[0].op == "eq"

    def compare(context: Mapping[str, Any]) -> Any:
        a, b = left(context), right(context)
        if a is MISSING or b is MISSING:
            return MISSING
        return (a == b) if equal else (a != b)

    return compare


def fast_expression(env: Any, source: str) -> Lookup | None:
    """A lookup for a bare expression (``when``, or the inside of a single ``{{ }}``), if trivial."""
    try:
        body = env.parse("{{ " + source + " }}").body
    except Exception:
        return None
    if len(body) != 1 or not isinstance(body[0], nodes.Output) or len(body[0].nodes) != 1:
        return None
    node = body[0].nodes[0]
    if isinstance(node, nodes.Compare):
        return _comparison(env, node)
    return _lookup(env, node)


def fast_text(env: Any, source: str, finalize: Callable[[Any], Any] | None) -> Lookup | None:
    """A renderer for text and ``{{ lookup }}`` parts (a path, a message), if every part is trivial.

    Each output is ``str(finalize(value))``, as Jinja writes it; literal text is written as is.
    """
    try:
        body = env.parse(source).body
    except Exception:
        return None
    parts: list[tuple[bool, Any]] = []
    for output in body:
        if not isinstance(output, nodes.Output):
            return None
        for node in output.nodes:
            if isinstance(node, nodes.TemplateData):
                parts.append((False, node.data))
                continue
            lookup = _lookup(env, node)
            if lookup is None or isinstance(node, nodes.Const):
                return None
            parts.append((True, lookup))

    def render(context: Mapping[str, Any]) -> Any:
        chunks = []
        for is_lookup, part in parts:
            if not is_lookup:
                chunks.append(part)
                continue
            value = part(context)
            if value is MISSING:
                return MISSING
            chunks.append(str(finalize(value) if finalize is not None else value))
        return "".join(chunks)

    return render
