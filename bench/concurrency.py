"""Section 3, concurrency: calls per second of many `customer` calls in flight through
one client, ours against raw httpx, in the same run against the same canned server."""

from __future__ import annotations

import asyncio
import json
import statistics
import time

import httpx

import shopify_storefront
from bench.common import RAW_HEADERS, TOKEN, AsyncCall, Context, Settings, log, rotated
from bench.table import Row

GOAL_THROUGHPUT = 1.0  # ours / raw httpx, calls per second (issue 11)
RAW = "raw httpx"
OURS = "shopify_storefront"


async def _throughput(call: AsyncCall, total: int, concurrency: int) -> float:
    """Calls per second for ``total`` calls made by ``concurrency`` workers."""
    remaining = total

    async def worker() -> None:
        nonlocal remaining
        while remaining > 0:
            remaining -= 1
            await call()

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return total / (time.perf_counter() - started)


async def _measure_concurrency(
    url: str, bodies: dict[str, bytes], settings: Settings
) -> dict[str, list[float]]:
    rates: dict[str, list[float]] = {RAW: [], OURS: []}
    body = bodies["customer"]
    async with (
        httpx.AsyncClient() as raw,
        shopify_storefront.AsyncClient(endpoint=url, access_token=TOKEN) as ours,
    ):

        async def call_raw() -> object:
            response = await raw.post(url, content=body, headers=RAW_HEADERS)
            return json.loads(response.content)

        async def call_ours() -> object:
            return await ours.customer(customer_access_token=TOKEN)

        calls: dict[str, AsyncCall] = {RAW: call_raw, OURS: call_ours}
        for call in calls.values():  # warm-up: open the pools' connections
            await _throughput(call, settings.concurrency * 4, settings.concurrency)
        for round_ in range(settings.throughput_rounds):
            for peer in rotated([RAW, OURS], round_):
                rates[peer].append(
                    await _throughput(calls[peer], settings.concurrent_calls, settings.concurrency)
                )
    return rates


def measure(ctx: Context) -> list[Row]:
    log("3. concurrency")
    settings = ctx.settings
    rates = asyncio.run(_measure_concurrency(ctx.url, ctx.bodies, settings))
    raw_rate = statistics.median(rates[RAW])
    ours_rate = statistics.median(rates[OURS])
    # The rate of both moves by up to a third between rounds (the machine, the server's
    # loop): each round's ours/raw pair was measured back to back, so the median of the
    # per-round ratios is the figure, steadier than a ratio of two medians.
    ratios = [o / r for o, r in zip(rates[OURS], rates[RAW], strict=True)]
    ratio = statistics.median(ratios)
    ctx.results["concurrency"] = {
        "calls": settings.concurrent_calls,
        "concurrency": settings.concurrency,
        "calls_per_second": rates,
        "ratios_per_round": ratios,
        "median_ratio": ratio,
    }
    conc = f"{settings.concurrent_calls} calls @ {settings.concurrency}"
    return [
        Row("3", f"{conc}: raw httpx (baseline)", f"{raw_rate:.0f}/s", "", "1.00x"),
        Row(
            "3",
            f"{conc}: shopify_storefront.AsyncClient",
            f"{ours_rate:.0f}/s",
            f"{raw_rate:.0f}/s",
            f"{ratio:.2f}x ({min(ratios):.2f}-{max(ratios):.2f})",
            f">= {GOAL_THROUGHPUT:.1f}x",
            ratio >= GOAL_THROUGHPUT,
        ),
    ]
