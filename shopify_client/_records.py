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


@dataclass(frozen=True)
class QueryCost:
    """Admin API query cost, from ``extensions.cost`` of a response."""

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

        def num(value: object) -> float | None:
            if isinstance(value, bool) or not isinstance(value, int | float):
                return None
            return float(value)

        return cls(
            requested=num(cost.get("requestedQueryCost")),
            actual=num(cost.get("actualQueryCost")),
            maximum_available=num(status.get("maximumAvailable")),
            currently_available=num(status.get("currentlyAvailable")),
            restore_rate=num(status.get("restoreRate")),
        )

    def seconds_until_available(self) -> float | None:
        """How long the leaky bucket needs to refill enough for the requested cost."""
        if self.requested is None or self.currently_available is None or not self.restore_rate:
            return None
        missing = self.requested - self.currently_available
        return max(0.0, missing / self.restore_rate)


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
