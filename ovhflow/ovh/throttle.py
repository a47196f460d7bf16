"""Pacing shared by every thread of a client, that slows down when the API answers 429 and recovers.

Without it, 16 threads that meet a rate limit all read the same ``Retry-After``, sleep it, retry at the
same instant, meet the limit again and give up after a few attempts. Here, the first 429 lowers the
rate of the whole client (to a little under what the API accepted during the last second) and hands
out evenly spaced slots from then on: the refused requests wait out ``Retry-After`` (plus jitter)
before taking a slot again, the other threads go on at the lowered rate without that pause. A 429 for
a request sent at the lowered rate (the API still objects) lowers the rate again and pauses every
thread until ``Retry-After`` (plus jitter) has passed. After a quiet period without 429 the rate rises
again slowly, back to full speed (or the configured rate) when the API stops objecting. The start and
the end of throttling are logged once each (WARNING).

A call keeps retrying its 429 answers for a time budget rather than a number of attempts: a run
against a busy API gets slower, not broken, unless one call stays refused for longer than the budget.
"""

from __future__ import annotations

import email.utils
import logging
import random
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping
from typing import Protocol, TypeVar

log = logging.getLogger("ovhflow.ovh")

THROTTLE_BUDGET = 300.0  # seconds one call may keep retrying 429 answers before the 429 is its answer
DEFAULT_RETRY_AFTER = 1.0  # seconds, when a 429 carries no usable Retry-After
MIN_RATE = 0.5  # requests a second: never slower than this
WINDOW = 1.0  # seconds of successful answers used to estimate what the API accepts
BACKOFF_SHARE = 0.95  # after a 429, the new rate is this share of what the API accepted
PROVISIONAL_RATE = 5.0  # requests a second after a 429 when too few answers show what the API accepts
REPEAT_DECREASE = 0.85  # a 429 while already throttled: the rate is multiplied by this
QUIET = 5.0  # seconds without 429 before the rate rises again
RAISE_EVERY = 1.0  # seconds between two rises
RAISE_FACTOR = 1.05  # each rise multiplies the rate by this


def retry_after_seconds(headers: Mapping[str, str], now: float | None = None) -> float:
    """``Retry-After`` in seconds (a number or an HTTP date); the default when absent or unusable."""
    value = (headers.get("Retry-After") or "").strip()
    if not value:
        return DEFAULT_RETRY_AFTER
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(value).timestamp()
        except (TypeError, ValueError, IndexError, OverflowError):
            return DEFAULT_RETRY_AFTER
        seconds = when - (time.time() if now is None else now)
    if seconds != seconds or seconds < 0:  # NaN, or a date in the past
        return 0.0 if seconds == seconds else DEFAULT_RETRY_AFTER
    return seconds


AnswerT = TypeVar("AnswerT", bound="Answer")


class Answer(Protocol):
    """What :meth:`RateLimiter.send` needs of an HTTP answer (a ``requests.Response`` is one)."""

    @property
    def status_code(self) -> int: ...

    @property
    def headers(self) -> Mapping[str, str]: ...

    def close(self) -> None: ...


class RateLimiter:
    """Evenly spaced request slots across threads, at ``per_second`` (``None``: as fast as they come),
    adapting to 429 answers as the module docstring says; ``per_second`` is then the ceiling."""

    def __init__(self, per_second: float | None = None) -> None:
        if per_second is not None and not per_second > 0:
            raise ValueError(f"rate_limit must be a positive number of requests per second, not {per_second}")
        self.ceiling = per_second
        self.rate = per_second  # the current rate; None: unlimited
        self._next_slot = 0.0
        self._lock = threading.Lock()
        self._answers: deque[float] = deque()  # when recent successful answers arrived
        self._throttled = False
        self._reduced_at = float("-inf")  # when the rate was last lowered
        self._last_429 = float("-inf")
        self._raised_at = float("-inf")
        self._full_speed = 0.0  # requests a second the API accepted before throttling began
        self._random = random.Random()

    @property
    def interval(self) -> float:
        return 1.0 / self.rate if self.rate else 0.0

    @property
    def throttled(self) -> bool:
        """Whether 429 answers have slowed this client below its normal rate."""
        return self._throttled

    def wait(self) -> float:
        """Block until this caller's slot comes; return the time it is sent at. Slots are handed out
        under a lock, sleeping is not."""
        with self._lock:
            now = time.monotonic()
            slot = max(now, self._next_slot)
            self._next_slot = slot + self.interval
        if slot > now:
            time.sleep(slot - now)
        return slot

    def send(self, send_once: Callable[[], AnswerT], budget: float) -> AnswerT:
        """Call ``send_once`` when a slot comes; on 429, again after ``Retry-After`` plus jitter (every
        thread slows down meanwhile), until ``budget`` seconds have passed since the first 429: then the
        429 is the answer. A ``budget`` of 0 sends once."""
        first_refusal: float | None = None
        while True:
            sent_at = self.wait()
            response = send_once()
            if getattr(response, "status_code", None) != 429:  # users' tests may mock the answer
                self.answered()
                return response
            now = time.monotonic()
            first_refusal = now if first_refusal is None else first_refusal
            pause = retry_after_seconds(response.headers)
            delay = self.refused(sent_at, pause)
            if not budget or now + pause - first_refusal > budget:
                return response
            response.close()
            time.sleep(delay)

    def answered(self) -> None:
        """A request got an answer other than 429."""
        now = time.monotonic()
        with self._lock:
            answers = self._answers
            answers.append(now)
            while answers and answers[0] < now - WINDOW:
                answers.popleft()
            if self._throttled and now - self._last_429 >= QUIET and now - self._raised_at >= RAISE_EVERY:
                self._raise(now)

    def refused(self, sent_at: float, retry_after: float) -> float:
        """A request sent at ``sent_at`` was answered 429: slow every thread down; return the seconds
        this request waits before it is sent again (``retry_after`` plus jitter). The first 429 only
        lowers the rate; one for a request sent after a cut also pauses every thread for that long."""
        now = time.monotonic()
        with self._lock:
            self._last_429 = now
            delay = retry_after + self._random.uniform(0, min(0.5, 0.1 * retry_after + 0.05))
            if not self._throttled:  # the requests in flight meet the limit: pace the others from now
                self._lower(now)
                self._next_slot = max(self._next_slot, now + self.interval)
            elif sent_at > self._reduced_at:  # refused at the lowered rate: lower it again, and pause
                self._lower(now)
                self._next_slot = max(self._next_slot, now + delay)
            return delay

    def _lower(self, now: float) -> None:
        recent = sum(1 for when in self._answers if when >= now - WINDOW)
        accepted = recent / WINDOW if recent >= 2 else PROVISIONAL_RATE
        if not self._throttled:
            self._throttled = True
            self._full_speed = max(accepted, self.rate or 0.0)
            self.rate = max(MIN_RATE, min(self.rate or accepted, accepted) * BACKOFF_SHARE)
            log.warning(
                "the API answers 429 Too Many Requests: slowing down to %.3g requests/s for every thread",
                self.rate,
            )
        else:
            self.rate = max(MIN_RATE, (self.rate or accepted) * REPEAT_DECREASE)
        self._reduced_at = now

    def _raise(self, now: float) -> None:
        assert self.rate is not None
        self._raised_at = now
        self.rate *= RAISE_FACTOR
        limit = self.ceiling or self._full_speed
        if self.rate >= limit:
            self.rate = self.ceiling
            self._throttled = False
            self._reduced_at = float("-inf")
            log.warning("no 429 for %.0f s: back to the normal request rate", now - self._last_429)
