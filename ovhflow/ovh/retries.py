"""How a call is retried: urllib3's :class:`~urllib3.util.Retry` with ovhflow's policy.

It already does exponential backoff with jitter, ``Retry-After``, per-method and per-status rules, so the
client only chooses the policy (:func:`retry_policy`). On top of it (:class:`PoliteRetry`): a call's
retries stop at the call's deadline, an unusable ``Retry-After`` means backing off rather than failing, and
each retry is one log line in ovhflow's words. The session that mounts it is :mod:`ovhflow.ovh.transport`'s.
"""

from __future__ import annotations

import logging
from typing import Any

from urllib3.exceptions import InvalidHeader, MaxRetryError, ResponseError
from urllib3.util import Retry

from ovhflow.ovh.deadline import current_call
from ovhflow.ovh.failures import describe, is_certificate_failure, retry_line

DEFAULT_RETRIES = 3
DEFAULT_BACKOFF_FACTOR = 0.5
DEFAULT_BACKOFF_MAX = 30.0
DEFAULT_BACKOFF_JITTER = 0.5
MAX_RETRY_AFTER = 120  # seconds; a longer Retry-After is not worth waiting for inside one call
# 429 is not among them: the client's shared rate limiter handles it (ovhflow/ovh/throttle.py)
RETRYABLE_STATUSES = frozenset(range(500, 600))
IDEMPOTENT_METHODS = frozenset({"GET", "PUT", "DELETE", "HEAD", "OPTIONS"})

RetrySetting = int | bool | Retry | None
log = logging.getLogger("ovhflow.ovh")


class PoliteRetry(Retry):
    """urllib3's ``Retry``, bounded by the current call's deadline, patient with a bad ``Retry-After``,
    and telling each retry in one line of its own (urllib3's own "Retrying (Retry(...))" is dropped).

    It leaves 429 answers alone even with ``Retry-After``: the client's shared rate limiter retries them,
    slowing every thread down (ovhflow/ovh/throttle.py). A certificate that fails verification ends the
    call at once, as in python-ovh.
    """

    RETRY_AFTER_STATUS_CODES = frozenset({413, 503})

    def increment(
        self,
        method: str | None = None,
        url: str | None = None,
        response: Any = None,
        error: Exception | None = None,
        _pool: Any = None,
        _stacktrace: Any = None,
    ) -> PoliteRetry:
        call = current_call()
        if call is not None:
            call.attempts = max(call.attempts, len(self.history) + 1)
        if is_certificate_failure(error):  # not retried (nor by python-ovh): it would not verify again
            raise MaxRetryError(_pool, url or "", error)
        new = super().increment(method, url, response, error, _pool, _stacktrace)
        if call is None:
            return new
        wait = new.get_retry_after(response) if response is not None else None
        wait = new.get_backoff_time() if wait is None else wait
        failed = describe(error, response, call)
        if call.remaining() <= wait + 0.05:
            call.gave_up = f"{failed}; no time left for another attempt within {call.call_deadline:g} s"
            raise MaxRetryError(_pool, url or "", error or _pool_error(failed))
        call.retry = new
        attempt, total = len(new.history), _attempts(self, len(self.history))
        # through a plain HTTP proxy the pool is the proxy's: the line still names the call's host
        direct = _pool is not None and _pool.port and getattr(_pool, "proxy", None) is None
        host = f"{_pool.host}:{_pool.port}" if direct else call.host
        log.warning(retry_line(method, url, host, failed, attempt, total, wait))
        return new

    def get_retry_after(self, response: Any) -> float | None:
        """A malformed or negative ``Retry-After`` (urllib3 raises) is treated as no usable header: the
        answer still asked to slow down, so the wait is at least the backoff factor."""
        try:
            return super().get_retry_after(response)
        except InvalidHeader:
            return max(self.backoff_factor, self.get_backoff_time())


def _attempts(retry: Retry, used: int) -> int | None:
    """How many attempts the call may make in all (``None`` when unbounded)."""
    return retry.total + used + 1 if isinstance(retry.total, int) else None


def _pool_error(text: str) -> Exception:
    return ResponseError(text)


def retry_policy(
    retries: RetrySetting = None,
    retry_post: bool = False,
    backoff_factor: float = DEFAULT_BACKOFF_FACTOR,
) -> Retry:
    """Build the retry policy from a client's ``retries`` argument.

    ``None``/``True``: the default number of attempts. An int: that many retries. ``False``/``0``: none.
    A ``Retry`` is used as given. Statuses (5xx) and errors after the request was sent are retried
    only for idempotent methods, plus POST when ``retry_post`` is set; a connection that could not be
    established is retried for every method, since nothing reached the server.
    """
    if isinstance(retries, Retry):
        return retries
    if retries is None or retries is True:
        retries = DEFAULT_RETRIES
    if not retries:
        return PoliteRetry(total=0, read=False, redirect=0, raise_on_status=False, raise_on_redirect=False)
    methods = IDEMPOTENT_METHODS | {"POST"} if retry_post else IDEMPOTENT_METHODS
    return PoliteRetry(
        total=int(retries),
        allowed_methods=methods,
        status_forcelist=RETRYABLE_STATUSES,
        backoff_factor=backoff_factor,
        backoff_max=DEFAULT_BACKOFF_MAX,
        backoff_jitter=DEFAULT_BACKOFF_JITTER if backoff_factor else 0.0,
        respect_retry_after_header=True,
        retry_after_max=MAX_RETRY_AFTER,
        redirect=0,
        raise_on_status=False,
        raise_on_redirect=False,
    )
