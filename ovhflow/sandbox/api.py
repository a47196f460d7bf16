"""What a route handler sees and returns: the call context, OVH-shaped errors and replies with headers."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any


class ApiError(Exception):
    """An answer in one of OVH's error shapes.

    API errors are ``{"class": ..., "message": ...}``; authentication errors ``{"errorCode", "httpCode",
    "message"}``.
    """

    def __init__(self, status: int, body: dict[str, Any], headers: dict[str, str] | None = None) -> None:
        super().__init__(body.get("message", ""))
        self.status = status
        self.body = body
        self.headers = headers or {}


def not_found(message: str = "The requested object does not exist") -> ApiError:
    return ApiError(404, {"class": "Client::NotFound", "message": message})


def bad_request(message: str) -> ApiError:
    return ApiError(400, {"class": "Client::BadRequest", "message": message})


def conflict(message: str) -> ApiError:
    return ApiError(409, {"class": "Client::Conflict::AlreadyExists", "message": message})


HTTP_REASONS = {400: "400 Bad Request", 403: "403 Forbidden"}


def auth_error(status: int, error_code: str, message: str) -> ApiError:
    """The authentication layer's shape, e.g. 403 ``INVALID_KEY`` or 400 ``INVALID_SIGNATURE``."""
    return ApiError(status, {"errorCode": error_code, "httpCode": HTTP_REASONS[status], "message": message})


@dataclass
class Reply:
    """A handler's answer when it needs more than a JSON value: a status or extra headers."""

    data: Any
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    raw: bytes | None = None
    content_type: str = "application/json; charset=utf-8"


@dataclass
class Call:
    """One API call as a handler sees it (path parameters are passed as keyword arguments)."""

    method: str
    path: str
    query: dict[str, str]
    body: Any
    headers: Any  # a case-insensitive mapping (ovhflow.sandbox.server.Headers)
    state: dict[str, Any]
    base_url: str  # "http://host:port", as the client addressed us
    credential: dict[str, Any] | None = None
    options: Any = None
    lock: threading.RLock | None = None

    def body_field(self, name: str, required: bool = True) -> Any:
        """A field of the JSON body object; a missing required one is OVH's 400."""
        if not isinstance(self.body, dict):
            if required:
                raise bad_request(f"Missing parameter(s): {name}")
            return None
        if name not in self.body:
            if required:
                raise bad_request(f"Missing parameter(s): {name}")
            return None
        return self.body[name]


def check_enum(name: str, value: Any, allowed: list[str] | tuple[str, ...]) -> None:
    """OVH's answer to a value outside an enum: 400 naming the field and the allowed values."""
    if value not in allowed:
        raise bad_request(f"Invalid value for {name}: {value!r} is not one of {', '.join(allowed)}")
