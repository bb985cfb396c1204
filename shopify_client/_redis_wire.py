"""How a :class:`~._redis_pacing.RedisQueryCostLimiter` speaks to its script
(``_redis_scripts.PACE``): the keys of one shop's bucket, a reserve's and a settle's
fields, and the reserve's reply read into a ticket.

Keys name the shop and a hash of the access token (never the token); learned costs
are stored under a hash of the cost key's skeleton (the document and the variables'
shape; never a string value).
"""

from __future__ import annotations

import asyncio
import hashlib
import itertools
import os
import time
import uuid
from typing import TYPE_CHECKING

from ._costs import MAX_SIZES, MAX_SKELETONS, CostKey
from ._exceptions import ConfigurationError
from ._pacing import MARGIN_POINTS, MAX_QUERY_COST, Ticket, _figure, _reading
from ._redis_settles import Entry

if TYPE_CHECKING:
    from ._records import QueryCost

__all__ = ["CHORES_SECONDS", "PEER_SECONDS", "PaceWire"]

#: seconds between the chores of one limiter's commands (a lease ends this much late)
CHORES_SECONDS = 1.0
#: seconds a limiter that reserved counts as sharing the bucket
PEER_SECONDS = 60
#: skeleton hashes remembered in this process (computing one hashes the document)
_MAX_DIGESTS = 1024
#: separates the fields of one group of PACE's arguments
_SEP = "\x1f"


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


class PaceWire:
    """The keys and fields of PACE (a base of RedisQueryCostLimiter)."""

    _prefix: str | None
    _fixed: tuple[str, str, str, str, str]
    _ttl: int
    _lease: float

    def _wire(self) -> None:
        self._ids = itertools.count()
        self._id_base = uuid.uuid4().hex[:12]
        self._digests: dict[tuple[str, tuple[object, ...]], str] = {}
        self._pid = os.getpid()
        #: limiters that reserved from the bucket lately (this one included), as Redis
        #: last said: while Redis fails, this one paces on its share of the bucket
        self._peers = 1
        self._chores_at = 0.0  # monotonic: when a command next does the chores

    if TYPE_CHECKING:  # RedisLink's (after this class in the limiter's bases)

        def _miss(self, batch: list[Entry]) -> None: ...

    def _costs_key(self, key: CostKey | None) -> str:
        prefix = self._prefix
        if prefix is None:
            raise ConfigurationError("a RedisQueryCostLimiter is bound to its client's shop first")
        if key is None:
            return f"{prefix}:costs:-"
        skeleton = (key[0], key[1])
        digest = self._digests.get(skeleton)
        if digest is None:
            digest = hashlib.sha256(repr(skeleton).encode()).hexdigest()[:32]
            if len(self._digests) >= _MAX_DIGESTS:
                self._digests.clear()
            self._digests[skeleton] = digest
        return f"{prefix}:costs:{digest}"

    def _command(
        self, reserve: tuple[str, str] | None, batch: list[Entry]
    ) -> tuple[list[str], list[str]]:
        bucket, inflight, ops, peers, leases = self._fixed
        costs, fields = reserve if reserve is not None else (self._costs_key(None), "")
        keys = [bucket, inflight, costs, ops, peers, leases]
        args = [f"{self._ttl}{_SEP}{self._chores()}{_SEP}{MAX_SIZES}{_SEP}{MAX_SKELETONS}", fields]
        now = time.monotonic()
        for entry_costs, entry_fields, answered_at in batch:
            keys.append(entry_costs)
            args.append(f"{entry_fields}{_SEP}{max(0.0, now - answered_at):.6f}")
        return keys, args

    @staticmethod
    def _sizes(key: CostKey | None) -> str:
        return "" if key is None else ",".join(str(size) for size in key[2])

    def _reserve(self, operation: str, key: CostKey | None) -> tuple[tuple[str, str], str]:
        """A reserve's (learned-costs key, fields), and its ticket id."""
        if os.getpid() != self._pid:  # forked: a ticket id of its own
            self._pid, self._id_base = os.getpid(), uuid.uuid4().hex[:12]
        ticket_id = f"{self._id_base}{next(self._ids):x}"
        fields = _SEP.join([
            "1" if key is not None else "0", self._sizes(key), operation, ticket_id,
            str(self._lease), str(MARGIN_POINTS), str(MAX_QUERY_COST), self._id_base,
            str(PEER_SECONDS),
        ])  # fmt: skip
        return (self._costs_key(key), fields), ticket_id

    def _chores(self) -> int:
        """1 at most once every CHORES_SECONDS: that command does the chores (leases
        past their end, times to live, the limiters' count)."""
        now = time.monotonic()
        if now < self._chores_at:
            return 0
        self._chores_at = now + CHORES_SECONDS
        return 1

    def _cancel(self, ticket_id: str) -> None:
        """A reserve that failed on our side may have run on Redis's (a timeout):
        give back what it may have reserved, once Redis answers (a no-op if it did not)."""
        fields = _SEP.join(
            [ticket_id, "0", "0", "-1", "0", "", "", "-1", "-1", "-1", "-1", "0", "1"]
        )
        self._miss([(self._costs_key(None), fields, time.monotonic())])

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

    def _entry(
        self, ticket: _RedisTicket, cost: QueryCost | None, sent: bool, answered: bool
    ) -> Entry:
        """A settle, as PACE takes it."""
        requested = actual = None
        reading = None
        if cost is not None:
            requested = _figure(cost.requested)
            actual = _figure(cost.actual)
            reading = _reading(cost)
        current, maximum, rate = reading if reading is not None else (-1.0, -1.0, -1.0)
        key = ticket.key
        fields = _SEP.join([
            ticket.member, "1" if sent else "0", "1" if answered else "0",
            str(-1 if requested is None else requested), "1" if key is not None else "0",
            self._sizes(key), ticket.operation, str(current), str(maximum), str(rate),
            str(-1 if actual is None else actual), str(ticket.grant),
            "1" if ticket.shared else "0",
        ])  # fmt: skip
        return self._costs_key(key), fields, time.monotonic()
