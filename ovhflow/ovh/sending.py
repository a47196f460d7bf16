"""How :class:`ovhflow.ovh.Client` sends one request: the signature headers, the debug line of each
attempt and the sentence a network failure becomes. Private to the client (python-ovh's names stay in
:mod:`ovhflow.ovh.client`); requests still go through ``Session.request``, where users' tests patch it.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import requests
from requests.exceptions import RequestException

from ovhflow.ovh.exceptions import InvalidKey
from ovhflow.ovh.failures import describe
from ovhflow.ovh.signing import signature

log = logging.getLogger("ovhflow.ovh")


def signed_headers(
    application_secret: str | None,
    consumer_key: str | None,
    method: str,
    url: str,
    body: str,
    time_delta: Callable[[], int],
) -> dict[str, str]:
    """The consumer, timestamp and signature headers of a signed call; :class:`InvalidKey` says which
    credential is missing. ``time_delta`` is read only then: the first signed call asks the API's clock."""
    if not application_secret:
        raise InvalidKey("Missing application secret: configure application_secret to sign requests")
    if not consumer_key:
        raise InvalidKey("Missing consumer key: configure consumer_key or call request_consumerkey() first")
    now = str(int(time.time()) + time_delta())
    return {
        "X-Ovh-Consumer": consumer_key,
        "X-Ovh-Timestamp": now,
        "X-Ovh-Signature": signature(application_secret, consumer_key, method, url, body, now),
    }


def timed_request(
    session: requests.Session,
    method: str,
    url: str,
    headers: dict[str, str],
    body: str,
    timeout: Any,
    **extra: Any,
) -> requests.Response:
    """One attempt, its outcome and duration logged at debug level (with the answer's query id)."""
    started = time.monotonic()
    try:
        response = session.request(method, url, headers=headers, data=body, **extra, timeout=timeout)
    except requests.RequestException as error:
        log.debug("%s %s -> failed after %.1f ms: %s", method, url, _ms_since(started), type(error).__name__)
        raise
    if log.isEnabledFor(logging.DEBUG):
        log.debug(
            "%s %s -> %s in %.1f ms (query id %s)", method, url, response.status_code,
            _ms_since(started), response.headers.get("X-OVH-QUERYID", "-"),
        )  # fmt: skip
    return response


def network_failure(method: str, path: str, endpoint: str, error: RequestException) -> str:
    """``GET /me: eu.api.ovh.com: connection refused (4 attempts)``: the call, the host, what failed."""
    host = urlsplit(endpoint).netloc
    what = getattr(error, "failure", None) or describe(error)
    attempts = getattr(error, "attempts", 0)
    tries = f" ({attempts} attempts)" if attempts > 1 else ""
    return f"{method} {path.split('?', 1)[0]}: {host}: {what}{tries}"


def _ms_since(started: float) -> float:
    return (time.monotonic() - started) * 1000
