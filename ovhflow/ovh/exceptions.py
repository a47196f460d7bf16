"""Exceptions raised by :mod:`ovhflow.ovh`, with the same names and hierarchy as python-ovh 1.2.

Every class derives from :class:`APIError`, so ``except ovh.APIError`` written for python-ovh keeps working.
Messages never contain a secret: they are built from the API's own ``message`` field, a status code or a
description of what is missing, never from the credentials themselves.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import requests

from ovhflow.ovh.signing import mask_signatures

QUERY_ID_HEADER = "X-OVH-QUERYID"


class APIError(Exception):
    """Base OVH API error; carries the HTTP ``response`` (if any) and OVH's ``query_id`` for support.

    ``hint`` (keyword-only, beyond python-ovh) says what to check or where settings were looked for; it is
    not part of ``str(error)``, which stays python-ovh's, and :attr:`explained` adds it.
    """

    def __init__(
        self, *args: Any, response: requests.Response | None = None, hint: str | None = None
    ) -> None:
        super().__init__(*args)
        self.response = response
        self.hint = hint
        self.query_id: str | None = response.headers.get(QUERY_ID_HEADER) if response is not None else None

    @property
    def message(self) -> str:
        """The human part of the error, without the query id."""
        if len(self.args) == 1:
            return str(self.args[0])
        return super().__str__()

    @property
    def explained(self) -> str:
        """The message followed by the hint, if any: what ovhflow's command line prints."""
        return f"{self.message}; {self.hint}" if self.hint else self.message

    def __str__(self) -> str:
        if self.query_id:
            return f"{self.message} \nOVH-Query-ID: {self.query_id}"
        return self.message


class HTTPError(APIError):
    """The request failed below HTTP (DNS, refused connection, timeout, network retries exhausted).

    Raised as python-ovh does, ``HTTPError(message, requests_error)``; :attr:`message` is the first part.
    """

    @property
    def message(self) -> str:
        return str(self.args[0]) if self.args else ""


class InvalidKey(APIError):
    """The application key or secret is missing or rejected by the API."""


class InvalidCredential(APIError):
    """The consumer key is rejected (expired, revoked, or not validated yet)."""


class InvalidConfiguration(APIError):
    """The configuration is missing or contradictory (half-given credentials, both kinds at once, ...)."""


class AnswerUnreadable(HTTPError):
    """A write the API answered 2xx (so it was applied) whose answer was cut off before its end: its
    result is unreadable, and it is never sent again. An :class:`HTTPError`, as python-ovh raises then."""


class InvalidResponse(APIError):
    """The API answered a body that is not JSON."""


def applied_text(method: str, error: InvalidResponse) -> requests.Response | None:
    """The answer of a write the API applied (2xx) with a body that is not JSON: its result is its text
    (``run`` counts it changed, ``call`` prints it). None for a read or another status: an error then."""
    response = error.response
    if method.upper() in ("GET", "HEAD", "OPTIONS") or response is None:
        return None
    return response if 200 <= response.status_code < 300 else None


class InvalidRegion(APIError):
    """The endpoint is neither a known name nor an http(s) URL."""


class ReadOnlyError(APIError):
    """Kept for python-ovh compatibility: an attempt to modify read-only data."""


class ResourceNotFoundError(APIError):
    """HTTP 404: the requested resource does not exist."""


class BadParametersError(APIError):
    """HTTP 400: the request has invalid parameters."""


class ResourceConflictError(APIError):
    """HTTP 409: the resource already exists or is in a conflicting state."""


class NetworkError(APIError):
    """The network layer reported no HTTP status at all."""


class NotGrantedCall(APIError):
    """HTTP 403 ``NOT_GRANTED_CALL``: the consumer key's access rules do not cover this call."""


class NotCredential(APIError):
    """HTTP 403 ``NOT_CREDENTIAL``: the call needs a consumer key and none was sent."""


class Forbidden(APIError):
    """HTTP 403 ``FORBIDDEN``."""


class InvalidSignature(BadParametersError, InvalidKey):
    """HTTP 400 ``INVALID_SIGNATURE``: the application secret does not match the application key (or the
    request was signed for another endpoint). A :class:`BadParametersError`, as python-ovh raises it, and
    an :class:`InvalidKey`, since it is a credentials problem."""


class ResourceExpiredError(APIError):
    """HTTP 460: the resource has expired (e.g. a service whose subscription ended)."""


class OAuth2FailureError(APIError):
    """The OAuth2 client-credentials flow failed (token endpoint refused or answered garbage)."""


#: Errors that mean "fix your configuration or credentials", as opposed to a failed API call.
#: The command line maps them to its configuration exit status.
CREDENTIAL_ERRORS: tuple[type[APIError], ...] = (
    InvalidKey,
    InvalidCredential,
    NotCredential,
    InvalidConfiguration,
    InvalidRegion,
    OAuth2FailureError,
)

_FORBIDDEN_BY_ERROR_CODE: dict[str, type[APIError]] = {
    "NOT_GRANTED_CALL": NotGrantedCall,
    "NOT_CREDENTIAL": NotCredential,
    "INVALID_KEY": InvalidKey,
    "INVALID_CREDENTIAL": InvalidCredential,
    "FORBIDDEN": Forbidden,
}

_BY_STATUS: dict[int, type[APIError]] = {
    404: ResourceNotFoundError,
    400: BadParametersError,
    409: ResourceConflictError,
    460: ResourceExpiredError,
}


SIGNATURE_HINT = (
    "check the application secret (it must be the one issued with this application key) and the endpoint "
    "(keys work only on the endpoint that issued them)"
)


def decode_response(response: requests.Response) -> Any:
    """Return the decoded JSON of a successful answer (``None`` on 204), or raise the matching error.

    A redirection is an error: the OVH API does not redirect, and following one would send the request,
    credentials and body, elsewhere.
    """
    status = response.status_code
    if isinstance(status, int) and 300 <= status < 400:
        raise APIError(_redirect_message(response), response=response)
    try:
        result = None if status == 204 else response.json()
    except ValueError:
        raise InvalidResponse(
            f"Failed to decode API response (HTTP {status}, not JSON)", response=response
        ) from None
    if 100 <= status < 300:
        return result
    if status == 0:
        raise NetworkError("No HTTP status from the network layer", response=response)
    body = result if isinstance(result, dict) else {}
    message = mask_signatures(str(body.get("message") or f"HTTP {status} {response.reason or ''}".rstrip()))
    if status == 403:
        error_class = _FORBIDDEN_BY_ERROR_CODE.get(str(body.get("errorCode")), APIError)
    elif status == 400 and body.get("errorCode") == "INVALID_SIGNATURE":
        raise InvalidSignature(message, response=response, hint=SIGNATURE_HINT)
    else:
        error_class = _BY_STATUS.get(status, APIError)
    raise error_class(message, response=response)


def _redirect_message(response: requests.Response) -> str:
    location = response.headers.get("Location")
    target = urlsplit(location).netloc if isinstance(location, str) else ""
    where = f"to {target}" if target else ("within the API" if location else "without a Location")
    status = response.status_code
    return f"the API answered HTTP {status}, a redirection {where}: not followed, nothing was sent there"
