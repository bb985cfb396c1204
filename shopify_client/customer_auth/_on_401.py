"""Call the Customer Account API as a customer, refreshing once when it answers 401.

:meth:`CustomerAccountAuth.ensure_fresh` refreshes ahead of the *local* expiry only:
an access token that Shopify ended early (revoked, a logout elsewhere, rotated) still
looks fresh, and ``ensure_fresh`` returns it as it is. Shopify then answers 401
(:class:`shopify_client.AuthenticationError`). A 401 means the request was refused
before anything ran, so calling again with refreshed tokens is safe, mutations
included: :func:`call_as_customer` does that once.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, TypeVar

from .._exceptions import AuthenticationError
from ._tokens import DEFAULT_REFRESH_MARGIN, CustomerTokens

if TYPE_CHECKING:
    from ._flow import AsyncCustomerAccountAuth, CustomerAccountAuth

__all__ = ["call_as_customer", "call_as_customer_async"]

T = TypeVar("T")


def call_as_customer(
    auth: CustomerAccountAuth,
    tokens: CustomerTokens,
    call: Callable[[CustomerTokens], T],
    *,
    margin: float = DEFAULT_REFRESH_MARGIN,
) -> tuple[T, CustomerTokens]:
    """``call(tokens)`` with tokens that :meth:`~CustomerAccountAuth.ensure_fresh` made
    fresh; if the API answers 401 all the same, refresh once and call again.

    Returns ``(result, tokens)``: store the tokens, they may be new. A second 401
    propagates as :class:`AuthenticationError`, a refused refresh as
    :class:`~shopify_client.customer_auth.RefreshError` (log the customer in again);
    any other error of ``call`` propagates as it is, without a refresh."""
    tokens = auth.ensure_fresh(tokens, margin=margin)
    try:
        return call(tokens), tokens
    except AuthenticationError:
        pass  # out of the except block: the retry's errors do not chain the first one
    renewed = auth.refresh(tokens)
    return call(renewed), renewed


async def call_as_customer_async(
    auth: AsyncCustomerAccountAuth,
    tokens: CustomerTokens,
    call: Callable[[CustomerTokens], Awaitable[T]],
    *,
    margin: float = DEFAULT_REFRESH_MARGIN,
) -> tuple[T, CustomerTokens]:
    """:func:`call_as_customer` for :class:`AsyncCustomerAccountAuth` and an async
    ``call``."""
    tokens = await auth.ensure_fresh(tokens, margin=margin)
    try:
        return await call(tokens), tokens
    except AuthenticationError:
        pass
    renewed = await auth.refresh(tokens)
    return await call(renewed), renewed
