"""Turning an HTTP response into GraphQL data, or into the right typed error.

Held against Shopify's documented answers (https://shopify.dev/docs/api/usage/response-codes,
https://shopify.dev/docs/api/usage/rate-limits): a 403 ``Unavailable Shop`` is the
shop, not the token; a throttled call is a 200 whose ``errors`` say ``THROTTLED``
(older versions: the message ``Throttled`` with no code); an internal error is a
200 whose ``errors`` say ``INTERNAL_SERVER_ERROR``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

import httpx

from ._exceptions import (
    AuthenticationError,
    GraphQLError,
    HTTPStatusError,
    InvalidResponseError,
    SecurityRejectionError,
    ServerError,
    ShopUnavailableError,
    ThrottledError,
)

if TYPE_CHECKING:
    from ._records import GraphQLErrorDetail, GraphQLResponse, QueryCost
    from ._redact import Scrubber

# Not imported here: ._records (the answer's records) loads with the first answer,
# ._retry with the first Retry-After, ._redact with the first error to scrub, so
# that importing the clients does not load them (tests/shopify_client/test_imports.py).

__all__ = ["interpret", "interpret_response"]

_EXCERPT = 200
_MESSAGE = 2000  # of one error entry's message
_LOCATION = 500


def _scrubber(secrets: Iterable[str]) -> Scrubber:
    """The call's secrets, compiled for one error (never on a successful answer)."""
    from ._redact import Scrubber

    return secrets if isinstance(secrets, Scrubber) else Scrubber(secrets)


def _printable(text: str) -> str:
    from ._redact import printable

    return printable(text)


def _error_body(raw: bytes, scrubber: Scrubber) -> tuple[str, list[GraphQLErrorDetail]]:
    """Shopify's own error text and entries from a JSON error body, else a scrubbed excerpt."""
    try:
        body = json.loads(raw)
    except (ValueError, UnicodeDecodeError, RecursionError):
        if "<" in raw[:200].decode("utf-8", "replace")[:50]:
            return "HTML page", []
        return scrubber.excerpt(raw, _EXCERPT), []
    if isinstance(body, dict) and "errors" in body:
        details = _scrubbed_details(body["errors"], scrubber)
        return "; ".join(d.message for d in details if d.message)[:1000], details
    return scrubber.excerpt(raw, _EXCERPT), []


def _scrubbed_details(errors: object, scrubber: Scrubber) -> list[GraphQLErrorDetail]:
    """The entries of ``errors``, every string of them (message, path, extensions, at
    any depth) scrubbed of the call's secrets before anything is cut: Shopify's
    invalid-variable errors echo the value in ``extensions.value``."""
    from ._records import GraphQLErrorDetail
    from ._redact import redact_json

    return [
        GraphQLErrorDetail(
            message=d.message,
            path=d.path,
            code=d.code,
            # graphql-ruby echoes rejected variables (passwords too) here: values
            # under a sensitive key go too, whatever the call sent.
            extensions=redact_json(d.extensions),
        )
        for d in _error_details(scrubber.json(errors))
    ]


def _is_throttled(detail: GraphQLErrorDetail) -> bool:
    # Older versions (and some shards) answer {"message": "Throttled"} with no code.
    return detail.code == "THROTTLED" or (detail.code is None and detail.message == "Throttled")


def _error_details(errors: object) -> list[GraphQLErrorDetail]:
    from ._records import GraphQLErrorDetail

    if isinstance(errors, str):
        return [GraphQLErrorDetail(message=errors)]
    if not isinstance(errors, list):
        return [GraphQLErrorDetail(message=str(errors))]
    details = []
    for item in errors:
        if not isinstance(item, dict):
            details.append(GraphQLErrorDetail(message=str(item)))
            continue
        ext = item.get("extensions")
        ext = ext if isinstance(ext, dict) else {}
        raw_path = item.get("path")
        path = (
            tuple(p for p in raw_path if isinstance(p, str | int))
            if isinstance(raw_path, list)
            else ()
        )
        code = ext.get("code")
        details.append(
            GraphQLErrorDetail(
                message=str(item.get("message", ""))[:_MESSAGE],
                path=path,
                code=code if isinstance(code, str) else None,
                extensions=ext,
            )
        )
    return details


def _retry_after(headers: Mapping[str, str]) -> float | None:
    from ._retry import parse_retry_after

    return parse_retry_after(headers.get("retry-after"))


def _query_cost(extensions: object) -> QueryCost | None:
    from ._records import QueryCost

    return QueryCost.from_extensions(extensions)


def interpret_response(
    response: httpx.Response,
    *,
    body: bytes | None = None,
    secrets: Iterable[str],
    elapsed: float = 0.0,
    attempts: int = 1,
    request_id: str | None = None,
    api_version: str | None = None,
) -> GraphQLResponse:
    """Return the data of a 2xx GraphQL answer or raise the matching ShopifyError.

    ``body`` is the response body as read (bounded) by the caller; without it,
    ``response.content``. ``request_id`` and ``api_version`` are the response's
    headers when the caller already read them. Every message is scrubbed of
    ``secrets`` (the tokens, and the call's sensitive variable values).
    """
    raw = response.content if body is None else body
    return interpret(
        response.status_code,
        response.headers,
        raw,
        secrets=secrets,
        elapsed=elapsed,
        attempts=attempts,
        request_id=request_id,
        api_version=api_version,
    )


def interpret(
    status: int,
    headers: Mapping[str, str],
    raw: bytes,
    *,
    secrets: Iterable[str],
    elapsed: float = 0.0,
    attempts: int = 1,
    request_id: str | None = None,
    api_version: str | None = None,
) -> GraphQLResponse:
    """:func:`interpret_response` on the parts of a response.

    ``headers``: an ``httpx.Headers``, or a dict with lower-case names (what the
    clients pass: the headers read once, see ``_transport.header_fields``).
    """
    if request_id is None:
        request_id = headers.get("x-request-id")
    if api_version is None:
        api_version = headers.get("x-shopify-api-version")
    where = f" (request id {_printable(request_id)})" if request_id else ""

    if status == 429:
        raise ThrottledError(
            f"HTTP 429 Too Many Requests from Shopify{where}",
            status_code=429,
            retry_after=_retry_after(headers),
            cost=None,
            request_id=request_id,
        )
    if status == 430:
        raise SecurityRejectionError(
            f"HTTP 430 Security Rejection{where}: Shopify judged this traffic malicious; "
            "server-side Storefront calls should use a private token and pass buyer_ip",
            status_code=430,
            request_id=request_id,
        )
    if 300 <= status < 400:
        location = _scrubber(secrets).head(headers.get("location", ""), _LOCATION)[0] or None
        shown = _printable(location) if location else "(no Location)"
        raise HTTPStatusError(
            f"HTTP {status} redirect from Shopify{where} to {shown}: "
            "not followed (it would carry the access token elsewhere); if the shop moved, "
            "use the new address",
            status_code=status,
            request_id=request_id,
            location=location,
        )
    if not 200 <= status < 300:
        message, details = _error_body(raw, _scrubber(secrets))
        text = f"HTTP {status} from Shopify{where}: {_printable(message)}"
        if status == 423 or (status == 403 and "unavailable shop" in message.lower()):
            raise ShopUnavailableError(
                text + " (the shop is unavailable or locked; a new token will not help)",
                status_code=status,
                request_id=request_id,
                errors=details,
            )
        if status in (401, 403):
            raise AuthenticationError(
                text, status_code=status, request_id=request_id, errors=details
            )
        if status >= 500:
            raise ServerError(
                text,
                status_code=status,
                request_id=request_id,
                retry_after=_retry_after(headers),
                errors=details,
            )
        raise HTTPStatusError(text, status_code=status, request_id=request_id, errors=details)

    content_type = headers.get("content-type", "")
    first = raw[:64].lstrip()[:1]
    if "html" in content_type or first == b"<":
        raise InvalidResponseError(
            f"HTTP {status} answered with an HTML page, not GraphQL JSON{where}: "
            f"{_scrubber(secrets).excerpt(raw, _EXCERPT)}",
            status_code=status,
            request_id=request_id,
        )
    try:
        body = json.loads(raw)
    except UnicodeDecodeError as exc:
        raise InvalidResponseError(
            f"response body is not valid UTF-8{where}: {exc.reason} at byte {exc.start}",
            status_code=status,
            request_id=request_id,
        ) from None
    except json.JSONDecodeError as exc:
        truncated = first in (b"{", b"[") and (
            exc.pos >= len(raw.rstrip()) - 1
            or exc.msg.startswith("Unterminated string")
            or raw.count(b"{") + raw.count(b"[") > raw.count(b"}") + raw.count(b"]")
        )
        kind = "truncated JSON (the body ends early)" if truncated else "not JSON"
        raise InvalidResponseError(
            f"response body is {kind}{where}: {exc.msg} at line {exc.lineno} column "
            f"{exc.colno} ({len(raw)} bytes)",
            status_code=status,
            request_id=request_id,
        ) from None
    except RecursionError:
        raise InvalidResponseError(
            f"response body is nested too deeply to decode{where}",
            status_code=status,
            request_id=request_id,
        ) from None
    if not isinstance(body, dict):
        raise InvalidResponseError(
            f"response JSON is a {type(body).__name__}, not an object{where}",
            status_code=status,
            request_id=request_id,
        )
    extensions = body.get("extensions")
    extensions = extensions if isinstance(extensions, dict) else {}
    data = body.get("data")
    errors = body.get("errors")

    if errors:
        details = _scrubbed_details(errors, _scrubber(secrets))
        if any(_is_throttled(d) for d in details):
            raise ThrottledError(
                f"Shopify throttled the query (THROTTLED){where}",
                status_code=status,
                retry_after=None,
                cost=_query_cost(extensions),
                request_id=request_id,
            )
        raise GraphQLError(
            details, data=data if isinstance(data, dict) else None, request_id=request_id
        )
    if data is None:
        raise InvalidResponseError(
            f"response JSON has neither 'data' nor 'errors'{where}",
            status_code=status,
            request_id=request_id,
        )
    if not isinstance(data, dict):
        raise InvalidResponseError(
            f"response 'data' is a {type(data).__name__}, not an object{where}",
            status_code=status,
            request_id=request_id,
        )
    from ._records import GraphQLResponse

    return GraphQLResponse(
        data=data,
        extensions=extensions,
        status_code=status,
        request_id=request_id,
        api_version=api_version,
        elapsed=elapsed,
        attempts=attempts,
    )


if not TYPE_CHECKING:

    def __getattr__(name: str) -> Any:
        """GraphQLResponse lived here before it moved to :mod:`._records`: pickles
        made by earlier releases name this module."""
        if name == "GraphQLResponse":
            from ._records import GraphQLResponse

            return GraphQLResponse
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
