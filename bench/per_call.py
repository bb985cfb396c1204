"""Section 1, per-call overhead: the median and p99 of one call, sync and async, for
each Storefront operation, next to raw httpx (the baseline), ariadne-codegen's default
client and gql, all against the canned server of bench/server.py, interleaved in blocks."""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import importlib.util
import json
import time
from types import ModuleType
from typing import Any

import httpx

import shopify_storefront
from bench.common import (
    EMAIL,
    OPERATIONS,
    PASSWORD,
    RAW_HEADERS,
    TOKEN,
    AsyncCall,
    Context,
    JSONDict,
    Series,
    Settings,
    SyncCall,
    log,
    rotated,
)
from bench.table import Row
from shopify_client._http import CookielessAsyncClient, CookielessClient

# Goal from issue 11: ours / raw httpx, median per call, and below ariadne-codegen's default.
GOAL_PER_CALL = 1.03

RAW = "raw httpx"
# The same raw call with the URL parsed once (an httpx.URL), as our clients do: not the
# baseline (the is `post(str)` plus json.loads), shown so that the part of our
# lead that comes from not re-parsing the URL can be read off the table.
RAW_URL = "raw httpx, httpx.URL"
# ... and also without httpx's cookie jar, as our clients do (shopify_client/_http.py):
# raw httpx doing what ours does at the HTTP level, so that what our runtime itself
# costs (encoding, checks, typed parsing) reads as this row's distance to ours.
RAW_BARE = "raw httpx, httpx.URL, no cookie jar"
OURS = "shopify_storefront"
ARIADNE = "ariadne-codegen default"
GQL = "gql + httpx transport"
ALL_PEERS = (RAW, RAW_URL, RAW_BARE, OURS, ARIADNE, GQL)


def _gql() -> Any:
    """gql, the `bench` extra (`make bench` installs it), or None: its rows are left out."""
    if importlib.util.find_spec("gql") is None:
        return None
    return importlib.import_module("gql")


def peers() -> tuple[str, ...]:
    return ALL_PEERS if _gql() is not None else (RAW, RAW_URL, RAW_BARE, OURS, ARIADNE)


def _ours_input() -> shopify_storefront.CustomerAccessTokenCreateInput:
    return shopify_storefront.CustomerAccessTokenCreateInput(email=EMAIL, password=PASSWORD)


def sync_calls(
    url: str,
    bodies: dict[str, bytes],
    defaults: ModuleType,
    stack: contextlib.ExitStack,
) -> dict[tuple[str, str], SyncCall]:
    """One zero-argument call per (peer, operation); every client built once, kept open."""
    raw = stack.enter_context(httpx.Client())
    bare = stack.enter_context(CookielessClient())
    parsed_url = httpx.URL(url)
    ours = stack.enter_context(shopify_storefront.Client(endpoint=url, access_token=TOKEN))
    ariadne = defaults.Client(url=url, headers={"X-Shopify-Storefront-Access-Token": TOKEN})
    stack.callback(ariadne.http_client.close)
    gql = _gql()
    gql_session: Any = None
    if gql is not None:
        transport = importlib.import_module("gql.transport.httpx").HTTPXTransport
        gql_client = gql.Client(transport=transport(url=url, headers=RAW_HEADERS))
        gql_session = gql_client.connect_sync()
        stack.callback(gql_client.close_sync)

    ours_input = _ours_input()
    ariadne_input = defaults.CustomerAccessTokenCreateInput(email=EMAIL, password=PASSWORD)
    calls: dict[tuple[str, str], SyncCall] = {}
    for op in OPERATIONS:
        body = bodies[op.name]

        def call_raw(body: bytes = body) -> object:
            response = raw.post(url, content=body, headers=RAW_HEADERS)
            return json.loads(response.content)

        def call_raw_url(body: bytes = body) -> object:
            response = raw.post(parsed_url, content=body, headers=RAW_HEADERS)
            return json.loads(response.content)

        def call_raw_bare(body: bytes = body) -> object:
            response = bare.post(parsed_url, content=body, headers=RAW_HEADERS)
            return json.loads(response.content)

        request = (
            gql.GraphQLRequest(
                op.query_file.read_text(), variable_values=op.gql_variables, operation_name=op.name
            )
            if gql is not None
            else None
        )

        def call_gql(request: Any = request) -> object:
            result: object = gql_session.execute(request)
            return result

        if op.name == "customer":

            def call_ours() -> object:
                return ours.customer(customer_access_token=TOKEN)

            def call_ariadne() -> object:
                return ariadne.customer(customer_access_token=TOKEN)
        else:

            def call_ours() -> object:
                return ours.customer_access_token_create(input=ours_input)

            def call_ariadne() -> object:
                return ariadne.customer_access_token_create(input=ariadne_input)

        calls[RAW, op.name] = call_raw
        calls[RAW_URL, op.name] = call_raw_url
        calls[RAW_BARE, op.name] = call_raw_bare
        calls[OURS, op.name] = call_ours
        calls[ARIADNE, op.name] = call_ariadne
        if gql is not None:
            calls[GQL, op.name] = call_gql
    return calls


def measure_sync(
    url: str, bodies: dict[str, bytes], defaults: ModuleType, settings: Settings
) -> dict[tuple[str, str], Series]:
    series = {(peer, op.name): Series() for peer in peers() for op in OPERATIONS}
    with contextlib.ExitStack() as stack:
        calls = sync_calls(url, bodies, defaults, stack)
        for op in OPERATIONS:
            for peer in peers():
                op.check(calls[peer, op.name]())
                for _ in range(settings.warmup):
                    calls[peer, op.name]()
        per_block = settings.calls // settings.blocks
        clock = time.perf_counter_ns
        for block in range(settings.blocks):
            for op in OPERATIONS:
                for peer in rotated(peers(), block):
                    call = calls[peer, op.name]
                    samples = series[peer, op.name].samples
                    for _ in range(per_block):
                        started = clock()
                        call()
                        samples.append(clock() - started)
    return series


async def _measure_async(
    url: str, bodies: dict[str, bytes], defaults: ModuleType, settings: Settings
) -> dict[tuple[str, str], Series]:
    series = {(peer, op.name): Series() for peer in peers() for op in OPERATIONS}
    async with contextlib.AsyncExitStack() as stack:
        raw = await stack.enter_async_context(httpx.AsyncClient())
        bare = await stack.enter_async_context(CookielessAsyncClient())
        parsed_url = httpx.URL(url)
        ours = await stack.enter_async_context(
            shopify_storefront.AsyncClient(endpoint=url, access_token=TOKEN)
        )
        ariadne = defaults.Client(url=url, headers={"X-Shopify-Storefront-Access-Token": TOKEN})
        stack.push_async_callback(ariadne.http_client.aclose)
        gql = _gql()
        gql_session: Any = None
        if gql is not None:
            transport = importlib.import_module("gql.transport.httpx").HTTPXAsyncTransport
            gql_client = gql.Client(transport=transport(url=url, headers=RAW_HEADERS))
            gql_session = await gql_client.connect_async()
            stack.push_async_callback(gql_client.close_async)

        ours_input = _ours_input()
        ariadne_input = defaults.CustomerAccessTokenCreateInput(email=EMAIL, password=PASSWORD)
        calls: dict[tuple[str, str], AsyncCall] = {}
        for op in OPERATIONS:
            body = bodies[op.name]

            async def call_raw(body: bytes = body) -> object:
                response = await raw.post(url, content=body, headers=RAW_HEADERS)
                return json.loads(response.content)

            async def call_raw_url(body: bytes = body) -> object:
                response = await raw.post(parsed_url, content=body, headers=RAW_HEADERS)
                return json.loads(response.content)

            async def call_raw_bare(body: bytes = body) -> object:
                response = await bare.post(parsed_url, content=body, headers=RAW_HEADERS)
                return json.loads(response.content)

            request = (
                gql.GraphQLRequest(
                    op.query_file.read_text(),
                    variable_values=op.gql_variables,
                    operation_name=op.name,
                )
                if gql is not None
                else None
            )

            async def call_gql(request: Any = request) -> object:
                result: object = await gql_session.execute(request)
                return result

            if op.name == "customer":

                async def call_ours() -> object:
                    return await ours.customer(customer_access_token=TOKEN)

                async def call_ariadne() -> object:
                    result: object = await ariadne.customer(customer_access_token=TOKEN)
                    return result
            else:

                async def call_ours() -> object:
                    return await ours.customer_access_token_create(input=ours_input)

                async def call_ariadne() -> object:
                    result: object = await ariadne.customer_access_token_create(input=ariadne_input)
                    return result

            calls[RAW, op.name] = call_raw
            calls[RAW_URL, op.name] = call_raw_url
            calls[RAW_BARE, op.name] = call_raw_bare
            calls[OURS, op.name] = call_ours
            calls[ARIADNE, op.name] = call_ariadne
            if gql is not None:
                calls[GQL, op.name] = call_gql

        for op in OPERATIONS:
            for peer in peers():
                op.check(await calls[peer, op.name]())
                for _ in range(settings.warmup):
                    await calls[peer, op.name]()
        per_block = settings.calls // settings.blocks
        clock = time.perf_counter_ns
        for block in range(settings.blocks):
            for op in OPERATIONS:
                for peer in rotated(peers(), block):
                    call = calls[peer, op.name]
                    samples = series[peer, op.name].samples
                    for _ in range(per_block):
                        started = clock()
                        await call()
                        samples.append(clock() - started)
    return series


def measure_async(
    url: str, bodies: dict[str, bytes], defaults: ModuleType, settings: Settings
) -> dict[tuple[str, str], Series]:
    return asyncio.run(_measure_async(url, bodies, defaults, settings))


def per_call_rows(flavour: str, series: dict[tuple[str, str], Series]) -> list[Row]:
    rows = []
    for op in OPERATIONS:
        base = series[RAW, op.name]
        base_text = f"{base.median_ms:.3f} / {base.p99_ms:.3f} ms"
        for peer in peers():
            s = series[peer, op.name]
            is_ours = peer == OURS
            ratio = s.median_ms / base.median_ms
            met = None
            if is_ours:
                ariadne = series[ARIADNE, op.name].median_ms
                met = ratio <= GOAL_PER_CALL and s.median_ms < ariadne
            rows.append(
                Row(
                    section="1",
                    figure=f"{flavour} {op.name}: {peer}" + (" (baseline)" if peer == RAW else ""),
                    value=f"{s.median_ms:.3f} / {s.p99_ms:.3f} ms",
                    baseline=base_text,
                    ratio=f"{ratio:.2f}x / {s.p99_ms / base.p99_ms:.2f}x",
                    goal=f"<= {GOAL_PER_CALL:.2f}x, < ariadne" if is_ours else "",
                    met=met,
                )
            )
    return rows


def series_json(flavour: str, series: dict[tuple[str, str], Series]) -> list[JSONDict]:
    out = []
    for (peer, operation), s in series.items():
        base = series[RAW, operation]
        out.append(
            {
                "flavour": flavour,
                "operation": operation,
                "client": peer,
                "calls": len(s.samples),
                "median_ms": s.median_ms,
                "p99_ms": s.p99_ms,
                "mean_ms": s.mean_ms,
                "median_ratio_to_raw": s.median_ms / base.median_ms,
                "p99_ratio_to_raw": s.p99_ms / base.p99_ms,
            }
        )
    return out


def measure(ctx: Context) -> list[Row]:
    """Section 1: sync, then async."""
    defaults_sync = importlib.import_module("ariadne_default_storefront")
    defaults_async = importlib.import_module("ariadne_default_storefront_async")
    log("1. per-call overhead (sync)")
    sync_series = measure_sync(ctx.url, ctx.bodies, defaults_sync, ctx.settings)
    log("1. per-call overhead (async)")
    async_series = measure_async(ctx.url, ctx.bodies, defaults_async, ctx.settings)
    ctx.results["per_call"] = series_json("sync", sync_series) + series_json("async", async_series)
    return per_call_rows("sync", sync_series) + per_call_rows("async", async_series)
