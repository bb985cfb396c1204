"""The records of an answer: the successful response, the Admin API's query cost,
and the entries of a GraphQL ``errors`` list.

They are frozen dataclasses, which ``@dataclass`` builds with ``exec()`` at import
(~0.5-1 ms each): this module loads with the first answer, not with the clients.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ._redact import redact_json

__all__ = ["GraphQLErrorDetail", "GraphQLResponse", "QueryCost"]

#: The largest cost figure believed, in points or points a second. Shopify's figures
#: are in the thousands (a query costs at most 1,000 points, a bucket holds 20
#: seconds of restore, Enterprise restores 2,000 a second); a figure past this is a
#: server talking nonsense, and is taken as absent, as are NaN, infinities and
#: negative figures (issue 21: they hung calls, poisoned a limiter for good, and a
#: 400-digit integer lost a successful answer to OverflowError).
MAX_COST_FIGURE = 10_000_000.0


def cost_figure(value: object) -> float | None:
    """A figure of ``extensions.cost`` as a float; None unless it is a number, finite,
    not negative and at most :data:`MAX_COST_FIGURE`. Never raises: an integer of
    400 digits is compared as an integer, not converted (``float()`` would overflow)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    if not 0 <= value <= MAX_COST_FIGURE:  # False for NaN, infinities, negatives
        return None
    return float(value)


@dataclass(frozen=True)
class QueryCost:
    """Admin API query cost, from ``extensions.cost`` of a response.

    A figure that is not a finite number from 0 to :data:`MAX_COST_FIGURE` is None
    (:func:`cost_figure`): NaN, infinities, negative or absurd figures are not
    believed.
    """

    requested: float | None
    actual: float | None
    maximum_available: float | None
    currently_available: float | None
    restore_rate: float | None

    @classmethod
    def from_extensions(cls, extensions: object) -> QueryCost | None:
        if not isinstance(extensions, dict):
            return None
        cost = extensions.get("cost")
        if not isinstance(cost, dict):
            return None
        status = cost.get("throttleStatus")
        status = status if isinstance(status, dict) else {}
        return cls(
            requested=cost_figure(cost.get("requestedQueryCost")),
            actual=cost_figure(cost.get("actualQueryCost")),
            maximum_available=cost_figure(status.get("maximumAvailable")),
            currently_available=cost_figure(status.get("currentlyAvailable")),
            restore_rate=cost_figure(status.get("restoreRate")),
        )

    def seconds_until_available(self) -> float | None:
        """How long the leaky bucket needs to refill enough for the requested cost
        (None without the figures, or when they give no finite answer)."""
        requested = cost_figure(self.requested)
        available = cost_figure(self.currently_available)
        rate = cost_figure(self.restore_rate)
        if requested is None or available is None or not rate:
            return None
        seconds = max(0.0, (requested - available) / rate)
        return seconds if seconds < float("inf") else None


@dataclass(frozen=True)
class GraphQLErrorDetail:
    """One entry of a response's ``errors`` list."""

    message: str
    path: tuple[str | int, ...] = ()
    code: str | None = None
    extensions: dict[str, object] = field(default_factory=dict)

    def __str__(self) -> str:
        where = ".".join(str(p) for p in self.path)
        code = f" [{self.code}]" if self.code else ""
        return f"{self.message}{code}" + (f" (at {where})" if where else "")


# repr=False: the class writes its own (redacted) repr; dataclass would build one
# with exec() only to find it already there.
@dataclass(frozen=True, repr=False)
class GraphQLResponse:
    """A successful GraphQL answer: ``data`` plus what Shopify said about the call."""

    data: dict[str, Any]
    extensions: dict[str, Any] = field(default_factory=dict)
    status_code: int = 200
    request_id: str | None = None
    api_version: str | None = None
    elapsed: float = 0.0
    attempts: int = 1

    @property
    def cost(self) -> QueryCost | None:
        return QueryCost.from_extensions(self.extensions)

    def __repr__(self) -> str:
        return (
            f"GraphQLResponse(data={redact_json(self.data)!r}, status_code={self.status_code}, "
            f"request_id={self.request_id!r}, api_version={self.api_version!r}, "
            f"elapsed={self.elapsed:.4f}, attempts={self.attempts}, cost={self.cost!r})"
        )
