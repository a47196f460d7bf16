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

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from jinja2 import nodes, pass_context
from jinja2.runtime import Context, Undefined

from ovhflow.templating.environment import budget_iter
from ovhflow.templating.undefined import kind_of

EXPRESSION_FILTERS = frozenset({"select_expr", "reject_expr", "map_expr"})
DEFAULT_NAME = "item"


def expression_arguments(node: nodes.Filter) -> tuple[str, str] | None:
    """``(expression, item name)`` of an expression filter call whose arguments are constants."""
    if node.name not in EXPRESSION_FILTERS or not node.args:
        return None
    expression = node.args[0]
    if not isinstance(expression, nodes.Const) or not isinstance(expression.value, str):
        return None
    name: Any = DEFAULT_NAME
    if len(node.args) > 1:
        name = node.args[1].value if isinstance(node.args[1], nodes.Const) else None
    for keyword in node.kwargs:
        if keyword.key == "name":
            name = keyword.value.value if isinstance(keyword.value, nodes.Const) else None
    return (expression.value, name) if isinstance(name, str) else None


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
