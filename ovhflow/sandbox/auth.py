"""OVH's request authentication, done as the API does it, plus the sandbox's own credentials.

A signed call carries ``X-Ovh-Application`` (a known application key), ``X-Ovh-Consumer`` (a known,
validated consumer key), ``X-Ovh-Timestamp`` (inside a window around the server's clock) and
``X-Ovh-Signature`` = ``"$1$" + sha1(AS+CK+METHOD+URL+BODY+TIMESTAMP joined by "+")`` where URL is
``http://`` + the ``Host`` header + the path and query exactly as received. The consumer key's access
rules (method and path, ``*`` matching anything) must allow the call.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import hmac
import ipaddress
import random
import re
from typing import Any

from ovhflow.sandbox.api import auth_error
from ovhflow.sandbox.data import token

TIMESTAMP_WINDOW_SECONDS = 60
FULL_ACCESS = [{"method": method, "path": "/*"} for method in ("GET", "POST", "PUT", "DELETE", "PATCH")]
SANDBOX_APPLICATION = "ovhflow-sandbox"
_SYSTEM_RANDOM = random.SystemRandom()  # keys are secrets: never from the seeded generator


def _key(length: int) -> str:
    return token(_SYSTEM_RANDOM, length)


def now_iso() -> str:
    return dt.datetime.now(dt.timezone.utc).astimezone().isoformat(timespec="seconds")


def ensure_sandbox_credentials(state: dict[str, Any]) -> dict[str, str]:
    """Add the sandbox's own application and validated full-access consumer key, unless the state has them.

    Keys are random (not seeded): they are throwaway secrets, and a state file keeps them across restarts.
    """
    own = state.get("sandboxCredentials")
    if own:
        return own
    application_id = max([int(k) for k in state["applications"]] + [100000]) + 1
    application_key, application_secret = _key(16), _key(32)
    state["applications"][str(application_id)] = {
        "applicationId": application_id,
        "applicationKey": application_key,
        "description": "Application of the ovhflow sandbox",
        "name": SANDBOX_APPLICATION,
        "status": "active",
    }
    state["applicationSecrets"][application_key] = application_secret
    consumer_key = create_credential(state, application_id, FULL_ACCESS, None, status="validated")[1]
    own = {
        "application_key": application_key,
        "application_secret": application_secret,
        "consumer_key": consumer_key,
    }
    state["sandboxCredentials"] = own
    return own


def create_credential(
    state: dict[str, Any],
    application_id: int,
    rules: list[dict[str, str]],
    allowed_ips: list[str] | None,
    status: str = "pendingValidation",
) -> tuple[int, str]:
    """Store a new credential and its consumer key; returns (credentialId, consumerKey)."""
    counters = state["counters"]
    counters["credential"] += 1
    credential_id = counters["credential"]
    consumer_key = _key(32)
    state["credentials"][str(credential_id)] = {
        "allowedIPs": allowed_ips,
        "applicationId": application_id,
        "creation": now_iso(),
        "credentialId": credential_id,
        "expiration": None,
        "lastUse": None,
        "ovhSupport": False,
        "rules": [{"method": r["method"], "path": r["path"]} for r in rules],
        "status": status,
    }
    state["consumerKeys"][consumer_key] = credential_id
    return credential_id, consumer_key


def application_by_key(state: dict[str, Any], application_key: str | None) -> dict[str, Any]:
    """The application of a key; unknown or inactive keys get OVH's 403 INVALID_KEY."""
    if application_key and application_key in state["applicationSecrets"]:
        for application in state["applications"].values():
            if application["applicationKey"] == application_key and application["status"] in (
                "active",
                "trusted",
            ):
                return application
    raise auth_error(403, "INVALID_KEY", "Invalid application key")


@functools.lru_cache(maxsize=512)
def _rule_pattern(path: str) -> re.Pattern[str]:
    return re.compile(
        "".join(".*" if part == "*" else re.escape(part) for part in re.split(r"(\*)", path)) + r"\Z"
    )


def rules_allow(rules: list[dict[str, str]], method: str, paths: tuple[tuple[str, ...], ...]) -> bool:
    """Whether the access rules grant ``method`` on every one of ``paths`` (``*`` matches anything).

    Each entry of ``paths`` is one path a call reaches (a batch read reaches several), given as its
    alternative spellings (a v2 path with and without its ``/v2`` prefix): one spelling must be allowed.
    """
    patterns = [_rule_pattern(rule.get("path", "")) for rule in rules if rule.get("method") == method]
    return all(any(p.match(spelling) for p in patterns for spelling in spellings) for spellings in paths)


def signature(secret: str, consumer_key: str, method: str, url: bytes, body: bytes, timestamp: str) -> str:
    digest = hashlib.sha1(
        b"+".join([secret.encode(), consumer_key.encode(), method.encode(), url, body, timestamp.encode()])
    )
    return "$1$" + digest.hexdigest()


def check_signed_call(
    state: dict[str, Any],
    headers: Any,
    method: str,
    url: bytes,
    body: bytes,
    server_time: int,
    rule_paths: tuple[tuple[str, ...], ...] | None,
    client: str = "127.0.0.1",
) -> dict[str, Any]:
    """Authenticate a signed call and return its credential, or raise OVH's error for the first failure.

    ``rule_paths`` None means the call is allowed to any known consumer key (``/auth/currentCredential``).
    A credential restricted to ``allowedIPs`` refuses other client addresses with 403 ``FORBIDDEN``.
    """
    application_key = headers.get("X-Ovh-Application")
    application = application_by_key(state, application_key)
    consumer_key = headers.get("X-Ovh-Consumer")
    credential_id = state["consumerKeys"].get(consumer_key) if consumer_key else None
    credential = state["credentials"].get(str(credential_id)) if credential_id is not None else None
    if credential is None or credential["applicationId"] != application["applicationId"]:
        raise auth_error(403, "INVALID_CREDENTIAL", "This credential does not exist")
    if rule_paths is not None and credential["status"] != "validated":
        raise auth_error(403, "INVALID_CREDENTIAL", "This credential is not valid")
    timestamp = headers.get("X-Ovh-Timestamp") or ""
    try:
        skew = abs(int(timestamp) - server_time)
    except ValueError:
        skew = None
    if skew is None or skew > TIMESTAMP_WINDOW_SECONDS:
        raise auth_error(400, "QUERY_TIME_OUT", "Query out of time")
    expected = signature(
        state["applicationSecrets"][application_key], consumer_key, method, url, body, timestamp
    )
    if not hmac.compare_digest(expected, headers.get("X-Ovh-Signature") or ""):
        raise auth_error(400, "INVALID_SIGNATURE", "Invalid signature")
    if credential.get("allowedIPs") and not _address_allowed(client, credential["allowedIPs"]):
        raise auth_error(403, "FORBIDDEN", f"This credential cannot be used from {client}")
    if rule_paths is not None and not rules_allow(credential["rules"], method, rule_paths):
        raise auth_error(403, "NOT_GRANTED_CALL", "This call has not been granted")
    return credential


def _address_allowed(client: str, blocks: list[str]) -> bool:
    try:
        address = ipaddress.ip_address(client)
    except ValueError:
        return False
    for block in blocks:
        try:
            if address in ipaddress.ip_network(block, strict=False):
                return True
        except ValueError:
            continue
    return False


def check_application(state: dict[str, Any], headers: Any) -> dict[str, Any]:
    """Calls made with an application key only (``POST /auth/credential``)."""
    return application_by_key(state, headers.get("X-Ovh-Application"))
