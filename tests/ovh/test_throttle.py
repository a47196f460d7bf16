"""The client's shared, adaptive pacing: 429 slows every thread down (only the refused requests wait
out ``Retry-After``, with jitter, unless the lowered rate is refused too), the rate recovers after a
quiet period, and a call retries 429s for a time budget."""

from __future__ import annotations

import itertools
import logging
from unittest import mock

import pytest

from ovhflow import ovh
from ovhflow.ovh import throttle
from ovhflow.ovh.throttle import RateLimiter, retry_after_seconds
from tests.ovh.helpers import CREDENTIALS, CaptureServer, Reply, fail_first


class Clock:
    """A fake monotonic clock; ``sleep`` advances it."""

    def __init__(self) -> None:
        self.now = 1000.0

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock():
    fake = Clock()
    with (
        mock.patch("ovhflow.ovh.throttle.time.monotonic", fake.monotonic),
        mock.patch("ovhflow.ovh.throttle.time.sleep", fake.sleep),
    ):
        yield fake


def _answers(limiter: RateLimiter, clock: Clock, count: int, spacing: float) -> None:
    for _ in range(count):
        limiter.wait()
        limiter.answered()
        clock.now += spacing


def test_a_429_lowers_the_rate_below_what_the_api_accepted_and_paces_the_other_threads(clock) -> None:
    limiter = RateLimiter()
    assert limiter.rate is None  # unlimited until the API objects
    _answers(limiter, clock, 50, 0.02)  # 50 answers a second
    sent = limiter.wait()
    delay = limiter.refused(sent, retry_after=1.0)
    assert limiter.throttled
    assert limiter.rate == pytest.approx(throttle.BACKOFF_SHARE * 50, rel=0.05)
    assert 1.0 <= delay <= 1.25  # the refused request waits out Retry-After plus jitter
    refused_at = clock.now
    first = limiter.wait()  # the other threads do not: their next request is one slot away
    assert first - refused_at == pytest.approx(1 / limiter.rate)
    second = limiter.wait()  # and the one after it is spaced at the new rate, whatever its thread
    assert second - first == pytest.approx(1 / limiter.rate)


def test_only_the_refused_requests_wait_out_retry_after(clock) -> None:
    """16 threads, the first wave of 429s: the refused calls wait Retry-After, the others are paced
    (issue 17: pausing every thread for the first wave was most of a short run's wall time)."""
    limiter = RateLimiter()
    _answers(limiter, clock, 50, 0.02)
    delays = [limiter.refused(sent, retry_after=1.0) for sent in [limiter.wait() for _ in range(16)]]
    assert all(delay >= 1.0 for delay in delays)
    waited = []
    with mock.patch(
        "ovhflow.ovh.throttle.time.sleep", side_effect=lambda s: (waited.append(s), clock.sleep(s))
    ):
        starts = [limiter.wait() for _ in range(20)]  # the other threads' requests, meanwhile
    assert max(waited) < 0.1  # none of them waited out Retry-After
    gaps = [b - a for a, b in itertools.pairwise(starts)]
    assert gaps == pytest.approx([1 / limiter.rate] * 19)


def test_a_429_at_the_lowered_rate_pauses_every_thread(clock) -> None:
    limiter = RateLimiter()
    _answers(limiter, clock, 50, 0.02)
    limiter.refused(limiter.wait(), retry_after=1.0)  # the first cut: pacing only
    clock.now += 0.1
    later = limiter.wait()  # sent after the cut, and still refused: the API wants a break
    delay = limiter.refused(later, retry_after=2.0)
    assert 2.0 <= delay <= 2.5
    refused_at = clock.now
    assert limiter.wait() - refused_at >= 2.0  # every thread's next request waits it out


def test_requests_already_in_flight_at_the_cut_do_not_lower_the_rate_again(clock) -> None:
    limiter = RateLimiter()
    _answers(limiter, clock, 50, 0.02)
    in_flight = [limiter.wait() for _ in range(16)]  # 16 threads sent before the first 429 came back
    for sent in in_flight:
        limiter.refused(sent, retry_after=1.0)
    lowered = limiter.rate
    assert lowered == pytest.approx(throttle.BACKOFF_SHARE * 50, rel=0.05)
    later = limiter.wait()  # sent after the cut, and still refused: the rate goes down again
    limiter.refused(later, retry_after=1.0)
    assert limiter.rate == pytest.approx(lowered * throttle.REPEAT_DECREASE)


def test_the_rate_rises_after_a_quiet_period_and_throttling_start_and_end_are_logged_once(
    clock, caplog
) -> None:
    limiter = RateLimiter()
    caplog.set_level(logging.WARNING, logger="ovhflow.ovh")
    _answers(limiter, clock, 50, 0.02)
    for sent in [limiter.wait() for _ in range(5)]:
        limiter.refused(sent, retry_after=1.0)
    lowered = limiter.rate
    _answers(limiter, clock, 80, 0.04)  # 1 s of pause, then 3.2 s at 25/s: not quiet for long enough
    assert limiter.rate == lowered
    _answers(limiter, clock, 2000, 0.05)  # 100 s without a 429
    assert limiter.rate is None and not limiter.throttled  # full speed again
    messages = [record.getMessage() for record in caplog.records]
    assert len(messages) == 2, messages
    assert "429" in messages[0] and "slowing down" in messages[0]
    assert "back to the normal request rate" in messages[1]


def test_a_configured_rate_is_the_ceiling_it_recovers_to(clock) -> None:
    limiter = RateLimiter(40)
    _answers(limiter, clock, 40, 0.025)
    limiter.refused(limiter.wait(), retry_after=0.0)
    assert limiter.rate is not None and limiter.rate < 40
    _answers(limiter, clock, 4000, 0.025)
    assert limiter.rate == 40 and not limiter.throttled


@pytest.mark.parametrize(
    ("header", "seconds"),
    [("3", 3.0), ("0.5", 0.5), ("", throttle.DEFAULT_RETRY_AFTER), ("soon", throttle.DEFAULT_RETRY_AFTER),
     ("nan", throttle.DEFAULT_RETRY_AFTER), ("-4", 0.0), ("Wed, 21 Oct 2015 07:28:10 GMT", 10.0)],
)  # fmt: skip
def test_retry_after_is_read_as_seconds_or_a_date(header: str, seconds: float) -> None:
    now = 1445412480.0  # 10 s before the date above
    assert retry_after_seconds({"Retry-After": header} if header else {}, now=now) == seconds


def _limited(server: CaptureServer, refusals: int, retry_after: str = "0") -> None:
    reply = Reply(status=429, body={"message": "slow down"}, headers={"Retry-After": retry_after})
    fail_first(server, refusals, reply)


def _sent(server: CaptureServer, method: str, path: str) -> int:
    return sum(1 for request in server.requests if (request.method, request.path) == (method, path))


def test_a_call_retries_429_beyond_four_attempts_within_its_time_budget(server: CaptureServer) -> None:
    _limited(server, refusals=8)
    client = ovh.Client(server.url, **CREDENTIALS)
    assert client.put("/thing", a=1) == {"ok": "PUT"}
    assert _sent(server, "PUT", "/1.0/thing") == 9


def test_a_call_refused_for_longer_than_its_budget_fails_with_the_429(server: CaptureServer) -> None:
    _limited(server, refusals=1000, retry_after="0.2")
    client = ovh.Client(server.url, **CREDENTIALS, throttle_budget=0.5)
    with pytest.raises(ovh.APIError, match="slow down"):
        client.get("/thing")
    assert 2 <= _sent(server, "GET", "/1.0/thing") <= 4  # 0.2 s apart (plus jitter) for half a second


def test_no_429_retry_when_retries_are_off_or_for_post(server: CaptureServer) -> None:
    _limited(server, refusals=1)
    with pytest.raises(ovh.APIError, match="slow down"):
        ovh.Client(server.url, **CREDENTIALS, retries=False).get("/thing")
    assert _sent(server, "GET", "/1.0/thing") == 1
    with pytest.raises(ovh.APIError, match="slow down"):
        ovh.Client(server.url, **CREDENTIALS).post("/thing", a=1)
    assert _sent(server, "POST", "/1.0/thing") == 1
    assert ovh.Client(server.url, **CREDENTIALS, retry_post=True).post("/other", a=1) == {"ok": "POST"}
    assert _sent(server, "POST", "/1.0/other") == 2
