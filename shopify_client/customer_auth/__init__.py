"""Log a customer in with Shopify's new customer accounts (the Customer Account API).

Framework-neutral OAuth 2.0 with PKCE, sync and async:

1. find the shop's endpoints: :func:`endpoints_for_shop_id` (documented URLs on
   shopify.com) or :func:`discover` / :func:`discover_async` (the shop's discovery
   documents, cached, refused when they point off Shopify's hosts);
2. :meth:`CustomerAccountAuth.begin_login`: redirect the customer to ``login.url``
   and keep the :class:`LoginRequest` in the session;
3. :meth:`CustomerAccountAuth.complete_login` with the callback URL: ``state`` and
   ``nonce`` are checked, the code exchanged, :class:`CustomerTokens` returned;
4. :meth:`CustomerAccountAuth.ensure_fresh` before each use (refresh before expiry;
   a failed refresh is a :class:`RefreshError`), or :func:`call_as_customer`, which
   also refreshes once when the API answers 401 before the local expiry (a revoked
   or rotated token); :meth:`CustomerAccountAuth.logout_url`;
5. ``shopify_customer.Client(endpoint=..., access_token=tokens.access_token)`` for the
   API, and :func:`storefront_customer_access_token` for the Storefront bridge.

Errors: see :mod:`._errors` (all are :class:`shopify_client.ShopifyError`).
"""

from ._bridge import storefront_customer_access_token, storefront_customer_access_token_async
from ._discovery import (
    DEFAULT_CACHE,
    DiscoveryCache,
    ShopEndpoints,
    discover,
    discover_async,
    endpoints_for_shop_id,
)
from ._errors import (
    AuthorizationDeniedError,
    CustomerAuthError,
    DiscoveryError,
    InvalidCallbackError,
    NonceMismatchError,
    RefreshError,
    StateMismatchError,
    TokenRequestError,
)
from ._flow import DEFAULT_SCOPE, AsyncCustomerAccountAuth, CustomerAccountAuth, pkce_challenge
from ._on_401 import call_as_customer, call_as_customer_async
from ._tokens import CustomerTokens, LoginRequest

__all__ = [
    "DEFAULT_CACHE",
    "DEFAULT_SCOPE",
    "AsyncCustomerAccountAuth",
    "AuthorizationDeniedError",
    "CustomerAccountAuth",
    "CustomerAuthError",
    "CustomerTokens",
    "DiscoveryCache",
    "DiscoveryError",
    "InvalidCallbackError",
    "LoginRequest",
    "NonceMismatchError",
    "RefreshError",
    "ShopEndpoints",
    "StateMismatchError",
    "TokenRequestError",
    "call_as_customer",
    "call_as_customer_async",
    "discover",
    "discover_async",
    "endpoints_for_shop_id",
    "pkce_challenge",
    "storefront_customer_access_token",
    "storefront_customer_access_token_async",
]
