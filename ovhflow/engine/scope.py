"""Where steps record themselves and ``set`` puts variables, and the template context built from it.

A recipe, each iteration of a looped group, each run of a group and each included recipe has its own
:class:`Scope`. Reads fall through to the enclosing scope (so a step inside a group sees earlier steps
outside it), writes stay local: inside a looped group ``steps.<id>`` is the current iteration's step, and
an included recipe has its own ``inputs`` and ``steps``.
"""

from __future__ import annotations

import threading
from collections import ChainMap
from collections.abc import Mapping
from typing import Any

from ovhflow.engine.namespace import Namespace, StepRecord


class Scope:
    """Step records and variables of one recipe, group run or loop iteration."""

    def __init__(
        self,
        parent: Scope | None = None,
        inputs: Mapping[str, Any] | None = None,
        run: Mapping[str, Any] | None = None,
        names: Mapping[str, Any] | None = None,
    ) -> None:
        self.parent = parent
        self.steps: dict[str, StepRecord] = {}
        self.variables: dict[str, Any] = dict(names or {})
        self._inputs = Namespace(dict(inputs)) if inputs is not None else None
        self._run = Namespace(dict(run)) if run is not None else None
        self._lock = threading.Lock()
        # context() without extras, kept until this scope's variables change or its first step is
        # recorded (the version moves), or its parent's is made again; steps.<id> reads live views
        self._version = 0
        self._names: tuple[int, dict[str, Any] | None, dict[str, Any]] | None = None
        # Steps inside one loop iteration (of a looped group) report no step events: one per step, not
        # per item, is what the event hooks promise; their outcomes reach the loop's item records.
        self.in_iteration: bool = bool(names) or (parent is not None and parent.in_iteration)

    def child(self, names: Mapping[str, Any] | None = None) -> Scope:
        """A scope for a group run or loop iteration; ``names`` (loop variable, ``loop``) are local to it."""
        return Scope(self, names=names)

    def record(self, step_id: str | None, record: StepRecord) -> None:
        if step_id:
            with self._lock:
                if not self.steps:  # context() showed the parent's steps until now: build it again
                    self._version += 1
                self.steps[step_id] = record

    def set_variables(self, values: Mapping[str, Any]) -> None:
        with self._lock:
            self.variables.update(values)
            self._version += 1

    def _lineage(self) -> list[Scope]:
        """This scope, its parent, and so on up to the recipe's."""
        scopes: list[Scope] = []
        scope: Scope | None = self
        while scope is not None:
            scopes.append(scope)
            scope = scope.parent
        return scopes

    def _chain(self, attribute: str) -> ChainMap[str, Any]:
        return ChainMap(*(getattr(scope, attribute) for scope in self._lineage()))

    def _nearest(self, attribute: str) -> Any:
        scope: Scope | None = self
        while scope is not None:
            value = getattr(scope, attribute)
            if value is not None:
                return value
            scope = scope.parent
        return None

    def loop_item(self) -> Any:
        """The item of the innermost loop iteration this scope is in (None outside loops): the first
        name a loop iteration's scope holds is its loop variable."""
        for scope in self._lineage():
            if "loop" in scope.variables:
                return next(iter(scope.variables.values()))
        return None

    def run_values(self) -> dict[str, Any]:
        """The ``run`` names (``check``, ``started_at``), for an included recipe's own root scope."""
        run = self._nearest("_run")
        return {name: run[name] for name in run} if run is not None else {}

    def recorded(self) -> Namespace:
        """The step records made in this scope only (a group's or included recipe's result), once its
        steps ran: a view of them, not a copy (a looped group keeps one per item)."""
        return Namespace(self.steps)

    def context(self, extra: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """The names a template sees here: variables, then the fixed names, then ``extra`` (``result``)."""
        names = self._context_names()
        return {**names, **extra} if extra else dict(names)

    def _context_names(self) -> dict[str, Any]:
        """The nearest scope's variables winning over its parents', then ``inputs``, ``steps``, ``run``;
        built once per scope (a loop iteration asks for it several times), made again when it changed."""
        parent = self.parent._context_names() if self.parent is not None else None
        version, cached = self._version, self._names
        if cached is not None and cached[0] == version and cached[1] is parent:
            return cached[2]
        names = dict(parent) if parent is not None else {}
        names.update(self.variables)
        names.update(
            inputs=self._inputs if self._inputs is not None or parent is None else parent["inputs"],
            steps=Namespace(self._chain("steps")) if self.steps or parent is None else parent["steps"],
            run=self._run if self._run is not None or parent is None else parent["run"],
        )
        self._names = (version, parent, names)
        return names
