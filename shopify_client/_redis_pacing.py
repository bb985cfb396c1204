"""Pacing shared by every process and machine: one shop's bucket model in Redis.

Shopify's Admin limit is one bucket per app and shop; every worker of the app on
the shop draws from it. ``pacing="redis://host:port/db"`` (or a ``redis`` client
object) on an Admin client keeps :class:`~._pacing.QueryCostLimiter`'s model of
that bucket in Redis, where every client of the same shop and app, in any process,
finds it:

* every read-modify-write is one Lua script (:mod:`._redis_scripts`), run
  atomically with the server's clock: reserve before sending, settle after;
* one round trip a call: a call's settle is kept (:mod:`._redis_settles`) and
  carried by the limiter's next command, the reserve of its next call, which the
  script applies before it reserves; a settle no command carries within
  :data:`~._redis_settles.SETTLE_DELAY` is sent on its own, off the caller's path.
  The call that learns the bucket (the first, alone) settles at once;
* learned costs are shared too, by the same key as in-process (:mod:`._costs`),
  stored under a hash of the key's skeleton (the document and the variables'
  shape; never a string value);
* keys name the shop and a hash of the access token (:func:`app_id`), never the
  token; nothing secret is stored. Every key expires ``ttl`` seconds after its
  last use; a call's reservation is a lease that ends after ``lease`` seconds, so
  a process that died holding reservations frees them.

Faults: see :mod:`._redis_link`. While Redis fails the limiter paces in this
process only (the :class:`QueryCostLimiter` it is); a restarted Redis (state lost)
is rebuilt from the next answers, as a new limiter is. While Redis is up, every
answer is also read into the in-process model, so a fallback starts from a recent
bucket.

Waiting across processes polls Redis (every :data:`POLL_SECONDS` at most, or once
the bucket will have refilled): nothing wakes a process on another's answer.
"""

from __future__ import annotations

import asyncio
import dataclasses
import hashlib
import threading
import time
import weakref
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, NoReturn, Protocol, runtime_checkable

from ._costs import CostKey, cost_key
from ._exceptions import ConfigurationError, PacingTimeoutError
from ._pacing import (
    MAX_PACING_WAIT,
    NO_KEY,
    QueryCostLimiter,
    Ticket,
    _figure,
    _NoKey,
    _reading,
    _shop_of,
)
from ._redis_link import (
    DEFAULT_REDIS_TIMEOUT,
    MAX_MISSED,
    RETRY_SECONDS,
    SAME_OUTAGE_SECONDS,
    RedisLink,
)
from ._redis_settles import SETTLE_DELAY, Settles
from ._redis_wire import PaceWire, _RedisTicket

if TYPE_CHECKING:
    from ._records import QueryCost

__all__ = [
    "DEFAULT_REDIS_TIMEOUT",
    "MAX_MISSED",
    "RETRY_SECONDS",
    "SAME_OUTAGE_SECONDS",
    "SETTLE_DELAY",
    "RedisClient",
    "RedisQueryCostLimiter",
    "app_id",
    "is_redis_pacing",
]

#: the longest a waiting call sleeps before asking Redis again
POLL_SECONDS = 0.01
#: seconds a call's reservation lasts in Redis if its process never settles it
DEFAULT_LEASE = 60.0
#: seconds an unused key lives
DEFAULT_TTL = 3600.0
#: seconds a bulk operation's slot lasts unless renewed (each poll renews it)
DEFAULT_SLOT_LEASE = 600.0
#: the key prefix
PREFIX = "shopify_client:pacing"

_REDIS_SCHEMES = ("redis://", "rediss://", "unix://")


@runtime_checkable
class RedisClient(Protocol):
    """What ``pacing=`` takes for a Redis client object: a ``redis.Redis`` or a
    ``redis.asyncio.Redis`` (the ``redis`` extra)."""

    def register_script(self, script: str) -> Any: ...


def is_redis_pacing(pacing: object) -> bool:
    """Whether ``pacing=`` names Redis: a redis:// URL or a redis client object."""
    if isinstance(pacing, str):
        return True  # a URL; a str that is not one is refused by the limiter
    module = type(pacing).__module__
    return module == "redis" or module.startswith("redis.")


def app_id(access_token: str) -> str:
    """What names the app in Redis keys: a hash of its access token (never the token)."""
    digest = hashlib.sha256(b"shopify_client pacing\0" + access_token.encode()).hexdigest()
    return digest[:24]


class RedisQueryCostLimiter(PaceWire, RedisLink, QueryCostLimiter):
    """A :class:`QueryCostLimiter` whose model lives in Redis, shared by every client
    of one shop and app; in-process when Redis fails (see the module's docstring).

    ``redis``: a ``redis://host:port/db`` URL (``rediss://``, ``unix://``), a
    ``redis.Redis`` or a ``redis.asyncio.Redis``. ``access_token``: the app's token,
    hashed into the keys. ``timeout``: seconds one Redis command may take (URLs
    only; a client object keeps its own settings). ``lease``: seconds a reservation
    outlives a process that never settles it. ``ttl``: seconds an unused key lives.
    ``slot_lease``: seconds a bulk operation's slot outlives a process that stopped
    polling it (:mod:`._bulk_slots`).
    """

    def __init__(
        self,
        redis: object,
        *,
        access_token: str,
        max_wait: float = MAX_PACING_WAIT,
        timeout: float = DEFAULT_REDIS_TIMEOUT,
        lease: float = DEFAULT_LEASE,
        ttl: float = DEFAULT_TTL,
        slot_lease: float = DEFAULT_SLOT_LEASE,
    ) -> None:
        super().__init__(max_wait=max_wait)
        checked = (("timeout", timeout), ("lease", lease), ("ttl", ttl), ("slot_lease", slot_lease))
        for name, value in checked:
            if (
                isinstance(value, bool)
                or not isinstance(value, int | float)
                or not 0 < value <= 86_400
            ):
                raise ConfigurationError(
                    f"{name} must be a positive number of seconds up to 86,400"
                )
        if isinstance(redis, str) and not redis.startswith(_REDIS_SCHEMES):
            raise ConfigurationError(
                "pacing= as a string must be a Redis URL (redis://host:port/db, "
                "rediss://..., unix://...)"
            )
        self._open(redis, float(timeout))
        self._lease, self._ttl = float(lease), int(max(1, ttl))
        #: seconds a bulk operation's slot lasts unless a poll renews it
        self.slot_lease = float(slot_lease)
        self._app = app_id(access_token)
        self._prefix: str | None = None
        self._fixed: tuple[str, str, str, str, str] = ("", "", "", "", "")
        self._wire()
        self._sync_turn = threading.Lock()
        self._async_turns: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Lock] = (
            weakref.WeakKeyDictionary()
        )
        #: settles kept for the next command (one round trip a call)
        self._settles = Settles(
            self._send if self._sync is not None else None, self._send_async, self._timeout * 2
        )

    def __repr__(self) -> str:
        state = "in-process (Redis failing)" if self._outage else "shared"
        return f"<RedisQueryCostLimiter {self._where} {self._prefix or 'unbound'} {state}>"

    @property
    def shared(self) -> bool:
        """Whether pacing is shared through Redis now (False: in-process, Redis failing)."""
        return not self._outage

    def usable_by(self, *, asynchronous: bool) -> None:
        """Refuse a sync client when only an asyncio Redis client was given."""
        if not asynchronous and self._sync is None:
            raise ConfigurationError(
                "a synchronous client cannot use a redis.asyncio.Redis for pacing: give "
                "a redis.Redis or a Redis URL"
            )

    def check_app(self, access_token: str) -> None:
        if app_id(access_token) != self._app:
            raise ConfigurationError(
                "this RedisQueryCostLimiter paces another app's bucket (another access "
                "token): give each app its own pacing"
            )

    def bind(self, endpoint: str) -> None:
        super().bind(endpoint)
        if self._prefix is None:
            shop = _shop_of(endpoint)
            # {...}: a Redis Cluster keeps one bucket's keys in one slot
            prefix = self._prefix = f"{PREFIX}:{{{shop}|{self._app}}}"
            self._fixed = (
                f"{prefix}:bucket",
                f"{prefix}:inflight",
                f"{prefix}:ops",
                f"{prefix}:peers",
                f"{prefix}:leases",
            )

    def flush(self) -> None:
        """Send the settles kept for the next command now (a client's ``close()``)."""
        self._settles.flush()

    async def flush_async(self) -> None:
        """:meth:`flush` from a task (a client's ``aclose()``)."""
        await self._settles.flush_async()

    # -- granting ---------------------------------------------------------------------

    def reserve(
        self, operation: str, variables: Mapping[str, object] | None = None, *, document: str = ""
    ) -> tuple[Ticket | None, float | None]:
        """:meth:`QueryCostLimiter.reserve` against the bucket in Redis (in-process
        while Redis fails)."""
        key = cost_key(operation, variables, document)
        del variables  # not held by a frame a traceback with locals may show
        ticket, wait, down = self._attempt(operation, key)
        if not down:
            return ticket, wait
        with self._lock:
            return self._try(operation, key)

    # A process's waiting calls queue in order (a lock per limiter, one per event loop
    # for tasks): only the first of them polls Redis, the others wait their turn
    # locally. Without it, every waiting call polled (80 of them in the bench, a few
    # thousand scripts a second, for the CPU the calls themselves needed).

    def acquire(
        self,
        operation: str,
        variables: Mapping[str, object] | None = None,
        *,
        document: str = "",
        held: float = 0.0,
        key: CostKey | None | _NoKey = NO_KEY,
    ) -> Ticket:
        if isinstance(key, _NoKey):
            key = cost_key(operation, variables, document)
        del variables  # not held by a frame a traceback with locals may show
        started = time.monotonic()
        turn = self._sync_turn
        if not turn.locked():
            ticket, _, down = self._attempt(operation, key)
            if ticket is not None:
                return self._done(ticket, held, started)
            if down:
                return super().acquire(operation, key=key, held=held + time.monotonic() - started)
        if not turn.acquire(timeout=max(0.0, self._max_wait - held)):
            self._timed_out(operation, held, started)
        try:
            while True:
                ticket, wait, down = self._attempt(operation, key)
                if ticket is not None:
                    return self._done(ticket, held, started)
                if down:
                    return super().acquire(
                        operation, key=key, held=held + time.monotonic() - started
                    )
                time.sleep(self._poll(operation, held, started, wait))
        finally:
            turn.release()

    def _attempt(
        self, operation: str, key: CostKey | None
    ) -> tuple[_RedisTicket | None, float | None, bool]:
        """(a ticket, or the wait Redis gave, or True: pace in-process). One round
        trip, carrying the settles kept since the last one."""
        if self._sync is None or not self._use_redis():
            return None, None, True
        reserve, ticket_id = self._reserve(operation, key)
        batch = self._settles.take()
        try:
            reply = self._call(*self._command(reserve, batch))
        except self._errors as exc:
            self._failed(exc)
            self._miss(batch)
            self._cancel(ticket_id)
            return None, None, True
        self._back()
        ticket, wait = self._ticket(reply, operation, key, ticket_id)
        return ticket, wait, False

    async def acquire_async(
        self,
        operation: str,
        variables: Mapping[str, object] | None = None,
        *,
        document: str = "",
        held: float = 0.0,
        key: CostKey | None | _NoKey = NO_KEY,
    ) -> Ticket:
        if isinstance(key, _NoKey):
            key = cost_key(operation, variables, document)
        del variables  # not held by a frame a traceback with locals may show
        started = time.monotonic()
        turn = self._async_turn()
        if not turn.locked():
            ticket, _, down = await self._attempt_async(operation, key)
            if ticket is not None:
                return self._done(ticket, held, started)
            if down:
                return await super().acquire_async(
                    operation, key=key, held=held + time.monotonic() - started
                )
        try:
            async with asyncio.timeout(max(0.0, self._max_wait - held)):
                await turn.acquire()
        except TimeoutError:
            self._timed_out(operation, held, started)
        try:
            while True:
                ticket, wait, down = await self._attempt_async(operation, key)
                if ticket is not None:
                    return self._done(ticket, held, started)
                if down:
                    return await super().acquire_async(
                        operation, key=key, held=held + time.monotonic() - started
                    )
                await asyncio.sleep(self._poll(operation, held, started, wait))
        finally:
            turn.release()

    async def _attempt_async(
        self, operation: str, key: CostKey | None
    ) -> tuple[_RedisTicket | None, float | None, bool]:
        if not self._use_redis():
            return None, None, True
        reserve, ticket_id = self._reserve(operation, key)
        batch = self._settles.take()
        try:
            reply = await self._run_async(*self._command(reserve, batch))
        except self._errors as exc:
            self._failed(exc)
            self._miss(batch)
            self._cancel(ticket_id)
            return None, None, True
        await self._back_async()
        ticket, wait = self._ticket(reply, operation, key, ticket_id)
        if ticket is not None:
            ticket.loop = asyncio.get_running_loop()
        return ticket, wait, False

    def _async_turn(self) -> asyncio.Lock:
        loop = asyncio.get_running_loop()
        turn = self._async_turns.get(loop)
        if turn is None:
            turn = self._async_turns[loop] = asyncio.Lock()
        return turn

    def _timed_out(self, operation: str, held: float, started: float) -> NoReturn:
        waited = held + (time.monotonic() - started)
        raise PacingTimeoutError(
            f"pacing held {operation or 'the operation'} for {waited:.1f}s, waiting for its "
            f"turn behind this process's other calls, past the limiter's max_wait of "
            f"{self._max_wait:g}s; it was not sent",
            operation=operation or None,
            waited=waited,
            limit=self._max_wait,
            needed=None,
        )

    def _poll(self, operation: str, held: float, started: float, wait: float | None) -> float:
        """Seconds to sleep before asking again (PacingTimeoutError past max_wait)."""
        budget = self._budget(operation, held, started, wait)
        return min(budget, POLL_SECONDS if wait is None else max(wait, 0.001))

    def _done(self, ticket: Ticket, held: float, started: float) -> Ticket:
        seconds = time.monotonic() - started
        ticket.waited = held + seconds
        with self._lock:
            self.waited += seconds
        return ticket

    # -- answers ----------------------------------------------------------------------
    # A settle is kept for the next command (one round trip a call, see
    # ._redis_settles), except the call that learns the bucket: everyone waits on it.

    def settle(
        self,
        ticket: Ticket,
        cost: QueryCost | None,
        *,
        sent: bool = True,
        answered: bool = False,
    ) -> None:
        if not isinstance(ticket, _RedisTicket):
            super().settle(ticket, self._share(cost), sent=sent, answered=answered)
            return
        if ticket.settled:
            return
        ticket.settled = True
        self._warm(ticket, cost)
        entry = self._entry(ticket, cost, sent, answered)
        if self._sync is None:
            # an asyncio client only, settled from sync code (a cancelled call): its
            # loop's timer sends it, unless a command carries it first
            self._settles.put(entry, ticket.loop)
        elif ticket.alone:
            self._send([*self._settles.take(), entry])
        else:
            self._settles.put(entry)

    async def settle_async(
        self,
        ticket: Ticket,
        cost: QueryCost | None,
        *,
        sent: bool = True,
        answered: bool = False,
    ) -> None:
        if not isinstance(ticket, _RedisTicket):
            super().settle(ticket, self._share(cost), sent=sent, answered=answered)
            return
        if ticket.settled:
            return
        ticket.settled = True
        self._warm(ticket, cost)
        entry = self._entry(ticket, cost, sent, answered)
        if ticket.alone:
            await self._send_async([*self._settles.take(), entry])
        else:
            self._settles.put(entry, asyncio.get_running_loop())

    def _share(self, cost: QueryCost | None) -> QueryCost | None:
        """An answer's bucket as this limiter's share of it: while Redis fails, the
        limiters that shared it each pace on a 1/n part (n as Redis last said), so
        that together they stay within it."""
        peers = self._peers
        if cost is None or peers <= 1:
            return cost
        return dataclasses.replace(
            cost,
            maximum_available=_part(cost.maximum_available, peers),
            currently_available=_part(cost.currently_available, peers),
            restore_rate=_part(cost.restore_rate, peers),
        )

    def _warm(self, ticket: _RedisTicket, cost: QueryCost | None) -> None:
        """Read the answer into the in-process model too (as this limiter's share):
        a fallback starts warm."""
        if cost is None:
            return
        requested = _figure(cost.requested)
        reading = _reading(self._share(cost))  # type: ignore[arg-type]
        with self._lock:
            if requested is not None and ticket.key is not None:
                self._costs.learn(ticket.key, requested)
            if reading is not None and self._in_flight == 0:
                self._available, self._maximum, self._rate = reading
                self._at = time.monotonic()
                self._blind = False


def _part(figure: float | None, peers: int) -> float | None:
    return None if figure is None else figure / peers


def redis_limiter(
    pacing: object, access_token: str, *, asynchronous: bool
) -> RedisQueryCostLimiter:
    """The limiter of an Admin client's ``pacing=`` that names Redis."""
    limiter = RedisQueryCostLimiter(pacing, access_token=access_token)
    limiter.usable_by(asynchronous=asynchronous)
    return limiter
