"""Every operation of OVH's API documents, answered from their models: the sandbox beyond its own routes.

Data is generated (:mod:`ovhflow.sandbox.values`), deterministic from the seed, and made consistent by
the paths (:mod:`ovhflow.sandbox.identity`): a listing answers ids, each id's item answers for it, and
an item under a path whose ids are not in the parent listing does not exist (404). Writes are kept in
the account's ``generated`` section, which is saved with the rest of the state: ``objects`` (fields
written by POST and PUT, by path), ``added``/``removed`` (ids created or deleted, by listing path),
``deleted`` (other deleted paths) and ``tasks`` (poll counts of tasks, which move one step a poll).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable
from typing import Any

from ovhflow.apischema.document import ApiDocument, Operation, concrete, is_param
from ovhflow.apischema.types import element_type, resolve_model, unalias
from ovhflow.sandbox.api import Call, bad_request, conflict, not_found
from ovhflow.sandbox.generated_routes import OperationRouter
from ovhflow.sandbox.identity import id_in, id_type, identity_fields, literal_before, make_ids
from ovhflow.sandbox.router import Route
from ovhflow.sandbox.schema_store import SchemaStore
from ovhflow.sandbox.tasks import is_task_type, start_task, task_progress
from ovhflow.sandbox.values import Values

HandWritten = Callable[[str, str], tuple[Route | None, dict[str, str]]]  # (version, path) -> GET route


class GeneratedApi(OperationRouter):
    """Routes and answers for whatever the hand-written routes do not serve."""

    def __init__(self, store: SchemaStore, state: dict[str, Any], handwritten: HandWritten) -> None:
        super().__init__(store)
        self.handwritten = handwritten
        today = dt.datetime.now(dt.timezone.utc).date().isoformat()
        self.kept: dict[str, Any] = state.setdefault("generated", {"today": today})
        for section in ("objects", "added", "removed", "tasks"):
            self.kept.setdefault(section, {})
        self.kept.setdefault("deleted", [])
        self.kept.setdefault("counter", 1000)
        self.values = Values(int(state.get("seed", 1)), dt.date.fromisoformat(self.kept["today"]))

    # answering
    def answer(self, call: Call, version: str, operation: Operation, params: dict[str, str]) -> Any:
        self.require_parents(call, version, operation, params)
        key = self.key(version, concrete(operation.segments, params))
        if operation.method == "GET":
            return self.read(call, version, operation, params, key)
        if operation.method == "POST":
            return self.create_or_act(call, version, operation, params, key)
        if operation.method in ("PUT", "PATCH"):
            return self.update(call, version, operation, params, key)
        return self.delete(call, version, operation, params, key)

    def key(self, version: str, path: str) -> str:
        return path if version == "v1" else "/v2" + path

    def require_parents(self, call: Call, version: str, operation: Operation, params: dict[str, str]) -> None:
        """404 unless each ``{param}`` of the path names an item its parent listing answers."""
        literals = literal_before(operation.segments)
        for index, segment in enumerate(operation.segments):
            if not is_param(segment):
                continue
            name = segment[1:-1]
            parent = operation.segments[:index]
            ids = self.ids_at(call, version, operation.document, parent, params, name, literals.get(name, ""))
            if ids is not None and params[name] not in {str(i) for i in ids}:
                raise not_found(f"The requested object ({name} = {params[name]}) does not exist")

    def ids_at(
        self,
        call: Call,
        version: str,
        document: ApiDocument,
        parent: tuple[str, ...],
        params: dict[str, str],
        name: str,
        literal: str,
    ) -> list[Any] | None:
        """The ids the listing at ``parent`` answers, or None where there is no such listing."""
        if not parent:
            return None
        path = concrete(parent, params)
        route, route_params = self.handwritten(version, path)
        if route is not None:
            listed = route.handler(
                dataclasses.replace(call, method="GET", path=path, query={}, body=None), **route_params
            )
            return [id_in(item, name, literal) for item in listed] if isinstance(listed, list) else None
        template = "/" + "/".join(parent)
        listing = document.operation(template, "GET")
        reader = self.item_reader(document, template)
        inner = element_type(listing.response_type) if listing is not None else None
        if listing is None or reader is None or inner is None:
            return None
        model, _ = resolve_model(document.models, unalias(inner))
        if reader[2] is None and model is not None and "properties" in model:
            return None  # objects that name no item path: nothing to hold the parameter to
        return self.listing_ids(version, listing, reader[0], reader[1], params)

    def item_reader(self, document: ApiDocument, template: str) -> tuple[str, str, Operation | None] | None:
        """How a listing's items are named: (parameter, id type, the item's GET or None when it has none)."""
        item = document.item_template(template)
        if item is not None:
            item_op = document.operations[item]["GET"]
            name = item_op.segments[-1][1:-1]
            return name, self.id_type(item_op, name), item_op
        deeper = document.under_item(template)  # /email/exchange/{organizationName}/service/...
        if deeper is None:
            return None
        name = deeper.segments[len(template.strip("/").split("/"))][1:-1]
        return name, deeper.param_type(name), None

    def listing_ids(
        self, version: str, listing: Operation, name: str, kind: str, params: dict[str, str]
    ) -> list[Any]:
        key = self.key(version, concrete(listing.segments, params))
        count = self.values.rng(key + "#count").randint(2, 3)
        made = make_ids(self.values, key, name, kind, count, "", listing.models)
        removed = {str(i) for i in self.kept["removed"].get(key, [])}
        ids = [i for i in made if str(i) not in removed]
        ids += [i for i in self.kept["added"].get(key, []) if str(i) not in {str(j) for j in ids}]
        return ids

    def id_type(self, item_op: Operation, name: str) -> str:
        model, _ = resolve_model(item_op.models, unalias(item_op.response_type))
        properties = (model or {}).get("properties") or {}
        return id_type(
            properties, name, literal_before(item_op.segments).get(name, ""), item_op.param_type(name)
        )

    def read(self, call: Call, version: str, operation: Operation, params: dict[str, str], key: str) -> Any:
        document = operation.document
        inner = element_type(operation.response_type)
        reader = self.item_reader(document, operation.path) if inner is not None else None
        if reader is None:
            return self.object_at(version, operation, params, operation.response_type, advance=True)
        name, kind, item_op = reader
        model, _ = resolve_model(document.models, unalias(inner or ""))
        if item_op is None and model is not None and "properties" in model:  # objects with no item path
            return self.object_at(version, operation, params, operation.response_type, advance=True)
        ids = self.listing_ids(version, operation, name, kind, params)
        if item_op is None:
            return ids
        if model is not None and "properties" in model:  # a listing of objects (``cloud.sshkey.SshKey[]``)
            found = [
                self.object_at(version, item_op, {**params, name: str(i)}, inner or "", False) for i in ids
            ]
            return [item for item in found if passes(item, call.query)]
        item_model, _ = resolve_model(document.models, unalias(item_op.response_type))
        fields = (item_model or {}).get("properties") or {}
        if not any(name in fields for name in call.query):
            return ids
        return [
            identifier
            for identifier in ids
            if passes(
                self.object_at(
                    version, item_op, {**params, name: str(identifier)}, item_op.response_type, False
                ),
                call.query,
            )
        ]

    def object_at(
        self, version: str, operation: Operation, params: dict[str, str], type_name: str, advance: bool
    ) -> Any:
        document = operation.document
        key = self.key(version, concrete(operation.segments, params))
        if key in self.kept["deleted"]:
            raise not_found(f"The requested object ({key}) does not exist")
        model, generics = resolve_model(document.models, unalias(type_name))
        if model is None or "properties" not in model:
            return self.values.make(type_name, document.models, key)
        properties = model["properties"]
        fixed = identity_fields(properties, params, literal_before(operation.segments))
        found = self.values.make_object(model, document.models, key, fixed, generics)
        written = self.kept["objects"].get(key) or {}
        found.update({name: value for name, value in written.items() if name in properties})
        plausible(found, properties)
        if key in self.kept["tasks"]:
            task_progress(self.kept["tasks"], key, found, properties, document.models, advance)
        return found

    # writes
    def create_or_act(
        self, call: Call, version: str, operation: Operation, params: dict[str, str], key: str
    ) -> Any:
        """POST on a listing creates an item in it; POST elsewhere is an action (often answering a task)."""
        document = operation.document
        listing = document.operation(operation.path, "GET")
        item = document.item_template(operation.path)
        if item is None or listing is None or element_type(listing.response_type) is None:
            return self.respond(call, version, operation, params)
        item_op = document.operations[item]["GET"]
        name = item_op.segments[-1][1:-1]
        body = call.body if isinstance(call.body, dict) else {}
        identifier = body.get(name)
        if identifier is None:
            self.kept["counter"] += 1
            salt = f"new{self.kept['counter']}-"
            identifier = make_ids(
                self.values, key, name, self.id_type(item_op, name), 1, salt, document.models
            )[0]
        item_params = {**params, name: str(identifier)}
        item_key = self.key(version, concrete(item_op.segments, item_params))
        existing = self.listing_ids(version, listing, name, self.id_type(item_op, name), params)
        if str(identifier) in {str(i) for i in existing}:
            if document.operation(item, "PUT") is not None:
                raise conflict(f"This object already exists ({name} = {identifier})")
            self.kept["objects"].setdefault(item_key, {}).update(body)  # POST is how it changes (reverses)
            return self.respond(call, version, operation, item_params, item_op)
        self.kept["added"].setdefault(key, []).append(identifier)
        self.kept["objects"][item_key] = dict(body)
        if item_key in self.kept["deleted"]:
            self.kept["deleted"].remove(item_key)
        if unalias(operation.response_type) == unalias(item_op.param_type(name)):
            return identifier
        return self.respond(call, version, operation, item_params, item_op)

    def respond(
        self,
        call: Call,
        version: str,
        operation: Operation,
        params: dict[str, str],
        shape_from: Operation | None = None,
    ) -> Any:
        """What a write answers: a new task, the object written, or a value of the response type."""
        response = unalias(operation.response_type)
        if response == "void":
            return None
        if is_task_type(operation.document, response):
            return start_task(self, call, version, operation, params)
        return self.object_at(version, shape_from or operation, params, response, advance=False)

    def update(self, call: Call, version: str, operation: Operation, params: dict[str, str], key: str) -> Any:
        if key in self.kept["deleted"]:
            raise not_found(f"The requested object ({key}) does not exist")
        if call.body is not None and not isinstance(call.body, dict):
            raise bad_request("The request body must be an object")
        self.kept["objects"].setdefault(key, {}).update(call.body or {})
        return self.respond(call, version, operation, params)

    def delete(self, call: Call, version: str, operation: Operation, params: dict[str, str], key: str) -> Any:
        answer = self.respond(call, version, operation, params)
        self.kept["objects"].pop(key, None)
        last = operation.segments[-1]
        if is_param(last):
            listing = self.key(version, concrete(operation.segments[:-1], params))
            identifier = params[last[1:-1]]
            self.kept["removed"].setdefault(listing, []).append(identifier)
            added = self.kept["added"].get(listing, [])
            self.kept["added"][listing] = [i for i in added if str(i) != identifier]
        else:
            self.kept["deleted"].append(key)
        return answer


def as_text(value: Any) -> str:
    return ("true" if value else "false") if isinstance(value, bool) else str(value)


def passes(found: Any, query: dict[str, str]) -> bool:
    """A listing's query filters, for those that name a field of the item (``?state=ok``)."""
    if not isinstance(found, dict):
        return True
    return all(as_text(found[name]) == value for name, value in query.items() if name in found)


def plausible(found: dict[str, Any], properties: dict[str, Any]) -> None:
    """A service that expires later is not "expired": its status reads ``ok`` (``serviceInfos``)."""
    status = found.get("status")
    if "expiration" in found and isinstance(status, str) and status in ("expired", "unPaid", "pendingDebt"):
        found["status"] = "ok"
