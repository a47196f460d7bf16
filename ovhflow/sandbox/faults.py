"""Fault injection for tests and benchmarks: latency, a rate limit, 5xx answers and dropped connections,
and a hostile network (:class:`NetworkFaults`): redirections, silence, trickling and cut answers, 429s
with any ``Retry-After``, text where JSON is expected."""

from __future__ import annotations

import math
import random
import threading
import time
from dataclasses import dataclass, field

from ovhflow.sandbox.api import ApiError

SERVER_ERRORS = (
    (500, "Server::InternalServerError::UnknownError", "Internal server error"),
    (502, "Server::BadGateway", "Bad gateway"),
    (503, "Server::ServiceUnavailable", "Service temporarily unavailable"),
)


class TokenBucket:
    """A token bucket: ``rate`` requests a second on average, bursts up to one second's worth.

    A client that paces itself at ``rate`` never sees a 429; one that goes faster gets 429 with the
    seconds to wait in ``Retry-After`` (at least 1, as the header takes whole seconds).
    """

    def __init__(self, rate: float) -> None:
        self.rate = rate
        self.capacity = max(1.0, rate)
        self._tokens = self.capacity
        self._updated = time.monotonic()
        self._lock = threading.Lock()

    def acquire(self) -> float:
        """Take a token; 0.0 when allowed, else the seconds until one will be available."""
        with self._lock:
            now = time.monotonic()
            self._tokens = min(self.capacity, self._tokens + (now - self._updated) * self.rate)
            self._updated = now
            if self._tokens >= 1.0:
                self._tokens -= 1.0
                return 0.0
            return (1.0 - self._tokens) / self.rate


VERSION_ROOTS = ("/1.0", "/v1", "/v2")
SELECTOR_METHODS = ("GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS")


def selector_problem(selector: str) -> str | None:
    """What is wrong with one ``applies_to`` selector (methods and path prefixes), or None."""
    words = selector.split()
    if not words:
        return f"{selector!r} gives no method and no path"
    for word in words:
        if not word.startswith("/") and word.upper() not in SELECTOR_METHODS:
            return f"{word!r} is neither a method ({', '.join(SELECTOR_METHODS)}) nor a path starting with /"
    return None


@dataclass
class NetworkFaults:
    """How the sandbox misbehaves on the wire, for the requests ``applies_to`` selects.

    ``applies_to``: methods and path prefixes separated by spaces (``"POST"``, ``"GET /dedicated"``;
    paths without the ``/1.0`` root), or a tuple of such selectors for the requests any of them selects;
    empty selects every request. ``redirect``: answer HTTP
    ``redirect_status`` with ``Location: <redirect><path>`` instead of handling the request.
    ``hang``: seconds of silence before answering. ``trickle``: seconds between two bytes of the body
    (the headers come at once). ``cut_bodies``: that many answers stop in the middle of their body and
    the connection closes (-1: every answer). ``throttle``: that many requests are answered 429 first.
    ``retry_after``: the ``Retry-After`` sent with every 429, as is (``"soon"``, ``"-5"``). ``text``:
    2xx answers carry this text (``text/plain``) instead of their JSON.
    """

    redirect: str | None = None
    redirect_status: int = 307
    hang: float = 0.0
    trickle: float = 0.0
    cut_bodies: int = 0
    throttle: int = 0
    retry_after: str | None = None
    text: str | None = None
    applies_to: str | tuple[str, ...] = ""
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def __post_init__(self) -> None:
        selectors = (self.applies_to,) if isinstance(self.applies_to, str) else self.applies_to
        for selector in selectors:
            problem = selector_problem(selector) if selector.strip() else None  # empty: every request
            if problem is not None:
                raise ValueError(f"applies_to: {problem}")

    def selects(self, method: str, target: str) -> bool:
        """Whether the request ``method target`` (as received: ``/1.0/me?x=1``) is subject to these."""
        if not self.misbehaves():
            return False  # every request asks: the usual answer costs no parsing
        if isinstance(self.applies_to, str):
            return self._selected_by(self.applies_to, method, target)
        return not self.applies_to or any(self._selected_by(s, method, target) for s in self.applies_to)

    @staticmethod
    def _selected_by(selector: str, method: str, target: str) -> bool:
        words = selector.split()
        methods = {word.upper() for word in words if not word.startswith("/")}
        prefixes = [word.rstrip("/") for word in words if word.startswith("/")]
        path = target.split("?", 1)[0]
        for root in VERSION_ROOTS:
            if path.startswith(root + "/"):
                path = path[len(root) :] if root != "/v2" else path
                break
        if methods and method.upper() not in methods:
            return False
        return not prefixes or any(path == p or path.startswith(p + "/") for p in prefixes)

    def misbehaves(self) -> bool:
        """Whether any fault is set (they can be changed while the sandbox runs)."""
        return bool(
            self.redirect
            or self.hang
            or self.trickle
            or self.cut_bodies
            or self.throttle
            or self.text is not None
        )

    def take(self, name: str) -> bool:
        """Use one of the ``cut_bodies`` or ``throttle`` answers left (-1 never runs out)."""
        with self._lock:
            left = getattr(self, name)
            if left == 0:
                return False
            if left > 0:
                setattr(self, name, left - 1)
            return True


class Faults:
    """The faults one sandbox injects, drawn from a seeded generator so runs can be replayed."""

    def __init__(
        self,
        seed: int,
        latency: float,
        latency_jitter: float,
        rate_limit: float | None,
        error_rate: float,
        drop_rate: float,
        network: NetworkFaults | None = None,
    ) -> None:
        self.network = network or NetworkFaults()
        self.latency = latency
        self.latency_jitter = latency_jitter
        self.limiter = TokenBucket(rate_limit) if rate_limit else None
        self.error_rate = error_rate
        self.drop_rate = drop_rate
        self._random = random.Random(seed ^ 0x5EED)

    @property
    def rate_limit(self) -> float | None:
        return self.limiter.rate if self.limiter else None

    @rate_limit.setter
    def rate_limit(self, rate: float | None) -> None:
        self.limiter = TokenBucket(rate) if rate else None

    def should_drop(self) -> bool:
        return self.drop_rate > 0 and self._random.random() < self.drop_rate

    def check_rate_limit(self) -> None:
        if self.limiter is None:
            return
        wait = self.limiter.acquire()
        if wait > 0:
            raise ApiError(
                429,
                {"class": "Client::TooManyRequests", "message": "Too many requests, slow down"},
                {"Retry-After": self.network.retry_after or str(max(1, math.ceil(wait)))},
            )

    def delay(self) -> None:
        """Sleep for the configured latency, plus or minus up to ``latency_jitter`` seconds."""
        pause = self.latency
        if self.latency_jitter:
            pause += self._random.uniform(-self.latency_jitter, self.latency_jitter)
        if pause > 0:
            time.sleep(pause)

    def check_server_error(self) -> None:
        if self.error_rate > 0 and self._random.random() < self.error_rate:
            status, error_class, message = self._random.choice(SERVER_ERRORS)
            raise ApiError(status, {"class": error_class, "message": f"{message} (sandbox fault injection)"})
