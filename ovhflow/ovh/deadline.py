"""Deadlines: one for each attempt (connecting, sending, the headers and the whole body) and one for each
call (every attempt and every wait between them).

Socket timeouts bound one read at a time, so a server that sends its headers and then a byte a second is
never timed out by them. Here each attempt registers its connection with a watchdog thread when the
request is written; if the attempt is still running at its deadline, the watchdog shuts the socket down,
the blocked read fails at once, and the caller reports the deadline. Resolving the host name, which no
socket timeout bounds, is waited for within the attempt's deadline too (:func:`resolve_within`).

The state of the call in progress (its clock, its remaining retries, whether the watchdog cut it) is kept
per thread: a call runs on one thread from start to end, and urllib3's connections and ``Retry`` objects
read it from there without new parameters.
"""

from __future__ import annotations

import contextlib
import ipaddress
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import requests
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import ConnectTimeoutError, NameResolutionError, NewConnectionError
from urllib3.util import Retry
from urllib3.util.connection import allowed_gai_family

DEFAULT_DEADLINE = 60.0  # seconds for one attempt: connect, send, and receive the whole answer
CALL_DEADLINE_FACTOR = 3  # a call (attempts and waits between them) gets this many deadlines at most
_READ_TIMEOUT_MARGIN = 1.0  # seconds a read may outlast the deadline before its own timeout fires


class DeadlineExceeded(requests.exceptions.Timeout):
    """An attempt ran past its deadline (the answer was not complete in time), or a call past its own."""


@dataclass(eq=False)
class CallClock:
    """One call in progress: when it started, its deadlines and its retry budget as it stands."""

    deadline: float
    call_deadline: float
    retry: Retry | None
    host: str = ""
    started: float = field(default_factory=time.monotonic)
    attempts: int = 0
    cut: bool = False  # the watchdog cut the latest attempt at its deadline
    gave_up: str | None = None  # why no further attempt was made before the retries ran out, if so

    def attempt_end(self) -> float:
        """When an attempt starting now must be over: its own deadline, or the call's if sooner."""
        now = time.monotonic()
        return min(now + self.deadline, self.started + self.call_deadline)

    def remaining(self) -> float:
        """Seconds left in the call's own deadline."""
        return self.started + self.call_deadline - time.monotonic()

    def elapsed(self) -> float:
        return time.monotonic() - self.started

    def socket_timeout(self, timeout: Any) -> Any:
        """``timeout`` as requests takes it (a number, ``(connect, read)`` or None): connecting takes no
        longer than this attempt has left; reads are the watchdog's to cut at the deadline (their own
        timeout, a little later, is only a fallback), so that a deadline is reported as one."""
        left = max(0.001, self.attempt_end() - time.monotonic())
        if isinstance(timeout, tuple):
            connect, read = timeout
        else:
            connect = read = timeout
        fallback = left + _READ_TIMEOUT_MARGIN
        return (min(connect, left) if connect else left, min(read, fallback) if read else fallback)


_local = threading.local()


def current_call() -> CallClock | None:
    """The call in progress on this thread, if any."""
    return getattr(_local, "call", None)


@contextlib.contextmanager
def calling(call: CallClock) -> Iterator[CallClock]:
    """Make ``call`` the current call of this thread; its watchdog entry ends with it."""
    _local.call = call
    try:
        yield call
    finally:
        WATCHDOG.disarm(call)
        _local.call = None


class Watchdog:
    """One daemon thread that cuts the connections of attempts past their deadline.

    Arming is a dictionary insert under a lock; the thread is only woken when a new deadline comes
    sooner than the one it sleeps until, which with equal deadlines is almost never.
    """

    def __init__(self) -> None:
        self._active: dict[CallClock, tuple[float, HTTPConnection]] = {}
        self._wake = threading.Condition(threading.Lock())
        self._sleeping_until = float("inf")
        self._thread: threading.Thread | None = None

    def arm(self, call: CallClock, connection: HTTPConnection) -> None:
        """Watch ``connection`` for ``call``'s attempt starting now (replacing its previous attempt)."""
        end = call.attempt_end()
        with self._wake:
            call.cut = False
            self._active[call] = (end, connection)
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="ovhflow-deadlines", daemon=True)
                self._thread.start()
            if end < self._sleeping_until:
                self._wake.notify()

    def disarm(self, call: CallClock) -> None:
        with self._wake:
            self._active.pop(call, None)

    def _run(self) -> None:
        with self._wake:
            while True:
                now = time.monotonic()
                for call, (end, connection) in list(self._active.items()):
                    if end <= now:
                        del self._active[call]
                        call.cut = True
                        _cut(connection)
                self._sleeping_until = min((end for end, _ in self._active.values()), default=float("inf"))
                wait = self._sleeping_until - now
                self._wake.wait(None if wait == float("inf") else max(wait, 0.01))


def _cut(connection: HTTPConnection) -> None:
    """Shut the socket down so that a read blocked on it returns now (not ``close``: the reading thread
    still owns the file descriptor). The base class's ``shutdown`` is used for TLS sockets too: it acts
    on the connection itself, under the TLS layer."""
    sock = getattr(connection, "sock", None)
    if isinstance(sock, socket.socket):
        with contextlib.suppress(OSError):
            socket.socket.shutdown(sock, socket.SHUT_RDWR)


WATCHDOG = Watchdog()


class ResolveTimeout(ConnectTimeoutError):
    """The host name was not resolved within the attempt's deadline (a hung resolver)."""


def resolve_within(host: str, port: int, seconds: float) -> list[str]:
    """The addresses of ``host``, or :class:`TimeoutError` after ``seconds``: ``getaddrinfo`` takes no
    timeout and the watchdog has no socket to cut yet, so a hung resolver is waited for on a daemon
    thread, which is left behind if it never answers."""
    found: list[Any] = []
    done = threading.Event()

    def lookup() -> None:
        try:
            found.append(socket.getaddrinfo(host, port, allowed_gai_family(), socket.SOCK_STREAM))
        except Exception as error:  # noqa: BLE001 - handed to the waiting thread, raised there
            found.append(error)
        done.set()

    threading.Thread(target=lookup, name="ovhflow-resolve", daemon=True).start()
    if not done.wait(seconds):
        raise TimeoutError(f"resolving {host} took longer than the deadline")
    if isinstance(found[0], BaseException):
        raise found[0]
    return list(dict.fromkeys(str(entry[4][0]) for entry in found[0]))


class _Watched:
    """Registers each request written on this connection with the watchdog, for the current call, and
    resolves the host name within the attempt's deadline."""

    _dns_host: str
    host: str
    port: int

    def request(self, *args: Any, **kwargs: Any) -> Any:
        call = current_call()
        if call is not None:
            call.attempts += 1
            WATCHDOG.arm(call, self)  # type: ignore[arg-type]
        return super().request(*args, **kwargs)  # type: ignore[misc]

    def _new_conn(self) -> socket.socket:
        # The name to resolve is read from urllib3's private ``_dns_host``: the public ``host`` drops an
        # FQDN's trailing dot, which changes what the resolver looks up (the search domains). No public
        # API gives it, nor a hook between resolving and connecting; pyproject pins urllib3 to 2.x and
        # tests/ovh/test_deadlines_and_redirects.py fails if an upgrade drops or stops using it.
        call, name = current_call(), self._dns_host
        if call is None or _is_address(name):
            return super()._new_conn()  # type: ignore[misc]
        try:
            addresses = resolve_within(name, self.port, max(0.001, call.attempt_end() - time.monotonic()))
        except socket.gaierror as error:
            raise NameResolutionError(self.host, self, error) from error  # type: ignore[arg-type]
        except TimeoutError as error:
            raise ResolveTimeout(self, str(error)) from error
        failed: Exception | None = None
        try:
            # each address in turn, as urllib3 does with those it resolves: one that refuses or whose
            # connect times out (ConnectTimeoutError, NewConnectionError's base) gives way to the next
            for address in addresses:
                self.host = address  # urllib3's public setter: what its _new_conn connects to
                try:
                    return super()._new_conn()  # type: ignore[misc]
                except ConnectTimeoutError as error:
                    failed = error
        finally:
            self.host = name
        raise failed or NewConnectionError(self, f"{name} has no address")  # type: ignore[arg-type]


def _is_address(host: str) -> bool:
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return True


class WatchedHTTPConnection(_Watched, HTTPConnection):
    pass


class WatchedHTTPSConnection(_Watched, HTTPSConnection):
    pass


class WatchedHTTPConnectionPool(HTTPConnectionPool):
    ConnectionCls = WatchedHTTPConnection


class WatchedHTTPSConnectionPool(HTTPSConnectionPool):
    ConnectionCls = WatchedHTTPSConnection


POOL_CLASSES = {"http": WatchedHTTPConnectionPool, "https": WatchedHTTPSConnectionPool}
