"""``/auth``: the server's clock, consumer key requests, the validation page and the current credential."""

from __future__ import annotations

import html
import secrets
import time
from typing import Any

from ovhflow.sandbox.api import Call, bad_request
from ovhflow.sandbox.auth import check_application, create_credential
from ovhflow.sandbox.router import Router

VALIDATION_PATH = "/sandbox/validate"
METHODS = ("GET", "POST", "PUT", "DELETE", "PATCH")


def auth_time(call: Call) -> int:
    return int(time.time()) + call.options.clock_skew


def request_credential(call: Call) -> dict[str, Any]:
    application = check_application(call.state, call.headers)
    rules = call.body_field("accessRules")
    if not isinstance(rules, list) or not rules:
        raise bad_request("accessRules must be a non-empty list of {method, path}")
    for rule in rules:
        if (
            not isinstance(rule, dict)
            or rule.get("method") not in METHODS
            or not isinstance(rule.get("path"), str)
        ):
            raise bad_request(f"Invalid access rule: {rule!r}")
    allowed_ips = call.body_field("allowedIPs", required=False)
    redirection = call.body_field("redirection", required=False)
    credential_id, consumer_key = create_credential(
        call.state, application["applicationId"], rules, allowed_ips
    )
    token = secrets.token_urlsafe(12)
    call.state["pendingValidations"][token] = {"credentialId": credential_id, "redirection": redirection}
    return {
        "consumerKey": consumer_key,
        "state": "pendingValidation",
        "validationUrl": f"{call.base_url}{VALIDATION_PATH}?credentialToken={token}",
    }


def current_credential(call: Call) -> dict[str, Any] | None:
    return call.credential


def validation_page(state: dict[str, Any], token: str) -> tuple[int, str]:
    """Visiting the validation URL validates the consumer key (what logging in on OVH's page does)."""
    pending = state["pendingValidations"].pop(token, None)
    if pending is None:
        return 404, _page("Unknown or already used validation link.")
    credential = state["credentials"].get(str(pending["credentialId"]))
    if credential is None:
        return 404, _page("This credential no longer exists.")
    credential["status"] = "validated"
    rules = "".join(
        f"<li>{html.escape(r['method'])} {html.escape(r['path'])}</li>" for r in credential["rules"]
    )
    link = ""
    if pending.get("redirection"):
        link = f'<p><a href="{html.escape(pending["redirection"])}">Continue</a></p>'
    return 200, _page(f"Credential {credential['credentialId']} validated.</p><ul>{rules}</ul><p>{link}")


def _page(message: str) -> str:
    return (
        '<!doctype html><html><head><meta charset="utf-8"><title>ovhflow sandbox</title></head>'
        f"<body><h1>ovhflow sandbox</h1><p>{message}</p></body></html>"
    )


def register(router: Router) -> None:
    router.add("GET", "/auth/time", auth_time, auth="none")
    router.add("POST", "/auth/credential", request_credential, auth="app")
    router.add("GET", "/auth/currentCredential", current_credential, any_credential=True)
