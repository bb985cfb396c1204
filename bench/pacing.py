"""Section 5, cost-aware pacing (issue 10): many Admin ``products`` calls at high
concurrency through one ``shopify_admin.AsyncClient`` against FakeShopify's leaky
bucket (in its own process, bench/server.py), with pacing off and on.

Per row: the THROTTLED answers the shop had to give (goal 0), the ThrottledErrors the
caller got, and the throughput as a share of what the restore rate allows: the points
the executed calls spent, less the full bucket at the start, take at least
``(spent - maximum) / restore_rate`` seconds; that floor over the elapsed time (goal at
least 95%). A first row checks that the fake serves well above the rate the bucket
allows (the same calls, a bucket that never runs dry), so the shop, not the fake's
speed, is what limits the paced rows.
"""

from __future__ import annotations

import asyncio
import time
import warnings
from dataclasses import dataclass
from typing import Any

from bench.common import Context, Settings, log
from bench.server import FakeShop, fake_shop
from bench.table import Row
from shopify_admin import AsyncClient
from shopify_client import ShopifyError, ThrottledError
from shopify_client.testing import ADMIN_TOKEN

GOAL_THROTTLED = 0
GOAL_SHARE = 0.95
OPERATION = "Products"
ANSWER: dict[str, Any] = {
    "products": {"edges": [], "pageInfo": {"hasNextPage": False, "endCursor": None}}
}
# A bucket that never runs dry, for the fake's own capacity.
UNLIMITED = 1e15


@dataclass(frozen=True)
class PacedRun:
    pacing: bool
    calls: int
    concurrency: int
    elapsed_s: float
    throttled_answers: int  # THROTTLED answers the fake gave
    throttled_errors: int  # ThrottledError raised to the caller
    other_errors: int
    spent: float  # points spent by executed calls
    executed: int

    def share(self, maximum: float, restore_rate: float) -> float:
        """The restore rate's floor for the work done, over the time it took."""
        return max(0.0, self.spent - maximum) / restore_rate / self.elapsed_s


async def _run(endpoint: str, pacing: bool, calls: int, concurrency: int) -> tuple[float, int, int]:
    remaining = calls
    throttled = other = 0
    async with AsyncClient(endpoint=endpoint, access_token=ADMIN_TOKEN, pacing=pacing) as client:

        async def worker() -> None:
            nonlocal remaining, throttled, other
            while remaining > 0:
                remaining -= 1
                try:
                    await client.products(first=1)
                except ThrottledError:
                    throttled += 1
                except ShopifyError:
                    other += 1

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        return time.perf_counter() - started, throttled, other


def paced_run(
    shop: FakeShop, pacing: bool, calls: int, concurrency: int, maximum: float, rate: float
) -> PacedRun:
    shop.reset_bucket(maximum, rate)
    elapsed, errors, other = asyncio.run(_run(shop.admin_endpoint(), pacing, calls, concurrency))
    throttled, spent, executed = shop.counters()
    return PacedRun(pacing, calls, concurrency, elapsed, throttled, errors, other, spent, executed)


def measure(ctx: Context) -> list[Row]:
    s: Settings = ctx.settings
    maximum, rate, cost = s.bucket_maximum, s.bucket_restore_rate, s.query_cost
    allowed_per_s = rate / cost
    warnings.simplefilter("ignore")
    with fake_shop({OPERATION: ANSWER}, {OPERATION: cost}) as shop:
        # Warm-up: the fake's first burst of new connections is slow (its schema, a
        # thread per connection); two rounds, with a bucket that never runs dry.
        log("5. pacing: warming FakeShopify up")
        for _ in range(2):
            paced_run(
                shop, False, s.paced_concurrency * 2, s.paced_concurrency, UNLIMITED, UNLIMITED
            )
        runs = []
        for pacing in (False, True):
            log(f"5. pacing {'on' if pacing else 'off'}: {s.paced_calls} calls")
            runs.append(paced_run(shop, pacing, s.paced_calls, s.paced_concurrency, maximum, rate))
        log("5. pacing: FakeShopify's own capacity (best of 2)")
        capacity = max(
            (
                paced_run(
                    shop, False, s.paced_calls // 2, s.paced_concurrency, UNLIMITED, UNLIMITED
                )
                for _ in range(2)
            ),
            key=lambda run: run.executed / run.elapsed_s,
        )
    capacity_per_s = capacity.executed / capacity.elapsed_s
    ctx.results["pacing"] = {
        "bucket": {"maximum": maximum, "restore_rate": rate, "query_cost": cost},
        "fake_capacity_calls_per_s": capacity_per_s,
        "allowed_calls_per_s": allowed_per_s,
        "runs": [
            {**run.__dict__, "share_of_restore_rate": run.share(maximum, rate)} for run in runs
        ],
    }
    bucket = f"bucket {maximum:,.0f} points, {rate:,.0f}/s, {cost:.0f} a call"
    rows = [
        Row(
            "5",
            f"FakeShopify's capacity (best of 2) vs what the {bucket} allows",
            f"{capacity_per_s:.0f} calls/s",
            f"{allowed_per_s:.0f} calls/s",
            f"{capacity_per_s / allowed_per_s:.2f}x",
        )
    ]
    for run in runs:
        label = (
            f"{run.calls} Admin calls @ {run.concurrency}, pacing {'on' if run.pacing else 'off'}"
        )
        share = run.share(maximum, rate)
        failed = f", {run.other_errors} other errors" if run.other_errors else ""
        rows.append(
            Row(
                "5",
                f"{label}: THROTTLED / ThrottledError",
                f"{run.throttled_answers} / {run.throttled_errors}{failed}",
                "",
                "",
                f"{GOAL_THROTTLED} THROTTLED" if run.pacing else "",
                run.throttled_answers == GOAL_THROTTLED if run.pacing else None,
            )
        )
        floor = max(0.0, run.spent - maximum) / rate
        rows.append(
            Row(
                "5",
                f"{label}: share of restore rate",
                f"{run.elapsed_s:.2f} s, {run.executed} executed",
                f"{floor:.2f} s",
                f"{share:.1%}",
                f">= {GOAL_SHARE:.0%}" if run.pacing else "",
                share >= GOAL_SHARE if run.pacing else None,
            )
        )
    return rows
