"""Bulk-operation slots counted in Redis, for every process of one app on one shop.

Shopify runs a limited number of bulk operations at once per app and shop (one
query and one mutation before 2026-01, five and five from 2026-01:
:func:`bulk_slot_limit`); past it, ``bulkOperationRunQuery`` answers with a user
error. :class:`BulkSlots` counts the operations every process has running in one
Redis sorted set per shop, app and kind, so that no process submits past the limit:

* :meth:`BulkSlots.acquire` (:meth:`~BulkSlots.acquire_async`) takes a slot, waiting
  at most ``max_wait`` seconds for one, then raising :class:`BulkSlotsBusyError`:
  processes never wait on each other for ever;
* a slot is a lease: it ends ``lease`` seconds after it was taken or last renewed
  (:meth:`BulkSlot.renew`, e.g. on each poll of the operation), so the slot of a
  process that died is freed;
* :meth:`BulkSlot.attach` names the slot by its operation's id once Shopify gave
  one; any process that sees that operation end frees it
  (:meth:`BulkSlots.release_operation`), whoever took it.

Each read-modify-write is one Lua script (:mod:`._redis_scripts`). Keys name the shop
and a hash of the token (:func:`._redis_pacing.app_id`). If Redis fails, slots are
counted in this process only (one WARNING), as without Redis; Redis is tried again
on the next acquire after :data:`~._redis_pacing.RETRY_SECONDS`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
import time
import uuid
from types import TracebackType
from typing import Any, Literal, Self

from . import _redis_pacing, _redis_scripts
from ._exceptions import ConfigurationError, ShopifyError
from ._pacing import _shop_of
from ._redis_pacing import app_id

__all__ = ["BulkSlot", "BulkSlots", "BulkSlotsBusyError", "bulk_slot_limit"]

logger = logging.getLogger("shopify_client")

#: seconds a slot lasts unless renewed (a poll every few seconds renews it)
DEFAULT_SLOT_LEASE = _redis_pacing.DEFAULT_SLOT_LEASE
#: seconds acquire() waits for a slot by default
DEFAULT_SLOT_WAIT = 60.0
#: how often a waiting acquire() asks again
SLOT_POLL_SECONDS = 0.05
#: the key prefix
PREFIX = "shopify_client:bulk"

Kind = Literal["query", "mutation"]


class BulkSlotsBusyError(ShopifyError):
    """Every bulk-operation slot of the shop stayed taken for ``max_wait`` seconds."""

    def __init__(self, message: str, *, kind: str, limit: int, waited: float) -> None:
        super().__init__(message)
        self.kind = kind
        self.limit = limit
        self.waited = waited


def bulk_slot_limit(api_version: str) -> int:
    """How many bulk operations of one kind Shopify runs at once for an app on a shop."""
    return 5 if api_version >= "2026-01" else 1


class BulkSlot:
    """A slot taken: release it when the operation ends (a ``with`` block does)."""

    __slots__ = ("_owner", "holder", "released", "shared")

    def __init__(self, owner: BulkSlots, holder: str, shared: bool) -> None:
        self._owner = owner
        self.holder = holder  # a random id, or the operation's id once attached
        self.shared = shared  # counted in Redis (False: in this process only)
        self.released = False

    def __repr__(self) -> str:
        return f"<BulkSlot {self.holder} {'shared' if self.shared else 'local'}>"

    def renew(self) -> bool:
        """Extend the lease by the owner's ``lease``; False if it had ended already."""
        return self._owner._renew(self)

    def attach(self, operation_id: str) -> None:
        """Name the slot by its bulk operation's id: :meth:`BulkSlots.release_operation`
        frees it from any process."""
        self._owner._attach(self, operation_id)

    def release(self) -> None:
        self._owner._release(self)

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.release()


class BulkSlots:
    """Bulk-operation slots of one kind for one app on one shop, counted in Redis.

    ``redis``: a Redis URL, a ``redis.Redis`` or a ``redis.asyncio.Redis`` (the
    async methods only), or a :class:`~._redis_pacing.RedisQueryCostLimiter`, whose
    connection and fault state the slots then share (one WARNING for both; the
    token is then optional: the limiter's app). ``shop``: the shop's endpoint or
    domain. ``limit``: slots (:func:`bulk_slot_limit` of the API version).
    ``lease``: seconds a slot lasts unless renewed. ``max_wait``: seconds
    :meth:`acquire` waits by default.
    ``timeout``: seconds one Redis command may take (URLs only).
    """

    def __init__(
        self,
        redis: object,
        *,
        shop: str,
        access_token: str | None = None,
        kind: Kind = "query",
        limit: int,
        lease: float = DEFAULT_SLOT_LEASE,
        max_wait: float = DEFAULT_SLOT_WAIT,
        timeout: float = _redis_pacing.DEFAULT_REDIS_TIMEOUT,
    ) -> None:
        if kind not in ("query", "mutation"):
            raise ConfigurationError("kind must be 'query' or 'mutation'")
        if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= 100:
            raise ConfigurationError("limit must be a whole number of slots from 1 to 100")
        for name, value in (("lease", lease), ("max_wait", max_wait), ("timeout", timeout)):
            if (
                isinstance(value, bool)
                or not isinstance(value, int | float)
                or not 0 <= value <= 86_400
                or (name != "max_wait" and value == 0)
            ):
                raise ConfigurationError(f"{name} must be a number of seconds up to 86,400")
        if isinstance(redis, _redis_pacing.RedisQueryCostLimiter):
            # a client's pacing limiter: its connections and its fault state, shared
            self._redis = redis
            app = redis._app
            if access_token is not None:
                redis.check_app(access_token)
        elif access_token is None:
            raise ConfigurationError("BulkSlots needs the app's access_token (hashed in the keys)")
        else:
            # the connection handling of the pacing limiter, reused (it owns no state here)
            self._redis = _redis_pacing.RedisQueryCostLimiter(
                redis, access_token=access_token, timeout=timeout
            )
            app = app_id(access_token)
        endpoint = shop if "://" in shop else f"https://{shop}/"
        self.kind, self.limit = kind, limit
        self._lease, self._max_wait = float(lease), float(max_wait)
        self._key = f"{PREFIX}:{{{_shop_of(endpoint)}|{app}}}:{kind}"
        self._lock = threading.Lock()
        self._local: set[str] = set()  # holders counted in-process (Redis failing)

    def __repr__(self) -> str:
        return f"<BulkSlots {self.kind} limit={self.limit} {self._key}>"

    # -- Redis, sync and async ---------------------------------------------------------

    def _sync_script(self, text: str) -> Any:
        client = self._redis._sync
        if client is None:
            raise ConfigurationError(
                "BulkSlots with a redis.asyncio.Redis: use acquire_async (or give a URL)"
            )
        return client.register_script(text)

    def _run(self, text: str, args: list[object]) -> Any:
        if not self._redis._use_redis():
            raise _Down
        try:
            result = self._sync_script(text)(keys=[self._key], args=args)
        except self._redis._errors as exc:
            self._redis._failed(exc)
            raise _Down from None
        self._redis._back()  # a shared limiter's settles that Redis missed, sent now
        return result

    async def _run_async(self, text: str, args: list[object]) -> Any:
        if not self._redis._use_redis():
            raise _Down
        redis = self._redis
        try:
            try:
                client, _ = redis._async_client()
            except LookupError:  # a sync client only: in a thread
                script = self._sync_script(text)
                result = await asyncio.wait_for(
                    asyncio.to_thread(script, keys=[self._key], args=args), redis._timeout * 2
                )
            else:
                async with asyncio.timeout(redis._timeout * 2):
                    result = await client.register_script(text)(keys=[self._key], args=args)
        except redis._errors as exc:
            redis._failed(exc)
            raise _Down from None
        await redis._back_async()
        return result

    def _take_args(self, holder: str) -> list[object]:
        return [int(max(self._lease, 60)), holder, self.limit, self._lease]

    def _take_local(self, holder: str) -> bool:
        with self._lock:
            if len(self._local) >= self.limit:
                return False
            self._local.add(holder)
            return True

    # -- the API -----------------------------------------------------------------------

    @property
    def lease(self) -> float:
        """Seconds a slot lasts unless renewed."""
        return self._lease

    def try_acquire(self, *, count_locally: bool = True) -> BulkSlot | None:
        """A slot now, or None if every one is taken (one Redis command, no wait).

        Redis failing: a slot counted in this process (``count_locally``), or, with
        ``count_locally=False``, an uncounted one (``shared`` False: Shopify's own
        answer decides, as without Redis)."""
        holder = uuid.uuid4().hex
        try:
            if int(self._run(_redis_scripts.SLOT_ACQUIRE, self._take_args(holder))):
                return BulkSlot(self, holder, True)
            return None
        except _Down:
            return self._fallback(holder, count_locally)

    async def try_acquire_async(self, *, count_locally: bool = True) -> BulkSlot | None:
        """:meth:`try_acquire` for a task."""
        holder = uuid.uuid4().hex
        try:
            args = self._take_args(holder)
            if int(await self._run_async(_redis_scripts.SLOT_ACQUIRE, args)):
                return BulkSlot(self, holder, True)
            return None
        except _Down:
            return self._fallback(holder, count_locally)

    def _fallback(self, holder: str, count_locally: bool) -> BulkSlot | None:
        if not count_locally:
            return BulkSlot(self, holder, False)
        return BulkSlot(self, holder, False) if self._take_local(holder) else None

    def acquire(self, *, max_wait: float | None = None) -> BulkSlot:
        """A slot, waiting at most ``max_wait`` seconds (the owner's by default) for
        one; else :class:`BulkSlotsBusyError`."""
        started = time.monotonic()
        while True:
            slot = self.try_acquire()
            if slot is not None:
                return slot
            time.sleep(self._pause(started, max_wait))

    async def acquire_async(self, *, max_wait: float | None = None) -> BulkSlot:
        """:meth:`acquire` for a task."""
        started = time.monotonic()
        while True:
            slot = await self.try_acquire_async()
            if slot is not None:
                return slot
            await asyncio.sleep(self._pause(started, max_wait))

    def _pause(self, started: float, max_wait: float | None) -> float:
        limit = self._max_wait if max_wait is None else max_wait
        waited = time.monotonic() - started
        if waited + SLOT_POLL_SECONDS > limit:
            raise BulkSlotsBusyError(
                f"all {self.limit} bulk {self.kind} slots of the shop stayed taken for "
                f"{waited:.1f}s (max_wait {limit:g}s): another process runs them; a slot "
                "frees when its operation ends or its lease expires",
                kind=self.kind,
                limit=self.limit,
                waited=waited,
            )
        return SLOT_POLL_SECONDS

    def held(self) -> int:
        """Slots taken now, in every process (this process's only, Redis failing)."""
        try:
            return int(self._run(_redis_scripts.SLOT_COUNT, [0]))
        except _Down:
            with self._lock:
                return len(self._local)

    def holders(self) -> list[str]:
        """Who holds the slots now (random ids, or operation ids once attached); []
        while Redis fails (this process's, counted locally)."""
        try:
            return [_text(h) for h in self._run(_redis_scripts.SLOT_LIST, [0])]
        except _Down:
            with self._lock:
                return sorted(self._local)

    async def holders_async(self) -> list[str]:
        """:meth:`holders` for a task."""
        try:
            return [_text(h) for h in await self._run_async(_redis_scripts.SLOT_LIST, [0])]
        except _Down:
            with self._lock:
                return sorted(self._local)

    def renew_operation(self, operation_id: str, lease: float | None = None) -> bool:
        """Extend the lease of the slot of ``operation_id`` (seen running), whoever took
        it, by ``lease`` seconds (the owner's by default). True if it held one."""
        seconds = self._lease if lease is None else lease
        try:
            return bool(int(self._run(_redis_scripts.SLOT_RENEW, [operation_id, seconds])))
        except _Down:
            return False

    async def renew_operation_async(self, operation_id: str, lease: float | None = None) -> bool:
        """:meth:`renew_operation` for a task."""
        seconds = self._lease if lease is None else lease
        try:
            args: list[object] = [operation_id, seconds]
            return bool(int(await self._run_async(_redis_scripts.SLOT_RENEW, args)))
        except _Down:
            return False

    async def release_operation_async(self, operation_id: str) -> bool:
        """:meth:`release_operation` for a task."""
        with self._lock:
            if operation_id in self._local:
                self._local.discard(operation_id)
                return True
        try:
            args: list[object] = [operation_id]
            return bool(int(await self._run_async(_redis_scripts.SLOT_RELEASE, args)))
        except _Down:
            return False

    async def release_async(self, slot: BulkSlot) -> None:
        """Release ``slot`` from a task (:meth:`BulkSlot.release` blocks on Redis)."""
        if slot.released:
            return
        if not slot.shared:
            self._release(slot)
            return
        slot.released = True
        with contextlib.suppress(_Down):  # else its lease ends it
            await self._run_async(_redis_scripts.SLOT_RELEASE, [slot.holder])

    async def attach_async(self, slot: BulkSlot, operation_id: str) -> None:
        """:meth:`BulkSlot.attach` from a task."""
        if not isinstance(operation_id, str) or not operation_id:
            raise ConfigurationError("operation_id must be a bulk operation's id (a string)")
        if slot.released:
            return
        if not slot.shared:
            self._attach(slot, operation_id)
            return
        with contextlib.suppress(_Down):
            args: list[object] = [slot.holder, operation_id, self._lease]
            await self._run_async(_redis_scripts.SLOT_RENAME, args)
        slot.holder = operation_id

    async def renew_async(self, slot: BulkSlot) -> bool:
        """:meth:`BulkSlot.renew` from a task."""
        if slot.released:
            return False
        if not slot.shared:
            return True
        try:
            args: list[object] = [slot.holder, self._lease]
            return bool(int(await self._run_async(_redis_scripts.SLOT_RENEW, args)))
        except _Down:
            return True

    def release_operation(self, operation_id: str) -> bool:
        """Free the slot of the bulk operation ``operation_id`` (it ended), whoever took
        it. True if a slot was freed."""
        with self._lock:
            if operation_id in self._local:
                self._local.discard(operation_id)
                return True
        try:
            return bool(int(self._run(_redis_scripts.SLOT_RELEASE, [operation_id])))
        except _Down:
            return False

    def _release(self, slot: BulkSlot) -> None:
        if slot.released:
            return
        slot.released = True
        if not slot.shared:
            with self._lock:
                self._local.discard(slot.holder)
            return
        with contextlib.suppress(_Down):  # else its lease ends it
            self._run(_redis_scripts.SLOT_RELEASE, [slot.holder])

    def _renew(self, slot: BulkSlot) -> bool:
        if slot.released:
            return False
        if not slot.shared:
            return True
        try:
            return bool(int(self._run(_redis_scripts.SLOT_RENEW, [slot.holder, self._lease])))
        except _Down:
            return True  # counted nowhere else now: still ours

    def _attach(self, slot: BulkSlot, operation_id: str) -> None:
        if not isinstance(operation_id, str) or not operation_id:
            raise ConfigurationError("operation_id must be a bulk operation's id (a string)")
        if slot.released:
            return
        if not slot.shared:
            with self._lock:
                self._local.discard(slot.holder)
                self._local.add(operation_id)
            slot.holder = operation_id
            return
        # if Redis fails, the slot keeps its old name there, and its lease ends it
        with contextlib.suppress(_Down):
            self._run(_redis_scripts.SLOT_RENAME, [slot.holder, operation_id, self._lease])
        slot.holder = operation_id


def _text(value: object) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


class _Down(Exception):
    """Redis failed, or is being left alone after a failure: count in-process."""
