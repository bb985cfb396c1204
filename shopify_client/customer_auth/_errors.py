"""The errors of the customer login flow, under :class:`shopify_client.ShopifyError`::

    ShopifyError
    └── CustomerAuthError          the OAuth flow of the Customer Account API failed
        ├── DiscoveryError         a discovery document is unusable or points off Shopify
        ├── StateMismatchError     the callback's state is not the one the login sent
        ├── InvalidCallbackError   the callback repeats a parameter or names another issuer
        ├── NonceMismatchError     the ID token's nonce, audience, issuer or expiry is wrong
        ├── AuthorizationDeniedError  the callback carries an OAuth error (access_denied...)
        └── TokenRequestError      the token endpoint refused (invalid_grant...) or failed
            └── RefreshError       a refresh failed: the customer must log in again

Messages name what failed and Shopify's OAuth ``error`` code, never a token, code,
verifier or secret.
"""

from __future__ import annotations

from .._exceptions import ShopifyError

__all__ = [
    "AuthorizationDeniedError",
    "CustomerAuthError",
    "DiscoveryError",
    "InvalidCallbackError",
    "NonceMismatchError",
    "RefreshError",
    "StateMismatchError",
    "TokenRequestError",
]


class CustomerAuthError(ShopifyError):
    """The Customer Account API's OAuth flow failed."""


class DiscoveryError(CustomerAuthError):
    """A discovery document could not be fetched, read, or trusted (``url``: where)."""

    def __init__(self, message: str, *, url: str | None = None) -> None:
        super().__init__(message)
        self.url = url


class StateMismatchError(CustomerAuthError):
    """The callback's ``state`` differs from the login's: a forged or crossed callback."""


class InvalidCallbackError(CustomerAuthError):
    """The callback is malformed or from elsewhere: a parameter given twice (an
    injected ``code`` or ``state``), or an ``iss`` that is not the shop's issuer."""


class NonceMismatchError(CustomerAuthError):
    """The ID token does not carry the login's ``nonce``, names another client or
    issuer, or has expired: the tokens of the answer are dropped."""


class AuthorizationDeniedError(CustomerAuthError):
    """The callback carries an OAuth error instead of a code (``error``: its code)."""

    def __init__(self, message: str, *, error: str) -> None:
        super().__init__(message)
        self.error = error


class TokenRequestError(CustomerAuthError):
    """The token endpoint refused or failed: ``error`` is its OAuth error code
    (``invalid_grant``...), ``status_code`` its HTTP status (None: no answer)."""

    def __init__(
        self, message: str, *, error: str | None = None, status_code: int | None = None
    ) -> None:
        super().__init__(message)
        self.error = error
        self.status_code = status_code


class RefreshError(TokenRequestError):
    """The refresh token was refused or the refresh failed: the tokens are not renewed
    (never a silent logout); the customer logs in again, or the call is retried."""
