"""``/v2/iam/resource``: the v2 API's cursor-paginated listing of the account's resources."""

from __future__ import annotations

import base64
from typing import Any

from ovhflow.sandbox.api import Call, Reply, bad_request
from ovhflow.sandbox.router import Router

DEFAULT_PAGE_SIZE = 100
MAX_PAGE_SIZE = 1000


def _cursor(offset: int) -> str:
    return base64.urlsafe_b64encode(f"offset:{offset}".encode()).decode().rstrip("=")


def _offset(cursor: str) -> int:
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        prefix, _, number = text.partition(":")
        if prefix != "offset":
            raise ValueError(text)
        return int(number)
    except ValueError:
        raise bad_request("Invalid X-Pagination-Cursor") from None


def list_resources(call: Call) -> Reply:
    size_text = call.headers.get("X-Pagination-Size")
    try:
        size = int(size_text) if size_text else DEFAULT_PAGE_SIZE
    except ValueError:
        raise bad_request("Invalid X-Pagination-Size") from None
    if not 1 <= size <= MAX_PAGE_SIZE:
        raise bad_request(f"X-Pagination-Size must be between 1 and {MAX_PAGE_SIZE}")
    cursor = call.headers.get("X-Pagination-Cursor")
    offset = _offset(cursor) if cursor else 0
    wanted_types = set(filter(None, call.query.get("resourceType", "").split(",")))
    wanted_names = set(filter(None, call.query.get("resourceName", "").split(",")))
    resources: list[dict[str, Any]] = [
        r
        for r in call.state["iamResources"]
        if (not wanted_types or r["type"] in wanted_types) and (not wanted_names or r["name"] in wanted_names)
    ]
    page = resources[offset : offset + size]
    headers = {}
    if offset + size < len(resources):
        headers["X-Pagination-Cursor-Next"] = _cursor(offset + size)
    return Reply(page, headers=headers)


def register(router: Router) -> None:
    router.add("GET", "/iam/resource", list_resources)
