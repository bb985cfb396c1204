"""The records a response may carry beyond its data: the Admin API's query cost and
the entries of a GraphQL ``errors`` list.

They live apart from the exceptions because a successful Storefront call needs
neither: this module loads with the first answer that carries one (``@dataclass``
builds a frozen record's methods at import, ~0.6 ms each).
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["GraphQLErrorDetail", "QueryCost"]


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
