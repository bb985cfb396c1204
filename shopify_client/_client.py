"""The retry loop and the state the sync and async clients share.

:class:`_ClientCore` holds the configuration and every decision (what to send,
how to read the answer, whether and when to retry); :class:`_SyncClient` and
:class:`_AsyncClient` add the loop around one attempt of :mod:`._transport`.
The generated code calls :meth:`execute`, :meth:`get_data` and
:meth:`parse_result`; the public classes are in :mod:`._base`.
"""

from __future__ import annotations

import contextvars
import logging
import threading
import time
import warnings
from collections.abc import Iterator, Mapping
from types import TracebackType
from typing import TYPE_CHECKING, Any, ClassVar, Generic, Self, TypeVar
from urllib.parse import urlsplit

import httpx
import pydantic

from ._exceptions import (
    ConfigurationError,
    GraphQLError,
    HTTPStatusError,
    InvalidResponseError,
    ShopifyError,
    ThrottledError,
    TransportError,
)
from ._request import PreparedRequest, prepare
from ._response import interpret
from ._transport import (
    ACCEPT_ENCODING,
    AttemptDeadlineExceeded,
    Limits,
    Progress,
    RawResponse,
    send_async,
    send_sync,
)
from ._version import __version__

if TYPE_CHECKING:
    from ._apis import Api
    from ._costs import CostKey
    from ._pacing import QueryCostLimiter, Ticket
    from ._records import GraphQLResponse, QueryCost
    from ._request import OperationType
    from ._retry import RetryPolicy

# Loaded when first needed, not here: what only a client's construction uses
# (._auth, ._endpoint, ._http, ._pacing, ._retry, ._versions), ._records (with
# the first answer) and ._redact (with the first error message to scrub).
# Each holds a dataclass, which @dataclass builds with exec() at import: ~0.6 ms
# apiece, most of what importing the clients cost over pydantic itself.

__all__ = ["ResponseData"]

logger = logging.getLogger("shopify_client")

HttpT = TypeVar("HttpT", httpx.Client, httpx.AsyncClient)
ModelT = TypeVar("ModelT", bound=pydantic.BaseModel)
ErrorT = TypeVar("ErrorT", bound=BaseException)

USER_AGENT = f"shopify-graphql-typed/{__version__} (Python; httpx {httpx.__version__})"
# The longest timeout= taken: a GraphQL call is not a day long, and a socket or a
# lock wait overflows (OverflowError, not ours) a little past 1e9 seconds.
MAX_TIMEOUT = 86_400.0
# How many distinct deprecation reasons / served versions one client remembers
# having warned about; a server varying those headers cannot grow it further.
WARNED_MAX = 32

_SAFE_TRANSPORT_ERRORS = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)


# Where get_data leaves each answer for shopify_client.with_response (._per_call),
# which sets a list here for the length of one call: concurrent tasks and threads
# never see each other's answers.
CAPTURED: contextvars.ContextVar[list[GraphQLResponse] | None] = contextvars.ContextVar(
    "shopify_client_captured_responses", default=None
)


class ResponseData(dict[str, Any]):
    """``data`` of a response, as :meth:`get_data` returns it: a plain dict that also
    knows the response it came from, so a parse error can name its request id."""

    __slots__ = ("response",)

    def __init__(self, response: GraphQLResponse) -> None:
        super().__init__(response.data)
        self.response = response

    def __repr__(self) -> str:
        # The generated method holds it in a local: a traceback that shows locals
        # (Sentry does) must not show the tokens of the answer.
        from ._redact import redact_json

        return f"ResponseData({redact_json(dict(self))!r})"


class _SendOptions(dict[str, Any]):
    """What each attempt passes to httpx besides the body (``headers``, ``timeout``):
    a dict whose repr hides the token headers, since the retry loop and the attempt
    hold it in a local, and a traceback may show locals."""

    __slots__ = ()

    def __repr__(self) -> str:
        from ._redact import redact_headers

        shown = {
            k: redact_headers(v) if k == "headers" and isinstance(v, Mapping) else v
            for k, v in self.items()
        }
        return f"_SendOptions({shown!r})"


def _cost_key(
    operation: str, variables: Mapping[str, object] | None, document: str
) -> CostKey | None:
    from ._costs import cost_key

    return cost_key(operation, variables, document)


class _CallSecrets(tuple[str, ...]):
    """The secrets of one call's ``headers=``: a tuple whose repr names none of them,
    since the retry loop holds it in a local and a traceback may show locals."""

    __slots__ = ()

    def __repr__(self) -> str:
        return f"<{len(self)} per-call secret(s), not shown>"

    __str__ = __repr__


def _bare(error: ErrorT) -> ErrorT:
    """``error`` without the frames it was raised in nor the exception it was raised
    while handling, to be raised again from the call's own frame: those frames hold
    the request body (passwords), the token headers and the answer, and a traceback
    that shows locals (``capture_locals=True``, Sentry's default) would show them.
    Every message says what went wrong without them."""
    error.__context__ = None
    return error.with_traceback(None)


class _Secrets:
    """The tokens and the call's sensitive variable values, worked out only when an
    error message is scrubbed (reading the variables back costs a JSON parse, which
    a successful call never needs)."""

    __slots__ = ("_request", "_tokens")

    def __init__(self, tokens: tuple[str, ...], request: PreparedRequest) -> None:
        self._tokens = tokens
        self._request = request

    def __iter__(self) -> Iterator[str]:
        yield from self._tokens
        yield from self._request.secret_values


def _remember(seen: dict[str, None], value: str) -> bool:
    """Add ``value`` to a bounded, insertion-ordered set; True if it was new."""
    if value in seen:
        return False
    seen[value] = None
    if len(seen) > WARNED_MAX:
        del seen[next(iter(seen))]
    return True


class _ClientCore(Generic[HttpT]):
    """State and decisions shared by the sync and async clients; no I/O here."""

    api: ClassVar[Api]
    api_version: ClassVar[str]

    _endpoint: str
    _url: httpx.URL  # _endpoint parsed once: httpx would parse a str on every request
    _headers: dict[str, str]
    _secrets: tuple[str, ...]
    _retry: RetryPolicy
    _timeout: httpx.Timeout
    _limits: Limits
    _max_bytes: int
    _per_call: _SendOptions
    _limiter: QueryCostLimiter | None = None
    _http: HttpT
    _owns_http: bool
    last_response: GraphQLResponse | None

    def _setup(
        self,
        *,
        shop: str | None,
        endpoint: str | None,
        auth_headers: dict[str, str],
        timeout: float | httpx.Timeout,
        max_retries: int | None,
        retry_policy: RetryPolicy | None,
        max_response_bytes: int,
        http_client: HttpT | None,
    ) -> None:
        self._configure(
            shop=shop,
            endpoint=endpoint,
            auth_headers=auth_headers,
            timeout=timeout,
            max_retries=max_retries,
            retry_policy=retry_policy,
            max_response_bytes=max_response_bytes,
        )
        if self._limiter is not None:  # before an httpx client exists to be leaked
            self._limiter.bind(self._endpoint)  # one limiter, one shop (issue 21)
        self._owns_http = http_client is None
        if http_client is None:
            self._http = self._new_http()
            self._per_call = _SendOptions()
        else:
            self._http = http_client
            self._per_call = _SendOptions(headers=self._headers, timeout=self._timeout)

    def _new_http(self) -> HttpT:
        raise NotImplementedError

    def _http_options(self) -> dict[str, Any]:
        """Options of an httpx client this class creates: never follow a redirect, and
        never send a loopback request (plain http, token inside) through HTTP_PROXY."""
        from ._endpoint import is_loopback_host

        host = urlsplit(self._endpoint).hostname or ""
        return {
            "headers": self._headers,
            "timeout": self._timeout,
            "follow_redirects": False,
            "trust_env": not is_loopback_host(host),
        }

    def _configure(
        self,
        *,
        shop: str | None,
        endpoint: str | None,
        auth_headers: dict[str, str],
        timeout: float | httpx.Timeout,
        max_retries: int | None,
        retry_policy: RetryPolicy | None,
        max_response_bytes: int,
    ) -> None:
        if getattr(type(self), "api_version", None) is None:
            raise ConfigurationError(
                f"{type(self).__name__} has no api_version: use the generated Client classes"
            )
        if (shop is None) == (endpoint is None):
            where = (
                "shop_id= (the shop's numeric id)"
                if self.api == "customer"
                else "shop= (a shop domain)"
            )
            raise ConfigurationError(f"pass exactly one of {where} or endpoint=")
        from ._endpoint import check_endpoint, check_endpoint_version, endpoint_for

        if endpoint is not None:
            self._endpoint = check_endpoint(endpoint)
            check_endpoint_version(self._endpoint, self.api, self.api_version)
        else:
            self._endpoint = endpoint_for(self.api, shop or "", self.api_version)
        # httpx parses a str URL on every request (~20-30 us, its largest per-request
        # step after the socket work); an httpx.URL is taken as it is (issue 11).
        self._url = httpx.URL(self._endpoint)
        self._secrets = tuple(auth_headers.values())
        self._headers = {
            "Content-Type": "application/json",
            "Accept": "application/json",
            "Accept-Encoding": ACCEPT_ENCODING,
            # The client's name and version travel in User-Agent only. X-SDK-Variant /
            # X-SDK-Version repeated them (they are what Shopify's own JS clients send,
            # and this is not one of those); each header costs every call its way
            # through httpx's header merge and h11's validation, and measured on a
            # loopback server the two cost ~0.04x of a raw call (issue 11).
            "User-Agent": USER_AGENT,
            **auth_headers,
        }
        self._timeout = self._check_timeout(timeout)
        if (
            isinstance(max_response_bytes, bool)
            or not isinstance(max_response_bytes, int)
            or max_response_bytes < 1
        ):
            raise ConfigurationError("max_response_bytes must be a positive number of bytes")
        self._max_bytes = max_response_bytes
        self._limits = Limits.of(timeout, max_response_bytes)
        if retry_policy is not None:
            if max_retries is not None and max_retries != retry_policy.max_retries:
                raise ConfigurationError(
                    f"max_retries={max_retries} contradicts retry_policy.max_retries="
                    f"{retry_policy.max_retries}: pass one of them"
                )
            self._retry = retry_policy
        else:
            from ._retry import RetryPolicy

            try:
                self._retry = RetryPolicy() if max_retries is None else RetryPolicy(max_retries)
            except (ValueError, TypeError) as exc:
                raise ConfigurationError(str(exc)) from None
        self._mismatch_warned: dict[str, None] = {}
        self._deprecations_logged: dict[str, None] = {}
        self._lock = threading.Lock()
        self.last_response = None
        from ._versions import warn_if_unsupported

        warn_if_unsupported(self.api, self.api_version, stacklevel=5)

    @staticmethod
    def _check_timeout(timeout: object) -> httpx.Timeout:
        if isinstance(timeout, httpx.Timeout):
            phases = (timeout.connect, timeout.read, timeout.write, timeout.pool)
            if any(p is not None and not 0 < p <= MAX_TIMEOUT for p in phases):
                raise ConfigurationError(
                    f"each phase of an httpx.Timeout must be None or a positive number of "
                    f"seconds up to {MAX_TIMEOUT:,.0f} (one day)"
                )
            return timeout
        if (
            isinstance(timeout, bool)
            or not isinstance(timeout, int | float)
            or not 0 < timeout <= MAX_TIMEOUT
        ):
            raise ConfigurationError(
                f"timeout must be a positive number of seconds up to {MAX_TIMEOUT:,.0f} "
                "(one day), or an httpx.Timeout"
            )
        return httpx.Timeout(float(timeout))

    # -- public read-only state ---------------------------------------------------

    @property
    def endpoint(self) -> str:
        return self._endpoint

    @property
    def retry_policy(self) -> RetryPolicy:
        return self._retry

    @property
    def max_response_bytes(self) -> int:
        return self._max_bytes

    @property
    def last_cost(self) -> QueryCost | None:
        """Admin ``extensions.cost`` of the last successful call (None before any)."""
        return self.last_response.cost if self.last_response else None

    def __repr__(self) -> str:
        from ._redact import REDACTED

        return (
            f"<{type(self).__name__} {self.api} API {self.api_version} "
            f"endpoint={self._endpoint!r} token={REDACTED}>"
        )

    # -- each call ------------------------------------------------------------------

    def _start(
        self,
        query: str,
        operation_name: str | None,
        variables: Mapping[str, object] | None,
        kwargs: Mapping[str, Any],
        operation_type: OperationType | None = None,
        idempotent: bool = False,
    ) -> tuple[PreparedRequest, _SendOptions, Limits, tuple[str, ...]]:
        """The request and its options, checked before anything is sent. A refusal
        (a variable that cannot be sent, a bad ``headers=`` or ``timeout=``) is raised
        from this frame only, once it no longer holds the variables or the headers."""
        try:
            request = prepare(query, operation_name, variables, operation_type, idempotent)
            options, limits, call_secrets = self._send_options(kwargs)
        except (ShopifyError, TypeError) as exc:
            error = exc
        else:
            return request, options, limits, _CallSecrets(call_secrets)
        del variables, kwargs
        raise _bare(error) from None

    def _send_options(
        self, kwargs: Mapping[str, Any]
    ) -> tuple[_SendOptions, Limits, tuple[str, ...]]:
        """What each attempt needs besides the body, what bounds it, and the secrets
        of the per-call headers (scrubbed from this call's errors).

        A client this class created carries the headers and timeout itself (set
        once, not merged per call); a caller's client gets them with each request.
        """
        if not kwargs:
            return self._per_call, self._limits, ()
        unknown = set(kwargs) - {"headers", "timeout"}
        if unknown:
            raise TypeError(f"unexpected keyword arguments: {', '.join(sorted(unknown))}")
        options = _SendOptions(self._per_call)
        limits = self._limits
        secrets: tuple[str, ...] = ()
        if kwargs.get("headers"):
            from ._call_headers import call_headers, merged_headers

            extra, secrets = call_headers(kwargs["headers"])
            options["headers"] = merged_headers(options.get("headers", {}), extra)
        if "timeout" in kwargs:
            timeout = self._check_timeout(kwargs["timeout"])
            options["timeout"] = timeout
            limits = Limits.of(kwargs["timeout"], self._max_bytes)
        return options, limits, secrets

    def _secrets_for(self, request: PreparedRequest, call: tuple[str, ...] = ()) -> _Secrets:
        return _Secrets(self._secrets + call, request)

    def _finish(
        self,
        raw: RawResponse,
        request: PreparedRequest,
        elapsed: float,
        attempt: int,
        call_secrets: tuple[str, ...] = (),
    ) -> GraphQLResponse:
        headers = raw.headers
        request_id = headers.get("x-request-id")
        served = headers.get("x-shopify-api-version")
        self._check_headers(headers.get("x-shopify-api-deprecated-reason"), served)
        if logger.isEnabledFor(logging.DEBUG):
            logger.debug(
                "%s API %s operation=%s status=%d elapsed_ms=%.1f request_id=%s",
                self.api,
                self.api_version,
                request.operation_name,
                raw.status_code,
                elapsed * 1000,
                request_id,
            )
        try:
            result = interpret(
                raw.status_code,
                headers,
                raw.body,
                secrets=self._secrets_for(request, call_secrets),
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
                status_code=raw.status_code,
                request_id=request_id,
            ) from None
        with self._lock:
            self.last_response = result
        return result

    def _check_headers(self, reason: str | None, served: str | None) -> None:
        # Header values are Latin-1: C1 control characters (CSI, NEL) can reach them,
        # so they are escaped before they reach a log line.
        if reason and _remember(self._deprecations_logged, reason[:500]):
            from ._redact import printable

            logger.warning(
                "Shopify %s API %s: the request used something deprecated: %s",
                self.api,
                self.api_version,
                printable(reason[:500]),
            )
        if served and served != self.api_version and _remember(self._mismatch_warned, served[:40]):
            from ._redact import printable

            message = (
                f"requested Shopify {self.api} API {self.api_version} but Shopify served "
                f"{printable(served[:40])} (it does so for unsupported versions); the generated "
                f"types describe {self.api_version}: regenerate with `shopify-codegen bump`"
            )
            logger.warning(message)
            from ._versions import VersionMismatchWarning

            warnings.warn(message, VersionMismatchWarning, stacklevel=5)

    def _transport_error(
        self,
        exc: httpx.TransportError | AttemptDeadlineExceeded,
        request: PreparedRequest,
        progress: Progress,
        call_secrets: tuple[str, ...] = (),
    ) -> TransportError:
        if isinstance(exc, AttemptDeadlineExceeded):
            sent = exc.request_sent
            what = f"timed out: {exc}"
        else:
            sent = not isinstance(exc, _SAFE_TRANSPORT_ERRORS)
            from ._redact import Scrubber

            # Scrubbed whole, then cut: a cut first could leave a token's start.
            detail = Scrubber(self._secrets_for(request, call_secrets)).excerpt(str(exc), 200)
            what = type(exc).__name__ + (f" ({detail})" if detail else "")
        when = "after the request may have reached Shopify" if sent else "before sending"
        if progress.status_code is not None:
            when = f"while reading its HTTP {progress.status_code} answer"
            if progress.request_id:
                from ._redact import printable

                when += f", request id {printable(progress.request_id)}"
        return TransportError(
            f"{what} calling {self._endpoint} ({request.operation_name or 'operation'}, {when})",
            request_sent=sent,
            status_code=progress.status_code,
            request_id=progress.request_id,
        )

    def _retry_wait(
        self, attempt: int, error: ShopifyError, request: PreparedRequest
    ) -> float | None:
        """Seconds to wait before retrying, or None when ``error`` must be raised."""
        if attempt > self._retry.max_retries:
            return None
        if isinstance(error, ThrottledError):
            hint = error.retry_after
            if hint is None and error.cost is not None:
                hint = error.cost.seconds_until_available()
            return self._retry.wait(attempt, hint)
        # A mutation with an idempotency key is resent as a query is: the same body,
        # so the same key, and Shopify applies a repeated key once (request.py).
        unsafe = request.unsafe_to_resend
        if isinstance(error, TransportError):
            if unsafe and error.request_sent:
                return None
            return self._retry.wait(attempt, None)
        if isinstance(error, HTTPStatusError) and self._retry.retries_status(
            error.status_code, is_mutation=unsafe
        ):
            return self._retry.wait(attempt, error.retry_after)
        if (
            isinstance(error, GraphQLError)
            and not unsafe
            and "INTERNAL_SERVER_ERROR" in error.codes
        ):
            # Shopify reports a 500 of its GraphQL layer as a 200 with this code; a
            # query is safe to send again, a mutation without a key may have acted.
            return self._retry.wait(attempt, None)
        return None

    # -- pacing (Admin) ---------------------------------------------------------------

    def _settle(
        self,
        ticket: Ticket | None,
        result: GraphQLResponse | None,
        error: ShopifyError | None,
    ) -> None:
        if ticket is None or self._limiter is None:
            return
        if result is not None:
            self._limiter.settle(ticket, result.cost, answered=True)
        elif isinstance(error, ThrottledError):
            self._limiter.settle(ticket, error.cost)
        else:
            sent = not isinstance(error, TransportError) or error.request_sent
            self._limiter.settle(ticket, None, sent=sent)

    async def _settle_async(
        self,
        ticket: Ticket | None,
        result: GraphQLResponse | None,
        error: ShopifyError | None,
    ) -> None:
        """:meth:`_settle` for the async client (Redis pacing awaits its answer)."""
        if ticket is None or self._limiter is None:
            return
        if result is not None:
            await self._limiter.settle_async(ticket, result.cost, answered=True)
        elif isinstance(error, ThrottledError):
            await self._limiter.settle_async(ticket, error.cost)
        else:
            sent = not isinstance(error, TransportError) or error.request_sent
            await self._limiter.settle_async(ticket, None, sent=sent)

    @property
    def pacing(self) -> QueryCostLimiter | None:
        """The query-cost limiter this client waits on (None: not paced)."""
        return self._limiter

    def _log_retry(
        self, error: ShopifyError, request: PreparedRequest, attempt: int, wait: float
    ) -> None:
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
        captured = CAPTURED.get()
        if captured is not None:
            captured.append(response)
        return ResponseData(response)

    def parse_result(self, model: type[ModelT], data: dict[str, Any]) -> ModelT:
        """Validate ``data`` into the generated ``model``; a misfit is an InvalidResponseError
        that carries the response's status code and request id."""
        try:
            return model.model_validate(data)
        except pydantic.ValidationError as exc:
            error = self._misfit(model, data, exc)
        # Raised outside the except clause, so not chained to the ValidationError (whose
        # errors hold the answer's values, tokens included).
        raise error

    def _misfit(
        self, model: type[pydantic.BaseModel], data: dict[str, Any], exc: pydantic.ValidationError
    ) -> InvalidResponseError:
        from ._redact import printable

        first = exc.errors(include_input=False, include_url=False)
        parts = []
        for err in first[:3]:
            loc = ".".join(str(p) for p in err["loc"]) or "(root)"
            parts.append(printable(f"{loc}: {err['msg']}"))
        more = f" (+{len(first) - 3} more)" if len(first) > 3 else ""
        path = ".".join(str(p) for p in first[0]["loc"]) if first else None
        response = data.response if isinstance(data, ResponseData) else None
        request_id = response.request_id if response else None
        where = f" (request id {printable(request_id)})" if request_id else ""
        return InvalidResponseError(
            f"response data does not fit the generated {model.__name__} "
            f"({self.api} API {self.api_version}){where}: " + "; ".join(parts) + more,
            path=path,
            status_code=response.status_code if response else None,
            request_id=request_id,
        )


class _SyncClient(_ClientCore[httpx.Client]):
    def _new_http(self) -> httpx.Client:
        from ._http import CookielessClient

        return CookielessClient(**self._http_options())

    def execute(
        self,
        query: str,
        operation_name: str | None = None,
        variables: Mapping[str, object] | None = None,
        *,
        operation_type: OperationType | None = None,
        idempotent: bool = False,
        **kwargs: Any,
    ) -> GraphQLResponse:
        """Send one GraphQL document, retrying what is safe to retry.

        ``operation_type`` ("query", "mutation"...): passed by the generated methods,
        which know it; without it the document is scanned (see ``_request``).
        ``idempotent=True``: the document carries an idempotency key (the generated
        methods of such mutations pass it), so a timeout or a dropped connection is
        retried as for a query, every attempt resending the same key."""
        # The pacing key holds the variables' shape and sizes, never their strings.
        cost = None if self._limiter is None else _cost_key(operation_name or "", variables, query)
        try:
            request, options, limits, call_secrets = self._start(
                query, operation_name, variables, kwargs, operation_type, idempotent
            )
        finally:
            # Out of this frame's locals (a traceback may show them): the variables
            # hold passwords, the per-call headers tokens. See _bare.
            del variables, kwargs
        attempt = 0
        paced = 0.0  # seconds the limiter held this call, all attempts together
        while True:
            attempt += 1
            if logger.isEnabledFor(logging.DEBUG):
                logger.debug(
                    "POST %s operation=%s attempt=%d", self._endpoint, operation_name, attempt
                )
            ticket = None
            if self._limiter is not None:
                # at most its max_wait in all, else PacingTimeoutError: nothing sent
                ticket = self._limiter.acquire(operation_name or "", key=cost, held=paced)
                paced = ticket.waited
            started = time.perf_counter()
            error: ShopifyError
            progress = Progress()
            try:
                raw = send_sync(self._http, self._url, request.body, options, limits, progress)
                result = self._finish(
                    raw, request, time.perf_counter() - started, attempt, call_secrets
                )
            except (httpx.TransportError, AttemptDeadlineExceeded) as exc:
                error = self._transport_error(exc, request, progress, call_secrets)
            except ShopifyError as exc:
                error = exc
            except BaseException:
                self._settle(ticket, None, None)
                raise
            else:  # settled once, outside the try: never counted as a failed attempt
                self._settle(ticket, result, None)
                return result
            self._settle(ticket, None, error)
            wait = self._retry_wait(attempt, error, request)
            if wait is None:
                # Never chained: a low-level exception may quote a header value.
                raise _bare(error) from None
            self._log_retry(error, request, attempt, wait)
            time.sleep(wait)

    def close(self) -> None:
        if self._limiter is not None:
            self._limiter.flush()  # Redis pacing: the last call's settle, sent now
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


class _AsyncClient(_ClientCore[httpx.AsyncClient]):
    def _new_http(self) -> httpx.AsyncClient:
        from ._http import CookielessAsyncClient

        return CookielessAsyncClient(**self._http_options())

    async def execute(
        self,
        query: str,
        operation_name: str | None = None,
        variables: Mapping[str, object] | None = None,
        *,
        operation_type: OperationType | None = None,
        idempotent: bool = False,
        **kwargs: Any,
    ) -> GraphQLResponse:
        """Send one GraphQL document, retrying what is safe to retry.

        ``operation_type`` ("query", "mutation"...): passed by the generated methods,
        which know it; without it the document is scanned (see ``_request``).
        ``idempotent=True``: the document carries an idempotency key (the generated
        methods of such mutations pass it), so a timeout or a dropped connection is
        retried as for a query, every attempt resending the same key."""
        # The pacing key holds the variables' shape and sizes, never their strings.
        cost = None if self._limiter is None else _cost_key(operation_name or "", variables, query)
        try:
            request, options, limits, call_secrets = self._start(
                query, operation_name, variables, kwargs, operation_type, idempotent
            )
        finally:
            # Out of this frame's locals (a traceback may show them): the variables
            # hold passwords, the per-call headers tokens. See _bare.
            del variables, kwargs
        attempt = 0
        paced = 0.0  # seconds the limiter held this call, all attempts together
        while True:
            attempt += 1
            if logger.isEnabledFor(logging.DEBUG):
                logger.debug(
                    "POST %s operation=%s attempt=%d", self._endpoint, operation_name, attempt
                )
            ticket = None
            if self._limiter is not None:
                # at most its max_wait in all, else PacingTimeoutError: nothing sent
                ticket = await self._limiter.acquire_async(
                    operation_name or "", key=cost, held=paced
                )
                paced = ticket.waited
            started = time.perf_counter()
            error: ShopifyError
            progress = Progress()
            try:
                raw = await send_async(
                    self._http, self._url, request.body, options, limits, progress
                )
                result = self._finish(
                    raw, request, time.perf_counter() - started, attempt, call_secrets
                )
            except (httpx.TransportError, AttemptDeadlineExceeded) as exc:
                error = self._transport_error(exc, request, progress, call_secrets)
            except ShopifyError as exc:
                error = exc
            except BaseException:  # cancelled: give the reservation back as spent
                self._settle(ticket, None, None)
                raise
            else:  # settled once, outside the try: never counted as a failed attempt
                await self._settle_async(ticket, result, None)
                return result
            await self._settle_async(ticket, None, error)
            wait = self._retry_wait(attempt, error, request)
            if wait is None:
                # Never chained: a low-level exception may quote a header value.
                raise _bare(error) from None
            self._log_retry(error, request, attempt, wait)
            import anyio  # here, not at module level: ~10 ms of import time

            await anyio.sleep(wait)

    async def aclose(self) -> None:
        if self._limiter is not None:
            await self._limiter.flush_async()  # Redis pacing: the last call's settle, sent now
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
