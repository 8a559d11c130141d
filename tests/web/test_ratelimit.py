"""The pure per-client token bucket (web.ratelimit), driven by a fake clock."""

from __future__ import annotations

import threading

import pytest

from web.ratelimit import RateLimiter


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_off_allows_everything() -> None:
    limiter = RateLimiter(0, clock=Clock())
    assert not limiter.enabled
    assert all(limiter.hit("10.0.0.1").allowed for _ in range(10_000))
    assert len(limiter) == 0


def test_burst_of_rate_then_refused_with_retry_after() -> None:
    clock = Clock()
    limiter = RateLimiter(60, clock=clock)  # one token a second, burst of 60
    decisions = [limiter.hit("a") for _ in range(60)]
    assert all(d.allowed for d in decisions)
    assert [d.remaining for d in decisions[-3:]] == [2, 1, 0]
    refused = limiter.hit("a")
    assert not refused.allowed
    assert refused.retry_after == 1


def test_retry_after_is_the_wait_for_one_token() -> None:
    clock = Clock()
    limiter = RateLimiter(2, clock=clock)  # one token every 30 s
    assert limiter.hit("a").allowed
    assert limiter.hit("a").allowed
    assert limiter.hit("a").retry_after == 30
    clock.now += 10
    assert limiter.hit("a").retry_after == 20
    clock.now += 19
    assert not limiter.hit("a").allowed
    clock.now += 1
    assert limiter.hit("a").allowed
    assert not limiter.hit("a").allowed


def test_refused_requests_do_not_consume_tokens() -> None:
    clock = Clock()
    limiter = RateLimiter(1, clock=clock)
    assert limiter.hit("a").allowed
    for _ in range(100):
        assert not limiter.hit("a").allowed
    clock.now += 60
    assert limiter.hit("a").allowed


def test_clients_are_independent() -> None:
    clock = Clock()
    limiter = RateLimiter(1, clock=clock)
    assert limiter.hit("a").allowed
    assert not limiter.hit("a").allowed
    assert limiter.hit("b").allowed
    assert limiter.hit("::1").allowed


def test_refill_never_exceeds_the_burst() -> None:
    clock = Clock()
    limiter = RateLimiter(5, clock=clock)
    limiter.hit("a")
    clock.now += 3600
    allowed = sum(limiter.hit("a").allowed for _ in range(20))
    assert allowed == 5


def test_memory_is_bounded_and_forgets_the_least_recent_first() -> None:
    clock = Clock()
    limiter = RateLimiter(1, clock=clock, max_clients=3)
    for key in ("a", "b", "c"):
        assert limiter.hit(key).allowed
    assert not limiter.hit("a").allowed  # a is now the most recent
    assert limiter.hit("d").allowed  # b, the least recent, is forgotten
    assert len(limiter) == 3
    assert limiter.hit("b").allowed  # b starts afresh; c is forgotten now
    assert not limiter.hit("a").allowed
    assert not limiter.hit("d").allowed


def test_threads_never_get_more_than_the_burst() -> None:
    limiter = RateLimiter(100, clock=Clock())
    allowed: list[bool] = []
    lock = threading.Lock()

    def worker() -> None:
        mine = [limiter.hit("shared").allowed for _ in range(50)]
        with lock:
            allowed.extend(mine)

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(allowed) == 400
    assert sum(allowed) == 100


@pytest.mark.parametrize(("rate", "max_clients"), [(-1, 10), (1, 0)])
def test_bad_arguments_are_refused(rate: int, max_clients: int) -> None:
    with pytest.raises(ValueError, match="must be"):
        RateLimiter(rate, max_clients=max_clients)
