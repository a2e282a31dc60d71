import os
import socket
import time
import uuid

import pytest
import time_machine

from core.ratelimit import (
    LOCAL,
    CounterUnavailable,
    Limit,
    limit_count,
    limit_reached,
    limit_take,
)

TRIES = Limit("test-tries", allowed=3, window=60)
FORM = Limit("test-form", allowed=2, window=60, when_unavailable=LOCAL)
# A Redis cache on a port nothing listens on: the cache is down, for real.
REDIS_DOWN = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",
    }
}


def test_a_limit_is_reached_after_its_allowance_and_only_for_its_own_key():
    for _ in range(3):
        limit_count(TRIES, "session-1", "203.0.113.7")

    assert limit_reached(TRIES, "session-1", "203.0.113.7")
    assert not limit_reached(TRIES, "session-1", "198.51.100.20")
    assert not limit_reached(TRIES, "session-2", "203.0.113.7")


def test_taking_counts_and_refuses_beyond_the_allowance():
    assert [limit_take(FORM, "x") for _ in range(4)] == [True, True, False, False]


def test_a_limit_lifts_when_its_window_has_passed():
    with time_machine.travel("2026-06-01 10:00", tick=False):
        for _ in range(3):
            limit_count(TRIES, "k")
    with time_machine.travel("2026-06-01 10:01:01", tick=False):
        assert not limit_reached(TRIES, "k")


def test_with_the_cache_down_a_guessing_limit_refuses(settings):
    settings.CACHES = REDIS_DOWN

    with pytest.raises(CounterUnavailable):
        limit_reached(TRIES, "k")
    with pytest.raises(CounterUnavailable):
        limit_count(TRIES, "k")


def test_with_the_cache_down_a_form_limit_still_counts_in_memory(settings):
    settings.CACHES = REDIS_DOWN

    taken = [limit_take(FORM, "down-key") for _ in range(3)]

    assert taken == [True, True, False]


def test_on_a_real_redis_cache_the_count_and_the_check_agree(settings):
    url = os.environ.get("REDIS_URL")
    if not url:
        pytest.skip("REDIS_URL is not set: no Redis to count in")
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url}
    }
    limit = Limit(f"test-redis-{uuid.uuid4().hex}", allowed=2, window=60)

    taken = [limit_take(limit, "k") for _ in range(3)]

    assert taken == [True, True, False]
    assert limit_reached(limit, "k")


def test_a_redis_that_never_answers_costs_a_guess_seconds_not_a_hang(settings):
    # The kernel completes the connection on a listening socket nobody reads: Redis is stuck.
    with socket.socket() as stuck:
        stuck.bind(("127.0.0.1", 0))
        stuck.listen(8)
        settings.CACHES = {
            "default": {
                "BACKEND": "django.core.cache.backends.redis.RedisCache",
                "LOCATION": f"redis://127.0.0.1:{stuck.getsockname()[1]}/0",
                "OPTIONS": settings.REDIS_CACHE_OPTIONS,
            }
        }
        started = time.monotonic()

        with pytest.raises(CounterUnavailable):
            limit_reached(TRIES, "stuck-key")

    assert time.monotonic() - started < 5
