"""The link of a :class:`~._redis_pacing.RedisQueryCostLimiter` to Redis: its
clients (sync, and one asyncio client per event loop from a URL), the one script
every command runs (``_redis_scripts.PACE``), and what happens when Redis fails.

Faults (docs/many-workers.md): every Redis command has a short timeout, so Redis
unreachable, gone mid-run or slow never fails nor hangs a call. The limiter logs
one WARNING and paces in this process only, trying Redis again every
:data:`RETRY_SECONDS`; when Redis answers, it logs that at INFO and shares again,
first sending the settles Redis missed meanwhile (:data:`MAX_MISSED` at most; the
older ones are left to their lease).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
import time
from collections import deque
from collections.abc import Callable
from typing import Any, ClassVar

from . import _redis_scripts
from ._exceptions import ConfigurationError
from ._redis_settles import MAX_BATCH, Entry

__all__ = ["DEFAULT_REDIS_TIMEOUT", "MAX_MISSED", "RETRY_SECONDS", "SAME_OUTAGE_SECONDS"]

logger = logging.getLogger("shopify_client")

#: seconds: the longest one Redis command may take (connect, send, answer) before
#: the limiter paces in-process; loopback answers in a tenth of a millisecond
DEFAULT_REDIS_TIMEOUT = 0.5
#: seconds after a Redis failure before it is tried again
RETRY_SECONDS = 1.0
#: seconds after Redis came back during which a new failure is the same outage
SAME_OUTAGE_SECONDS = 10.0
#: settles kept while Redis fails, sent when it answers again
MAX_MISSED = 10_000

_MISSING = (
    "pacing over Redis needs the redis package: install the extra "
    "shopify-graphql-typed[redis] (pip install 'shopify-graphql-typed[redis]')"
)


def _redis_module() -> Any:
    try:
        import redis
    except ImportError:
        raise ConfigurationError(_MISSING) from None
    return redis


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


class RedisLink:
    """The Redis side of a limiter (a base of RedisQueryCostLimiter)."""

    _lock: threading.Lock  # the limiter's

    def _open(self, redis: object, timeout: float) -> None:
        module = _redis_module()
        self._timeout = timeout
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
        self._no_script: type[BaseException] = module.exceptions.NoScriptError
        self._sync_script: Any = None
        self._async_script: Any = None
        self._down_until = 0.0  # monotonic: before it, pace in-process
        self._outage = False  # a WARNING was logged, and no success since
        self._back_at = -SAME_OUTAGE_SECONDS  # monotonic: when Redis last came back
        #: settles Redis missed while failing (bounded: the oldest are left to their lease)
        self._missed: deque[Entry] = deque(maxlen=MAX_MISSED)
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

    def _command(
        self, reserve: tuple[str, str] | None, batch: list[Entry]
    ) -> tuple[list[str], list[str]]:
        """PACE's keys and arguments: a reserve (its learned-costs key and fields; None:
        settles only) and settles."""
        raise NotImplementedError

    # -- the Redis calls -------------------------------------------------------------

    def _script(self) -> Any:
        if self._sync_script is None:
            self._sync_script = self._sync.register_script(_redis_scripts.PACE)
        return self._sync_script

    def _call(self, keys: list[str], args: list[str]) -> Any:
        """One PACE, from sync code (EVALSHA, loading the script if Redis lost it:
        what redis-py's Script does, without its per-call checks)."""
        script, client = self._script(), self._sync
        try:
            return client.evalsha(script.sha, len(keys), *keys, *args)
        except self._no_script:
            script.sha = client.script_load(script.script)
            return client.evalsha(script.sha, len(keys), *keys, *args)

    def _async_client(self) -> tuple[Any, Any]:
        """The asyncio client of the running loop (one per loop, from a URL), and its
        PACE script."""
        loop = asyncio.get_running_loop()
        if self._async is None or (self._url is not None and self._async_loop is not loop):
            if self._url is None:  # a sync client was given: none to make
                raise LookupError
            module = _redis_module()
            self._async = module.asyncio.Redis.from_url(self._url, **self._client_options(module))
            self._async_loop = loop
            self._async_script = None
        if self._async_script is None:
            self._async_script = self._async.register_script(_redis_scripts.PACE)
        return self._async, self._async_script

    async def _run_async(self, keys: list[str], args: list[str]) -> Any:
        """One PACE, from a task."""
        try:
            client, script = self._async_client()
        except LookupError:  # only a sync client: in a thread
            return await asyncio.wait_for(
                asyncio.to_thread(self._call, keys, args), self._timeout * 2
            )
        if self._url is not None:
            # a client made here: its socket timeouts bound the connect, the send and
            # the answer (no asyncio.timeout on top: a tenth of the call's overhead)
            return await self._evalsha(client, script, keys, args)
        # a hard bound on top of the socket timeouts (a client object's may be none)
        async with asyncio.timeout(self._timeout * 2):
            return await self._evalsha(client, script, keys, args)

    async def _evalsha(self, client: Any, script: Any, keys: list[str], args: list[str]) -> Any:
        try:
            return await client.evalsha(script.sha, len(keys), *keys, *args)
        except self._no_script:
            script.sha = await client.script_load(script.script)
            return await client.evalsha(script.sha, len(keys), *keys, *args)

    # -- settles sent on their own -------------------------------------------------------

    def _send(self, batch: list[Entry]) -> None:
        """Settles, from sync code, with no reserve (Redis failing: kept for later)."""
        if not batch:
            return
        if not self._use_redis():
            self._miss(batch)
            return
        try:
            self._call(*self._command(None, batch))
        except self._errors as exc:
            self._failed(exc)
            self._miss(batch)
        else:
            self._back()

    async def _send_async(self, batch: list[Entry]) -> None:
        """:meth:`_send` from a task."""
        if not batch:
            return
        if not self._use_redis():
            self._miss(batch)
            return
        try:
            await self._run_async(*self._command(None, batch))
        except self._errors as exc:
            self._failed(exc)
            self._miss(batch)
        else:
            await self._back_async()

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

    def _answered(self) -> list[Entry]:
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

    def _miss(self, batch: list[Entry]) -> None:
        """Settles Redis did not get: sent when it answers again (else their lease ends)."""
        with self._lock:
            self._missed.extend(batch)

    def _back(self) -> None:
        missed = self._answered()
        for start in range(0, len(missed), MAX_BATCH):
            batch = missed[start : start + MAX_BATCH]
            try:
                self._call(*self._command(None, batch))
            except self._errors as exc:
                self._failed(exc)
                self._miss(missed[start:])
                return

    async def _back_async(self) -> None:
        missed = self._answered()
        for start in range(0, len(missed), MAX_BATCH):
            batch = missed[start : start + MAX_BATCH]
            try:
                await self._run_async(*self._command(None, batch))
            except self._errors as exc:
                self._failed(exc)
                self._miss(missed[start:])
                return

    _tasks: ClassVar[set[asyncio.Task[None]]] = set()

    @classmethod
    def _spawn(cls, loop: asyncio.AbstractEventLoop, make: Callable[[], Any]) -> None:
        task: asyncio.Task[None] = loop.create_task(make())
        cls._tasks.add(task)
        task.add_done_callback(cls._tasks.discard)
