"""Shopify's leaky bucket of calculated query cost, as FakeShopify plays it.

Shopify's GraphQL Admin API limits each app and shop pair by calculated query
cost: a bucket of points that refills continuously at a restore rate set by the
shop's plan. A query whose requested cost is more than what is available is
answered with HTTP 200 and ``errors[].extensions.code == "THROTTLED"``, and is not
executed. Restore rates per plan, from Shopify's documentation
(https://shopify.dev/docs/apps/build/apis/graphql-admin/rate-limits): Standard 100
points/second, Advanced 200, Plus 1,000, Enterprise (Commerce Components) 2,000.
The bucket holds 20 seconds of restore (``maximumAvailable`` 2,000 on Standard, as
Shopify reports it), and a single query may cost at most 1,000 points.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import Any

__all__ = ["MAX_QUERY_COST", "PLANS", "LeakyBucket", "throttled_answer"]

#: plan -> (maximum available, restore rate per second)
PLANS: dict[str, tuple[float, float]] = {
    "standard": (2_000.0, 100.0),
    "advanced": (4_000.0, 200.0),
    "plus": (20_000.0, 1_000.0),
    "enterprise": (40_000.0, 2_000.0),
}
MAX_QUERY_COST = 1_000


@dataclass
class LeakyBucket:
    """Points available now, refilled at ``restore_rate`` per second up to ``maximum``."""

    maximum: float = PLANS["standard"][0]
    restore_rate: float = PLANS["standard"][1]

    def __post_init__(self) -> None:
        if self.maximum <= 0 or self.restore_rate <= 0:
            raise ValueError("a bucket needs a positive maximum and restore rate")
        self._available = self.maximum
        self._at = time.monotonic()
        self._lock = threading.Lock()
        #: how many requests were answered THROTTLED
        self.throttled = 0
        #: points spent by executed requests
        self.spent = 0.0

    @classmethod
    def for_plan(cls, plan: str) -> LeakyBucket:
        try:
            maximum, rate = PLANS[plan]
        except KeyError:
            raise ValueError(f"unknown plan {plan!r} (known: {', '.join(PLANS)})") from None
        return cls(maximum, rate)

    def _refill(self, now: float) -> None:
        self._available = min(self.maximum, self._available + (now - self._at) * self.restore_rate)
        self._at = now

    def take(self, cost: float) -> tuple[bool, float]:
        """(whether ``cost`` points were taken, points available after)."""
        with self._lock:
            self._refill(time.monotonic())
            if cost > self._available:
                self.throttled += 1
                return False, self._available
            self._available -= cost
            self.spent += cost
            return True, self._available

    def status(self, available: float) -> dict[str, float]:
        return {
            "maximumAvailable": self.maximum,
            "currentlyAvailable": round(available, 1),
            "restoreRate": self.restore_rate,
        }


def throttled_answer(bucket: LeakyBucket, cost: float, available: float) -> dict[str, Any]:
    """What Shopify answers (HTTP 200) when a query costs more than is available."""
    return {
        "errors": [
            {
                "message": "Throttled",
                "extensions": {
                    "code": "THROTTLED",
                    "documentation": "https://shopify.dev/api/usage/rate-limits",
                },
            }
        ],
        "extensions": {
            "cost": {
                "requestedQueryCost": cost,
                "actualQueryCost": None,
                "throttleStatus": bucket.status(available),
            }
        },
    }
