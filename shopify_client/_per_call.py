"""Per-call response data: the typed result together with what Shopify said about it.

``client.last_response`` is one slot shared by every call of a client, so under
threads or asyncio it may describe another call. :func:`with_response` (and
:func:`with_response_async`) call one generated method and return its typed result
with that call's own :class:`~shopify_client.GraphQLResponse`: request id, query
cost, attempts, the version Shopify served, elapsed time. The capture rides on a
context variable, so concurrent tasks and threads never see each other's answers.

    page = with_response(admin.products, first=10)
    page.result.products.edges    # typed
    page.request_id, page.cost, page.attempts, page.api_version
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Generic, ParamSpec, TypeVar

from ._client import CAPTURED
from ._records import GraphQLResponse  # at run time: CallResult's field type

if TYPE_CHECKING:
    from ._records import QueryCost

__all__ = ["CallResult", "with_response", "with_response_async"]

P = ParamSpec("P")
T = TypeVar("T")


@dataclass(frozen=True)
class CallResult(Generic[T]):
    """One call's typed ``result`` and its ``response`` (the last, if it made several)."""

    result: T
    response: GraphQLResponse

    @property
    def request_id(self) -> str | None:
        return self.response.request_id

    @property
    def cost(self) -> QueryCost | None:
        """Admin ``extensions.cost`` of this call (None for the Storefront API)."""
        return self.response.cost

    @property
    def attempts(self) -> int:
        return self.response.attempts

    @property
    def api_version(self) -> str | None:
        """The version Shopify served (``X-Shopify-API-Version``)."""
        return self.response.api_version


def _result(result: T, captured: list[GraphQLResponse], method: object) -> CallResult[T]:
    if not captured:
        name = getattr(method, "__name__", repr(method))
        raise TypeError(f"{name} is not a generated client method: it made no GraphQL call")
    return CallResult(result, captured[-1])


def with_response(method: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> CallResult[T]:
    """Call ``method`` (a generated method of a sync client) and keep its response."""
    captured: list[GraphQLResponse] = []
    token = CAPTURED.set(captured)
    try:
        result = method(*args, **kwargs)
    finally:
        CAPTURED.reset(token)
    return _result(result, captured, method)


async def with_response_async(
    method: Callable[P, Awaitable[T]], /, *args: P.args, **kwargs: P.kwargs
) -> CallResult[T]:
    """Await ``method`` (a generated method of an async client) and keep its response."""
    captured: list[GraphQLResponse] = []
    token = CAPTURED.set(captured)
    try:
        result = await method(*args, **kwargs)
    finally:
        CAPTURED.reset(token)
    return _result(result, captured, method)
