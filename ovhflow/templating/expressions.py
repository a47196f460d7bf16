"""Filters that take an expression: keep, drop or transform the items of a list.

Jinja's ``select``/``selectattr`` take a test name and ``map`` an attribute or a filter, which cannot
say "services whose expiration is within 60 days". These filters take a Jinja expression as text,
evaluated for each item in the same sandboxed environment and budget as the template that calls them,
with the item as ``item`` (or the name given as ``name=``) beside every name the template sees::

    {{ services | select_expr("item.expiration | days_until < 60") }}
    {{ creds | reject_expr("c.lastUse and (c.lastUse | days_since) < inputs.days", name="c") }}
    {{ bills | map_expr("item.priceWithTax.value * 1.2") }}

The expression is compiled when the recipe is validated, so a syntax error is reported with its
``FILE:LINE:COL`` before anything runs, and the names it reads are checked like any template's.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any

from jinja2 import nodes, pass_context
from jinja2.runtime import Context, Undefined

from ovhflow.templating.environment import budget_iter
from ovhflow.templating.undefined import kind_of

EXPRESSION_FILTERS = frozenset({"select_expr", "reject_expr", "map_expr"})
DEFAULT_NAME = "item"


# Jinja's own filter that calls a filter by the name given as its first argument, with the arguments after
# it: ``map('map_expr', 'inputs.x')`` calls map_expr. (select, reject, selectattr and rejectattr call
# tests by name, and no test evaluates an expression.)
_CALLS_BY_NAME = "map"

FilterCall = tuple[str | None, list[nodes.Expr], list[Any]]  # name, arguments, Keyword nodes


def filter_calls(tree: nodes.Node) -> Iterator[FilterCall]:
    """Every filter ``tree`` calls, ``(name, arguments, keyword arguments)``: each Filter node (also of
    a ``{% filter %}`` block), and each filter it calls by name through ``map``, at any depth. The name
    is None when it is no constant, or when ``*args``/``**kwargs`` could hide it or an expression: such
    a call may be any filter, given any expression."""
    for node in tree.find_all(nodes.Filter):
        name: str | None = node.name
        args, kwargs = list(node.args), list(node.kwargs)
        hidden = node.dyn_args is not None or node.dyn_kwargs is not None
        while True:
            if hidden and (name == _CALLS_BY_NAME or name in EXPRESSION_FILTERS):
                name = None
            yield name, args, kwargs
            if name != _CALLS_BY_NAME or not args:  # map(attribute=...) calls no filter
                break
            called, args = args[0], args[1:]
            name = called.value if isinstance(called, nodes.Const) and isinstance(called.value, str) else None


def expression_uses(tree: nodes.Node) -> Iterator[tuple[str, str] | None]:
    """``(expression, item name)`` for each call of an expression filter in ``tree``, direct or by name
    (see :func:`filter_calls`); None for one whose expression or item name is no constant, or for a
    filter called by a name that is none: that call may evaluate any expression."""
    for name, args, kwargs in filter_calls(tree):
        if name is None:
            yield None
        elif name in EXPRESSION_FILTERS:
            yield expression_arguments(args, kwargs)


def expression_arguments(args: list[nodes.Expr], kwargs: list[Any]) -> tuple[str, str] | None:
    """``(expression, item name)`` of an expression filter's arguments, when both are constants."""
    given: dict[str, Any] = dict(zip(("expression", "name"), args, strict=False))
    given.update((keyword.key, keyword.value) for keyword in kwargs)
    constants = {key: value.value if isinstance(value, nodes.Const) else None for key, value in given.items()}
    expression, name = constants.get("expression"), constants.get("name", DEFAULT_NAME)
    return (expression, name) if isinstance(expression, str) and isinstance(name, str) else None


def _evaluator(context: Context, expression: Any, filter_name: str) -> Callable[[Mapping[str, Any]], Any]:
    if not isinstance(expression, str) or not expression.strip():
        raise ValueError(f"{filter_name}: the expression must be text, such as \"item.status == 'ok'\"")
    env = context.environment
    cache: dict[str, Any] = env.expression_cache  # type: ignore[attr-defined]
    compiled = cache.get(expression)
    if compiled is None:
        compiled = cache[expression] = env.compile_expression(expression, undefined_to_none=False)
    return compiled


def _each(context: Context, items: Any, expression: Any, name: Any, filter_name: str) -> Iterable[Any]:
    """``(item, value of the expression for it)`` for each item, in order."""
    if isinstance(items, (str, bytes, Mapping)) or not isinstance(items, Iterable):
        raise ValueError(f"{filter_name}: expected a list, got {kind_of(items)}")
    if not isinstance(name, str) or not name.isidentifier():
        raise ValueError(f"{filter_name}: name must be a plain name such as 's', got {name!r}")
    evaluate = _evaluator(context, expression, filter_name)
    names = context.get_all()
    for item in budget_iter(items):
        value = evaluate({**names, name: item})
        if isinstance(value, Undefined):
            value._fail_with_undefined_error()
        yield item, value


@pass_context
def select_expr(context: Context, items: Any, expression: Any, name: Any = DEFAULT_NAME) -> list[Any]:
    """The items for which ``expression`` is true."""
    return [item for item, keep in _each(context, items, expression, name, "select_expr") if keep]


@pass_context
def reject_expr(context: Context, items: Any, expression: Any, name: Any = DEFAULT_NAME) -> list[Any]:
    """The items for which ``expression`` is false."""
    return [item for item, drop in _each(context, items, expression, name, "reject_expr") if not drop]


@pass_context
def map_expr(context: Context, items: Any, expression: Any, name: Any = DEFAULT_NAME) -> list[Any]:
    """``expression``'s value for each item."""
    return [value for _, value in _each(context, items, expression, name, "map_expr")]


FILTERS = {"select_expr": select_expr, "reject_expr": reject_expr, "map_expr": map_expr}
