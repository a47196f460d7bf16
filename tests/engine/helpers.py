"""Engine test helpers: steps built by hand, a fake client that records calls, an event collector."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from ovhflow.errors import Location
from ovhflow.recipe.model import InputSpec, Recipe, Step
from ovhflow.reporting.reporter import ConsoleReporter


class FakeResponse:
    def __init__(self, status: int = 200, query_id: str = "EU.ext-1.fake", **headers: str) -> None:
        self.status_code = status
        self.headers = {"X-OVH-QUERYID": query_id, **headers}


class FakeClient:
    """Answers from ``routes`` (``"GET /path"`` -> value or callable(data)); records every call.

    Batch reads (``X-Ovh-Batch``) are recorded as ``("BATCH", path, keys, True)`` and expanded listings
    (``X-Pagination-Mode``) as ``("EXPAND", path, None, True)``, and answered as the API does.
    """

    def __init__(self, routes: dict[str, Any] | None = None) -> None:
        self.routes = dict(routes or {})
        self.calls: list[tuple[str, str, Any, bool]] = []
        self.lock = threading.Lock()

    def call_with_response(
        self,
        method: str,
        path: str,
        data: Any = None,
        need_auth: bool = True,
        headers: dict[str, str] | None = None,
    ) -> Any:
        headers = headers or {}
        if "X-Ovh-Batch" in headers:
            return self._batch(path)
        if "X-Pagination-Mode" in headers:
            return self._expanded(path)
        with self.lock:
            self.calls.append((method, path, data, need_auth))
        answer = self.routes.get(f"{method} {path}")
        if callable(answer):
            answer = answer(data)
        if isinstance(answer, Exception):
            raise answer
        return answer, FakeResponse()

    def _batch(self, path: str) -> Any:
        parts = path.split("/")
        [position] = [i for i, part in enumerate(parts) if "," in part]
        keys = parts[position].split(",")
        prefix, suffix = "/".join(parts[:position]), "".join("/" + part for part in parts[position + 1 :])
        with self.lock:
            self.calls.append(("BATCH", prefix + ("/*" + suffix if suffix else ""), keys, True))
        out = []
        for key in keys:
            value = self.routes.get(f"GET {prefix}/{key}{suffix}")
            if callable(value):
                value = value(None)
            if isinstance(value, Exception):
                out.append({"key": key, "value": None, "error": str(value)})
            else:
                out.append({"key": key, "value": value, "error": None})
        return out, FakeResponse()

    def _expanded(self, path: str) -> Any:
        with self.lock:
            self.calls.append(("EXPAND", path, None, True))
        objects = [self.routes[f"GET {path}/{key}"] for key in self.routes[f"GET {path}"]]
        return objects, FakeResponse(**{"X-Pagination-Elements": str(len(objects))})

    def writes(self) -> list[tuple[str, str, Any, bool]]:
        return [call for call in self.calls if call[0] in ("POST", "PUT", "DELETE")]


_line = [0]


def step(action: str, args: Any = None, **fields: Any) -> Step:
    """A :class:`Step` as the loader would build it, with a made-up location on its own line."""
    _line[0] += 1
    fields.setdefault("location", Location("recipe.yaml", _line[0], 5))
    if "as" in fields:
        fields["as_"] = fields.pop("as")
    if "with" in fields:
        fields["with_"] = fields.pop("with")
    return Step(action=action, args=args, **fields)


def recipe(
    steps: list[Step], inputs: dict[str, InputSpec] | None = None, path: str = "recipe.yaml"
) -> Recipe:
    return Recipe(name="test", path=Path(path), steps=steps, inputs=inputs or {})


class Collector:
    """A plugin recording run events and messages."""

    def __init__(self) -> None:
        from ovhflow import hookimpl

        self.events: list[tuple[str, Any]] = []
        self.messages: list[str] = []
        collector = self

        class Hooks:
            @hookimpl
            def ovhflow_run_start(self, run: Any) -> None:
                collector.events.append(("run_start", run))

            @hookimpl
            def ovhflow_step_start(self, run: Any, step_id: Any, name: Any, location: Any) -> None:
                collector.events.append(("step_start", step_id))

            @hookimpl
            def ovhflow_item_end(self, run: Any, step_id: Any, index: int, record: Any) -> None:
                collector.events.append(("item_end", (step_id, index, dict(record))))

            @hookimpl
            def ovhflow_step_end(self, run: Any, report: Any) -> None:
                collector.events.append(("step_end", report))

            @hookimpl
            def ovhflow_run_end(self, run: Any) -> None:
                collector.events.append(("run_end", run))

        self.hooks = Hooks()

    # the run's reporter too: messages are kept, results and warnings printed as usual
    def message(self, text: str, step_id: str | None = None) -> None:
        self.messages.append(text)

    def warning(self, text: str) -> None:
        ConsoleReporter().warning(text)

    def output(self, text: str) -> None:
        ConsoleReporter().output(text)

    def reports(self) -> dict[Any, Any]:
        return {report.step_id: report for kind, report in self.events if kind == "step_end"}
