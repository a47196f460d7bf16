"""Tasks of generated operations: an operation answering a task starts one that each poll moves along.

The task is put where the document lists that API's tasks (``POST /vps/{serviceName}/reboot`` answers a
``vps.Task`` that ``GET /vps/{serviceName}/tasks/{id}`` reads), so a recipe can wait for it as it
would on OVH: ``todo`` (or ``init``), then ``doing``, then ``done``, one step per GET.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ovhflow.apischema.document import ApiDocument, Operation, concrete, is_param
from ovhflow.apischema.types import INTEGER_TYPES, resolve_model, unalias
from ovhflow.sandbox.identity import make_ids

if TYPE_CHECKING:
    from ovhflow.sandbox.api import Call
    from ovhflow.sandbox.generated import GeneratedApi

PROGRESSION = ("init", "todo", "doing", "done")
START_FIELDS = ("date", "startDate", "todoDate", "creationDate", "lastUpdate", "createdAt")
FIRST_TASK_NUMBER = 100000000


def is_task_type(document: ApiDocument, type_name: str) -> bool:
    """``vps.Task``, ``ip.IpTask``, ``dedicatedCloud.Task``: a model whose name ends in ``Task``."""
    model, _ = resolve_model(document.models, type_name)
    base = type_name.split("<", 1)[0].rsplit(".", 1)[-1]
    return base.endswith("Task") and model is not None and "properties" in model


def task_template(
    document: ApiDocument, operation: Operation, task_type: str, params: Mapping[str, str]
) -> str | None:
    """The ``.../task/{taskId}`` template that reads tasks of this type, nearest to the operation's path."""
    best: tuple[int, str] | None = None
    for template, methods in document.operations.items():
        reader = methods.get("GET")
        if reader is None or unalias(reader.response_type) != task_type or not is_param(reader.segments[-1]):
            continue
        if any(is_param(s) and s[1:-1] not in params for s in reader.segments[:-1]):
            continue
        shared = 0
        for mine, theirs in zip(operation.segments, reader.segments[:-1], strict=False):
            if mine != theirs:
                break
            shared += 1
        if best is None or shared > best[0]:
            best = (shared, template)
    return best[1] if best else None


def start_task(
    api: GeneratedApi, call: Call, version: str, operation: Operation, params: dict[str, str]
) -> Any:
    """A new task in its listing, answered in its first state."""
    document = operation.document
    task_type = unalias(operation.response_type)
    api.kept["counter"] += 1
    number = FIRST_TASK_NUMBER + api.kept["counter"]
    template = task_template(document, operation, task_type, params)
    if template is None:  # the API gives no path to poll it at: a task object that stays as answered
        key = api.key(version, concrete(operation.segments, params)) + f"#task{number}"
    else:
        reader = document.operations[template]["GET"]
        name = reader.segments[-1][1:-1]
        kind = unalias(reader.param_type(name))
        listing = api.key(version, concrete(reader.segments[:-1], params))
        identifier: Any = (
            number
            if kind in INTEGER_TYPES
            else make_ids(api.values, listing, name, kind, 1, f"task{number}-")[0]
        )
        api.kept["added"].setdefault(listing, []).append(identifier)
        task_params = {**params, name: str(identifier)}
        key = api.key(version, concrete(reader.segments, task_params))
    model, generics = resolve_model(document.models, task_type)
    properties = (model or {}).get("properties") or {}
    literals = [s for s in operation.segments if not is_param(s)]
    written = first_fields(properties, document.models, literals[-1] if literals else "task")
    api.kept["tasks"][key] = 0
    if template is None:
        found = api.values.make_object(model or {}, document.models, key, {}, generics)
        found.update(written)
        task_progress(api.kept["tasks"], key, found, properties, document.models, False)
        del api.kept["tasks"][key]
        return found
    api.kept["objects"][key] = written
    return api.object_at(version, reader, task_params, task_type, advance=False)


def first_fields(properties: Mapping[str, Any], models: Mapping[str, Any], action: str) -> dict[str, Any]:
    """A new task's own fields: started now, and named after what started it where the model lets it."""
    now = dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat()
    fields: dict[str, Any] = {}
    for name, spec in properties.items():
        kind = unalias(str(spec.get("fullType") or spec.get("type") or ""))
        if kind == "datetime" and name in START_FIELDS:
            fields[name] = now
        elif name in ("function", "type", "action") and kind == "string":
            fields[name] = action
        elif name in ("function", "type", "action"):
            allowed = [str(value) for value in (models.get(kind) or {}).get("enum") or []]
            fitting = [value for value in allowed if action.lower() in value.lower()]
            if fitting:
                fields[name] = fitting[0]
    return fields


def task_progress(
    tasks: dict[str, int],
    key: str,
    found: dict[str, Any],
    properties: Mapping[str, Any],
    models: Mapping[str, Any],
    advance: bool,
) -> None:
    """Set the task's status field from its poll count (each GET moves it one step)."""
    if advance:
        tasks[key] += 1
    step = tasks[key]
    for field, spec in properties.items():
        model = models.get(unalias(str(spec.get("fullType") or spec.get("type") or "")))
        allowed = list((model or {}).get("enum") or [])
        if "done" not in allowed:
            continue
        sequence = [state for state in PROGRESSION if state in allowed]
        found[field] = sequence[min(step, len(sequence) - 1)]
        if found[field] != "done" and "doneDate" in found and properties.get("doneDate", {}).get("canBeNull"):
            found["doneDate"] = None
        if field in ("status", "state"):
            break
