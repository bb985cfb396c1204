"""The bulk runtime's use of the bulk-operation slots counted in Redis (issue 24).

A client given ``pacing="redis://..."`` (or a redis client object) counts its bulk
operations in the same Redis as its pacing (:class:`._redis_slots.BulkSlots`, one
sorted set per shop, app and kind), so that the processes of one app never submit
past the API version's limit (:func:`._redis_slots.bulk_slot_limit`) and so never
meet Shopify's "already in progress". Without Redis pacing every function here is a
no-op (``None``), and the start is today's: submit, and on "already in progress"
wait and submit again.

How a bulk operation's start and polls call it (the bulk queries of
:mod:`._bulk_run` do so; a bulk mutation's start, in
:mod:`._bulk_mutation_start`, is to do the same with ``kind="mutation"`` around its
``bulkOperationRunMutation`` loop; its parts' polls already call :func:`seen`)::

    slot = take(client, "mutation", wait=slot_wait, poll=poll_interval,
                max_poll=max_poll_interval)              # None: no Redis pacing
    try:
        ... submit; on "already in progress": renew(slot), wait, submit again ...
    except BaseException:
        release(slot)                                    # refused, or failed
        raise
    attach(slot, operation_id)                           # accepted by Shopify
    ...
    seen(client, operation_id, status)                   # after every poll (any kind)

(``take_async``, ``release_async``, ``attach_async``, ``seen_async`` for tasks.)

- :func:`take` waits at most ``wait`` seconds for a slot, then raises
  :class:`~._bulk_errors.BulkConcurrencyError` naming the operations holding them:
  processes never wait on each other for ever. While it waits it asks Shopify, at
  the poll backoff, for the status of the operations holding the slots, and frees
  those that ended: the slot of a process that died frees as soon as its operation
  ends, not only when its lease does.
- :func:`seen` (called by every ``BulkRun.refresh``, so by the polls of bulk
  queries and of bulk mutations' parts alike: ``wait()``, iterating, ``cancel()``)
  frees the slot of an operation seen in a terminal status, by any process, renews
  it while it runs, and shortens it to :data:`CANCELING_LEASE` once it is canceling.
- a slot is a lease (``RedisQueryCostLimiter(slot_lease=)``, default
  :data:`~._redis_slots.DEFAULT_SLOT_LEASE`): the slot of a process that died before
  Shopify named its operation ends with it.
- Redis failing: the limiter's one WARNING (shared with pacing), and today's
  behaviour: the slot is not counted, Shopify's answer decides.
"""

from __future__ import annotations

import asyncio
import time
import weakref
from typing import Any

from ._bulk_errors import BulkConcurrencyError
from ._exceptions import ShopifyError
from ._redis_pacing import RedisQueryCostLimiter
from ._redis_slots import BulkSlot, BulkSlots, Kind, bulk_slot_limit

__all__ = [
    "CANCELING_LEASE",
    "attach",
    "attach_async",
    "release",
    "release_async",
    "renew",
    "renew_async",
    "seen",
    "seen_async",
    "slots_of",
    "take",
    "take_async",
]

#: seconds the slot of a canceling operation lasts unless seen again
CANCELING_LEASE = 15.0
#: seconds between two looks at Redis while every slot is taken
SLOT_CHECK_SECONDS = 0.05
KINDS: tuple[Kind, ...] = ("query", "mutation")
#: the statuses after which an operation holds no slot at Shopify
ENDED = frozenset({"COMPLETED", "FAILED", "CANCELED", "EXPIRED"})
_GID_PREFIX = "gid://shopify/BulkOperation/"

STATUS_QUERY = """query BulkSlotStatus($id: ID!) {
  node(id: $id) { __typename ... on BulkOperation { id status } }
}"""

_SLOTS: weakref.WeakKeyDictionary[RedisQueryCostLimiter, dict[tuple[str, str, int], BulkSlots]] = (
    weakref.WeakKeyDictionary()
)


def slots_of(client: Any, kind: Kind) -> BulkSlots | None:
    """The client's slots of ``kind`` in Redis, or None if it does not pace over Redis.
    One :class:`BulkSlots` per limiter, shop, kind and limit (its threads share it)."""
    limiter = getattr(client, "pacing", None)
    if not isinstance(limiter, RedisQueryCostLimiter):
        return None
    limit = bulk_slot_limit(str(client.api_version))
    endpoint = str(client._endpoint)
    per = _SLOTS.setdefault(limiter, {})
    slots = per.get((endpoint, kind, limit))
    if slots is None:
        slots = per[(endpoint, kind, limit)] = BulkSlots(
            limiter, shop=endpoint, kind=kind, limit=limit, lease=limiter.slot_lease
        )
    return slots


def _busy(slots: BulkSlots, holders: list[str], api_version: str, waited: float) -> Exception:
    running = tuple(h for h in holders if h.startswith(_GID_PREFIX))
    names = ", ".join(running) or "operations not named yet"
    return BulkConcurrencyError(
        f"no free bulk {slots.kind} slot ({slots.limit} on {api_version}) after {waited:.0f} s: "
        f"every one is held, counted in Redis by the app's processes; in progress: {names}",
        running=running,
        slots=slots.limit,
    )


def _status(data: object) -> str | None:
    node = data.get("node") if isinstance(data, dict) else None
    if not isinstance(node, dict):
        return None  # no such operation: it holds nothing at Shopify
    if node.get("__typename") != "BulkOperation":
        return None
    return str(node.get("status"))


def take(client: Any, kind: Kind, *, wait: float, poll: float, max_poll: float) -> BulkSlot | None:
    """A slot for a new bulk operation of ``kind``, waiting at most ``wait`` seconds;
    None without Redis pacing. See the module's docstring."""
    slots = slots_of(client, kind)
    if slots is None:
        return None
    started = time.monotonic()
    look_at = started + poll
    interval = poll
    while True:
        slot = slots.try_acquire(count_locally=False)
        if slot is not None:
            return slot
        now = time.monotonic()
        if now >= look_at:  # ask Shopify how the holders' operations are doing
            for holder in slots.holders():
                if holder.startswith(_GID_PREFIX):
                    try:
                        response = client.execute(
                            STATUS_QUERY, "BulkSlotStatus", {"id": holder}, operation_type="query"
                        )
                        status = _status(client.get_data(response))
                    except ShopifyError:  # advisory: the lease still ends it
                        continue
                    if status is None or status in ENDED:
                        slots.release_operation(holder)
            interval = min(max_poll, interval * 2)
            look_at = time.monotonic() + interval
            continue
        waited = now - started
        if waited + SLOT_CHECK_SECONDS > wait:
            raise _busy(slots, slots.holders(), str(client.api_version), waited)
        time.sleep(SLOT_CHECK_SECONDS)


async def take_async(
    client: Any, kind: Kind, *, wait: float, poll: float, max_poll: float
) -> BulkSlot | None:
    """:func:`take` for the async clients."""
    slots = slots_of(client, kind)
    if slots is None:
        return None
    started = time.monotonic()
    look_at = started + poll
    interval = poll
    while True:
        slot = await slots.try_acquire_async(count_locally=False)
        if slot is not None:
            return slot
        now = time.monotonic()
        if now >= look_at:
            for holder in await slots.holders_async():
                if holder.startswith(_GID_PREFIX):
                    try:
                        response = await client.execute(
                            STATUS_QUERY, "BulkSlotStatus", {"id": holder}, operation_type="query"
                        )
                        status = _status(client.get_data(response))
                    except ShopifyError:  # advisory: the lease still ends it
                        continue
                    if status is None or status in ENDED:
                        await slots.release_operation_async(holder)
            interval = min(max_poll, interval * 2)
            look_at = time.monotonic() + interval
            continue
        waited = now - started
        if waited + SLOT_CHECK_SECONDS > wait:
            holders = await slots.holders_async()
            raise _busy(slots, holders, str(client.api_version), waited)
        await asyncio.sleep(SLOT_CHECK_SECONDS)


def attach(slot: BulkSlot | None, operation_id: str) -> None:
    """Shopify accepted the operation: its slot is named by its id from now on."""
    if slot is not None:
        slot.attach(operation_id)


async def attach_async(slot: BulkSlot | None, operation_id: str) -> None:
    if slot is not None:
        await slot._owner.attach_async(slot, operation_id)


def renew(slot: BulkSlot | None) -> None:
    """Still waiting to submit (Shopify said "already in progress"): keep the slot."""
    if slot is not None:
        slot.renew()


async def renew_async(slot: BulkSlot | None) -> None:
    if slot is not None:
        await slot._owner.renew_async(slot)


def release(slot: BulkSlot | None) -> None:
    """The operation was never started (refused, or the start failed): free the slot."""
    if slot is not None:
        slot.release()


async def release_async(slot: BulkSlot | None) -> None:
    if slot is not None:
        await slot._owner.release_async(slot)


def seen(client: Any, operation_id: str, status: str) -> None:
    """A poll saw ``operation_id`` in ``status``: free its slot if it ended, shorten it
    if canceling, else renew it (whichever process took it). A bulk query's and a bulk
    mutation's polls are the same ``node(id:)``: both kinds' slots are looked at (the
    id is in one of them at most), so one hook serves both."""
    for kind in KINDS:
        slots = slots_of(client, kind)
        if slots is None:
            return
        if status in ENDED:
            slots.release_operation(operation_id)
        else:
            slots.renew_operation(operation_id, CANCELING_LEASE if status == "CANCELING" else None)


async def seen_async(client: Any, operation_id: str, status: str) -> None:
    """:func:`seen` for the async clients."""
    for kind in KINDS:
        slots = slots_of(client, kind)
        if slots is None:
            return
        if status in ENDED:
            await slots.release_operation_async(operation_id)
        else:
            lease = CANCELING_LEASE if status == "CANCELING" else None
            await slots.renew_operation_async(operation_id, lease)
