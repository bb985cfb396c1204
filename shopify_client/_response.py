"""Turning an HTTP response into GraphQL data, or into the right typed error."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import httpx

from ._exceptions import (
    AuthenticationError,
    GraphQLError,
    GraphQLErrorDetail,
    HTTPStatusError,
    InvalidResponseError,
    QueryCost,
    SecurityRejectionError,
    ServerError,
    ThrottledError,
)
from ._redact import redact_json, scrub
from ._retry import parse_retry_after

__all__ = ["GraphQLResponse", "interpret_response"]

_EXCERPT = 200


@dataclass(frozen=True)
class GraphQLResponse:
    """A successful GraphQL answer: ``data`` plus what Shopify said about the call."""

    data: dict[str, Any]
    extensions: dict[str, Any] = field(default_factory=dict)
    status_code: int = 200
    request_id: str | None = None
    api_version: str | None = None
    elapsed: float = 0.0
    attempts: int = 1

    @property
    def cost(self) -> QueryCost | None:
        return QueryCost.from_extensions(self.extensions)

    def __repr__(self) -> str:
        return (
            f"GraphQLResponse(data={redact_json(self.data)!r}, status_code={self.status_code}, "
            f"request_id={self.request_id!r}, api_version={self.api_version!r}, "
            f"elapsed={self.elapsed:.4f}, attempts={self.attempts}, cost={self.cost!r})"
        )


def _excerpt(text: str, secrets: tuple[str, ...]) -> str:
    flat = " ".join(text.split())
    cut = flat[:_EXCERPT] + ("..." if len(flat) > _EXCERPT else "")
    return scrub(cut, secrets)


def _shopify_message(response: httpx.Response, secrets: tuple[str, ...]) -> str:
    """Shopify's own error text from a JSON error body, else a scrubbed excerpt."""
    try:
        body = response.json()
    except (ValueError, UnicodeDecodeError, RecursionError):
        return _excerpt(response.text, secrets) if "<" not in response.text[:50] else "HTML page"
    if isinstance(body, dict) and "errors" in body:
        errors = body["errors"]
        if isinstance(errors, str):
            return scrub(errors, secrets)
        if isinstance(errors, list):
            msgs = [str(e.get("message", "")) if isinstance(e, dict) else str(e) for e in errors]
            return scrub("; ".join(m for m in msgs if m), secrets)
        return scrub(json.dumps(errors)[:_EXCERPT], secrets)
    return _excerpt(response.text, secrets)


def _error_details(errors: object) -> list[GraphQLErrorDetail]:
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
                message=str(item.get("message", "")),
                path=path,
                code=code if isinstance(code, str) else None,
                extensions=ext,
            )
        )
    return details


def interpret_response(
    response: httpx.Response,
    *,
    secrets: tuple[str, ...],
    elapsed: float = 0.0,
    attempts: int = 1,
    request_id: str | None = None,
    api_version: str | None = None,
) -> GraphQLResponse:
    """Return the data of a 2xx GraphQL answer or raise the matching ShopifyError.

    ``request_id`` and ``api_version`` are the response's headers when the caller
    already read them (each header lookup scans all of Shopify's ~20 headers).
    """
    status = response.status_code
    if request_id is None:
        request_id = response.headers.get("x-request-id")
    if api_version is None:
        api_version = response.headers.get("x-shopify-api-version")
    where = f" (request id {request_id})" if request_id else ""

    if status == 429:
        raise ThrottledError(
            f"HTTP 429 Too Many Requests from Shopify{where}",
            status_code=429,
            retry_after=parse_retry_after(response.headers.get("retry-after")),
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
    if status in (401, 403):
        raise AuthenticationError(
            f"HTTP {status} from Shopify{where}: {_shopify_message(response, secrets)}",
            status_code=status,
            request_id=request_id,
        )
    if status >= 500:
        raise ServerError(
            f"HTTP {status} from Shopify{where}: {_shopify_message(response, secrets)}",
            status_code=status,
            request_id=request_id,
            retry_after=parse_retry_after(response.headers.get("retry-after")),
        )
    if not 200 <= status < 300:
        raise HTTPStatusError(
            f"HTTP {status} from Shopify{where}: {_shopify_message(response, secrets)}",
            status_code=status,
            request_id=request_id,
        )

    content_type = response.headers.get("content-type", "")
    raw = response.content
    first = raw[:64].lstrip()[:1]
    if "html" in content_type or first == b"<":
        raise InvalidResponseError(
            f"HTTP {status} answered with an HTML page, not GraphQL JSON{where}: "
            f"{_excerpt(response.text, secrets)}",
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
        details = _error_details(errors)
        details = [
            GraphQLErrorDetail(
                message=scrub(d.message, secrets),
                path=d.path,
                code=d.code,
                # graphql-ruby echoes rejected variables (passwords too) here.
                extensions=redact_json(d.extensions),
            )
            for d in details
        ]
        if any(d.code == "THROTTLED" for d in details):
            raise ThrottledError(
                f"Shopify throttled the query (THROTTLED){where}",
                status_code=status,
                retry_after=None,
                cost=QueryCost.from_extensions(extensions),
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
    return GraphQLResponse(
        data=data,
        extensions=extensions,
        status_code=status,
        request_id=request_id,
        api_version=api_version,
        elapsed=elapsed,
        attempts=attempts,
    )
