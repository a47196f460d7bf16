"""Whether a request's query and body fit one catalog operation.

One check for both users: the recipe check (values may be ``{{ templates }}``, skipped; each problem is
then placed at the FILE:LINE:COL of the YAML node its key path leads to) and the strict sandbox (real
requests, answered 400 with the problems' text).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from ovhflow.apicheck.catalog import Catalog
from ovhflow.apicheck.models import Problem, TypeChecker, is_templated, key_path_text, missing_fields
from ovhflow.apischema.document import Operation
from ovhflow.text.suggestions import did_you_mean

KeyPath = tuple[str | int, ...]


@dataclass(frozen=True)
class RequestProblem:
    """Something in the query or body the API would refuse.

    ``key_path`` leads inside that part (``(name,)`` for a query parameter, ``("rules", 0, "method")``
    in a body; empty for the part as a whole); ``on_key`` says the key itself is wrong (an unknown
    name), not its value.
    """

    part: Literal["path", "query", "body"]
    key_path: KeyPath
    message: str
    on_key: bool = False

    def __str__(self) -> str:
        if self.part != "body" or self.on_key or not self.key_path:
            return self.message
        return f"body.{key_path_text(self.key_path)}: {self.message}"


def request_problems(
    catalog: Catalog,
    op: Operation,
    query: Mapping[str, Any],
    body: Any,
    has_body: bool = True,
    templates: bool = False,
) -> list[RequestProblem]:
    """The query's problems, then the body's. ``has_body``: a body was given at all (``None`` is one).

    With ``templates``, names and values that are ``{{ templates }}`` are known only at run time and
    are not checked.
    """
    found = query_problems(catalog, op, query, templates)
    return found + body_problems(catalog, op, body, has_body, templates)


def query_problems(
    catalog: Catalog, op: Operation, query: Mapping[str, Any], templates: bool = False
) -> list[RequestProblem]:
    """Unknown query parameters, and values that do not parse as their type (each item of a list)."""
    known = op.query_params
    checker = TypeChecker(op.models, catalog.models, templates=templates, from_query=True)
    problems = []
    for name, value in query.items():
        name = str(name)
        if templates and is_templated(name):
            continue
        param = known.get(name)
        if param is None:
            hint = did_you_mean(name, known, cutoff=0.6)
            accepted = f"; it accepts {', '.join(sorted(known))}" if known and not hint else ""
            message = f"unknown query parameter '{name}' for {op.method} {op.path}{hint}{accepted}"
            problems.append(RequestProblem("query", (name,), message, on_key=True))
            continue
        for item in value if isinstance(value, (list, tuple)) else [value]:
            if item is None or (templates and is_templated(item)):
                continue
            text = str(item).lower() if isinstance(item, bool) else str(item)
            problems += [
                RequestProblem("query", (name,), f"query parameter '{name}': {p.message}")
                for p in checker.check(text, param.data_type)
            ]
    return problems


def body_problems(
    catalog: Catalog,
    op: Operation,
    body: Any,
    has_body: bool = True,
    templates: bool = False,
    refuse_read_only: bool = False,
) -> list[RequestProblem]:
    """The body against the operation's body model, or its flat body parameters, or its lack of body.

    ``refuse_read_only``: a field the model marks ``readOnly`` (``datacenter`` of a dedicated server) is
    an error, for recipes; the strict sandbox lets clients send back objects as they read them.
    """
    if has_body and templates and is_templated(body):
        return []
    checker = TypeChecker(op.models, catalog.models, templates=templates, refuse_read_only=refuse_read_only)
    model, flat = op.body_model, op.flat_body_params
    if model:
        if has_body:
            return as_body_problems(checker.check(body, model, nullable=False))
        if any(p.required and not p.name for p in op.params_of("body")):
            return [RequestProblem("body", (), f"{op.method} {op.path} needs a body ({model})")]
        return []
    if flat:
        body = body if has_body else {}
        if not isinstance(body, Mapping):
            return [RequestProblem("body", (), f"body of {op.method} {op.path} must be an object")]
        found: list[Problem] = []
        for key, value in body.items():
            param = flat.get(key)
            if param is not None:
                found += checker.check(value, param.data_type, (key,), nullable=not param.required)
            elif not (templates and is_templated(key)):
                hint = did_you_mean(str(key), flat, cutoff=0.6)
                message = f"unknown body field '{key}' for {op.method} {op.path}{hint}"
                found.append(Problem((key,), message, on_key=True))
        required = [name for name, p in flat.items() if p.required]
        return as_body_problems(found + missing_fields(body, required, f"{op.method} {op.path}", ()))
    if has_body and body not in (None, {}, [], ""):
        return [RequestProblem("body", (), f"{op.method} {op.path} takes no body")]
    return []


def as_body_problems(found: list[Problem]) -> list[RequestProblem]:
    return [RequestProblem("body", p.path, p.message, p.on_key) for p in found]


def path_problems(catalog: Catalog, op: Operation, values: Mapping[str, str]) -> list[RequestProblem]:
    """Literal path segments that do not parse as their ``{param}``'s type (``abc`` for a ``long`` id)."""
    types = {p.name: p.data_type for p in op.params_of("path") if p.name}
    checker = TypeChecker(op.models, catalog.models, templates=True, from_query=True)
    problems = []
    for name, value in values.items():
        for problem in checker.check(value, types.get(name, "string")):
            message = f"path parameter {{{name}}} of {op.path}: {problem.message}"
            problems.append(RequestProblem("path", (name,), message))
    return problems
