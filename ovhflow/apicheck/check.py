"""Check a recipe's HTTP steps against the API catalog, before anything is sent.

For each ``get``/``post``/``put``/``delete`` step: the path must lead to a known operation (a
templated segment stands for a ``{param}`` segment only; a literal one in a ``{param}``'s place must
parse as its type), the method must exist there, query parameters and body fields must be the
operation's, with compatible types, enum values, dates and required fields, and no read-only field.
Deprecated operations and authenticated calls to operations that need no authentication are
warnings. Values that are ``{{ templates }}`` are only known at run time and are not type-checked,
except where the recipe says which values they take (``known``): then each is checked. A path that
cannot be checked at all (its API chosen at run time, or absent from the schemas) gets one
"not checked" warning, so that silence always means "checked and fine".
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, replace
from typing import Any, Literal
from urllib.parse import parse_qsl

from ovhflow.apicheck.catalog import Catalog
from ovhflow.apicheck.known import Known, input_values, loop_values, renderings
from ovhflow.apicheck.locations import locate_in
from ovhflow.apicheck.paths import api_head, is_template, path_values, splices, split_path
from ovhflow.apicheck.request import body_problems, path_problems, query_problems
from ovhflow.apischema.document import HTTP_METHODS, Operation, normalize_path
from ovhflow.errors import Location

Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class Finding:
    """One problem in a recipe, where it is and how serious: errors stop a run, warnings do not."""

    location: Location
    message: str
    severity: Severity = "error"
    unchecked: bool = False  # a warning that something could not be verified (validate says so; run not)

    def __str__(self) -> str:
        return f"{self.location}: {self.severity}: {self.message}"


def check_recipe(recipe: Any, catalog: Catalog) -> list[Finding]:
    """Every finding for the recipe's HTTP steps (group and included steps too), in file order."""
    findings: list[Finding] = []
    top_values = input_values(getattr(recipe, "inputs", None) or {})
    for step, known in steps_with_values(getattr(recipe, "steps", None) or [], top_values, set()):
        findings += check_step(step, catalog, known)
    findings.sort(key=lambda f: (f.location.file, f.location.line, f.location.col))
    return findings


def walk_steps(steps: Iterable[Any], seen: set[int] | None = None) -> Iterator[Any]:
    """Steps, their group children and the steps of the recipes they include, depth first, each once."""
    for step, _ in steps_with_values(steps, {}, set() if seen is None else seen):
        yield step


def steps_with_values(steps: Iterable[Any], known: Known, seen: set[int]) -> Iterator[tuple[Any, Known]]:
    """Like :func:`walk_steps`, with the values each step's templates can have (see ``known``)."""
    for step in steps:
        if id(step) in seen:
            continue
        seen.add(id(step))
        here = dict(known)
        if getattr(step, "loop", None) is not None:
            here.pop(str(getattr(step, "as_", None) or "item"), None)  # the loop's own variable now
            here.update(loop_values(step))
        yield step, here
        yield from steps_with_values(getattr(step, "steps", None) or [], here, seen)
        included = getattr(step, "included", None)
        if included is not None:
            inner = input_values(getattr(included, "inputs", None) or {})
            yield from steps_with_values(getattr(included, "steps", None) or [], inner, seen)


def day(timestamp: str | None) -> str:
    """The day of a schema's ISO timestamp; empty for none or OVH's ``0001-01-01`` placeholder."""
    return "" if not timestamp or timestamp.startswith("0001-") else timestamp[:10]


def check_step(step: Any, catalog: Catalog, known: Known | None = None) -> list[Finding]:
    """The findings of one step; ``known`` values of its templates have each rendering checked."""
    action = str(getattr(step, "action", "") or "")
    method = action.upper()
    path = getattr(step, "args", None)
    if method not in HTTP_METHODS or not isinstance(path, str):
        return []
    renders = list(renderings(path, known or {}))
    if not renders:
        return StepChecker(step, method, path, catalog).run()
    used_by: dict[Finding, list[dict[str, str]]] = {}
    for rendered, used in renders:
        for finding in StepChecker(step, method, rendered, catalog).run():
            used_by.setdefault(finding, []).append(used)
    return [labelled(finding, used) for finding, used in used_by.items()]


def labelled(finding: Finding, used: list[dict[str, str]]) -> Finding:
    """A finding of some renderings of a path, saying which values lead to it (none: all of them do)."""
    common = [(name, value) for name, value in used[0].items() if all(u.get(name) == value for u in used)]
    if not common:
        return finding
    label = ", ".join(f"{name} = {value!r}" for name, value in common)
    return replace(finding, message=f"{finding.message} (with {label})")


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

    def not_checked(self, why: str) -> list[Finding]:
        """One warning saying what was not verified, so silence never passes for a clean check."""
        where = self.value_location(self.step.action)
        self.findings.append(Finding(where, f"not checked: {why}", "warning", unchecked=True))
        return self.findings

    def run(self) -> list[Finding]:
        segments = split_path(normalize_path(self.path))
        if any(is_template(s) for s in api_head(segments)):
            return self.not_checked(f"the API of '{self.path}' is only known at run time")
        if any(splices(s) for s in segments):
            return self.not_checked(f"'{self.path}' splices in segments known only at run time")
        path_location = self.value_location(self.step.action)
        templates = self.catalog.match(self.path)
        if not templates:
            unloaded = self.catalog.unloaded_api(self.path)
            if unloaded is not None:
                return self.not_checked(f"the schemas in use have no document for the {unloaded} API")
            self.add(path_location, f"unknown API path '{self.path}'{self.path_hint()}")
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
            paths = " and ".join(op.path for op in operations)
            return self.not_checked(f"'{self.path}' fits {paths}, which differ")
        operation = operations[0]
        self.check_path_values(operation, segments, path_location)
        self.check_status(operation, path_location)
        self.check_auth(operation, path_location)
        self.check_query(operation)
        self.check_body(operation)
        return self.findings

    def path_hint(self) -> str:
        """A "did you mean", or why a templated segment cannot stand where the API has a fixed word."""
        if "%2F" in self.path:
            return " (a value fills one segment: the run sends its '/' as %2F; '| segments' splices it)"
        hint = self.catalog.suggest_paths(self.path)
        if hint:
            return f" (did you mean {' or '.join(hint)}?)"
        fixed = self.catalog.templates_for_fixed_words(self.path)
        if not fixed:
            return ""
        examples = " or ".join(fixed[:2]) + (" ..." if len(fixed) > 2 else "")
        return (
            " (a templated segment stands for a {param} segment only, "
            f"not for a fixed word of {examples}: write the fixed words out)"
        )

    def check_path_values(self, op: Operation, segments: list[str], location: Location) -> None:
        """Literal segments standing for a ``{param}`` must parse as its type (a number for ``{id}``)."""
        values = path_values(split_path(op.path), segments)
        for problem in path_problems(self.catalog, op, values):
            self.add(location, str(problem))

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
        for problem in body_problems(self.catalog, op, body, has_body, templates=True, refuse_read_only=True):
            location = body_at  # a problem of the body as a whole: point at its key
            if problem.key_path and has_body:
                location = locate_in(body, problem.key_path, body_at, want_key=problem.on_key)
            self.add(location, str(problem))
