"""Strict mode of the sandbox: refuse requests that the published API schemas say the real API would.

``make_checker(schema_dir)`` loads the schema documents once and returns a function the sandbox calls
for each request; an empty list means the request fits. Paths the schema folder does not describe at
all (an API whose document is absent) are let through: the folder may hold only some APIs.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from ovhflow.apicheck.catalog import Catalog, Operation
from ovhflow.apicheck.models import Problem, TypeChecker, key_path_text, missing_fields
from ovhflow.recipe.messages import did_you_mean

RequestChecker = Callable[[str, str, Mapping[str, Any], Any], list[str]]
IGNORED_QUERY = {"_"}  # cache-busting parameters some clients add


def make_checker(schema_dir: str | Path) -> RequestChecker:
    """A function ``(method, path, query, body) -> problems`` for requests against ``schema_dir``."""
    catalog = Catalog.from_dir(schema_dir)

    def check(method: str, path: str, query: Mapping[str, Any], body: Any) -> list[str]:
        return check_request(catalog, method, path, query or {}, body)

    return check


def check_request(catalog: Catalog, method: str, path: str, query: Mapping[str, Any], body: Any) -> list[str]:
    method = method.upper()
    templates = catalog.match(path)
    if not templates:
        if catalog.unloaded_api(path) is not None or not catalog.loaded_apis:
            return []
        hint = catalog.suggest_paths(path, limit=1)
        more = f" (did you mean {hint[0]}?)" if hint else ""
        return [f"unknown path {path}{more}"]
    operation = next((op for t in templates if (op := catalog.operation(t, method))), None)
    if operation is None:
        allowed = sorted({m for t in templates for m in catalog.paths[t]})
        return [f"method {method} not allowed on {templates[0]} (allowed: {', '.join(allowed)})"]
    return query_problems(catalog, operation, query) + body_problems(catalog, operation, body)


def query_problems(catalog: Catalog, op: Operation, query: Mapping[str, Any]) -> list[str]:
    known = op.query_params
    checker = TypeChecker(op.models, catalog.models, templates=False, from_query=True)
    problems = []
    for name, value in query.items():
        if name in IGNORED_QUERY:
            continue
        param = known.get(name)
        if param is None:
            problems.append(f"unknown query parameter '{name}'{did_you_mean(name, known, cutoff=0.6)}")
            continue
        for item in value if isinstance(value, (list, tuple)) else [value]:
            problems += [
                f"query parameter '{name}': {p.message}" for p in checker.check(str(item), param.data_type)
            ]
    return problems


def body_problems(catalog: Catalog, op: Operation, body: Any) -> list[str]:
    checker = TypeChecker(op.models, catalog.models, templates=False)
    model, flat = op.body_model, op.flat_body_params
    found: list[Problem] = []
    if model:
        if body is None:
            return [f"missing body ({model})"] if any(p.required for p in op.params_of("body")) else []
        found = checker.check(body, model, nullable=False)
    elif flat:
        body = {} if body is None else body
        if not isinstance(body, Mapping):
            return ["body must be a JSON object"]
        for key, value in body.items():
            param = flat.get(key)
            if param is None:
                found.append(
                    Problem((key,), f"unknown body field '{key}'{did_you_mean(str(key), flat, cutoff=0.6)}")
                )
            else:
                found += checker.check(value, param.data_type, (key,), nullable=not param.required)
        found += missing_fields(body, [n for n, p in flat.items() if p.required], "the body", ())
    elif body not in (None, {}, [], ""):
        return [f"{op.method} {op.path} takes no body"]
    return [format_problem(p) for p in found]


def format_problem(problem: Problem) -> str:
    if not problem.path or problem.message.startswith("unknown "):
        return problem.message
    return f"{key_path_text(problem.path)}: {problem.message}"
