"""The exceptions raised by the Shopify clients.

Every exception the clients raise on purpose derives from :class:`ShopifyError`::

    ShopifyError
    ├── ConfigurationError        bad constructor arguments (also a ValueError)
    ├── InvalidVariablesError     a variable that cannot be sent (also a TypeError)
    ├── TransportError            the request did not complete (connect, timeout, drop)
    ├── HTTPStatusError           a non-2xx answer (status_code, request_id, errors, codes)
    │   ├── AuthenticationError   401 / 403: wrong or missing token, missing scope
    │   ├── ShopUnavailableError  403 "Unavailable Shop": the shop, not the token
    │   ├── SecurityRejectionError 430: Shopify judged the traffic malicious
    │   └── ServerError           5xx
    ├── ThrottledError            429, or a 200 whose errors say THROTTLED (cost figures)
    ├── PacingTimeoutError        the Admin query-cost limiter would hold a call too long
    ├── GraphQLError              a 200 with ``errors`` (each with message, path, code)
    ├── InvalidResponseError      HTML, non-JSON, truncated, or data that does not fit
    │   └── ResponseTooLargeError the body passed ``max_response_bytes`` (decoded)
    ├── UserErrorsError           raised on request by :func:`raise_for_user_errors`
    └── BulkOperationError        a bulk query ended without its records (its
                                  subclasses, one per ending: see ``_bulk_errors``),
                                  or a bulk mutation's part (``_bulk_mutation_errors``)

Messages never contain access tokens or passwords: they are built from status codes,
error codes and Shopify's own messages, and every text of an answer (excerpts, error
entries with their extensions) is scrubbed of the call's secrets, in each spelling a
server may use, before it is cut. What Shopify sent has its control characters
escaped in messages, so it cannot rewrite a terminal or a log line.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ._records import GraphQLErrorDetail, QueryCost
    from ._user_errors import UserErrorItem

__all__ = [
    "AuthenticationError",
    "ConfigurationError",
    "GraphQLError",
    "HTTPStatusError",
    "InvalidResponseError",
    "InvalidVariablesError",
    "PacingTimeoutError",
    "ResponseTooLargeError",
    "SecurityRejectionError",
    "ServerError",
    "ShopUnavailableError",
    "ShopifyError",
    "ThrottledError",
    "TransportError",
    "UserErrorsError",
]


class ShopifyError(Exception):
    """Base class of every error raised by the Shopify clients."""

    def __reduce__(self) -> tuple[Any, ...]:
        # Most errors take keyword-only arguments, which Exception's own reduce
        # (cls(*args)) cannot give back: an error raised in a worker process failed
        # to reach the parent. Rebuilt from its message and its attributes instead.
        return (_rebuild_error, (type(self), self.args, self.__dict__))


def _rebuild_error(
    cls: type[ShopifyError], args: tuple[Any, ...], state: dict[str, Any]
) -> ShopifyError:
    error = cls.__new__(cls, *args)
    error.args = args
    error.__dict__.update(state)
    return error


class ConfigurationError(ShopifyError, ValueError):
    """The client was constructed with arguments that cannot work."""


class InvalidVariablesError(ShopifyError, TypeError):
    """A call's variables cannot be sent: nothing was sent.

    ``variable`` names the offending variable (None when the variables as a
    whole are wrong). The message names the value's type, never the value.
    """

    def __init__(self, message: str, *, variable: str | None) -> None:
        super().__init__(message)
        self.variable = variable


class TransportError(ShopifyError):
    """The request did not complete: connection refused, timeout, dropped connection.

    ``request_sent`` is False only when the request certainly never reached the
    server (connection refused, connect timeout): only then is a mutation without
    an idempotency key retried (one with a key is retried as a query is).
    When the response had begun (its body was cut or too slow), ``status_code`` and
    ``request_id`` are its status and ``X-Request-Id``; else None.
    """

    def __init__(
        self,
        message: str,
        *,
        request_sent: bool,
        status_code: int | None = None,
        request_id: str | None = None,
    ) -> None:
        super().__init__(message)
        self.request_sent = request_sent
        self.status_code = status_code
        self.request_id = request_id


class HTTPStatusError(ShopifyError):
    """Shopify answered with a non-2xx status.

    ``retry_after`` is its Retry-After, if any; ``errors`` the entries of a JSON
    ``errors`` body (a string body becomes one entry), ``codes`` their
    ``extensions.code`` values (``PAYMENT_REQUIRED``, for one); ``location`` the
    target of a redirect, which is never followed.
    """

    def __init__(
        self,
        message: str,
        *,
        status_code: int,
        request_id: str | None,
        retry_after: float | None = None,
        errors: Sequence[GraphQLErrorDetail] = (),
        location: str | None = None,
    ) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.request_id = request_id
        self.retry_after = retry_after
        self.errors: list[GraphQLErrorDetail] = list(errors)
        self.location = location

    @property
    def codes(self) -> list[str]:
        return [e.code for e in self.errors if e.code]


class AuthenticationError(HTTPStatusError):
    """401 or 403: the access token is wrong, revoked, or lacks a scope."""


class ShopUnavailableError(HTTPStatusError):
    """403 with the body ``Unavailable Shop``: Shopify documents it for a shop marked
    as fraudulent (or otherwise unavailable). A new token does not help."""


class SecurityRejectionError(HTTPStatusError):
    """430 Security Rejection: send ``buyer_ip`` with private Storefront tokens from servers."""


class ServerError(HTTPStatusError):
    """A 5xx answer from Shopify."""


class ThrottledError(ShopifyError):
    """Shopify throttled the call (HTTP 429, or ``extensions.code == "THROTTLED"``).

    Raised once retries are used up (or disabled). ``retry_after`` is the wait
    Shopify asked for, in seconds, when it said; ``cost`` the Admin cost figures.
    """

    def __init__(
        self,
        message: str,
        *,
        status_code: int,
        retry_after: float | None,
        cost: QueryCost | None,
        request_id: str | None,
    ) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.retry_after = retry_after
        self.cost = cost
        self.request_id = request_id


class PacingTimeoutError(ShopifyError):
    """The Admin query-cost limiter would hold the call past its ``max_wait``: the
    call was not sent.

    ``operation`` names the call; ``waited`` is how long it had been held (seconds,
    this call's earlier attempts included), ``limit`` the limiter's ``max_wait``;
    ``needed`` the seconds the bucket still needed to refill, or None when the call
    was waiting for the answers of calls in flight (or for its turn).
    """

    def __init__(
        self,
        message: str,
        *,
        operation: str | None,
        waited: float,
        limit: float,
        needed: float | None,
    ) -> None:
        super().__init__(message)
        self.operation = operation
        self.waited = waited
        self.limit = limit
        self.needed = needed


class GraphQLError(ShopifyError):
    """The response carried GraphQL ``errors``; ``data`` holds any partial data."""

    def __init__(
        self,
        errors: Sequence[GraphQLErrorDetail],
        *,
        data: dict[str, object] | None,
        request_id: str | None,
    ) -> None:
        self.errors = list(errors)
        self.data = data
        self.request_id = request_id
        from ._redact import printable  # with the first error, not at import

        summary = "; ".join(printable(str(e)) for e in self.errors[:5])
        more = f" (+{len(self.errors) - 5} more)" if len(self.errors) > 5 else ""
        super().__init__(f"GraphQL errors: {summary}{more}")

    @property
    def codes(self) -> list[str]:
        return [e.code for e in self.errors if e.code]


class InvalidResponseError(ShopifyError):
    """The response is not a usable GraphQL answer.

    Raised for an HTML error page, a body that is not JSON or is cut short, JSON
    with neither ``data`` nor ``errors``, or ``data`` that does not fit the
    generated types (``path`` names the offending field).
    """

    def __init__(
        self,
        message: str,
        *,
        status_code: int | None = None,
        request_id: str | None = None,
        path: str | None = None,
    ) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.request_id = request_id
        self.path = path


class ResponseTooLargeError(InvalidResponseError):
    """The response body grew past the client's ``max_response_bytes`` (decoded).

    Reading stopped there and the connection was closed; ``limit`` is the cap.
    """

    def __init__(
        self, message: str, *, status_code: int | None, request_id: str | None, limit: int
    ) -> None:
        super().__init__(message, status_code=status_code, request_id=request_id)
        self.limit = limit


class UserErrorsError(ShopifyError):
    """A mutation answered with user errors (``userErrors``, ``customerUserErrors``...)."""

    def __init__(self, user_errors: Sequence[UserErrorItem]) -> None:
        self.user_errors: list[UserErrorItem] = list(user_errors)
        parts = []
        for err in self.user_errors:
            message = getattr(err, "message", str(err))
            code = getattr(err, "code", None)
            field_path = getattr(err, "field", None)
            code_text = f"[{getattr(code, 'value', code)}] " if code is not None else ""
            where = f" (field: {'.'.join(field_path)})" if field_path else ""
            parts.append(f"{code_text}{message}{where}")
        from ._redact import printable  # with the first error, not at import

        super().__init__("user errors: " + printable("; ".join(parts)))

    @property
    def codes(self) -> list[str]:
        out = []
        for err in self.user_errors:
            code = getattr(err, "code", None)
            if code is not None:
                out.append(str(getattr(code, "value", code)))
        return out


if not TYPE_CHECKING:

    def __getattr__(name: str) -> Any:
        """Names that lived here before they moved (QueryCost and GraphQLErrorDetail
        to :mod:`._records`, UserErrorItem to :mod:`._user_errors`): pickles and
        imports made against earlier releases name this module."""
        if name in ("QueryCost", "GraphQLErrorDetail"):
            from . import _records

            return getattr(_records, name)
        if name == "UserErrorItem":
            from ._user_errors import UserErrorItem

            return UserErrorItem
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
