"""Compiling, checking and rendering recipe templates: one :class:`Templates` per run.

Templates are compiled once (at validation, so syntax errors surface before the first request) and
cached; rendering keeps native types for a string that is a single ``{{ expression }}`` so that
``loop: "{{ steps.servers.result }}"`` loops over a list, not over the characters of its repr.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from jinja2 import nodes
from jinja2.exceptions import SecurityError, TemplateSyntaxError, UndefinedError
from jinja2.runtime import Undefined

from ovhflow.errors import Location, RecipeError, StepFailed
from ovhflow.templating.analysis import TemplateAnalysis
from ovhflow.templating.environment import NO_FILTERS, RecipeEnvironment, end_budget, new_budget
from ovhflow.templating.expressions import FILTERS as EXPRESSION_FILTERS
from ovhflow.templating.limits import MAX_OUTPUT, TemplateLimitError
from ovhflow.templating.lookups import MISSING, Lookup, fast_expression, fast_text
from ovhflow.templating.undefined import public_message
from ovhflow.templating.values import (
    PathSegmentError,
    as_data,
    days_ago,
    days_from_now,
    is_template,
    now,
    path_segment,
    segments,
    short,
    single_expression,
)
from ovhflow.text.suggestions import did_you_mean

if TYPE_CHECKING:
    from ovhflow.plugin.manager import Plugins

CORE_FILTERS: dict[str, Callable[..., Any]] = {"segments": segments, **EXPRESSION_FILTERS}
CORE_GLOBALS: dict[str, Callable[..., Any]] = {
    "now": now,
    "days_ago": days_ago,
    "days_from_now": days_from_now,
}

__all__ = ["RenderError", "Templates", "is_template", "now"]


class RenderError(StepFailed):
    """A template failed while rendering: an undefined name, something the sandbox refused, a limit.

    It is a :class:`StepFailed` (exit 1) because it happens during a run; the engine adds the step's
    location. Syntax errors are :class:`RecipeError` and are found at validation instead.
    """


class Templates(TemplateAnalysis):
    """The sandboxed Jinja environment of one run, with a cache of compiled templates.

    Thread-safe: the engine renders loop iterations on a thread pool.
    """

    def __init__(self, filters: Mapping[str, Callable[..., Any]] = NO_FILTERS) -> None:
        filters = {**dict(filters), **CORE_FILTERS}  # the language's own filters win over plugins'
        self.env = RecipeEnvironment(filters)
        self.path_env = RecipeEnvironment(filters, finalize=path_segment)
        for env in (self.env, self.path_env):
            env.globals.update(CORE_GLOBALS)
        self._cache: dict[tuple[str, str], Any] = {}
        self._lock = threading.Lock()

    @classmethod
    def for_plugins(cls, plugins: Plugins) -> Templates:
        """A :class:`Templates` with every plugin's filters (``ovhflow_template_filters``)."""
        filters: dict[str, Callable[..., Any]] = {}
        for provided in plugins.hook.ovhflow_template_filters():
            filters.update(provided or {})
        return cls(filters)

    @property
    def global_names(self) -> frozenset[str]:
        """Names every template can use without a context: ``range``, ``now``, ``dict``..."""
        return frozenset(name for name in self.env.globals if not name.startswith("_"))

    # -- compiling -------------------------------------------------------------------------------

    def compile(self, source: str, location: Location | None = None) -> None:
        """Check a template's syntax and cache it; raise :class:`RecipeError` at ``location``."""
        if is_template(source):
            self._compiled("text", source, location)

    def compile_expression(self, source: str, location: Location | None = None) -> None:
        """Check a bare expression (``when``, ``until``, ``assert``) and cache it."""
        self._compiled("expr", source, location)

    def _compiled(self, kind: str, source: str, location: Location | None = None) -> Any:
        key = (kind, source)
        found = self._cache.get(key)
        if found is not None:
            return found
        try:
            compiled = self._build(kind, source)
            for inner in self.inner_expressions(source, expression=kind == "expr"):
                self.env.compile_expression(inner)  # a syntax error inside select_expr("...") is one too
        except TemplateSyntaxError as exc:
            raise self._syntax_error(kind, source, exc, location) from None
        except (RecursionError, MemoryError):
            raise RecipeError(f"template {short(source)} is nested too deeply", location) from None
        with self._lock:
            self._cache[key] = compiled
        return compiled

    def _build(self, kind: str, source: str) -> Any:
        if kind == "expr":
            if "{{" in source or "{%" in source:
                raise TemplateSyntaxError("__bare__", 1)
            return ("native", self._expression(source))
        if kind == "path":
            template = self.path_env.from_string(source)
            return ("text", FastText.of(fast_text(self.path_env, source, path_segment), template))
        inner = single_expression(source)
        body = self.env.parse(source[:-1] if source.endswith("\n") else source).body
        if (
            inner is not None
            and len(body) == 1
            and isinstance(body[0], nodes.Output)
            and len(body[0].nodes) == 1
            and not isinstance(body[0].nodes[0], nodes.TemplateData)
        ):
            return ("native", self._expression(inner))
        return ("text", FastText.of(fast_text(self.env, source, None), self.env.from_string(source)))

    def _expression(self, source: str) -> Any:
        compiled = self.env.compile_expression(source, undefined_to_none=False)
        fast = fast_expression(self.env, source)
        return compiled if fast is None else FastExpression(fast, compiled)

    def _syntax_error(
        self, kind: str, source: str, exc: TemplateSyntaxError, location: Location | None
    ) -> RecipeError:
        if exc.message == "__bare__":
            return RecipeError(
                f"{short(source)} is a bare expression: write it without {{{{ }}}} or {{% %}}", location
            )
        where = f" (template line {exc.lineno})" if exc.lineno and exc.lineno > 1 else ""
        if where and location is not None and getattr(location, "lines_follow_text", False):
            location, where = Location(location.file, location.line + exc.lineno - 1, location.col), ""
        what = "expression" if kind == "expr" else "template"
        message = f"{what} syntax error in {short(source)}{where}: {exc.message}"
        unknown = re.fullmatch(r"No (filter|test) named '([^']+)'\.?", exc.message or "")
        if unknown:
            known = self.env.filters if unknown.group(1) == "filter" else self.env.tests
            message += did_you_mean(unknown.group(2), known)
        return RecipeError(message, location)

    def is_single_expression(self, source: str) -> bool:
        """True when ``source`` renders to a native value (exactly one ``{{ expression }}``)."""
        return is_template(source) and self._compiled("text", source)[0] == "native"

    # -- rendering ---------------------------------------------------------------------------------

    def render(self, value: Any, context: Mapping[str, Any]) -> Any:
        """Render a value: strings are templates, dicts and lists recursively, anything else as is."""
        token = new_budget()
        try:
            return self._render_value(value, context)
        finally:
            end_budget(token)

    def render_path(self, source: str, context: Mapping[str, Any]) -> str:
        """Render an API path: every ``{{ }}`` output is percent-encoded to stay one path segment."""
        if not is_template(source):
            return source
        token = new_budget()
        try:
            return self._render_text(self._compiled("path", source)[1], source, context)
        finally:
            end_budget(token)

    def evaluate(self, expression: Any, context: Mapping[str, Any]) -> Any:
        """Evaluate a bare expression (``when``, ``until``, ``assert``); non-strings are their own value."""
        if not isinstance(expression, str):
            return expression
        token = new_budget()
        try:
            return self._run_native(self._compiled("expr", expression)[1], expression, context)
        finally:
            end_budget(token)

    def _render_value(self, value: Any, context: Mapping[str, Any]) -> Any:
        if isinstance(value, str):
            if not is_template(value):
                return value
            kind, compiled = self._compiled("text", value)
            if kind == "native":
                return self._run_native(compiled, value, context)
            return self._render_text(compiled, value, context)
        if isinstance(value, Mapping):
            return {key: self._render_value(item, context) for key, item in value.items()}
        if isinstance(value, (list, tuple)):
            return [self._render_value(item, context) for item in value]
        return value

    def _run_native(self, expression: Any, source: str, context: Mapping[str, Any]) -> Any:
        try:
            result = expression(context)
            if isinstance(result, Undefined):
                result._fail_with_undefined_error()
            return as_data(result)
        except Exception as exc:
            raise self._render_failure(source, exc) from None

    def _render_text(self, template: Any, source: str, context: Mapping[str, Any]) -> str:
        if isinstance(template, FastText):
            text = template.fast_render(context)
            if text is not MISSING and len(text) <= MAX_OUTPUT:
                return str(text)
            template = template.template
        chunks: list[str] = []
        total = 0
        try:
            for chunk in template.root_render_func(template.new_context(context)):
                total += len(chunk)
                if total > MAX_OUTPUT:
                    raise TemplateLimitError(
                        f"template output is over the limit of {MAX_OUTPUT:,} characters"
                    )
                chunks.append(chunk)
        except Exception as exc:
            raise self._render_failure(source, exc) from None
        return "".join(chunks)

    @staticmethod
    def _render_failure(source: str, exc: Exception) -> RenderError:
        if isinstance(exc, UndefinedError):
            return RenderError(f"template {short(source)}: undefined: {exc.message}")
        if isinstance(exc, SecurityError):
            return RenderError(
                f"template {short(source)}: refused by the sandbox: {public_message(str(exc))}"
            )
        if isinstance(exc, (TemplateLimitError, OverflowError, MemoryError)):
            # Python's MemoryError usually says nothing: name what ran out
            said = str(exc) or "out of memory (the template built a value too large to hold)"
            return RenderError(f"template {short(source)}: over a limit: {said}")
        if isinstance(exc, PathSegmentError):
            return RenderError(f"template {short(source)}: {exc}")
        if isinstance(exc, RecursionError):
            return RenderError(f"template {short(source)}: over a limit: recursion too deep")
        if isinstance(exc, RenderError):
            return exc
        return RenderError(f"template {short(source)}: {type(exc).__name__}: {public_message(str(exc))}")

    # -- analysis (validation) ---------------------------------------------------------------------


class FastExpression:
    """A compiled expression with a plain-lookup shortcut (:mod:`ovhflow.templating.lookups`); Jinja
    evaluates it whenever the shortcut does not find its value."""

    __slots__ = ("fast", "slow")

    def __init__(self, fast: Lookup, slow: Any) -> None:
        self.fast, self.slow = fast, slow

    def __call__(self, context: Mapping[str, Any]) -> Any:
        try:
            value = self.fast(context)
        except Exception:  # Jinja says what went wrong, as it always has
            value = MISSING
        return self.slow(context) if value is MISSING else value


class FastText:
    """A compiled text template with a plain-lookup shortcut, used as :class:`FastExpression` is."""

    __slots__ = ("fast", "template")

    def __init__(self, fast: Lookup, template: Any) -> None:
        self.fast, self.template = fast, template

    @classmethod
    def of(cls, fast: Lookup | None, template: Any) -> Any:
        return template if fast is None else cls(fast, template)

    def fast_render(self, context: Mapping[str, Any]) -> Any:
        try:
            return self.fast(context)
        except Exception:
            return MISSING
