"""The hand-written base of the generated clients: endpoint, headers, retries, errors.

The generated ``Client`` / ``AsyncClient`` classes (``shopify_storefront``,
``shopify_admin``) derive from the classes here through the small base-client
modules ariadne-codegen copies into each package. They call :meth:`execute`,
:meth:`get_data` and :meth:`parse_result`; everything else is this module's.
"""

from __future__ import annotations

import functools
import logging
import re
import threading
import time
import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from types import TracebackType
from typing import Any, ClassVar, Literal, Self, TypeVar

import httpx
import pydantic

from ._endpoint import check_endpoint, endpoint_for
from ._exceptions import (
    ConfigurationError,
    HTTPStatusError,
    InvalidResponseError,
    QueryCost,
    ShopifyError,
    ThrottledError,
    TransportError,
)
from ._redact import REDACTED
from ._response import GraphQLResponse, interpret_response
from ._retry import DEFAULT_MAX_RETRIES, RetryPolicy
from ._variables import encode_request
from ._version import __version__
from ._versions import VersionMismatchWarning, warn_if_unsupported

__all__ = [
    "AdminBaseClient",
    "AsyncAdminBaseClient",
    "AsyncStorefrontBaseClient",
    "StorefrontBaseClient",
]

logger = logging.getLogger("shopify_client")

Api = Literal["storefront", "admin"]
ModelT = TypeVar("ModelT", bound=pydantic.BaseModel)

DEFAULT_TIMEOUT = 30.0
USER_AGENT = f"shopify-graphql-typed/{__version__} (Python; httpx {httpx.__version__})"

_SAFE_TRANSPORT_ERRORS = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)
_TOKEN = re.compile(
    r'"""(?:\\"""|[^"]|"(?!""))*"""'  # block string
    r'|"(?:\\.|[^"\\\n])*"'  # string
    r"|#[^\n]*"  # comment
    r"|[{}]"  # braces
    r"|[_A-Za-z][_0-9A-Za-z]*"  # name
)


@functools.lru_cache(maxsize=256)
def is_mutation(query: str) -> bool:
    """Whether retrying this document could repeat a write: fail-safe, not exact.

    True when any top-level definition of the document is introduced by the keyword
    ``mutation`` (whatever comes first: fragments, other operations, a BOM), so a
    document that holds a mutation is never retried after Shopify may have acted.
    """
    depth = 0
    for match in _TOKEN.finditer(query):
        token = match.group()
        if token == "{":
            depth += 1
        elif token == "}":
            depth = max(0, depth - 1)
        elif depth == 0 and token == "mutation":
            return True
    return False


@dataclass(frozen=True)
class _Request:
    body: bytes
    operation_name: str | None
    is_mutation: bool


class _ClientCore:
    """State and decisions shared by the sync and async clients; no I/O here."""

    api: ClassVar[Api]
    api_version: ClassVar[str]

    _endpoint: str
    _headers: dict[str, str]
    _secrets: tuple[str, ...]
    _retry: RetryPolicy
    _timeout: httpx.Timeout
    _per_call: dict[str, Any]
    last_response: GraphQLResponse | None

    def _configure(
        self,
        *,
        shop: str | None,
        endpoint: str | None,
        auth_headers: dict[str, str],
        timeout: float | httpx.Timeout,
        max_retries: int,
        retry_policy: RetryPolicy | None,
    ) -> None:
        if getattr(type(self), "api_version", None) is None:
            raise ConfigurationError(
                f"{type(self).__name__} has no api_version: use the generated Client classes"
            )
        if (shop is None) == (endpoint is None):
            raise ConfigurationError("pass exactly one of shop= (a shop domain) or endpoint=")
        self._endpoint = (
            check_endpoint(endpoint)
            if endpoint is not None
            else endpoint_for(self.api, shop or "", self.api_version)
        )
        for name, value in auth_headers.items():
            if not isinstance(value, str) or not value.strip():
                raise ConfigurationError(f"{name} must be a non-empty string")
        self._secrets = tuple(auth_headers.values())
        self._headers = {
            "Content-Type": "application/json",
            "Accept": "application/json",
            "User-Agent": USER_AGENT,
            "X-SDK-Variant": "shopify-graphql-typed-python",
            "X-SDK-Version": __version__,
            **auth_headers,
        }
        self._timeout = timeout if isinstance(timeout, httpx.Timeout) else httpx.Timeout(timeout)
        self._retry = retry_policy or RetryPolicy(max_retries=max_retries)
        self._mismatch_warned: set[str] = set()
        self._deprecations_logged: set[str] = set()
        self._lock = threading.Lock()
        self.last_response = None
        warn_if_unsupported(self.api, self.api_version)

    # -- public read-only state ---------------------------------------------------

    @property
    def endpoint(self) -> str:
        return self._endpoint

    @property
    def retry_policy(self) -> RetryPolicy:
        return self._retry

    @property
    def last_cost(self) -> QueryCost | None:
        """Admin ``extensions.cost`` of the last successful call (None before any)."""
        return self.last_response.cost if self.last_response else None

    def __repr__(self) -> str:
        return (
            f"<{type(self).__name__} {self.api} API {self.api_version} "
            f"endpoint={self._endpoint!r} token={REDACTED}>"
        )

    # -- building the request -----------------------------------------------------

    def _prepare(
        self, query: str, operation_name: str | None, variables: Mapping[str, object] | None
    ) -> _Request:
        body = encode_request(query, operation_name, variables)
        return _Request(body=body, operation_name=operation_name, is_mutation=is_mutation(query))

    # -- reading the response -----------------------------------------------------

    def _finish(
        self, response: httpx.Response, request: _Request, elapsed: float, attempt: int
    ) -> GraphQLResponse:
        headers = response.headers
        request_id = headers.get("x-request-id")
        served = headers.get("x-shopify-api-version")
        self._check_headers(headers.get("x-shopify-api-deprecated-reason"), served)
        logger.debug(
            "%s API %s operation=%s status=%d elapsed_ms=%.1f request_id=%s",
            self.api,
            self.api_version,
            request.operation_name,
            response.status_code,
            elapsed * 1000,
            request_id,
        )
        try:
            result = interpret_response(
                response,
                secrets=self._secrets,
                elapsed=elapsed,
                attempts=attempt,
                request_id=request_id,
                api_version=served,
            )
        except ShopifyError:
            raise
        except (RecursionError, ValueError, TypeError, KeyError, AttributeError) as exc:
            # A safety net: whatever a hostile body trips over, the caller gets our type.
            raise InvalidResponseError(
                f"could not read the response ({type(exc).__name__})",
                status_code=response.status_code,
                request_id=request_id,
            ) from None
        with self._lock:
            self.last_response = result
        return result

    def _check_headers(self, reason: str | None, served: str | None) -> None:
        if reason and reason not in self._deprecations_logged:
            self._deprecations_logged.add(reason)
            logger.warning(
                "Shopify %s API %s: the request used something deprecated: %s",
                self.api,
                self.api_version,
                reason,
            )
        if served and served != self.api_version and served not in self._mismatch_warned:
            self._mismatch_warned.add(served)
            message = (
                f"requested Shopify {self.api} API {self.api_version} but Shopify served "
                f"{served} (it does so for unsupported versions); the generated types "
                f"describe {self.api_version}: regenerate with `shopify-codegen bump`"
            )
            logger.warning(message)
            warnings.warn(message, VersionMismatchWarning, stacklevel=5)

    def _transport_error(self, exc: httpx.TransportError, request: _Request) -> TransportError:
        sent = not isinstance(exc, _SAFE_TRANSPORT_ERRORS)
        kind = type(exc).__name__
        when = "after the request may have reached Shopify" if sent else "before sending"
        return TransportError(
            f"{kind} calling {self._endpoint} ({request.operation_name or 'operation'}, {when})",
            request_sent=sent,
        )

    def _retry_wait(self, attempt: int, error: ShopifyError, request: _Request) -> float | None:
        """Seconds to wait before retrying, or None when ``error`` must be raised."""
        if attempt > self._retry.max_retries:
            return None
        if isinstance(error, ThrottledError):
            hint = error.retry_after
            if hint is None and error.cost is not None:
                hint = error.cost.seconds_until_available()
            return self._retry.wait(attempt, hint)
        if isinstance(error, TransportError):
            if request.is_mutation and error.request_sent:
                return None
            return self._retry.wait(attempt, None)
        if isinstance(error, HTTPStatusError) and self._retry.retries_status(
            error.status_code, is_mutation=request.is_mutation
        ):
            return self._retry.wait(attempt, error.retry_after)
        return None

    def _send_options(self, kwargs: Mapping[str, Any]) -> dict[str, Any]:
        """What each ``post`` needs besides the body.

        A client this class created carries the headers and timeout itself (set
        once, not merged per call); a caller's client gets them with each request.
        """
        if not kwargs:
            return self._per_call
        unknown = set(kwargs) - {"headers", "timeout"}
        if unknown:
            raise TypeError(f"unexpected keyword arguments: {', '.join(sorted(unknown))}")
        options = dict(self._per_call)
        if kwargs.get("headers"):
            options["headers"] = {**options.get("headers", {}), **kwargs["headers"]}
        if "timeout" in kwargs:
            options["timeout"] = kwargs["timeout"]
        return options

    def _log_retry(self, error: ShopifyError, request: _Request, attempt: int, wait: float) -> None:
        logger.warning(
            "retrying %s (%s) in %.2fs: attempt %d of %d",
            request.operation_name or "operation",
            type(error).__name__,
            wait,
            attempt + 1,
            self._retry.max_retries + 1,
        )

    # -- the generated code's interface -------------------------------------------

    def get_data(self, response: GraphQLResponse) -> dict[str, Any]:
        return response.data

    def parse_result(self, model: type[ModelT], data: dict[str, Any]) -> ModelT:
        """Validate ``data`` into the generated ``model``; a misfit is an InvalidResponseError."""
        try:
            return model.model_validate(data)
        except pydantic.ValidationError as exc:
            first = exc.errors(include_input=False, include_url=False)
            parts = []
            for err in first[:3]:
                loc = ".".join(str(p) for p in err["loc"]) or "(root)"
                parts.append(f"{loc}: {err['msg']}")
            more = f" (+{len(first) - 3} more)" if len(first) > 3 else ""
            path = ".".join(str(p) for p in first[0]["loc"]) if first else None
            raise InvalidResponseError(
                f"response data does not fit the generated {model.__name__} "
                f"({self.api} API {self.api_version}): " + "; ".join(parts) + more,
                path=path,
            ) from None


class _SyncClient(_ClientCore):
    _http: httpx.Client
    _owns_http: bool

    def _open(self, http_client: httpx.Client | None) -> None:
        self._owns_http = http_client is None
        if http_client is None:
            self._http = httpx.Client(headers=self._headers, timeout=self._timeout)
            self._per_call = {}
        else:
            self._http = http_client
            self._per_call = {"headers": self._headers, "timeout": self._timeout}

    def execute(
        self,
        query: str,
        operation_name: str | None = None,
        variables: Mapping[str, object] | None = None,
        **kwargs: Any,
    ) -> GraphQLResponse:
        """Send one GraphQL document, retrying what is safe to retry."""
        request = self._prepare(query, operation_name, variables)
        options = self._send_options(kwargs)
        attempt = 0
        while True:
            attempt += 1
            logger.debug("POST %s operation=%s attempt=%d", self._endpoint, operation_name, attempt)
            started = time.perf_counter()
            error: ShopifyError
            try:
                response = self._http.post(self._endpoint, content=request.body, **options)
            except httpx.DecodingError:
                raise InvalidResponseError(
                    "the response body could not be decoded (its Content-Encoding is wrong)"
                ) from None
            except httpx.TransportError as exc:
                error = self._transport_error(exc, request)
                wait = self._retry_wait(attempt, error, request)
                if wait is None:
                    raise error from exc
            else:
                try:
                    return self._finish(response, request, time.perf_counter() - started, attempt)
                except ShopifyError as exc:
                    error = exc
                    wait = self._retry_wait(attempt, error, request)
                    if wait is None:
                        raise
            self._log_retry(error, request, attempt, wait)
            time.sleep(wait)

    def close(self) -> None:
        if self._owns_http:
            self._http.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


class _AsyncClient(_ClientCore):
    _http: httpx.AsyncClient
    _owns_http: bool

    def _open(self, http_client: httpx.AsyncClient | None) -> None:
        self._owns_http = http_client is None
        if http_client is None:
            self._http = httpx.AsyncClient(headers=self._headers, timeout=self._timeout)
            self._per_call = {}
        else:
            self._http = http_client
            self._per_call = {"headers": self._headers, "timeout": self._timeout}

    async def execute(
        self,
        query: str,
        operation_name: str | None = None,
        variables: Mapping[str, object] | None = None,
        **kwargs: Any,
    ) -> GraphQLResponse:
        """Send one GraphQL document, retrying what is safe to retry."""
        request = self._prepare(query, operation_name, variables)
        options = self._send_options(kwargs)
        attempt = 0
        while True:
            attempt += 1
            logger.debug("POST %s operation=%s attempt=%d", self._endpoint, operation_name, attempt)
            started = time.perf_counter()
            error: ShopifyError
            try:
                response = await self._http.post(self._endpoint, content=request.body, **options)
            except httpx.DecodingError:
                raise InvalidResponseError(
                    "the response body could not be decoded (its Content-Encoding is wrong)"
                ) from None
            except httpx.TransportError as exc:
                error = self._transport_error(exc, request)
                wait = self._retry_wait(attempt, error, request)
                if wait is None:
                    raise error from exc
            else:
                try:
                    return self._finish(response, request, time.perf_counter() - started, attempt)
                except ShopifyError as exc:
                    error = exc
                    wait = self._retry_wait(attempt, error, request)
                    if wait is None:
                        raise
            self._log_retry(error, request, attempt, wait)
            import asyncio  # here, not at module level: ~10 ms of import time

            await asyncio.sleep(wait)

    async def aclose(self) -> None:
        if self._owns_http:
            await self._http.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()


def _storefront_auth(
    access_token: str | None, private_access_token: str | None, buyer_ip: str | None
) -> dict[str, str]:
    if (access_token is None) == (private_access_token is None):
        raise ConfigurationError(
            "pass exactly one of access_token= (public Storefront token) or "
            "private_access_token= (server-side token)"
        )
    if access_token is not None:
        if buyer_ip is not None:
            raise ConfigurationError("buyer_ip= is only sent with private_access_token=")
        return {"X-Shopify-Storefront-Access-Token": access_token}
    headers = {"Shopify-Storefront-Private-Token": private_access_token or ""}
    if buyer_ip is not None:
        headers["Shopify-Storefront-Buyer-IP"] = buyer_ip
    return headers


def _admin_auth(access_token: str | None) -> dict[str, str]:
    if access_token is None:
        raise ConfigurationError("the Admin API needs access_token= (an Admin API access token)")
    return {"X-Shopify-Access-Token": access_token}


class StorefrontBaseClient(_SyncClient):
    """Synchronous Storefront API client base (public or private token)."""

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
        max_retries: int = DEFAULT_MAX_RETRIES,
        retry_policy: RetryPolicy | None = None,
        http_client: httpx.Client | None = None,
    ) -> None:
        self._configure(
            shop=shop,
            endpoint=endpoint,
            auth_headers=_storefront_auth(access_token, private_access_token, buyer_ip),
            timeout=timeout,
            max_retries=max_retries,
            retry_policy=retry_policy,
        )
        self._open(http_client)


class AsyncStorefrontBaseClient(_AsyncClient):
    """Asynchronous Storefront API client base (public or private token)."""

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
        max_retries: int = DEFAULT_MAX_RETRIES,
        retry_policy: RetryPolicy | None = None,
        http_client: httpx.AsyncClient | None = None,
    ) -> None:
        self._configure(
            shop=shop,
            endpoint=endpoint,
            auth_headers=_storefront_auth(access_token, private_access_token, buyer_ip),
            timeout=timeout,
            max_retries=max_retries,
            retry_policy=retry_policy,
        )
        self._open(http_client)


class AdminBaseClient(_SyncClient):
    """Synchronous Admin API client base."""

    api: ClassVar[Api] = "admin"

    def __init__(
        self,
        *,
        shop: str | None = None,
        endpoint: str | None = None,
        access_token: str | None = None,
        timeout: float | httpx.Timeout = DEFAULT_TIMEOUT,
        max_retries: int = DEFAULT_MAX_RETRIES,
        retry_policy: RetryPolicy | None = None,
        http_client: httpx.Client | None = None,
    ) -> None:
        self._configure(
            shop=shop,
            endpoint=endpoint,
            auth_headers=_admin_auth(access_token),
            timeout=timeout,
            max_retries=max_retries,
            retry_policy=retry_policy,
        )
        self._open(http_client)


class AsyncAdminBaseClient(_AsyncClient):
    """Asynchronous Admin API client base."""

    api: ClassVar[Api] = "admin"

    def __init__(
        self,
        *,
        shop: str | None = None,
        endpoint: str | None = None,
        access_token: str | None = None,
        timeout: float | httpx.Timeout = DEFAULT_TIMEOUT,
        max_retries: int = DEFAULT_MAX_RETRIES,
        retry_policy: RetryPolicy | None = None,
        http_client: httpx.AsyncClient | None = None,
    ) -> None:
        self._configure(
            shop=shop,
            endpoint=endpoint,
            auth_headers=_admin_auth(access_token),
            timeout=timeout,
            max_retries=max_retries,
            retry_policy=retry_policy,
        )
        self._open(http_client)
