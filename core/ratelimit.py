"""One counter for every limit on what visitors may try: wrong check-in and short-link emails,
public registrations, expressions of interest. Counts live in the cache (Redis in production),
each in a fixed window that starts with the first count.

A limit must never need Redis to answer. When the cache cannot be reached a limit either
* refuses (`when_unavailable=REFUSE`): the caller catches `CounterUnavailable` and asks the
  person to try again shortly. For guessing limits (check-in codes, short links), where allowing
  would mean unlimited guesses for as long as Redis is away; or
* counts in this process's memory (`when_unavailable=LOCAL`): for public forms, which must keep
  taking bookings through an outage; the limit still holds, per worker process.
"""

import hashlib
import ipaddress
import logging
from dataclasses import dataclass

from django.core.cache import caches
from django.core.cache.backends.locmem import LocMemCache
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

REFUSE = "refuse"
LOCAL = "local"

# What the cache raises when it cannot be reached: redis-py's errors, and socket errors from
# any other backend.
_UNREACHABLE = (RedisError, OSError)
_LOCAL_COUNTS = LocMemCache("core-ratelimit-local", {"MAX_ENTRIES": 10_000})


class CounterUnavailable(Exception):
    """The cache holding the counters cannot be reached, and this limit refuses meanwhile."""


@dataclass(frozen=True)
class Limit:
    """At most `allowed` counts per key in `window` seconds."""

    name: str
    allowed: int
    window: int
    when_unavailable: str = REFUSE


def _network(part: object) -> str:
    """An IPv6 address counts as its /64: one household, phone or server is given a whole /64,
    so counting each address apart would let one visitor take a new allowance per request. Any
    other part (an IPv4 address, an email, an id) counts as it is."""
    text = str(part).lower()
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return text
    if address.version == 6 and address.ipv4_mapped is None:
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return text


def _key(limit: Limit, parts: tuple[object, ...]) -> str:
    # Hashed: the cache never holds an email or network address in the clear.
    digest = hashlib.sha256("\x1f".join(_network(part) for part in parts).encode())
    return f"limit:{limit.name}:{digest.hexdigest()[:32]}"


def _unavailable(limit: Limit, error: Exception) -> None:
    logger.warning("Rate-limit counter %s unavailable (%s)", limit.name, type(error).__name__)
    if limit.when_unavailable != LOCAL:
        raise CounterUnavailable(limit.name) from error


def _count_in(cache, key: str, window: int) -> int:
    cache.add(key, 0, window)
    try:
        return cache.incr(key)
    except ValueError:
        # The window lapsed between add and incr: this count starts the next one.
        cache.add(key, 0, window)
        return cache.incr(key)


def limit_reached(limit: Limit, *parts: object) -> bool:
    """Whether `parts` (e.g. a session and an address) has used up its allowance. Raises
    CounterUnavailable when the cache is down and the limit refuses meanwhile."""
    key = _key(limit, parts)
    try:
        count = caches["default"].get(key, 0)
    except _UNREACHABLE as error:
        _unavailable(limit, error)
        count = _LOCAL_COUNTS.get(key, 0)
    return count >= limit.allowed


def limit_count(limit: Limit, *parts: object) -> int:
    """Count one more against `parts`; returns the count in this window. Raises
    CounterUnavailable when the cache is down and the limit refuses meanwhile."""
    key = _key(limit, parts)
    try:
        return _count_in(caches["default"], key, limit.window)
    except _UNREACHABLE as error:
        _unavailable(limit, error)
        return _count_in(_LOCAL_COUNTS, key, limit.window)


def limit_take(limit: Limit, *parts: object) -> bool:
    """Count one more against `parts` and say whether it was still within the allowance (the
    count and the check are one step, so simultaneous requests cannot both take the last one)."""
    return limit_count(limit, *parts) <= limit.allowed
