"""Check a recipe's HTTP steps against the API catalog, before anything is sent.

For each ``get``/``post``/``put``/``delete`` step: the path must lead to a known operation, the method
must exist there, query parameters and body fields must be the operation's, with compatible types,
enum values and required fields. Deprecated operations and authenticated calls to operations that
need no authentication are warnings. Values that are ``{{ templates }}`` are only known at run time
and are not type-checked.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import parse_qsl

from ovhflow.apicheck.catalog import HTTP_METHODS, Catalog, Operation, is_template, normalize_path, split_path
from ovhflow.apicheck.locations import locate_in
from ovhflow.apicheck.models import (
    Problem,
    TypeChecker,
    is_templated,
    key_path_text,
    missing_fields,
)
from ovhflow.errors import Location
from ovhflow.recipe.messages import did_you_mean

Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class Finding:
    """One problem in a recipe, where it is and how serious: errors stop a run, warnings do not."""

    location: Location
    message: str
    severity: Severity = "error"

    def __str__(self) -> str:
        return f"{self.location}: {self.severity}: {self.message}"


def check_recipe(recipe: Any, catalog: Catalog) -> list[Finding]:
    """Every finding for the recipe's HTTP steps (group and included steps too), in file order."""
    findings: list[Finding] = []
    for step in walk_steps(getattr(recipe, "steps", None) or []):
        findings += check_step(step, catalog)
    findings.sort(key=lambda f: (f.location.file, f.location.line, f.location.col))
    return findings


def walk_steps(steps: Iterable[Any], seen: set[int] | None = None) -> Iterator[Any]:
    """Steps, their group children and the steps of the recipes they include, depth first, each once."""
    seen = set() if seen is None else seen
    for step in steps:
        if id(step) in seen:
            continue
        seen.add(id(step))
        yield step
        yield from walk_steps(getattr(step, "steps", None) or [], seen)
        included = getattr(step, "included", None)
        if included is not None:
            yield from walk_steps(getattr(included, "steps", None) or [], seen)


def check_step(step: Any, catalog: Catalog) -> list[Finding]:
    action = str(getattr(step, "action", "") or "")
    method = action.upper()
    path = getattr(step, "args", None)
    if method not in HTTP_METHODS or not isinstance(path, str):
        return []
    return StepChecker(step, method, path, catalog).run()


class StepChecker:
    """The checks for one HTTP step, collecting findings that point at the most precise YAML node."""

    def __init__(self, step: Any, method: str, path: str, catalog: Catalog) -> None:
        self.step = step
        self.method = method
        self.path = path
        self.catalog = catalog
        self.options: Mapping[str, Any] = getattr(step, "options", None) or {}
        self.findings: list[Finding] = []

    def key_location(self, key: str) -> Location:
        """Where a key of the step is written, else the step itself."""
        key_locations = getattr(self.step, "key_locations", None) or {}
        return key_locations.get(key) or self.step.location

    def value_location(self, key: str) -> Location:
        """Where the value of a key of the step is written, else the key, else the step."""
        value_locations = getattr(self.step, "value_locations", None) or {}
        return value_locations.get(key) or self.key_location(key)

    def add(self, location: Location, message: str, severity: Severity = "error") -> None:
        self.findings.append(Finding(location, message, severity))

    def run(self) -> list[Finding]:
        head = split_path(normalize_path(self.path))[:2]
        if head[:1] == ["v2"]:
            head = head[1:]
        if not head or is_template(head[0]):
            return []  # the API itself is chosen at run time
        path_location = self.value_location(self.step.action)
        templates = self.catalog.match(self.path)
        if not templates:
            unloaded = self.catalog.unloaded_api(self.path)
            if unloaded is None:
                hint = self.catalog.suggest_paths(self.path)
                more = f" (did you mean {' or '.join(hint)}?)" if hint else ""
                self.add(path_location, f"unknown API path '{self.path}'{more}")
            return self.findings
        operations = [op for t in templates if (op := self.catalog.operation(t, self.method))]
        if not operations:
            allowed = sorted({m for t in templates for m in self.catalog.paths[t]})
            self.add(
                path_location,
                f"{self.method} is not an operation of {templates[0]} "
                f"(it has {', '.join(allowed) or 'none'})",
            )
            return self.findings
        if len(operations) > 1:
            return self.findings  # a template stands where several paths differ: which one is unknown
        operation = operations[0]
        self.check_status(operation, path_location)
        self.check_auth(operation, path_location)
        self.check_query(operation)
        self.check_body(operation)
        return self.findings

    def check_status(self, op: Operation, location: Location) -> None:
        if not op.deprecated:
            return
        placeholder = not op.deletion_date or op.deletion_date.startswith("0001-")  # OVH's "no date"
        when = "" if placeholder else f", to be removed on {op.deletion_date[:10]}"
        instead = f"; use {op.replacement} instead" if op.replacement else ""
        self.add(location, f"{op.method} {op.path} is deprecated{when}{instead}", "warning")

    def check_auth(self, op: Operation, location: Location) -> None:
        auth = self.options.get("auth", True)
        if op.no_authentication and auth is True:
            self.add(
                location,
                f"{op.method} {op.path} needs no authentication: add 'auth: false' "
                "so no credentials are sent",
                "warning",
            )

    def check_query(self, op: Operation) -> None:
        known = op.query_params
        checker = TypeChecker(op.models, self.catalog.models, from_query=True)
        if "?" in self.path:
            location = self.value_location(self.step.action)
            for name, value in parse_qsl(self.path.split("?", 1)[1], keep_blank_values=True):
                self.check_query_param(op, known, checker, name, value, location, location)
        query = self.options.get("query")
        if not isinstance(query, Mapping):
            return
        for name, value in query.items():
            key_at = locate_in(query, (name,), self.key_location("query"), want_key=True)
            value_at = locate_in(query, (name,), self.key_location("query"))
            self.check_query_param(op, known, checker, str(name), value, key_at, value_at)

    def check_query_param(
        self,
        op: Operation,
        known: Mapping[str, Any],
        checker: TypeChecker,
        name: str,
        value: Any,
        key_at: Location,
        value_at: Location,
    ) -> None:
        if is_templated(name):
            return
        param = known.get(name)
        if param is None:
            hint = did_you_mean(name, known, cutoff=0.6)
            accepted = f"; it accepts {', '.join(sorted(known))}" if known and not hint else ""
            self.add(key_at, f"unknown query parameter '{name}' for {op.method} {op.path}{hint}{accepted}")
            return
        values = value if isinstance(value, (list, tuple)) else [value]
        for item in values:
            if item is None or is_templated(item):
                continue
            text = str(item).lower() if isinstance(item, bool) else str(item)
            for problem in checker.check(text, param.data_type):
                self.add(value_at, f"query parameter '{name}': {problem.message}")

    def check_body(self, op: Operation) -> None:
        has_body = "body" in self.options
        body = self.options.get("body")
        body_at = self.key_location("body")
        if has_body and is_templated(body):
            return
        model = op.body_model
        flat = op.flat_body_params
        checker = TypeChecker(op.models, self.catalog.models)
        if model:
            if not has_body:
                required = [p for p in op.params_of("body") if not p.name and p.required]
                if required:
                    self.add(
                        self.key_location(self.step.action), f"{op.method} {op.path} needs a body ({model})"
                    )
                return
            self.report(checker.check(body, model, nullable=False), body, body_at)
        elif flat:
            if not has_body:
                body = {}
            if not isinstance(body, Mapping):
                self.add(body_at, f"body of {op.method} {op.path} must be an object")
                return
            self.check_flat_body(op, flat, checker, body, body_at)
        elif has_body and body not in (None, {}, []):
            self.add(body_at, f"{op.method} {op.path} takes no body")

    def check_flat_body(
        self,
        op: Operation,
        flat: Mapping[str, Any],
        checker: TypeChecker,
        body: Mapping[str, Any],
        body_at: Location,
    ) -> None:
        problems: list[Problem] = []
        for key, value in body.items():
            param = flat.get(key)
            if param is None:
                if not is_templated(key):
                    hint = did_you_mean(str(key), flat, cutoff=0.6)
                    problems.append(
                        Problem((key,), f"unknown body field '{key}' for {op.method} {op.path}{hint}")
                    )
                continue
            problems += checker.check(value, param.data_type, (key,), nullable=not param.required)
        required = [name for name, p in flat.items() if p.required]
        problems += missing_fields(body, required, f"{op.method} {op.path}", ())
        where = body_at if "body" in self.options else self.key_location(self.step.action)
        self.report(problems, body, where)

    def report(self, problems: list[Problem], body: Any, body_at: Location) -> None:
        for problem in problems:
            unknown_key = problem.message.startswith("unknown ")
            location = body_at  # a problem of the body as a whole: point at its key
            if problem.path:
                location = locate_in(body, problem.path, body_at, want_key=unknown_key)
            label = key_path_text(problem.path)
            prefix = "" if unknown_key or not label else f"body.{label}: "
            self.add(location, prefix + problem.message)
