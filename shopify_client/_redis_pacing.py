"""Pacing shared by every process and machine: one shop's bucket model in Redis.

Shopify's Admin limit is one bucket per app and shop; every worker of the app on
the shop draws from it. ``pacing="redis://host:port/db"`` (or a ``redis`` client
object) on an Admin client keeps :class:`~._pacing.QueryCostLimiter`'s model of
that bucket in Redis, where every client of the same shop and app, in any process,
finds it:

* every read-modify-write is one Lua script (:mod:`._redis_scripts`), run
  atomically with the server's clock: reserve before sending, settle after;
* learned costs are shared too, by the same key as in-process (:mod:`._costs`),
  stored under a hash of the key's skeleton (the document and the variables'
  shape; never a string value);
* keys name the shop and a hash of the access token (:func:`app_id`), never the
  token; nothing secret is stored. Every key expires ``ttl`` seconds after its
  last use; a call's reservation is a lease that ends after ``lease`` seconds, so
  a process that died holding reservations frees them.

Faults (docs/many-workers.md): every Redis command has a short timeout, so Redis
unreachable, gone mid-run or slow never fails nor hangs a call. The limiter logs
one WARNING and paces in this process only (the :class:`QueryCostLimiter` it is),
trying Redis again every :data:`RETRY_SECONDS`; when Redis answers, it logs that
at INFO and shares again. A restarted Redis (state lost) is rebuilt from the next
answers, as a new limiter is. While Redis is up, every answer is also read into the
in-process model, so a fallback starts from a recent bucket.

Waiting across processes polls Redis (every :data:`POLL_SECONDS` at most, or once
the bucket will have refilled): nothing wakes a process on another's answer.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import hashlib
import itertools
import logging
import os
import threading
import time
import uuid
import weakref
from collections import deque
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, ClassVar, NoReturn, Protocol, runtime_checkable

from . import _redis_scripts
from ._costs import MAX_SIZES, MAX_SKELETONS, CostKey, cost_key
from ._exceptions import ConfigurationError, PacingTimeoutError
from ._pacing import (
    MARGIN_POINTS,
    MAX_PACING_WAIT,
    MAX_QUERY_COST,
    NO_KEY,
    QueryCostLimiter,
    Ticket,
    _figure,
    _NoKey,
    _reading,
    _shop_of,
)

if TYPE_CHECKING:
    from ._records import QueryCost

__all__ = ["RedisClient", "RedisQueryCostLimiter", "app_id", "is_redis_pacing"]

logger = logging.getLogger("shopify_client")

#: seconds: the longest one Redis command may take (connect, send, answer) before
#: the limiter paces in-process; loopback answers in a tenth of a millisecond
DEFAULT_REDIS_TIMEOUT = 0.5
#: seconds after a Redis failure before it is tried again
RETRY_SECONDS = 1.0
#: the longest a waiting call sleeps before asking Redis again
POLL_SECONDS = 0.01
#: seconds a call's reservation lasts in Redis if its process never settles it
DEFAULT_LEASE = 60.0
#: seconds an unused key lives
DEFAULT_TTL = 3600.0
#: seconds a bulk operation's slot lasts unless renewed (each poll renews it)
DEFAULT_SLOT_LEASE = 600.0
#: seconds after Redis came back during which a new failure is the same outage
SAME_OUTAGE_SECONDS = 10.0
#: settles kept while Redis fails, sent when it answers again
MAX_MISSED = 10_000
#: seconds between the chores of one limiter's scripts (a lease ends this much late)
CHORES_SECONDS = 1.0
#: seconds a limiter that reserved counts as sharing the bucket
PEER_SECONDS = 60
#: the key prefix
PREFIX = "shopify_client:pacing"
#: skeleton hashes remembered in this process (computing one hashes the document)
_MAX_DIGESTS = 1024

_REDIS_SCHEMES = ("redis://", "rediss://", "unix://")
_MISSING = (
    "pacing over Redis needs the redis package: install the extra "
    "shopify-graphql-typed[redis] (pip install 'shopify-graphql-typed[redis]')"
)


@runtime_checkable
class RedisClient(Protocol):
    """What ``pacing=`` takes for a Redis client object: a ``redis.Redis`` or a
    ``redis.asyncio.Redis`` (the ``redis`` extra)."""

    def register_script(self, script: str) -> Any: ...


def _redis_module() -> Any:
    try:
        import redis
    except ImportError:
        raise ConfigurationError(_MISSING) from None
    return redis


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


def _where(url: str) -> str:
    """A URL without what may be secret in it (a password), for messages."""
    from urllib.parse import urlsplit

    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        port = f":{parts.port}" if parts.port else ""
    except ValueError:
        return "redis"
    return f"{parts.scheme}://{host}{port}{parts.path}"


class _RedisTicket(Ticket):
    """A ticket granted by Redis: settled there."""

    __slots__ = ("loop", "member")

    def __init__(
        self,
        operation: str,
        cost: float | None,
        grant: int,
        shared: bool,
        *,
        key: CostKey | None,
        alone: bool,
        member: str,
    ) -> None:
        super().__init__(operation, cost, grant, shared, key=key, alone=alone)
        self.member = member
        self.loop: asyncio.AbstractEventLoop | None = None


class RedisQueryCostLimiter(QueryCostLimiter):
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
        module = _redis_module()
        self._timeout, self._lease, self._ttl = float(timeout), float(lease), int(max(1, ttl))
        #: seconds a bulk operation's slot lasts unless a poll renews it
        self.slot_lease = float(slot_lease)
        self._app = app_id(access_token)
        self._sync: Any = None
        self._async: Any = None  # a redis.asyncio.Redis, or one per event loop (from a URL)
        self._async_loop: asyncio.AbstractEventLoop | None = None
        self._url: str | None = None
        if isinstance(redis, str):
            self._url = redis
            self._where = _where(redis)
            try:
                self._sync = module.Redis.from_url(redis, **self._client_options(module))
            except ValueError as exc:
                raise ConfigurationError(
                    f"pacing=: not a usable Redis URL ({type(exc).__name__})"
                ) from None
        elif isinstance(redis, module.Redis):
            self._sync = redis
            self._where = "the given redis.Redis"
        elif isinstance(redis, module.asyncio.Redis):
            self._async = redis
            self._where = "the given redis.asyncio.Redis"
        else:
            raise ConfigurationError(
                "pacing= must be True, False, a QueryCostLimiter, a Redis URL, a redis.Redis "
                f"or a redis.asyncio.Redis, not {type(redis).__name__}"
            )
        self._errors: tuple[type[BaseException], ...] = (
            module.RedisError,
            OSError,
            asyncio.TimeoutError,
        )
        self._prefix: str | None = None
        self._ids = itertools.count()
        self._id_base = uuid.uuid4().hex[:12]
        self._digests: dict[tuple[str, tuple[object, ...]], str] = {}
        self._down_until = 0.0  # monotonic: before it, pace in-process
        self._outage = False  # a WARNING was logged, and no success since
        self._back_at = -SAME_OUTAGE_SECONDS  # monotonic: when Redis last came back
        #: settles Redis missed while failing (bounded: the oldest are left to their lease)
        self._missed: deque[tuple[list[str], list[object]]] = deque(maxlen=MAX_MISSED)
        self._pid = os.getpid()
        self._sync_scripts: tuple[Any, Any] | None = None
        self._async_scripts: tuple[Any, Any] | None = None
        #: limiters that reserved from the bucket lately (this one included), as Redis
        #: last said: while Redis fails, this one paces on its share of the bucket
        self._peers = 1
        self._sync_turn = threading.Lock()
        self._async_turns: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Lock] = (
            weakref.WeakKeyDictionary()
        )
        self._chores_at = [0.0, 0.0]  # monotonic: when RESERVE, SETTLE next do the chores
        #: Redis failures seen (for tests and benchmarks)
        self.failures = 0

    def _client_options(self, module: Any) -> dict[str, Any]:
        from redis.backoff import NoBackoff
        from redis.retry import Retry

        return {
            "socket_timeout": self._timeout,
            "socket_connect_timeout": self._timeout,
            # No retries inside redis-py: a failure falls back at once.
            "retry": Retry(NoBackoff(), 0),
            "health_check_interval": 0,
        }

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
            self._prefix = f"{PREFIX}:{{{shop}|{self._app}}}"

    # -- keys and arguments ---------------------------------------------------------

    def _digest(self, key: CostKey) -> str:
        skeleton = (key[0], key[1])
        digest = self._digests.get(skeleton)
        if digest is None:
            digest = hashlib.sha256(repr(skeleton).encode()).hexdigest()[:32]
            if len(self._digests) >= _MAX_DIGESTS:
                self._digests.clear()
            self._digests[skeleton] = digest
        return digest

    def _keys(self, key: CostKey | None) -> list[str]:
        prefix = self._prefix
        if prefix is None:
            raise ConfigurationError("a RedisQueryCostLimiter is bound to its client's shop first")
        costs = f"{prefix}:costs:{self._digest(key)}" if key is not None else f"{prefix}:costs:-"
        return [
            f"{prefix}:bucket",
            f"{prefix}:inflight",
            costs,
            f"{prefix}:ops",
            f"{prefix}:peers",
            f"{prefix}:leases",
        ]

    @staticmethod
    def _sizes(key: CostKey | None) -> str:
        return "" if key is None else ",".join(str(size) for size in key[2])

    def _reserve_args(
        self, operation: str, key: CostKey | None
    ) -> tuple[list[str], list[object], str]:
        if os.getpid() != self._pid:  # forked: a ticket id of its own
            self._pid, self._id_base = os.getpid(), uuid.uuid4().hex[:12]
        ticket_id = f"{self._id_base}{next(self._ids):x}"
        args: list[object] = [
            self._ttl, 1 if key is not None else 0, self._sizes(key), operation,
            ticket_id, self._lease, MARGIN_POINTS, MAX_QUERY_COST, self._id_base, PEER_SECONDS,
            self._chores(0),
        ]  # fmt: skip
        return self._keys(key), _packed(args), ticket_id

    def _chores(self, which: int) -> int:
        """1 at most once every CHORES_SECONDS per script: that call does the chores
        (leases past their end, times to live, the limiters' count)."""
        now = time.monotonic()
        if now < self._chores_at[which]:
            return 0
        self._chores_at[which] = now + CHORES_SECONDS
        return 1

    def _cancel(self, keys: list[str], ticket_id: str) -> None:
        """A reserve that failed on our side may have run on Redis's (a timeout):
        give back what it may have reserved, once Redis answers (a no-op if it did not)."""
        args: list[object] = [
            self._ttl, ticket_id, -1, 0, 0, -1, 0, "", "", -1, -1, -1, -1, 0, 1,
            MAX_SIZES, MAX_SKELETONS, 1,
        ]  # fmt: skip
        self._miss(keys, _packed(args))

    def _ticket(
        self, reply: bytes | str, operation: str, key: CostKey | None, member: str
    ) -> tuple[_RedisTicket | None, float | None]:
        text = reply.decode() if isinstance(reply, bytes) else reply
        granted, wait, grant, shared, cost, alone, peers = text.split(" ")
        if int(peers) > 0:
            self._peers = int(peers)
        if not int(granted):
            seconds = float(wait)
            return None, None if seconds < 0 else seconds
        counted = float(cost)
        value = None if counted < 0 else counted
        ticket = _RedisTicket(
            operation, value, int(grant), bool(int(shared)), key=key, alone=bool(int(alone)),
            member=member,
        )  # fmt: skip
        return ticket, 0.0

    def _settle_args(
        self, ticket: _RedisTicket, cost: QueryCost | None, sent: bool, answered: bool
    ) -> tuple[list[str], list[object]]:
        requested = actual = None
        reading = None
        if cost is not None:
            requested = _figure(cost.requested)
            actual = _figure(cost.actual)
            reading = _reading(cost)
        current, maximum, rate = reading if reading is not None else (-1.0, -1.0, -1.0)
        key = ticket.key
        args: list[object] = [
            self._ttl, ticket.member, -1 if ticket.cost is None else ticket.cost,
            1 if sent else 0, 1 if answered else 0, -1 if requested is None else requested,
            1 if key is not None else 0, self._sizes(key), ticket.operation,
            current, maximum, rate, -1 if actual is None else actual, ticket.grant,
            1 if ticket.shared else 0, MAX_SIZES, MAX_SKELETONS, self._chores(1),
        ]  # fmt: skip
        return self._keys(key), _packed(args)

    # -- faults -------------------------------------------------------------------------

    def _use_redis(self) -> bool:
        """Whether to ask Redis now: always while it answers; after a failure, one
        caller every RETRY_SECONDS (the others pace in-process meanwhile)."""
        if not self._outage:
            return True
        with self._lock:
            now = time.monotonic()
            if now < self._down_until:
                return False
            self._down_until = now + RETRY_SECONDS  # this caller probes
            return True

    def _failed(self, exc: BaseException) -> None:
        now = time.monotonic()
        with self._lock:
            self.failures += 1
            self._down_until = now + RETRY_SECONDS
            if self._outage:
                return
            self._outage = True
            # failing again soon after coming back (a restart's stale connections, a
            # Redis that flaps) is the same outage: one WARNING for it
            again = now - self._back_at < SAME_OUTAGE_SECONDS
        self._drop_idle()
        # the exception's type only: its text may name more than the host
        logger.log(
            logging.INFO if again else logging.WARNING,
            "pacing: Redis at %s failed (%s); pacing in this process only until it "
            "answers again (tried every %gs)",
            self._where,
            type(exc).__name__,
            RETRY_SECONDS,
        )

    def _drop_idle(self) -> None:
        """Close the idle pooled connections (a restarted Redis reset them all), so
        that the first command after a recovery does not fail on a stale one."""
        with contextlib.suppress(Exception):
            if self._sync is not None:
                self._sync.connection_pool.disconnect(inuse_connections=False)
        pool = getattr(self._async, "connection_pool", None)
        loop = self._async_loop
        if pool is not None and loop is not None and not loop.is_closed():
            with contextlib.suppress(RuntimeError):
                if asyncio.get_running_loop() is loop:
                    self._spawn(loop, lambda: pool.disconnect(inuse_connections=False))

    def _answered(self) -> list[tuple[list[str], list[object]]]:
        """Redis answered: the settles it missed, to send now (when it came back)."""
        if not self._outage:
            return []
        with self._lock:
            if not self._outage:
                return []
            self._outage = False
            self._back_at = time.monotonic()
            missed = list(self._missed)
            self._missed.clear()
        logger.info("pacing: Redis at %s answers again; pacing is shared again", self._where)
        return missed

    def _miss(self, keys: list[str], args: list[object]) -> None:
        """A settle Redis did not get: sent when it answers again (else its lease ends)."""
        with self._lock:
            self._missed.append((keys, args))

    def _back(self) -> None:
        for keys, args in self._answered():
            try:
                self._scripts()[1](keys=keys, args=args)
            except self._errors as exc:
                self._failed(exc)
                return

    async def _back_async(self) -> None:
        for keys, args in self._answered():
            try:
                await self._run_async(1, keys, args)
            except self._errors as exc:
                self._failed(exc)
                return

    # -- the Redis calls ---------------------------------------------------------------

    def _scripts(self) -> tuple[Any, Any]:
        if self._sync_scripts is None:
            self._sync_scripts = (
                self._sync.register_script(_redis_scripts.RESERVE),
                self._sync.register_script(_redis_scripts.SETTLE),
            )
        return self._sync_scripts

    def _async_client(self) -> tuple[Any, tuple[Any, Any]]:
        """The asyncio client of the running loop (one per loop, from a URL)."""
        loop = asyncio.get_running_loop()
        if self._async is None or (self._url is not None and self._async_loop is not loop):
            if self._url is None:  # a sync client was given: none to make
                raise LookupError
            module = _redis_module()
            self._async = module.asyncio.Redis.from_url(self._url, **self._client_options(module))
            self._async_loop = loop
            self._async_scripts = None
        if self._async_scripts is None:
            self._async_scripts = (
                self._async.register_script(_redis_scripts.RESERVE),
                self._async.register_script(_redis_scripts.SETTLE),
            )
        return self._async, self._async_scripts

    async def _run_async(self, which: int, keys: list[str], args: list[object]) -> Any:
        try:
            _, scripts = self._async_client()
        except LookupError:  # only a sync client: in a thread
            reserve, settle = self._scripts()
            script = (reserve, settle)[which]
            return await asyncio.wait_for(
                asyncio.to_thread(script, keys=keys, args=args), self._timeout * 2
            )
        client, script = self._async, scripts[which]
        if self._url is not None:
            # a client made here: its socket timeouts bound the connect, the send and
            # the answer (no asyncio.timeout on top: a tenth of the call's overhead)
            return await _evalsha(client, script, keys, args)
        # a hard bound on top of the socket timeouts (a client object's may be none)
        async with asyncio.timeout(self._timeout * 2):
            return await _evalsha(client, script, keys, args)

    # -- granting ---------------------------------------------------------------------

    def reserve(
        self, operation: str, variables: Mapping[str, object] | None = None, *, document: str = ""
    ) -> tuple[Ticket | None, float | None]:
        """:meth:`QueryCostLimiter.reserve` against the bucket in Redis (in-process
        while Redis fails)."""
        key = cost_key(operation, variables, document)
        del variables  # not held by a frame a traceback with locals may show
        if self._sync is not None and self._use_redis():
            keys, args, ticket_id = self._reserve_args(operation, key)
            try:
                reply = self._scripts()[0](keys=keys, args=args)
            except self._errors as exc:
                self._failed(exc)
                self._cancel(keys, ticket_id)
            else:
                self._back()
                return self._ticket(reply, operation, key, ticket_id)
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
        """(a ticket, or the wait Redis gave, or True: pace in-process)."""
        if self._sync is None or not self._use_redis():
            return None, None, True
        keys, args, ticket_id = self._reserve_args(operation, key)
        try:
            reply = self._scripts()[0](keys=keys, args=args)
        except self._errors as exc:
            self._failed(exc)
            self._cancel(keys, ticket_id)
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
        keys, args, ticket_id = self._reserve_args(operation, key)
        try:
            reply = await self._run_async(0, keys, args)
        except self._errors as exc:
            self._failed(exc)
            self._cancel(keys, ticket_id)
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
        keys, args = self._settle_args(ticket, cost, sent, answered)
        loop = ticket.loop
        if loop is not None and self._sync is None:
            # an asyncio client only, settled from sync code (a cancelled call): as a task
            with contextlib.suppress(RuntimeError):
                self._spawn(loop, lambda: self._settle_async_call(keys, args))
            return
        if self._sync is None or not self._use_redis():
            self._miss(keys, args)  # sent when Redis answers again
            return
        try:
            self._scripts()[1](keys=keys, args=args)
        except self._errors as exc:
            self._failed(exc)
            self._miss(keys, args)
        else:
            self._back()

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
        keys, args = self._settle_args(ticket, cost, sent, answered)
        await self._settle_async_call(keys, args)

    async def _settle_async_call(self, keys: list[str], args: list[object]) -> None:
        if not self._use_redis():
            self._miss(keys, args)  # sent when Redis answers again
            return
        try:
            await self._run_async(1, keys, args)
        except self._errors as exc:
            self._failed(exc)
            self._miss(keys, args)
        else:
            await self._back_async()

    _tasks: ClassVar[set[asyncio.Task[None]]] = set()

    @classmethod
    def _spawn(cls, loop: asyncio.AbstractEventLoop, make: Callable[[], Any]) -> None:
        task: asyncio.Task[None] = loop.create_task(make())
        cls._tasks.add(task)
        task.add_done_callback(cls._tasks.discard)

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


async def _evalsha(client: Any, script: Any, keys: list[str], args: list[object]) -> Any:
    """EVALSHA of a registered script, loading it if Redis lost it (a restart): what
    redis-py's Script does, without its per-call checks (a few microseconds a call)."""
    try:
        return await client.evalsha(script.sha, len(keys), *keys, *args)
    except _redis_module().exceptions.NoScriptError:
        script.sha = await client.script_load(script.script)
        return await client.evalsha(script.sha, len(keys), *keys, *args)


def _packed(args: list[object]) -> list[object]:
    """RESERVE's and SETTLE's arguments as one string (see ._redis_scripts)."""
    return ["\x1f".join([str(arg) for arg in args])]


def _part(figure: float | None, peers: int) -> float | None:
    return None if figure is None else figure / peers


def redis_limiter(
    pacing: object, access_token: str, *, asynchronous: bool
) -> RedisQueryCostLimiter:
    """The limiter of an Admin client's ``pacing=`` that names Redis."""
    limiter = RedisQueryCostLimiter(pacing, access_token=access_token)
    limiter.usable_by(asynchronous=asynchronous)
    return limiter
