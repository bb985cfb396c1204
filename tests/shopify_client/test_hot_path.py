"""What a successful call does, and does not do, on its way (issue 11): the
response's headers read once, no DEBUG log record built while DEBUG is off,
httpcore's trace callback called only for the phases the deadline needs.

No timing here (speed lives in ``make bench``): these tests pin the work itself.
"""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

import httpcore._trace as httpcore_trace
import httpx
import pytest

from shopify_client import GraphQLError
from shopify_client._client import logger
from shopify_client._request import prepare
from shopify_client._transport import header_fields
from shopify_client.testing import STOREFRONT_TOKEN
from shopify_storefront import AsyncClient as AsyncStorefrontClient
from shopify_storefront import Client as StorefrontClient
from tests.shopify_client.raw_server import Connection, head, raw_server

ENDPOINT = "https://your-development-store.myshopify.com/api/2024-10/graphql.json"
CUSTOMER = {"data": {"customer": None}}
DATA = json.dumps(CUSTOMER).encode()


def client_answering(response: httpx.Response) -> StorefrontClient:
    return StorefrontClient(
        endpoint=ENDPOINT,
        access_token=STOREFRONT_TOKEN,
        http_client=httpx.Client(transport=httpx.MockTransport(lambda request: response)),
        max_retries=0,
    )


def test_header_fields_read_names_case_free_and_join_repeats_as_httpx_does() -> None:
    headers = httpx.Headers(
        [
            ("X-Request-Id", "first"),
            ("Content-Type", "application/json"),
            ("x-request-id", "second"),
        ]
    )
    fields = header_fields(headers)
    assert fields == {"x-request-id": "first, second", "content-type": "application/json"}
    assert fields["x-request-id"] == headers.get("x-request-id")


def test_a_call_reads_the_response_headers_once(monkeypatch: pytest.MonkeyPatch) -> None:
    lookups: list[str] = []
    real_get = httpx.Headers.get

    def recording(self: httpx.Headers, key: str, default: object = None) -> object:
        lookups.append(key.lower())
        return real_get(self, key, default)

    response = httpx.Response(
        200,
        json=CUSTOMER,
        headers={"X-Request-Id": "req-1", "X-Shopify-API-Version": "2024-10"},
    )
    with client_answering(response) as client:
        monkeypatch.setattr(httpx.Headers, "get", recording)
        result = client.customer(customer_access_token="t")
    assert result.customer is None
    # No name the runtime reads is looked up in httpx.Headers (a scan of every
    # header each time): they come from the one header_fields() dict.
    ours = {
        "x-request-id",
        "x-shopify-api-version",
        "x-shopify-api-deprecated-reason",
        "content-encoding",
    }
    assert ours.isdisjoint(lookups)
    assert client.last_response is not None
    assert client.last_response.request_id == "req-1"


def test_repeated_request_id_headers_still_reach_the_error_joined() -> None:
    body = {"errors": [{"message": "no", "extensions": {"code": "ACCESS_DENIED"}}]}
    response = httpx.Response(
        200,
        content=json.dumps(body).encode(),
        headers=[("X-Request-Id", "a"), ("X-Request-Id", "b")],
    )
    with client_answering(response) as client, pytest.raises(GraphQLError) as info:
        client.customer(customer_access_token="t")
    assert info.value.request_id == "a, b"


def test_no_debug_record_is_built_while_debug_is_off(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[tuple[object, ...]] = []

    def debug(*args: object, **kwargs: object) -> None:
        calls.append(args)

    monkeypatch.setattr(logger, "debug", debug)
    monkeypatch.setattr(logger, "level", logging.INFO)
    with client_answering(httpx.Response(200, json=CUSTOMER)) as client:
        client.customer(customer_access_token="t")
    assert calls == []


def test_debug_records_still_come_when_asked_for(caplog: pytest.LogCaptureFixture) -> None:
    with (
        caplog.at_level(logging.DEBUG, logger="shopify_client"),
        client_answering(httpx.Response(200, json=CUSTOMER)) as client,
    ):
        client.customer(customer_access_token="t")
    messages = [r.getMessage() for r in caplog.records]
    assert any(m.startswith("POST ") and "operation=customer attempt=1" in m for m in messages)
    assert any("status=200" in m for m in messages)


def _traced_events(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The httpcore phases that reached a request's trace callback."""
    events: list[str] = []
    real_sync, real_async = httpcore_trace.Trace.trace, httpcore_trace.Trace.atrace

    def sync(self: httpcore_trace.Trace, name: str, info: dict[str, Any]) -> None:
        if self.trace_extension is not None:
            events.append(f"{self.prefix}.{name}")
        real_sync(self, name, info)

    async def async_(self: httpcore_trace.Trace, name: str, info: dict[str, Any]) -> None:
        if self.trace_extension is not None:
            events.append(f"{self.prefix}.{name}")
        await real_async(self, name, info)

    monkeypatch.setattr(httpcore_trace.Trace, "trace", sync)
    monkeypatch.setattr(httpcore_trace.Trace, "atrace", async_)
    return events


def _answer(conn: Connection) -> None:
    conn.send(head(length=len(DATA)) + DATA)


# The socket is learnt at connect; once the headers start to go out, the attempt
# needs nothing more from httpcore's trace (its later phases are bounded by the
# watchdog / the loop's deadline timer and the checks between reads), so it is taken off.
TRACED = [
    "connection.connect_tcp.started",
    "connection.connect_tcp.complete",
    "http11.send_request_headers.started",
    "http11.send_request_headers.complete",
]


def test_the_sync_trace_stops_once_the_request_goes_out(monkeypatch: pytest.MonkeyPatch) -> None:
    events = _traced_events(monkeypatch)
    with (
        raw_server(_answer, lifetime=10) as server,
        StorefrontClient(endpoint=server.url(), access_token=STOREFRONT_TOKEN) as client,
    ):
        assert client.customer(customer_access_token="t").customer is None
    assert events == TRACED


def test_the_async_trace_stops_once_the_request_goes_out(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    events = _traced_events(monkeypatch)

    async def call(url: str) -> None:
        async with AsyncStorefrontClient(endpoint=url, access_token=STOREFRONT_TOKEN) as client:
            assert (await client.customer(customer_access_token="t")).customer is None

    with raw_server(_answer, lifetime=10) as server:
        asyncio.run(call(server.url()))
    assert events == TRACED


def test_a_prepared_request_carries_no_per_call_dict(monkeypatch: pytest.MonkeyPatch) -> None:
    request = prepare("mutation m($password: String!) { x }", "m", {"password": "hunter2"})
    assert not hasattr(request, "__dict__")  # slots: no dict built per call
    parses = 0
    real_loads = json.loads

    def counting(raw: str | bytes) -> object:
        nonlocal parses
        parses += 1
        return real_loads(raw)

    monkeypatch.setattr("shopify_client._request.json.loads", counting)
    assert request.secret_values == ("hunter2",)
    assert request.secret_values == ("hunter2",)
    assert parses == 1  # worked out once, then remembered


def test_a_request_carries_only_the_headers_it_needs() -> None:
    seen: list[httpx.Request] = []

    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json=CUSTOMER)

    with StorefrontClient(
        endpoint=ENDPOINT,
        access_token=STOREFRONT_TOKEN,
        http_client=httpx.Client(transport=httpx.MockTransport(handle)),
    ) as client:
        client.customer(customer_access_token="t")
    sent = seen[0].headers
    # The client names itself once, in User-Agent (no X-SDK-* copies of it).
    assert sent["user-agent"].startswith("shopify-graphql-typed/")
    assert not [name for name in sent if name.lower().startswith("x-sdk-")]
    assert sent["accept-encoding"] == "gzip, deflate"  # only what the runtime decodes
    assert sent["x-shopify-storefront-access-token"] == STOREFRONT_TOKEN


# -- the endpoint and the deadline cost no per-call setup --------------------------------


def _counting_urlparse(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    import httpx._urls as httpx_urls

    parsed: list[str] = []
    real = httpx_urls.urlparse  # type: ignore[attr-defined]

    def counting(url: str = "", **kwargs: Any) -> Any:
        parsed.append(url)
        return real(url, **kwargs)

    monkeypatch.setattr(httpx_urls, "urlparse", counting)
    return parsed


def test_the_endpoint_url_is_parsed_once_per_client_not_per_call(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    parsed = _counting_urlparse(monkeypatch)
    with client_answering(httpx.Response(200, json=CUSTOMER)) as client:
        built = len(parsed)
        for _ in range(5):
            assert client.customer(customer_access_token="t").customer is None
    assert built >= 1  # the client parsed its endpoint when it was built
    assert parsed[built:] == []  # and no call parsed it again


class _CountingCondition:
    """threading.Condition, counting the times it is taken."""

    def __init__(self, real: Any) -> None:
        self.real = real
        self.taken = 0

    def __enter__(self) -> Any:
        self.taken += 1
        return self.real.__enter__()

    def __exit__(self, *exc: object) -> Any:
        return self.real.__exit__(*exc)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.real, name)


def test_sync_calls_take_no_lock_for_their_deadline(monkeypatch: pytest.MonkeyPatch) -> None:
    from shopify_client import _deadlines

    with (
        raw_server(_answer, lifetime=10) as server,
        StorefrontClient(endpoint=server.url(), access_token=STOREFRONT_TOKEN) as client,
    ):
        client.customer(customer_access_token="t")  # the watchdog is up, sleeping
        counting = _CountingCondition(_deadlines._WATCHDOG._cond)
        monkeypatch.setattr(_deadlines._WATCHDOG, "_cond", counting)
        for _ in range(5):
            assert client.customer(customer_access_token="t").customer is None
    assert counting.taken == 0
    assert not _deadlines._WATCHDOG._active  # every attempt was taken off


def test_async_calls_share_one_deadline_timer(monkeypatch: pytest.MonkeyPatch) -> None:
    timers: list[float] = []

    async def calls(url: str) -> None:
        loop = asyncio.get_running_loop()
        real_call_at = loop.call_at

        def counting(when: float, callback: Any, *args: Any, **kwargs: Any) -> Any:
            if getattr(callback, "__qualname__", "") == "_LoopDeadlines._expire":
                timers.append(when)  # not httpcore's own read timeouts (anyio's)
            return real_call_at(when, callback, *args, **kwargs)

        monkeypatch.setattr(loop, "call_at", counting)
        async with AsyncStorefrontClient(endpoint=url, access_token=STOREFRONT_TOKEN) as client:
            for _ in range(6):
                assert (await client.customer(customer_access_token="t")).customer is None

    with raw_server(_answer, lifetime=10) as server:
        asyncio.run(calls(server.url()))
    # asyncio.timeout would set (and cancel) one timer per call; later deadlines
    # than the pending timer's need none.
    assert len(timers) == 1
