"""The bridge from a Customer Account API session to the Storefront API.

``storefrontCustomerAccessTokenCreate`` (Customer Account API) exchanges the
customer's token, sent in ``Authorization``, for a Storefront customer access token:
the value the Storefront ``customer(customerAccessToken:)`` query and cart buyer
identity take (https://shopify.dev/docs/api/customer/2026-04/mutations/storefrontCustomerAccessTokenCreate).

Shopify deprecated the mutation in 2025-01 (it is still in 2026-04): the Storefront
API now takes the Customer Account API token itself in ``BuyerInput.customerAccessToken``
for carts (https://shopify.dev/changelog/deprecation-of-storefrontcustomeraccesstokencreate-mutation).
Renew the Storefront token whenever the Customer Account token is refreshed.
"""

from __future__ import annotations

from typing import Any

from .._exceptions import ConfigurationError, InvalidResponseError, UserErrorsError

__all__ = ["storefront_customer_access_token", "storefront_customer_access_token_async"]

MUTATION = (
    "mutation StorefrontCustomerAccessTokenCreate { storefrontCustomerAccessTokenCreate "
    "{ customerAccessToken userErrors { code field message } } }"
)
OPERATION = "StorefrontCustomerAccessTokenCreate"


class _UserError:
    __slots__ = ("code", "field", "message")

    def __init__(self, item: dict[str, Any]) -> None:
        self.message = str(item.get("message") or "")
        self.code = item.get("code") if isinstance(item.get("code"), str) else None
        field = item.get("field")
        self.field = [str(f) for f in field] if isinstance(field, list) else None


def _token(data: dict[str, Any]) -> str:
    payload = data.get("storefrontCustomerAccessTokenCreate")
    if not isinstance(payload, dict):
        raise InvalidResponseError(
            "storefrontCustomerAccessTokenCreate came back null (is the customer fully "
            "logged in, and the app granted the customer_read_customers scope?)",
            path="storefrontCustomerAccessTokenCreate",
        )
    errors = payload.get("userErrors")
    if isinstance(errors, list) and errors:
        raise UserErrorsError([_UserError(e) for e in errors if isinstance(e, dict)])
    token = payload.get("customerAccessToken")
    if not isinstance(token, str) or not token:
        raise InvalidResponseError(
            "storefrontCustomerAccessTokenCreate answered no customerAccessToken",
            path="storefrontCustomerAccessTokenCreate.customerAccessToken",
        )
    return token


def _check(client: object, flavour: type) -> None:
    if not isinstance(client, flavour):
        raise ConfigurationError(
            f"pass a Customer Account API client ({flavour.__name__}: shopify_customer's "
            f"Client or AsyncClient), not a {type(client).__name__}"
        )


def storefront_customer_access_token(client: Any) -> str:
    """The Storefront customer access token of the customer whose token ``client``
    (a ``shopify_customer.Client``) holds: pass it to ``shopify_storefront``'s
    ``customer(customer_access_token=...)``. Raises ``UserErrorsError`` on user
    errors, ``InvalidResponseError`` when Shopify answers none."""
    from .._base import CustomerBaseClient

    _check(client, CustomerBaseClient)
    response = client.execute(MUTATION, OPERATION, operation_type="mutation")
    return _token(response.data)


async def storefront_customer_access_token_async(client: Any) -> str:
    """:func:`storefront_customer_access_token` with a ``shopify_customer.AsyncClient``."""
    from .._base import AsyncCustomerBaseClient

    _check(client, AsyncCustomerBaseClient)
    response = await client.execute(MUTATION, OPERATION, operation_type="mutation")
    return _token(response.data)
