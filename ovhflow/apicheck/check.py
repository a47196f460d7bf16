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
from ovhflow.apicheck.request import body_problems, query_problems
from ovhflow.errors import Location

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


def day(timestamp: str | None) -> str:
    """The day of a schema's ISO timestamp; empty for none or OVH's ``0001-01-01`` placeholder."""
    return "" if not timestamp or timestamp.startswith("0001-") else timestamp[:10]


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
        since = f" since {day(op.deprecated_date)}" if day(op.deprecated_date) else ""
        when = f", to be removed on {day(op.deletion_date)}" if day(op.deletion_date) else ""
        instead = f"; use {op.replacement} instead" if op.replacement else ""
        self.add(location, f"{op.method} {op.path} is deprecated{since}{when}{instead}", "warning")

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
        if "?" in self.path:
            location = self.value_location(self.step.action)
            in_path: dict[str, list[str]] = {}
            for name, value in parse_qsl(self.path.split("?", 1)[1], keep_blank_values=True):
                in_path.setdefault(name, []).append(value)
            for problem in query_problems(self.catalog, op, in_path, templates=True):
                self.add(location, str(problem))
        query = self.options.get("query")
        if not isinstance(query, Mapping):
            return
        query_at = self.key_location("query")
        for problem in query_problems(self.catalog, op, query, templates=True):
            self.add(locate_in(query, problem.key_path, query_at, want_key=problem.on_key), str(problem))

    def check_body(self, op: Operation) -> None:
        has_body = "body" in self.options
        body = self.options.get("body")
        body_at = self.key_location("body") if has_body else self.key_location(self.step.action)
        for problem in body_problems(self.catalog, op, body, has_body, templates=True):
            location = body_at  # a problem of the body as a whole: point at its key
            if problem.key_path and has_body:
                location = locate_in(body, problem.key_path, body_at, want_key=problem.on_key)
            self.add(location, str(problem))
