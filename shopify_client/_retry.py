"""Retry policy: which failures are retried, and how long to wait before each retry."""

from __future__ import annotations

import datetime as _dt
import email.utils
import math
import random
import time
from dataclasses import dataclass, field

__all__ = ["RetryPolicy", "parse_retry_after"]

DEFAULT_MAX_RETRIES = 3
DEFAULT_BACKOFF_BASE = 0.5  # seconds, first retry waits up to this (times jitter)
DEFAULT_BACKOFF_MAX = 8.0  # seconds, cap of one exponential backoff wait
# Seconds, the longest single wait. A server that asks for longer (Retry-After,
# or the throttle bucket's refill time) is not retried early: its error is raised
# at once, with ``retry_after`` saying how long it asked for. So the waits of one
# call add up to at most max_retries * wait_max (3 * 60 s by default).
DEFAULT_WAIT_MAX = 60.0

# Statuses after which a *query* is retried. A mutation is retried only on 429
# (Shopify did not act on it) and never on 5xx: the server may have acted. A
# mutation with an idempotency key (``@idempotent(key:)``, ``idempotencyKey``) is
# retried as a query is: each retry resends its key, and Shopify applies a repeated
# key once, answering as it did the first time
# (https://shopify.dev/docs/api/usage/implementing-idempotency). The client passes
# ``is_mutation=False`` for it (``PreparedRequest.unsafe_to_resend``).
RETRY_STATUSES_QUERY = frozenset({429, 502, 503, 504})
RETRY_STATUSES_MUTATION = frozenset({429})


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header: delta-seconds (may be
    fractional, as Shopify sends) or an HTTP date. ``None`` if absent or unusable."""
    if value is None:
        return None
    text = value.strip()
    if not text:
        return None
    try:
        seconds = float(text)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            return None
        if when is None:
            return None
        if when.tzinfo is None:
            # RFC 9110 dates are GMT; "-0000" parses as naive, which would read as local time.
            when = when.replace(tzinfo=_dt.UTC)
        current = time.time() if now is None else now
        return max(0.0, when.timestamp() - current)
    if math.isnan(seconds) or math.isinf(seconds) or seconds < 0:
        return None
    return seconds


@dataclass(frozen=True)
class RetryPolicy:
    """Capped exponential backoff with full jitter; ``max_retries=0`` disables retries."""

    max_retries: int = DEFAULT_MAX_RETRIES
    backoff_base: float = DEFAULT_BACKOFF_BASE
    backoff_max: float = DEFAULT_BACKOFF_MAX
    wait_max: float = DEFAULT_WAIT_MAX
    rng: random.Random = field(default_factory=random.Random, compare=False, repr=False)

    def __post_init__(self) -> None:
        if self.max_retries < 0:
            raise ValueError("max_retries must be >= 0")
        if self.backoff_base < 0 or self.backoff_max < 0 or self.wait_max < 0:
            raise ValueError("backoff and wait limits must be >= 0")

    def backoff(self, attempt: int) -> float:
        """Wait before retry number ``attempt`` (1-based) when the server named none."""
        ceiling = min(self.backoff_max, self.backoff_base * (2 ** (attempt - 1)))
        return min(self.wait_max, self.rng.uniform(ceiling / 2, ceiling))

    def wait(self, attempt: int, server_hint: float | None) -> float | None:
        """Seconds before retry number ``attempt``: the server's hint (Retry-After,
        throttle refill time) when it gave one, else the backoff. ``None`` when the
        server asked for more than ``wait_max``: waiting less would retry early."""
        if server_hint is not None:
            return server_hint if server_hint <= self.wait_max else None
        return self.backoff(attempt)

    def retries_status(self, status: int, *, is_mutation: bool) -> bool:
        allowed = RETRY_STATUSES_MUTATION if is_mutation else RETRY_STATUSES_QUERY
        return status in allowed
