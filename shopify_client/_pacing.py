"""Cost-aware pacing for the Admin API: wait before sending, so Shopify never has to
say THROTTLED.

Shopify limits Admin GraphQL calls with a leaky bucket of calculated query cost
per app and shop: ``maximumAvailable`` points that refill at ``restoreRate`` a
second; a call whose requested cost exceeds what is available is refused with
THROTTLED. Every answer reports the bucket (``extensions.cost.throttleStatus``) and
the call's ``requestedQueryCost``. :class:`QueryCostLimiter` keeps a model of that
bucket for one shop:

* before a call it reserves the call's cost, waiting until the model says the
  bucket holds it. The cost is learned from answers by operation *and* the shape
  of its variables (:mod:`._costs`): ``first: 100`` is never estimated from
  ``first: 5``. A call no answer has covered yet reserves the most one query may
  cost (1,000 points, or the whole bucket if that is smaller);
* until the first answer reports the bucket, calls go one at a time; if answers
  carry no cost figures at all (a proxy strips them), there is nothing to pace
  by, and calls go at once until an answer carries them again;
* every answer re-reads the bucket. Answers of concurrent calls arrive in any
  order, so a figure may be older than the model: a lower one is always taken
  (what Shopify reports, less what is still in flight, counted as spent), a higher
  one only from a call that had the shop to itself. A call that cost less than it
  reserved gives the difference back, as Shopify does;
* figures are checked before they are believed (issue 21): not a finite number,
  negative, more than the bucket holds, or a bucket that would take more than
  :data:`MAX_REFILL_SECONDS` to refill, and the reading is ignored.

Waiting calls queue in the order they came, and only the first of them looks at
the bucket: it sleeps until the model says the bucket holds its cost, or until an
answer arrives (:meth:`QueryCostLimiter.settle` wakes it: threads through an event,
asyncio tasks through their loop), never polling. A call is held at most
``max_wait`` seconds (:data:`MAX_PACING_WAIT` by default), all its attempts
together; when the wait would pass that, it raises
:class:`~shopify_client.PacingTimeoutError` without sending anything.

One limiter serves any number of threads and tasks, and clients of one shop: pass
the same object to every client of that shop (``pacing=limiter``); a client of
another shop is refused (:meth:`QueryCostLimiter.bind`). Sleeping is left to the
caller's side (a thread's event, or the event loop), so a sync and an async client
can share it. The Storefront API reports no query cost; it is not paced.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections import deque
from collections.abc import Mapping
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from ._costs import CostKey, CostTable, cost_key
from ._exceptions import ConfigurationError, PacingTimeoutError

if TYPE_CHECKING:
    import asyncio

    from ._records import QueryCost

__all__ = ["MAX_PACING_WAIT", "QueryCostLimiter", "Ticket"]

logger = logging.getLogger("shopify_client")

#: Seconds: the longest one call is held by its limiter, all attempts together, by
#: default (``QueryCostLimiter(max_wait=...)``). A whole bucket refills in 20 s on
#: every Shopify plan; past this, the call raises PacingTimeoutError, unsent.
MAX_PACING_WAIT = 60.0
#: the largest max_wait taken: one day, as for ``timeout=``
MAX_WAIT_LIMIT = 86_400.0
#: as _records.MAX_COST_FIGURE (not imported: _records loads with the first answer)
MAX_COST_FIGURE = 10_000_000.0
#: the most one query may cost (Shopify refuses a costlier one without running it)
MAX_QUERY_COST = 1_000.0
#: seconds: a reading whose bucket would take longer to refill from empty is not
#: believed (Shopify's take 20 s; a restoreRate of 1e-7 would take centuries)
MAX_REFILL_SECONDS = 60.0
#: points kept in hand beyond a call's cost: Shopify's figures are rounded, and a
#: call sent on a bucket that holds exactly its cost may find a hair less
MARGIN_POINTS = 1.0
#: how often a task waits again under an event loop other than asyncio's (trio),
#: where a thread cannot wake it: the one case that polls
FALLBACK_POLL_SECONDS = 0.01
#: waits shorter than this are not logged
LOG_WAIT_SECONDS = 0.01


class _NoKey:
    """The default of ``acquire(key=)``: the key is computed from ``variables``."""


NO_KEY = _NoKey()


class Ticket:
    """A granted reservation of ``cost`` points (None: not counted: the call that
    learns the bucket, or a call on a shop that reports no cost).

    A plain slotted class, not a dataclass: see ``_transport.Limits``.
    """

    __slots__ = ("alone", "cost", "grant", "key", "operation", "settled", "shared", "waited")

    def __init__(
        self,
        operation: str,
        cost: float | None,
        grant: int = 0,
        shared: bool = False,
        *,
        key: CostKey | None = None,
        alone: bool = False,
    ) -> None:
        self.operation = operation
        self.cost = cost
        self.grant = grant  # how many tickets had been granted before this one
        self.shared = shared  # another call was in flight when this one was granted
        self.key = key
        self.alone = alone  # sent to learn the bucket: nothing else goes meanwhile
        self.waited = 0.0  # seconds the call was held, its earlier attempts included
        self.settled = False

    def __repr__(self) -> str:
        return (
            f"Ticket(operation={self.operation!r}, cost={self.cost!r}, grant={self.grant}, "
            f"shared={self.shared}, alone={self.alone})"
        )


# -- waiters: how a queued call sleeps, and how an answer wakes it -----------------------


class _ThreadWaiter:
    __slots__ = ("_event",)

    def __init__(self) -> None:
        self._event = threading.Event()

    def wake(self) -> None:
        self._event.set()

    def clear(self) -> None:
        self._event.clear()

    def wait(self, seconds: float) -> None:
        self._event.wait(seconds)


class _AsyncioWaiter:
    """A task's event; an answer settled on another thread wakes it through its loop."""

    __slots__ = ("_event", "_loop", "_thread")

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        import asyncio

        self._event = asyncio.Event()
        self._loop = loop
        self._thread = threading.get_ident()

    def wake(self) -> None:
        if threading.get_ident() == self._thread:
            self._event.set()
        else:
            with contextlib.suppress(RuntimeError):  # its loop is closed: nothing waits
                self._loop.call_soon_threadsafe(self._event.set)

    def clear(self) -> None:
        self._event.clear()

    async def wait(self, seconds: float) -> None:
        import asyncio

        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(seconds):
                await self._event.wait()


class _PollingWaiter:
    """Under an event loop other than asyncio's: looks again every 10 ms."""

    __slots__ = ()

    def wake(self) -> None:
        pass

    def clear(self) -> None:
        pass

    async def wait(self, seconds: float) -> None:
        import anyio

        await anyio.sleep(min(seconds, FALLBACK_POLL_SECONDS))


_Waiter = _ThreadWaiter | _AsyncioWaiter | _PollingWaiter


def _async_waiter() -> _AsyncioWaiter | _PollingWaiter:
    import asyncio

    try:
        return _AsyncioWaiter(asyncio.get_running_loop())
    except RuntimeError:  # not asyncio (trio...)
        return _PollingWaiter()


def _shop_of(endpoint: str) -> str:
    """The shop an endpoint reaches, as a bucket knows it: its host and port."""
    try:
        parts = urlsplit(endpoint)
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        return endpoint.lower()
    return f"{(parts.hostname or '').lower()}:{port}"


def _figure(value: float | None) -> float | None:
    """A figure the model may use: finite, 0 to MAX_COST_FIGURE (see ``_records``;
    checked again here, for a QueryCost built by hand)."""
    return value if value is not None and 0 <= value <= MAX_COST_FIGURE else None


def _reading(cost: QueryCost) -> tuple[float, float, float] | None:
    """(currently available, maximum, restore rate) of an answer, if believable: sane
    figures, no more available than the bucket holds, and a bucket that refills
    from empty within MAX_REFILL_SECONDS (NaN fails every comparison)."""
    available, maximum, rate = cost.currently_available, cost.maximum_available, cost.restore_rate
    if available is None or maximum is None or rate is None:
        return None
    if not (
        0 <= available <= maximum <= MAX_COST_FIGURE
        and 0 < maximum <= rate * MAX_REFILL_SECONDS
        and rate <= MAX_COST_FIGURE
    ):
        return None
    return available, maximum, rate


class QueryCostLimiter:
    """A model of one shop's Admin API leaky bucket, shared by threads, tasks and clients.

    ``max_wait``: the longest one call is held (seconds, all its attempts together;
    default :data:`MAX_PACING_WAIT`); past it the call raises
    :class:`~shopify_client.PacingTimeoutError` without being sent.
    """

    def __init__(self, *, max_wait: float = MAX_PACING_WAIT) -> None:
        if (
            isinstance(max_wait, bool)
            or not isinstance(max_wait, int | float)
            or not 0 < max_wait <= MAX_WAIT_LIMIT
        ):
            raise ConfigurationError(
                f"max_wait must be a positive number of seconds up to {MAX_WAIT_LIMIT:,.0f} "
                "(one day)"
            )
        self._max_wait = float(max_wait)
        self._lock = threading.Lock()
        self._queue: deque[_Waiter] = deque()
        self._available: float | None = None  # None until an answer reports the bucket
        self._maximum: float | None = None
        self._rate: float | None = None
        self._at = time.monotonic()
        self._costs = CostTable()
        self._in_flight = 0
        self._in_flight_cost = 0.0
        self._blind = False  # answers carry no cost figures: nothing to pace by
        self._grants = 0
        self._shop: str | None = None
        #: seconds calls were held, in total (for logs and benchmarks)
        self.waited = 0.0

    def __repr__(self) -> str:
        return (
            f"<QueryCostLimiter available={self._available} maximum={self._maximum} "
            f"restore_rate={self._rate} in_flight={self._in_flight} "
            f"queued={len(self._queue)}{' no-cost-figures' if self._blind else ''}>"
        )

    @property
    def max_wait(self) -> float:
        return self._max_wait

    @property
    def available(self) -> float | None:
        """The model's points available now (None before any answer reported them)."""
        with self._lock:
            self._refill(time.monotonic())
            return self._available

    @property
    def known_costs(self) -> dict[str, float]:
        """Operation name -> the largest requested cost its answers reported."""
        with self._lock:
            return self._costs.by_operation()

    def bind(self, endpoint: str) -> None:
        """Tie the limiter to the shop ``endpoint`` reaches (the first client's): a
        limiter models one shop's bucket, and a client of another shop is refused
        with a ConfigurationError (its calls would wait on the wrong bucket)."""
        shop = _shop_of(endpoint)
        with self._lock:
            if self._shop is None:
                self._shop = shop
                return
            bound = self._shop
        if shop != bound:
            raise ConfigurationError(
                f"this QueryCostLimiter paces the shop at {bound}, and a client of {shop} "
                "was given it: each shop has a bucket of its own, so give each shop its "
                "own limiter"
            )

    # -- granting ---------------------------------------------------------------------
    # ``key=``: the call's cost key, computed by the caller (cost_key), so that the
    # variables (passwords, tokens) need not be passed down into this frame.

    def reserve(
        self, operation: str, variables: Mapping[str, object] | None = None, *, document: str = ""
    ) -> tuple[Ticket | None, float | None]:
        """A ticket to send now, else how many seconds the bucket needs to refill
        (None: only an answer can help). Does not queue: :meth:`acquire` and
        :meth:`acquire_async` wait on this, in order of arrival."""
        with self._lock:
            key = cost_key(operation, variables, document)
            del variables  # not held by a frame a traceback with locals may show
            return self._try(operation, key)

    def acquire(
        self,
        operation: str,
        variables: Mapping[str, object] | None = None,
        *,
        document: str = "",
        held: float = 0.0,
        key: CostKey | None | _NoKey = NO_KEY,
    ) -> Ticket:
        """Wait (this thread) for a ticket. ``variables`` and ``document`` (the query)
        key the cost, unless the caller gives the ``key`` itself; ``held``: seconds
        this call was already held by its earlier attempts. Raises
        PacingTimeoutError past ``max_wait``."""
        if isinstance(key, _NoKey):
            key = cost_key(operation, variables, document)
        del variables  # not held by a frame a traceback with locals may show
        with self._lock:
            if not self._queue:
                ticket, _ = self._try(operation, key)
                if ticket is not None:
                    ticket.waited = held
                    return ticket
            waiter = _ThreadWaiter()
            self._queue.append(waiter)
        started = time.monotonic()
        try:
            while True:
                ticket, wait = self._turn(waiter, operation, key)
                if ticket is not None:
                    break
                waiter.wait(self._budget(operation, held, started, wait))
        except BaseException:
            self._leave(waiter)
            raise
        return self._granted(ticket, held, started)

    async def acquire_async(
        self,
        operation: str,
        variables: Mapping[str, object] | None = None,
        *,
        document: str = "",
        held: float = 0.0,
        key: CostKey | None | _NoKey = NO_KEY,
    ) -> Ticket:
        """:meth:`acquire` for a task: waits on the event loop."""
        if isinstance(key, _NoKey):
            key = cost_key(operation, variables, document)
        del variables  # not held by a frame a traceback with locals may show
        with self._lock:
            if not self._queue:
                ticket, _ = self._try(operation, key)
                if ticket is not None:
                    ticket.waited = held
                    return ticket
        waiter = _async_waiter()
        with self._lock:
            self._queue.append(waiter)
        started = time.monotonic()
        try:
            while True:
                ticket, wait = self._turn(waiter, operation, key)
                if ticket is not None:
                    break
                await waiter.wait(self._budget(operation, held, started, wait))
        except BaseException:  # cancelled, or out of time: the next in line goes on
            self._leave(waiter)
            raise
        return self._granted(ticket, held, started)

    def _turn(
        self, waiter: _Waiter, operation: str, key: CostKey | None
    ) -> tuple[Ticket | None, float | None]:
        """The first in line tries the bucket; on a grant the next one is woken."""
        after: _Waiter | None = None
        with self._lock:
            wait: float | None = None
            if self._queue and self._queue[0] is waiter:
                ticket, wait = self._try(operation, key)
                if ticket is not None:
                    self._queue.popleft()
                    after = self._queue[0] if self._queue else None
            else:
                ticket = None
            if ticket is None:
                waiter.clear()  # under the lock: an answer settled after this wakes it
        if after is not None:
            after.wake()
        return ticket, wait

    def _budget(self, operation: str, held: float, started: float, wait: float | None) -> float:
        """How long to sleep before looking again; PacingTimeoutError if that would
        take the call past ``max_wait`` (nothing waits for nothing)."""
        so_far = held + (time.monotonic() - started)
        remaining = self._max_wait - so_far
        if remaining > 0 and (wait is None or wait <= remaining):
            return remaining if wait is None else wait
        if wait is None:
            why = "waiting for the answers of calls in flight (or its turn)"
        else:
            why = f"the shop's query-cost bucket needs {wait:.1f}s more to hold its cost"
        raise PacingTimeoutError(
            f"pacing held {operation or 'the operation'} for {so_far:.1f}s, {why}, past "
            f"the limiter's max_wait of {self._max_wait:g}s; it was not sent (raise "
            "QueryCostLimiter(max_wait=...) or send fewer calls at once)",
            operation=operation or None,
            waited=so_far,
            limit=self._max_wait,
            needed=wait,
        )

    def _leave(self, waiter: _Waiter) -> None:
        after: _Waiter | None = None
        with self._lock:
            first = bool(self._queue) and self._queue[0] is waiter
            with contextlib.suppress(ValueError):
                self._queue.remove(waiter)
            if first and self._queue:
                after = self._queue[0]
        if after is not None:
            after.wake()

    def _granted(self, ticket: Ticket, held: float, started: float) -> Ticket:
        seconds = time.monotonic() - started
        ticket.waited = held + seconds
        with self._lock:
            self.waited += seconds
        if seconds >= LOG_WAIT_SECONDS and logger.isEnabledFor(logging.DEBUG):
            logger.debug(
                "pacing %s: waited %.3fs for query cost (%r)",
                ticket.operation or "operation",
                seconds,
                self,
            )
        return ticket

    def _try(self, operation: str, key: CostKey | None) -> tuple[Ticket | None, float | None]:
        available, maximum, rate = self._available, self._maximum, self._rate
        if available is None or maximum is None or rate is None:
            if self._blind:
                return self._grant(operation, key, None), 0.0
            if self._in_flight:
                return None, None
            return self._grant(operation, key, None, alone=True), 0.0
        self._refill(time.monotonic())
        available = self._available
        assert available is not None
        cost = self._costs.estimate(key)
        if cost is None:  # not covered by any answer: the most a query may cost
            cost = max(MAX_QUERY_COST, self._costs.largest(operation) or 0.0)
        # A call costing the whole bucket (or more) waits for a full one.
        cost = min(cost, maximum)
        needed = min(cost + MARGIN_POINTS, maximum)
        if needed > maximum - self._in_flight_cost:
            # The model refills only up to what calls in flight leave free, so no
            # refill can grant this: only an answer can.
            return None, None
        if available >= needed:
            return self._grant(operation, key, cost), 0.0
        return None, (needed - available) / rate

    def _grant(
        self, operation: str, key: CostKey | None, cost: float | None, *, alone: bool = False
    ) -> Ticket:
        shared = self._in_flight > 0
        self._in_flight += 1
        self._grants += 1
        if cost is not None and self._available is not None:
            self._available -= cost
            self._in_flight_cost += cost
        return Ticket(operation, cost, self._grants, shared, key=key, alone=alone)

    # -- answers ----------------------------------------------------------------------

    def settle(
        self,
        ticket: Ticket,
        cost: QueryCost | None,
        *,
        sent: bool = True,
        answered: bool = False,
    ) -> None:
        """The end of ``ticket``'s call: learn its cost and re-read the bucket.

        ``cost`` is the answer's ``extensions.cost`` (None when there was none);
        ``sent`` False gives back what an unsent call reserved; ``answered`` says
        Shopify answered the call (a successful answer), so a missing ``cost``
        means the shop reports none. Wakes the first call in line.
        """
        with self._lock:
            if ticket.settled:
                return
            ticket.settled = True
            self._in_flight = max(0, self._in_flight - 1)
            if ticket.cost is not None:
                self._in_flight_cost -= ticket.cost
                if not sent and self._available is not None:
                    self._available += ticket.cost
            if self._in_flight == 0 or self._in_flight_cost < 0:
                # Nothing in flight is exactly nothing: float sums of many costs
                # drift by an ulp or so, and a call costing the whole bucket would
                # wait for ever on 1e-13 points "still in flight" (issue 21).
                self._in_flight_cost = 0.0
            self._learn(ticket, cost, answered)
            first = self._queue[0] if self._queue else None
        if first is not None:
            first.wake()

    def flush(self) -> None:
        """Send what the limiter kept for later (a Redis-paced limiter's settles, see
        ``_redis_settles``); an in-process limiter keeps nothing. Clients call it when
        they close."""

    async def flush_async(self) -> None:
        """:meth:`flush` for a task (a client's ``aclose()``)."""

    async def settle_async(
        self,
        ticket: Ticket,
        cost: QueryCost | None,
        *,
        sent: bool = True,
        answered: bool = False,
    ) -> None:
        """:meth:`settle` for a task (a limiter whose model lives in Redis awaits it)."""
        self.settle(ticket, cost, sent=sent, answered=answered)

    def _learn(self, ticket: Ticket, cost: QueryCost | None, answered: bool) -> None:
        reading = None
        if cost is not None:
            requested = _figure(cost.requested)
            if requested is not None and ticket.key is not None:
                self._costs.learn(ticket.key, requested)
            reading = _reading(cost)
        if reading is None:
            if answered and self._available is None and not self._blind:
                self._blind = True
                logger.debug("pacing: answers carry no usable query cost; calls go unpaced")
            return
        self._blind = False
        current, maximum, rate = reading
        self._rate, self._maximum = rate, maximum
        now = time.monotonic()
        reported = current - self._in_flight_cost
        alone = not ticket.shared and ticket.grant == self._grants
        if self._available is None or alone:
            self._available, self._at = reported, now
            return
        self._refill(now)
        actual = _figure(cost.actual) if cost is not None else None
        if ticket.cost is not None and actual is not None and actual < ticket.cost:
            self._available += ticket.cost - actual  # Shopify's refund
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
        refilled = self._available + max(0.0, now - self._at) * self._rate
        if self._maximum:
            refilled = min(refilled, self._maximum - self._in_flight_cost)
        self._available = refilled
        self._at = now
