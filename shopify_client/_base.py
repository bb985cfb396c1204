"""The hand-written base of the generated clients: one class per API and flavour.

The generated ``Client`` / ``AsyncClient`` classes (``shopify_storefront``,
``shopify_admin``) derive from the classes here through the small base-client
modules ariadne-codegen copies into each package. Each API has one constructor,
shared by its sync and async client; the rest lives in:

- :mod:`._apis`: the list of APIs; :mod:`._auth`: their auth headers;
- :mod:`._request`: the request body; :mod:`._transport`: one bounded attempt;
- :mod:`._client`: the retry loop and the generated code's interface;
- :mod:`._response`: reading an answer into data or a typed error;
- :mod:`._pages`: the page loop of the generated ``iter_<method>`` helpers.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Iterator, Mapping
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

import httpx

from ._client import HttpT, _AsyncClient, _ClientCore, _SyncClient
from ._exceptions import ConfigurationError
from ._request import is_mutation
from ._transport import DEFAULT_MAX_RESPONSE_BYTES, DEFAULT_TIMEOUT

if TYPE_CHECKING:
    from ._apis import Api
    from ._bulk_mutation import (
        AsyncBulkMutationRun,
        BulkMutation,
        BulkMutationCallOptions,
        BulkMutationRun,
    )
    from ._bulk_run import AsyncBulkRun, BulkCallOptions, BulkQuery, BulkRun
    from ._pacing import QueryCostLimiter
    from ._pages import Page
    from ._redis_pacing import RedisClient
    from ._retry import RetryPolicy
    from ._variables import UnsetType

__all__ = [
    "AdminBaseClient",
    "AsyncAdminBaseClient",
    "AsyncCustomerBaseClient",
    "AsyncStorefrontBaseClient",
    "CustomerBaseClient",
    "StorefrontBaseClient",
    "is_mutation",
]

T = TypeVar("T")
R = TypeVar("R")


class _SyncPages:
    """What the generated sync ``iter_<method>`` helpers call (see :mod:`._pages`)."""

    def _paginate(
        self,
        operation: str,
        where: str,
        fetch: Callable[[str | UnsetType], R],
        read: Callable[[R], Page[T]],
        max_pages: int | None,
        max_items: int | None,
    ) -> Iterator[T]:
        from ._pages import iterate_pages  # with the first walk, not at import

        return iterate_pages(operation, where, fetch, read, max_pages, max_items)


class _AsyncPages:
    """What the generated async ``iter_<method>`` helpers call (see :mod:`._pages`)."""

    def _paginate(
        self,
        operation: str,
        where: str,
        fetch: Callable[[str | UnsetType], Awaitable[R]],
        read: Callable[[R], Page[T]],
        max_pages: int | None,
        max_items: int | None,
    ) -> AsyncIterator[T]:
        from ._pages import iterate_pages_async  # with the first walk, not at import

        return iterate_pages_async(operation, where, fetch, read, max_pages, max_items)


class _SyncBulk:
    """What the generated sync bulk methods call (see :mod:`._bulk_run`)."""

    def _bulk_start(
        self,
        query: BulkQuery[T],
        values: Mapping[str, object],
        group_objects: bool,
        options: BulkCallOptions,
    ) -> BulkRun[T]:
        from ._bulk_run import start_sync  # with the first bulk query, not at import

        return start_sync(self, query, values, group_objects, options)

    def _bulk_resume(
        self, query: BulkQuery[T], operation_id: str, options: BulkCallOptions
    ) -> BulkRun[T]:
        from ._bulk_run import resume_sync

        return resume_sync(self, query, operation_id, options)

    def _bulk_mutate(
        self,
        spec: BulkMutation[T, Any],
        lines: Iterable[Any],
        client_identifier: str | None,
        options: BulkMutationCallOptions,
    ) -> BulkMutationRun[T]:
        from ._bulk_mutation_start import start_sync  # with the first bulk mutation

        return start_sync(self, spec, lines, client_identifier, options)

    def _bulk_mutate_resume(
        self,
        spec: BulkMutation[T, Any],
        ids: str | Iterable[str],
        part_lines: Iterable[int] | None,
        options: BulkMutationCallOptions,
    ) -> BulkMutationRun[T]:
        from ._bulk_mutation_start import resume_sync

        return resume_sync(self, spec, ids, part_lines, options)


class _AsyncBulk:
    """What the generated async bulk methods call (see :mod:`._bulk_run`)."""

    async def _bulk_start(
        self,
        query: BulkQuery[T],
        values: Mapping[str, object],
        group_objects: bool,
        options: BulkCallOptions,
    ) -> AsyncBulkRun[T]:
        from ._bulk_run import start_async

        return await start_async(self, query, values, group_objects, options)

    def _bulk_resume(
        self, query: BulkQuery[T], operation_id: str, options: BulkCallOptions
    ) -> AsyncBulkRun[T]:
        from ._bulk_run import resume_async

        return resume_async(self, query, operation_id, options)

    async def _bulk_mutate(
        self,
        spec: BulkMutation[T, Any],
        lines: Iterable[Any],
        client_identifier: str | None,
        options: BulkMutationCallOptions,
    ) -> AsyncBulkMutationRun[T]:
        from ._bulk_mutation_start import start_async

        return await start_async(self, spec, lines, client_identifier, options)

    def _bulk_mutate_resume(
        self,
        spec: BulkMutation[T, Any],
        ids: str | Iterable[str],
        part_lines: Iterable[int] | None,
        options: BulkMutationCallOptions,
    ) -> AsyncBulkMutationRun[T]:
        from ._bulk_mutation_start import resume_async

        return resume_async(self, spec, ids, part_lines, options)


class _StorefrontClient(_ClientCore[HttpT]):
    """The Storefront API: a public token, or a private one (optionally with buyer_ip)."""

    api: ClassVar[Api] = "storefront"

    def __init__(
        self,
        *,
        shop: str | None = None,
        endpoint: str | None = None,
        access_token: str | None = None,
        private_access_token: str | None = None,
        buyer_ip: str | None = None,
        timeout: float | httpx.Timeout = DEFAULT_TIMEOUT,
        max_retries: int | None = None,
        retry_policy: RetryPolicy | None = None,
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
        http_client: HttpT | None = None,
    ) -> None:
        from ._auth import storefront_auth  # what construction needs loads with it

        self._setup(
            shop=shop,
            endpoint=endpoint,
            auth_headers=storefront_auth(access_token, private_access_token, buyer_ip),
            timeout=timeout,
            max_retries=max_retries,
            retry_policy=retry_policy,
            max_response_bytes=max_response_bytes,
            http_client=http_client,
        )


class _AdminClient(_ClientCore[HttpT]):
    """The Admin API: an Admin API access token."""

    api: ClassVar[Api] = "admin"

    def __init__(
        self,
        *,
        shop: str | None = None,
        endpoint: str | None = None,
        access_token: str | None = None,
        timeout: float | httpx.Timeout = DEFAULT_TIMEOUT,
        max_retries: int | None = None,
        retry_policy: RetryPolicy | None = None,
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
        http_client: HttpT | None = None,
        pacing: bool | QueryCostLimiter | str | RedisClient = True,
    ) -> None:
        """``pacing``: wait before sending so that the shop's query-cost bucket never
        runs dry (see :class:`shopify_client.QueryCostLimiter`): True (a limiter of
        this client's own), a limiter shared with other clients of the same shop,
        a Redis URL (``"redis://host:port/db"``) or ``redis`` client object (one
        bucket model shared by every process and machine: docs/many-workers.md), or
        False (send at once, and let retries deal with THROTTLED)."""
        from ._auth import admin_auth  # what construction needs loads with it
        from ._pacing import QueryCostLimiter

        auth_headers = admin_auth(access_token)
        if isinstance(pacing, bool | QueryCostLimiter):
            self._limiter = (
                pacing
                if isinstance(pacing, QueryCostLimiter)
                else QueryCostLimiter()
                if pacing
                else None
            )
        else:
            from ._redis_pacing import is_redis_pacing, redis_limiter

            if not is_redis_pacing(pacing):
                raise ConfigurationError(
                    "pacing must be True, False, a QueryCostLimiter, a Redis URL or a redis client"
                )
            assert access_token is not None  # admin_auth checked it
            self._limiter = redis_limiter(
                pacing, access_token, asynchronous=isinstance(self, _AsyncClient)
            )
        if self._limiter is not None and type(self._limiter) is not QueryCostLimiter:
            from ._redis_pacing import RedisQueryCostLimiter

            if isinstance(self._limiter, RedisQueryCostLimiter):  # shared between clients
                assert access_token is not None
                self._limiter.check_app(access_token)
                self._limiter.usable_by(asynchronous=isinstance(self, _AsyncClient))
        self._setup(
            shop=shop,
            endpoint=endpoint,
            auth_headers=auth_headers,
            timeout=timeout,
            max_retries=max_retries,
            retry_policy=retry_policy,
            max_response_bytes=max_response_bytes,
            http_client=http_client,
        )


class _CustomerClient(_ClientCore[HttpT]):
    """The Customer Account API: one customer's access token (see
    :mod:`shopify_client.customer_auth` for the OAuth flow that yields it)."""

    api: ClassVar[Api] = "customer"

    def __init__(
        self,
        *,
        shop_id: int | str | None = None,
        endpoint: str | None = None,
        access_token: str | None = None,
        timeout: float | httpx.Timeout = DEFAULT_TIMEOUT,
        max_retries: int | None = None,
        retry_policy: RetryPolicy | None = None,
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
        http_client: HttpT | None = None,
        shop: None = None,
    ) -> None:
        """``shop_id``: the shop's numeric id; the endpoint is then
        ``https://shopify.com/{shop_id}/account/customer/api/{version}/graphql``.
        ``endpoint``: the ``graphql_api`` URL of the shop's discovery document
        (:func:`shopify_client.customer_auth.discover`), or a local one in tests.
        ``shop``: not taken (typed ``None`` so that a type checker flags it): the
        Customer Account API is addressed by shop id, not by the shop's domain."""
        from ._auth import customer_auth  # what construction needs loads with it

        if shop is not None:
            raise ConfigurationError(
                "the Customer Account API is addressed by the shop's numeric id, not its "
                "domain: pass shop_id= (e.g. 12345678 or 'gid://shopify/Shop/12345678'), "
                "or endpoint= from the shop's discovery document: "
                "shopify_client.customer_auth.discover(shop).graphql_endpoint("
                "Client.api_version) (or endpoints_for_shop_id(shop_id), with no request; "
                "fake.endpoint('customer', Client.api_version) in tests)"
            )
        if shop_id is not None and endpoint is None:
            from ._endpoint import normalize_shop_id

            shop_id = normalize_shop_id(shop_id)
        self._setup(
            shop=None if shop_id is None else str(shop_id),
            endpoint=endpoint,
            auth_headers=customer_auth(access_token),
            timeout=timeout,
            max_retries=max_retries,
            retry_policy=retry_policy,
            max_response_bytes=max_response_bytes,
            http_client=http_client,
        )


class StorefrontBaseClient(_StorefrontClient[httpx.Client], _SyncClient, _SyncPages):
    """Synchronous Storefront API client base (public or private token)."""


class AsyncStorefrontBaseClient(_StorefrontClient[httpx.AsyncClient], _AsyncClient, _AsyncPages):
    """Asynchronous Storefront API client base (public or private token)."""


class AdminBaseClient(_AdminClient[httpx.Client], _SyncClient, _SyncPages, _SyncBulk):
    """Synchronous Admin API client base."""


class AsyncAdminBaseClient(_AdminClient[httpx.AsyncClient], _AsyncClient, _AsyncPages, _AsyncBulk):
    """Asynchronous Admin API client base."""


class CustomerBaseClient(_CustomerClient[httpx.Client], _SyncClient, _SyncPages):
    """Synchronous Customer Account API client base."""


class AsyncCustomerBaseClient(_CustomerClient[httpx.AsyncClient], _AsyncClient, _AsyncPages):
    """Asynchronous Customer Account API client base."""
