"""Cost-aware pacing for the Admin API: wait before sending, so Shopify never has to
say THROTTLED.

Shopify limits Admin GraphQL calls with a leaky bucket of calculated query cost
per app and shop: ``maximumAvailable`` points that refill at ``restoreRate`` a
second; a call whose requested cost exceeds what is available is refused with
THROTTLED. Every answer reports the bucket (``extensions.cost.throttleStatus``) and
the call's ``requestedQueryCost``. :class:`QueryCostLimiter` keeps a model of that
bucket for one shop:

* before a call it reserves the operation's cost (the ``requestedQueryCost`` of its
  last answer), waiting until the model says the bucket holds it;
* an operation whose cost is not known yet goes alone: it waits until nothing is
  in flight, and nothing else starts until its answer tells the cost;
* every answer re-reads the bucket. Answers of concurrent calls arrive in any
  order, so a figure may be older than the model: a lower one is always taken
  (what Shopify reports, less what is still in flight, counted as spent), a higher
  one only from a call that had the shop to itself. A call that cost less than it
  requested gives the difference back, as Shopify does.

One limiter serves any number of threads and tasks, and clients: pass the same
object to every client of one shop (``pacing=limiter``). Sleeping is left to the
caller (``time.sleep`` or the event loop), so a sync and an async client can share
it. The Storefront API reports no query cost; it is not paced.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ._records import QueryCost

__all__ = ["QueryCostLimiter", "Ticket"]

logger = logging.getLogger("shopify_client")

#: how often a call waiting for a lone call (unknown cost) looks again
POLL_SECONDS = 0.005
#: points kept in hand beyond a call's cost: Shopify's figures are rounded, and a
#: call sent on a bucket that holds exactly its cost may find a hair less
MARGIN_POINTS = 1.0


class Ticket:
    """A granted reservation: ``cost`` points (None: unknown, the call goes alone).

    A plain slotted class, not a dataclass: see ``_transport.Limits``.
    """

    __slots__ = ("cost", "grant", "operation", "shared")

    def __init__(
        self, operation: str, cost: float | None, grant: int = 0, shared: bool = False
    ) -> None:
        self.operation = operation
        self.cost = cost
        self.grant = grant  # how many tickets had been granted before this one
        self.shared = shared  # another call was in flight when this one was granted

    def __repr__(self) -> str:
        return (
            f"Ticket(operation={self.operation!r}, cost={self.cost!r}, grant={self.grant}, "
            f"shared={self.shared})"
        )


class QueryCostLimiter:
    """A model of one shop's Admin API leaky bucket, shared by threads, tasks and clients."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._available: float | None = None  # None until an answer reports the bucket
        self._maximum: float | None = None
        self._rate: float | None = None
        self._at = time.monotonic()
        self._costs: dict[str, float] = {}
        self._in_flight = 0
        self._in_flight_cost = 0.0
        self._alone = False
        self._grants = 0
        #: seconds callers were told to wait, in total (for logs and benchmarks)
        self.waited = 0.0

    def __repr__(self) -> str:
        return (
            f"<QueryCostLimiter available={self._available} maximum={self._maximum} "
            f"restore_rate={self._rate} in_flight={self._in_flight}>"
        )

    @property
    def available(self) -> float | None:
        """The model's points available now (None before any answer reported them)."""
        with self._lock:
            self._refill(time.monotonic())
            return self._available

    @property
    def known_costs(self) -> dict[str, float]:
        """Operation name -> its requested cost, from its last answer."""
        with self._lock:
            return dict(self._costs)

    def reserve(self, operation: str) -> tuple[Ticket | None, float]:
        """A ticket to send ``operation`` now, or how long to wait before asking again."""
        with self._lock:
            if self._alone:
                return None, POLL_SECONDS
            cost = self._costs.get(operation)
            if cost is None or self._available is None or not self._rate:
                if self._in_flight:
                    return None, POLL_SECONDS
                self._alone = True
                self._in_flight += 1
                self._grants += 1
                return Ticket(operation, None, self._grants), 0.0
            now = time.monotonic()
            self._refill(now)
            needed = cost + MARGIN_POINTS
            maximum = self._maximum
            if maximum:
                # A call costing the whole bucket (or more) waits for a full one.
                needed = min(needed, maximum)
                if needed > maximum - self._in_flight_cost:
                    # The model refills only up to what calls in flight leave free,
                    # so no refill can grant this: wait for an answer, not for a
                    # fraction of a millisecond over and over (seen as a busy loop
                    # of every waiting task while a slow answer was on its way).
                    self.waited += POLL_SECONDS
                    return None, POLL_SECONDS
            if self._available >= needed:
                self._available -= cost
                shared = self._in_flight > 0
                self._in_flight += 1
                self._in_flight_cost += cost
                self._grants += 1
                return Ticket(operation, cost, self._grants, shared), 0.0
            wait = (needed - self._available) / self._rate
            self.waited += wait
            return None, wait

    def settle(self, ticket: Ticket, cost: QueryCost | None, *, sent: bool = True) -> None:
        """The answer to ``ticket``'s call: learn its cost and re-read the bucket.

        ``cost`` is the answer's ``extensions.cost`` (None when there was none);
        ``sent`` False gives back what an unsent call reserved.
        """
        with self._lock:
            self._in_flight -= 1
            if ticket.cost is None:
                self._alone = False
            else:
                self._in_flight_cost -= ticket.cost
                if not sent and self._available is not None:
                    self._available += ticket.cost
            if cost is None:
                return
            if cost.requested is not None:
                self._costs[ticket.operation] = cost.requested
            if cost.currently_available is None or not cost.restore_rate:
                return
            self._rate = cost.restore_rate
            self._maximum = cost.maximum_available or self._maximum
            now = time.monotonic()
            reported = cost.currently_available - self._in_flight_cost
            alone = not ticket.shared and ticket.grant == self._grants
            if self._available is None or alone:
                self._available, self._at = reported, now
                return
            self._refill(now)
            if ticket.cost is not None and cost.actual is not None and cost.actual < ticket.cost:
                self._available += ticket.cost - cost.actual  # Shopify's refund
            if reported < self._available:
                self._available = reported

    def _refill(self, now: float) -> None:
        """Refill the model up to the bucket's maximum, less what is still in flight.

        The model counts a call as spent when it is granted; Shopify, when the call
        reaches it. A full bucket stays full until then, so a model capped at the
        bare maximum would grant the in-flight cost a second time (seen as a few
        THROTTLED answers when 120 calls share a fast-refilling bucket).
        """
        if self._available is None or not self._rate:
            return
        refilled = self._available + (now - self._at) * self._rate
        if self._maximum:
            refilled = min(refilled, self._maximum - self._in_flight_cost)
        self._available = refilled
        self._at = now


def log_wait(operation: str, seconds: float, limiter: QueryCostLimiter) -> None:
    if seconds >= POLL_SECONDS * 2 and logger.isEnabledFor(logging.DEBUG):
        logger.debug("pacing %s: waiting %.3fs for query cost (%r)", operation, seconds, limiter)
