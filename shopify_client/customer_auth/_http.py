"""Bounded HTTP for the login flow: one request, a byte cap, a deadline, no redirect.

No redirect is followed even through a caller's ``http_client=`` built with
``follow_redirects=True``: a 307 from the token endpoint would carry the form (the
code and PKCE verifier, or the refresh token) to whatever host it names.

The token endpoint's answers hold tokens: they are read through the runtime's
bounded decoder, never logged, and an error quotes only the OAuth ``error`` code.
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import httpx

from .._exceptions import ResponseTooLargeError, ShopifyError, TransportError

__all__ = ["MAX_BYTES", "TIMEOUT", "Answer", "new_async_client", "new_client", "send", "send_async"]

#: Discovery documents and token answers are a few KiB; 256 KiB is generous.
MAX_BYTES = 256 * 1024
#: Each phase of a request (connect, each read...).
TIMEOUT = httpx.Timeout(10.0)
#: The whole request, however the server drips its bytes.
DEADLINE = 30.0


@dataclass(frozen=True, repr=False)
class Answer:
    status_code: int
    headers: httpx.Headers
    json: Any  # the parsed body; None when it is not JSON
    is_json: bool = True  # False: a body that does not parse (an HTML page...)

    def __repr__(self) -> str:  # the body may hold tokens
        return f"Answer(status_code={self.status_code}, body hidden)"


def _options(url: str) -> dict[str, Any]:
    from .._endpoint import is_loopback_host

    return {
        "timeout": TIMEOUT,
        "follow_redirects": False,
        # plain http (loopback tests) never goes through HTTP_PROXY
        "trust_env": not is_loopback_host(urlsplit(url).hostname or ""),
    }


def new_client(url: str) -> httpx.Client:
    from .._http import CookielessClient

    return CookielessClient(**_options(url))


def new_async_client(url: str) -> httpx.AsyncClient:
    from .._http import CookielessAsyncClient

    return CookielessAsyncClient(**_options(url))


def _parse(status: int, headers: httpx.Headers, body: bytes) -> Answer:
    try:
        parsed = json.loads(body) if body else None
    except (ValueError, RecursionError):
        return Answer(status, headers, None, is_json=False)
    return Answer(status, headers, parsed)


def _too_slow(url: str, what: str) -> TransportError:
    return TransportError(
        f"{what} at {url} took longer than {DEADLINE:g}s in all", request_sent=True
    )


def _failed(url: str, what: str, exc: httpx.TransportError) -> TransportError:
    sent = not isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout)
    return TransportError(f"{what} at {url} failed: {type(exc).__name__}", request_sent=sent)


def _too_large(url: str, what: str) -> ResponseTooLargeError:
    return ResponseTooLargeError(
        f"{what} at {url}: answer larger than {MAX_BYTES:,} bytes",
        status_code=None,
        request_id=None,
        limit=MAX_BYTES,
    )


def _request(
    http: httpx.Client | httpx.AsyncClient,
    method: str,
    url: str,
    data: Mapping[str, str] | None,
    headers: Mapping[str, str] | None,
) -> httpx.Request:
    return http.build_request(
        method, url, data=dict(data) if data else None, headers=dict(headers or {})
    )


def send(
    http: httpx.Client,
    method: str,
    url: str,
    what: str,
    *,
    data: Mapping[str, str] | None = None,
    headers: Mapping[str, str] | None = None,
) -> Answer:
    """One request, answered within :data:`DEADLINE` seconds in all: the runtime's
    watchdog (:mod:`shopify_client._deadlines`) shuts the socket of a server that
    drips its headers or body, which httpx's per-read timeout lets live for ever."""
    from .._connection import WRITER, keep_or_drop
    from .._deadlines import AttemptDeadlineExceeded, _SyncAttempt
    from .._transport import _sync_stream
    from ..toolkit import body_reader

    error: ShopifyError
    attempt = _SyncAttempt(DEADLINE)
    outer = WRITER.attempt
    response: httpx.Response | None = None
    try:
        request = _request(http, method, url, data, headers)
        request.extensions["trace"] = attempt.trace
        attempt.extensions = request.extensions
        WRITER.attempt = attempt  # a kept-alive connection tells it its socket
        # whoever built the client: never to another host
        response = http.send(request, stream=True, follow_redirects=False)
        try:
            attempt.request_sent = True
            attempt.track_response(response)
            reader = body_reader(response, MAX_BYTES)
            attempt.check()
            if response.is_stream_consumed:  # an in-process transport's ready body
                reader.feed(response.content)
            else:
                for chunk in _sync_stream(response):
                    reader.feed(chunk)
                    attempt.check()
            return _parse(response.status_code, response.headers, reader.finish())
        finally:
            attempt.done()  # off the watchdog before the connection goes back
            keep_or_drop(response, drop=attempt.fired)
            response.close()
    except AttemptDeadlineExceeded:
        error = _too_slow(url, what)
    except ResponseTooLargeError:
        error = _too_large(url, what)
    except httpx.TransportError as exc:
        fired = attempt.fired or time.monotonic() >= attempt.deadline
        error = _too_slow(url, what) if fired else _failed(url, what, exc)
    finally:
        WRITER.attempt = outer
        if response is None:
            attempt.done()
    # raised outside the except clause: never chained to httpx's (which may quote the form)
    raise error


async def _send_async(
    http: httpx.AsyncClient,
    method: str,
    url: str,
    what: str,
    data: Mapping[str, str] | None,
    headers: Mapping[str, str] | None,
) -> Answer:
    from ..toolkit import body_reader

    error: ShopifyError
    try:
        request = _request(http, method, url, data, headers)
        response = await http.send(request, stream=True, follow_redirects=False)
        try:
            reader = body_reader(response, MAX_BYTES)
            if response.is_stream_consumed:  # an in-process transport's ready body
                reader.feed(response.content)
            else:
                async for chunk in response.aiter_raw():
                    reader.feed(chunk)
            return _parse(response.status_code, response.headers, reader.finish())
        finally:
            await response.aclose()
    except ResponseTooLargeError:
        error = _too_large(url, what)
    except httpx.TransportError as exc:
        error = _failed(url, what, exc)
    raise error


async def send_async(
    http: httpx.AsyncClient,
    method: str,
    url: str,
    what: str,
    *,
    data: Mapping[str, str] | None = None,
    headers: Mapping[str, str] | None = None,
) -> Answer:
    """:func:`send` for asyncio and trio: an anyio cancel scope ends the whole
    request at :data:`DEADLINE`, headers included."""
    import anyio

    answer: Answer | None = None
    with anyio.move_on_after(DEADLINE):
        answer = await _send_async(http, method, url, what, data, headers)
    if answer is None:
        raise _too_slow(url, what)
    return answer
