"""What went wrong with an attempt, in words an operator can act on, instead of urllib3's reprs.

urllib3 wraps the cause several times (``MaxRetryError(reason=NewConnectionError(...))`` inside requests'
``ConnectionError``); :func:`describe` finds the innermost cause and says it in a few words:
"connection refused", "the answer was cut off", "no complete answer within 60 s (deadline)", "HTTP 503".
"""

from __future__ import annotations

import http.client
import logging
import socket
import ssl
from typing import Any
from urllib.parse import urlsplit

from urllib3.exceptions import (
    ConnectTimeoutError,
    MaxRetryError,
    NameResolutionError,
    NewConnectionError,
    ProtocolError,
    ProxyError,
    ReadTimeoutError,
    ResponseError,
    SSLError,
)

from ovhflow.ovh.deadline import CallClock, DeadlineExceeded, ResolveTimeout, current_call


def _causes(error: BaseException | None) -> list[BaseException]:
    """``error`` and what it wraps (requests' first argument, urllib3's ``reason``, ``__cause__``)."""
    found: list[BaseException] = []
    while error is not None and error not in found and len(found) < 10:
        found.append(error)
        inner = getattr(error, "reason", None)
        if not isinstance(inner, BaseException):
            inner = next((arg for arg in error.args if isinstance(arg, BaseException)), None)
        error = inner if inner is not None else error.__cause__ or error.__context__
    return found


def describe(error: BaseException | None, response: Any = None, call: CallClock | None = None) -> str:
    """A few words on why an attempt failed: its HTTP status, or the innermost network error."""
    if error is None:
        status = getattr(response, "status", None) or getattr(response, "status_code", None)
        return f"HTTP {status}" if status else "no usable answer"
    if call is not None and any(isinstance(e, ResolveTimeout) for e in _causes(error)):
        return f"the host name was not resolved within {call.deadline:g} s (deadline)"
    if call is not None and call.cut or any(isinstance(e, DeadlineExceeded) for e in _causes(error)):
        deadline = call.deadline if call is not None else None
        return f"no complete answer within {deadline:g} s (deadline)" if deadline else "deadline exceeded"
    causes = _causes(error)
    what = _innermost(error, causes)
    proxy = _proxy_address(causes)
    if proxy is None:
        return what
    unreachable = (NewConnectionError, ConnectTimeoutError, NameResolutionError, socket.gaierror)
    if any(isinstance(cause, unreachable) for cause in causes):
        return f"the proxy {proxy} was unreachable: {what}"
    return f"the proxy {proxy} failed: {what}"


def _innermost(error: BaseException, causes: list[BaseException]) -> str:
    if any(type(cause) is ConnectTimeoutError for cause in causes):  # over the socket.timeout it wraps
        return "connecting timed out"
    for cause in reversed(causes):
        text = _describe_one(cause)
        if text:
            return text
    return " ".join(str(error).split()) or type(error).__name__


def _proxy_address(causes: list[BaseException]) -> str | None:
    """``host:port`` of the proxy an attempt failed to go through (never its user and password), or
    None when no proxy is at fault: the connection urllib3 was opening is the proxy's."""
    if not any(isinstance(cause, ProxyError) for cause in causes):
        return None
    for cause in causes:
        pool = getattr(cause, "pool", None) if isinstance(cause, MaxRetryError) else None
        connection = cause.__dict__.get("conn")  # urllib3's NewConnectionError: the proxy's connection
        where = (
            getattr(pool, "proxy", None)
            or connection
            or next((arg for arg in cause.args if hasattr(arg, "host") and hasattr(arg, "port")), None)
        )
        if where is not None and where.host:
            host = f"[{where.host}]" if ":" in str(where.host) else str(where.host)
            return f"{host}:{where.port}" if where.port else host
    return "in use"


def is_certificate_failure(error: BaseException | None) -> bool:
    """The server's certificate failed verification: another attempt would fail the same way."""
    return any(isinstance(cause, ssl.SSLCertVerificationError) for cause in _causes(error))


def _describe_one(error: BaseException) -> str | None:  # noqa: PLR0911 (one answer per kind)
    if isinstance(error, (NameResolutionError, socket.gaierror)):
        return "the host name could not be resolved"
    if isinstance(error, ConnectionRefusedError):
        return "connection refused"
    if isinstance(error, http.client.IncompleteRead):
        return "the answer was cut off before its end"
    if isinstance(error, http.client.RemoteDisconnected):
        return "the connection was closed without an answer"
    if isinstance(error, ConnectionResetError):
        return "the connection was reset"
    if isinstance(error, NewConnectionError):
        return f"cannot connect ({error.args[-1] if error.args else error})".replace("\n", " ")
    if isinstance(error, ConnectTimeoutError):
        return "connecting timed out"
    if isinstance(error, (ReadTimeoutError, TimeoutError, socket.timeout)):
        return "no answer in time (read timeout)"
    if isinstance(error, ssl.SSLCertVerificationError):  # said apart: it is not retried (PoliteRetry)
        why = str(error.verify_message or error.reason or "").rstrip(".")
        return (
            f"TLS: certificate verify failed ({why}), not retried (it would fail again); if a proxy or "
            "firewall inspects TLS, give its CA certificate in REQUESTS_CA_BUNDLE"
        )
    if isinstance(error, SSLError):
        return f"TLS error: {error}"
    if isinstance(error, ResponseError):
        return str(error).replace("too many ", "").replace(" error responses", "")
    if isinstance(error, ProtocolError) and "cut off" in str(error.args[0] if error.args else ""):
        return "the answer was cut off before its end"
    if isinstance(error, MaxRetryError):
        return None
    return None


def retry_line(
    method: str | None, url: str | None, host: str, failed: str, attempt: int, total: int | None, wait: float
) -> str:
    """One line per retry: ``GET /me on host: connection refused (attempt 1 of 4); trying again in 0.5 s``."""
    path = urlsplit(url or "").path  # relative, or absolute through a plain HTTP proxy
    of = f" of {total}" if total else ""
    return f"{method} {path} on {host}: {failed} (attempt {attempt}{of}); trying again in {wait:.1f} s"


class _DropUrllib3Retrying(logging.Filter):
    """Drops urllib3's "Retrying (Retry(total=...)) after connection broken by ..." for calls made through
    an ovhflow session, which log their own line (see :func:`retry_line`)."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not (current_call() is not None and str(record.msg).startswith("Retrying ("))


logging.getLogger("urllib3.connectionpool").addFilter(_DropUrllib3Retrying())
