"""The HTTP actions ``get``, ``post``, ``put``, ``delete`` and the base ``ovhflow_http_request``.

An HTTP step renders its path with :meth:`Templates.render_path` (every ``{{ }}`` output percent-encoded,
so a value can never change which path is called), its ``query``/``body`` with native types, and sends
the call through the ``ovhflow_http_request`` hook so that check mode, the logger and test plugins can
interpose. The base implementation, here, runs last and calls the client.
"""

from __future__ import annotations

import time
from typing import Any

from ovhflow import hookimpl
from ovhflow.errors import RecipeError, StepFailed
from ovhflow.plugin_api import ActionCall, ActionSpec, ApiClient, HttpRequest, HttpResponse
from ovhflow.templating.undefined import kind_of

TEMPLATE: dict[str, Any] = {"type": "string", "pattern": r"\{\{"}
# No '#' outside {{ }}, {% %} and {# #}: a URL's fragment is never sent, so the path signed (with it)
# is not the one the API reads and the call failed as "Invalid signature". A '#' a template outputs is
# percent-encoded (%23) like any other character of a value (ovhflow/templating/values.py).
NO_FRAGMENT = (  # a tag left open passes: the template's syntax error says what is wrong
    r"^(?:[^#{]|\{(?![{%#])|\{\{(?:[^}]|\}(?!\}))*(?:\}\}|$)|\{%(?:[^%]|%(?!\}))*(?:%\}|$)"
    r"|\{#(?:[^#]|#(?!\}))*(?:#\}|$))*$"
)
PATH_SCHEMA: dict[str, Any] = {
    "type": "string",
    "minLength": 1,
    "allOf": [
        {
            "pattern": "^/",
            "x-hint": "an API path starts with / (/me/bill, /dedicated/server/{{ name }}, "
            "/{{ kind | segments }}/{{ id }})",
        },
        {
            "pattern": NO_FRAGMENT,
            "x-hint": "an API path has no '#' (a URL fragment is never sent; write a literal # as %23)",
        },
    ],
    "description": "API path, e.g. /me or /dedicated/server/{{ item }}",
}
FLAG: dict[str, Any] = {"anyOf": [{"type": "boolean"}, TEMPLATE]}
QUERY: dict[str, Any] = {
    "anyOf": [{"type": "object"}, TEMPLATE],
    "description": "Query string parameters (name -> value); values are templates.",
}
BODY: dict[str, Any] = {"description": "JSON body: any value; strings inside are templates."}
AUTH: dict[str, Any] = {
    **FLAG,
    "description": "false for an unauthenticated call (/auth/time, /auth/credential).",
}
BATCH: dict[str, Any] = {
    "type": "boolean",
    "description": "A loop's GETs that differ in one path segment read their objects 50 per call"
    " (X-Ovh-Batch) by default; false: one GET per item.",
}
EXPAND: dict[str, Any] = {
    "type": "boolean",
    "description": "On a listing GET: return the full objects, page by page, instead of their ids.",
}
# `args` is rendered by the action itself, as a path.
LAZY = frozenset({"args", "batch", "expand"})


def _http_action(method: str) -> Any:
    def run(call: ActionCall) -> Any:
        options = call.options
        path = call.render_path(call.args)
        if not path.startswith("/"):  # validation refuses such a literal; this guards what was rendered
            raise RecipeError(f"the path {path!r} does not start with /: nothing was sent")
        auth = options.get("auth", True)
        if not isinstance(auth, bool):
            raise StepFailed(f"auth: expected true or false, got {auth!r}")
        if options.get("expand"):
            if options.get("query"):
                raise StepFailed("expand: true cannot be combined with query")
            return call.expanded(path)
        query = options.get("query")
        if query is not None and not isinstance(query, dict):
            raise StepFailed(f"query: expected a mapping, got {kind_of(query)}")
        request = HttpRequest(method, path, query=query, body=options.get("body"), auth=auth)
        return call.http(request).data

    run.__name__ = f"run_{method.lower()}"
    return run


@hookimpl
def ovhflow_actions() -> list[ActionSpec]:
    read_options = {"query": QUERY, "auth": AUTH}
    write_options = {"body": BODY, "auth": AUTH}
    return [
        ActionSpec(
            "get",
            _http_action("GET"),
            PATH_SCHEMA,
            {**read_options, "batch": BATCH, "expand": EXPAND},
            LAZY,
            "GET an API path; the result is the decoded JSON answer.",
        ),
        ActionSpec("delete", _http_action("DELETE"), PATH_SCHEMA, read_options, LAZY, "DELETE an API path."),
        ActionSpec("post", _http_action("POST"), PATH_SCHEMA, write_options, LAZY, "POST a JSON body."),
        ActionSpec("put", _http_action("PUT"), PATH_SCHEMA, write_options, LAZY, "PUT a JSON body."),
    ]


@hookimpl(trylast=True)
def ovhflow_http_request(request: HttpRequest, client: ApiClient, check: bool) -> HttpResponse:
    """Send the call with the run's client: query on GET/DELETE, JSON body on POST/PUT.

    A write answered 2xx with a body that is not JSON was applied: its result is the text, not an error.
    """
    from ovhflow.ovh.exceptions import InvalidResponse, applied_text  # the client's package imports requests
    from ovhflow.ovh.signing import query_string, with_query

    path, data = request.path, request.body
    if request.method in ("GET", "DELETE"):
        path, data = with_query(path, query_string(request.query or {})), None
    started = time.monotonic()
    headers = dict(request.headers) if request.headers else None
    try:
        answer, response = client.call_with_response(request.method, path, data, request.auth, headers)
    except InvalidResponse as error:
        text_answer = applied_text(request.method, error)
        if text_answer is None:
            raise
        answer, response = text_answer.text, text_answer
    return HttpResponse(
        status=response.status_code,
        data=answer,
        query_id=response.headers.get("X-OVH-QUERYID"),
        duration=time.monotonic() - started,
        headers=response.headers,
    )
