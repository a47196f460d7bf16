"""The Jinja environment recipes run in: sandboxed, strict and bounded in time and memory.

A recipe can come from anyone who can write to a cron job's folder, and its templates also see API
results, so a template must not reach Python internals, files or the environment, nor make the process
spin or eat memory. Jinja's sandbox already blocks attributes starting with ``_`` and Python internals and
caps ``range``; this module adds what it leaves open:

- every ``for`` iteration, call and intercepted operator spends from a per-render budget of work units
  (:data:`MAX_OPERATIONS`): :data:`STEP_COST` for the step itself plus the length of any string or list
  it builds, so nested loops, recursive macros and loops that rebuild big lists end with an error
  instead of running for hours;
- ``*``, ``**``, ``+``, ``%`` and ``~`` check the size of what they would build before building it
  (:data:`MAX_SIZE` characters or items, :data:`MAX_INT_BITS` for integers);
- filters and string methods refuse integer arguments past :data:`MAX_SIZE` (``center(10**9)``);
- ``{% include %}``, ``{% import %}`` and ``{% extends %}`` are refused at compile time (there is no
  loader and no file a template may read).
"""

from __future__ import annotations

import contextvars
import functools
import math
from collections.abc import Callable, Iterable, Iterator, Mapping
from types import MappingProxyType
from typing import Any

from jinja2 import nodes
from jinja2.compiler import CodeGenerator, Frame
from jinja2.exceptions import TemplateSyntaxError
from jinja2.sandbox import ImmutableSandboxedEnvironment
from jinja2.visitor import NodeTransformer

from ovhflow.templating.formats import check_printf, format_method
from ovhflow.templating.limits import (
    MAX_INT_BITS,
    MAX_OPERATIONS,
    MAX_RANGE,
    MAX_SIZE,
    STEP_COST,
    TemplateLimitError,
)
from ovhflow.templating.undefined import RecipeUndefined

NO_FILTERS: Mapping[str, Callable[..., Any]] = MappingProxyType({})

_ITER = "__ovhflow_iter"
_SIZED = "__ovhflow_sized"
# Filters and string methods that build a value as large as an integer argument: `center(10**9)`.
SIZED_BY_ARGUMENT = frozenset(
    {"center", "indent", "wordwrap", "slice", "batch", "ljust", "rjust", "zfill", "expandtabs"}
)


class _Budget:
    __slots__ = ("left",)

    def __init__(self) -> None:
        self.left = MAX_OPERATIONS

    def spend(self, amount: int = 1) -> None:
        self.left -= amount
        if self.left < 0:
            raise TemplateLimitError(
                f"template does too much work (over {MAX_OPERATIONS // STEP_COST:,} loop iterations, calls "
                "and operations, or as much work building values)"
            )


_budget: contextvars.ContextVar[_Budget | None] = contextvars.ContextVar(
    "ovhflow_template_budget", default=None
)


def new_budget() -> contextvars.Token[_Budget | None]:
    """Start a fresh budget for one render in this thread; pass the token to :func:`end_budget`."""
    return _budget.set(_Budget())


def end_budget(token: contextvars.Token[_Budget | None]) -> None:
    _budget.reset(token)


def _spend(amount: int = STEP_COST) -> None:
    budget = _budget.get()
    if budget is None:  # rendering outside Templates (tests of the environment itself)
        budget = _Budget()
        _budget.set(budget)
    budget.spend(amount)


def _sized_length(value: Any) -> int | None:
    return len(value) if isinstance(value, (str, bytes, list, tuple)) else None


def _check_size(value: Any) -> Any:
    """Refuse a built value over :data:`MAX_SIZE` and charge its length to the budget."""
    length = _sized_length(value)
    if length is not None:
        if length > MAX_SIZE:
            raise TemplateLimitError(f"template builds a value of {length:,} items (limit {MAX_SIZE:,})")
        _spend(length)
    return value


def budget_iter(iterable: Iterable[Any]) -> Iterator[Any]:
    for value in iterable:
        _spend()
        yield value


def _capped_range(*args: int) -> range:
    result = range(*args)
    if len(result) > MAX_RANGE:
        raise TemplateLimitError(f"range() of {len(result):,} items is over the limit of {MAX_RANGE:,}")
    return result


def _int_bits(value: Any) -> int:
    return abs(value).bit_length() if isinstance(value, int) and not isinstance(value, bool) else 0


def _check_binop(operator_: str, left: Any, right: Any) -> None:
    if operator_ == "*":
        for seq, count in ((left, right), (right, left)):
            length = _sized_length(seq)
            if length is not None and isinstance(count, int) and length * max(count, 0) > MAX_SIZE:
                raise TemplateLimitError(
                    f"repeating a value of {length:,} items {count:,} times is over the limit of {MAX_SIZE:,}"
                )
        if _int_bits(left) + _int_bits(right) > MAX_INT_BITS:
            raise TemplateLimitError("integer multiplication result is too large")
    elif operator_ == "**":
        if isinstance(right, int) and _int_bits(left) > 1 and right > 0:
            if right * math.log2(abs(left)) > MAX_INT_BITS:
                raise TemplateLimitError(f"{left} ** {right} is too large")
        elif isinstance(left, float) or isinstance(right, float):
            pass  # floats overflow to an OverflowError, which is reported as a template error
    elif operator_ == "+":
        left_len, right_len = _sized_length(left), _sized_length(right)
        if left_len is not None and right_len is not None and left_len + right_len > MAX_SIZE:
            raise TemplateLimitError(f"concatenation builds a value over the limit of {MAX_SIZE:,} items")
    elif operator_ == "%" and isinstance(left, str):
        check_printf(left, right)


def _refuse_big_integers(what: str, values: list[Any]) -> None:
    if any(isinstance(a, int) and not isinstance(a, bool) and a > MAX_SIZE for a in values):
        raise TemplateLimitError(f"{what}: an argument over {MAX_SIZE:,} is too large")


def _limited_filter(name: str, function: Callable[..., Any]) -> Callable[..., Any]:
    """Wrap a filter so that huge integer arguments are refused and huge results are caught."""

    @functools.wraps(function)  # keeps jinja's pass_context/pass_environment markers
    def limited(*args: Any, **kwargs: Any) -> Any:
        _spend()
        if name in SIZED_BY_ARGUMENT:
            _refuse_big_integers(f"filter {name!r}", list(args[1:]) + list(kwargs.values()))
        if name == "format" and args and isinstance(args[0], str):
            check_printf(args[0], kwargs or tuple(args[1:]))
        return _check_size(function(*args, **kwargs))

    return limited


class _LimitsRewriter(NodeTransformer):
    """Adds budget and size checks to a parsed template before it is compiled."""

    refused = (nodes.Include, nodes.Import, nodes.FromImport, nodes.Extends)

    def rewrite(self, tree: nodes.Template) -> nodes.Template:
        for node in tree.find_all(self.refused):
            raise TemplateSyntaxError(
                "templates cannot include, import or extend other templates", node.lineno
            )
        return self.visit(tree)

    def visit_For(self, node: nodes.For) -> nodes.Node:  # noqa: N802 (jinja's visitor naming)
        self.generic_visit(node)
        node.iter = nodes.Call(nodes.Name(_ITER, "load"), [node.iter], [], None, None, lineno=node.lineno)
        return node

    def visit_Concat(self, node: nodes.Concat) -> nodes.Node:  # noqa: N802
        self.generic_visit(node)
        return nodes.Call(nodes.Name(_SIZED, "load"), [node], [], None, None, lineno=node.lineno)


class _CodeGenerator(CodeGenerator):
    """Jinja folds constant expressions at compile time and writes a folded float as ``str(value)``:
    ``{{ 'inf' | float }}`` became the Python name ``inf`` and failed with a NameError. A NaN or infinite
    constant is written as ``float('inf')`` instead, so it renders as the value it is and the engine's
    check refuses it like any other NaN or infinity (located, "NaN or infinite")."""

    def visit_Const(self, node: nodes.Const, frame: Frame) -> None:  # noqa: N802
        value = node.as_const(frame.eval_ctx)
        if isinstance(value, float) and not math.isfinite(value):
            self.write(f"float({str(value)!r})")
        else:
            super().visit_Const(node, frame)


class RecipeEnvironment(ImmutableSandboxedEnvironment):
    """The sandboxed, strict, bounded environment every recipe template is compiled in."""

    intercepted_binops = frozenset(["*", "**", "+", "%"])
    code_generator_class = _CodeGenerator

    def __init__(
        self, filters: Mapping[str, Callable[..., Any]] = NO_FILTERS, finalize: Callable | None = None
    ) -> None:
        super().__init__(
            undefined=RecipeUndefined,
            autoescape=False,
            loader=None,
            finalize=finalize,
            keep_trailing_newline=True,
            cache_size=0,
        )
        self.globals["range"] = _capped_range
        self.globals[_ITER] = budget_iter
        self.globals[_SIZED] = _check_size
        self.filters.update(dict(filters))
        self.filters = {name: _limited_filter(name, f) for name, f in self.filters.items()}
        self._rewriter = _LimitsRewriter()
        self.expression_cache: dict[str, Any] = {}  # select_expr("...") and friends, compiled once

    def compile(
        self,
        source: Any,
        name: str | None = None,
        filename: str | None = None,
        raw: bool = False,
        defer_init: bool = False,
    ) -> Any:
        if isinstance(source, str):
            source = self.parse(source, name, filename)
        source = self._rewriter.rewrite(source)
        source.set_environment(self)
        return super().compile(source, name, filename, raw, defer_init)  # type: ignore[call-overload]

    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        return not attr.startswith("_") and super().is_safe_attribute(obj, attr, value)

    def getattr(self, obj: Any, attribute: str) -> Any:
        # A key wins over a method of the same name: `steps.x.items` is the record list, not dict.items.
        if isinstance(obj, Mapping):
            try:
                return obj[attribute]
            except (KeyError, TypeError):
                pass
        return super().getattr(obj, attribute)

    def wrap_str_format(self, value: Any) -> Callable[..., str] | None:
        if super().wrap_str_format(value) is None:  # not a str's format or format_map
            return None
        return format_method(self, value.__self__, value.__name__ == "format_map")

    def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:  # noqa: N805
        _spend()
        owner = getattr(__obj, "__self__", None)
        if isinstance(owner, (str, bytes)) and getattr(__obj, "__name__", "") in SIZED_BY_ARGUMENT:
            _refuse_big_integers(f"{__obj.__name__}()", list(args) + list(kwargs.values()))
        return _check_size(super().call(__context, __obj, *args, **kwargs))

    def call_binop(self, context: Any, operator_: str, left: Any, right: Any) -> Any:
        _spend()
        _check_binop(operator_, left, right)
        return _check_size(super().call_binop(context, operator_, left, right))
