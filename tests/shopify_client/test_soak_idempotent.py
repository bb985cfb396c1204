"""Idempotent mutations under load, with connections dropped after Shopify ran them.

Many async calls at concurrency 50 through one 2026-04 AsyncClient: half are
``inventoryAdjustQuantities`` (an ``@idempotent(key:)`` mutation), half
``productUpdate`` (no key). FakeShopify drops connections after executing, answers
too slowly (a timeout after executing) or with 503s. Every idempotent call must
succeed once and run once, whatever its attempts; a key-less mutation is never
resent once it may have run. ``make test`` runs SOAK_CALLS=400 (default);
``make soak`` 10,000.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
from collections import Counter
from dataclasses import dataclass, field

import httpx

from shopify_admin_2026_04 import AsyncClient, ProductUpdateInput
from shopify_admin_2026_04.input_types import InventoryAdjustQuantitiesInput, InventoryChangeInput
from shopify_client import RetryPolicy, ShopifyError, TransportError
from shopify_client.testing import ADMIN_TOKEN, FakeShopify, Fault, LeakyBucket

CALLS = int(os.environ.get("SOAK_CALLS", "400"))
CONCURRENCY = 50
SEED = int(os.environ.get("SOAK_SEED", "20261203"))
FAULT_RATE = 0.25
#: a call fails only if every attempt meets a fault: 0.25 ** 9, about 4 in a million
MAX_RETRIES = 8


def random_fault(rng: random.Random) -> Fault:
    return rng.choice(
        [
            Fault("drop_after_read"),
            Fault("drop_after_read"),
            Fault("slow", delay=0.6),  # the client gives up at 0.3 s, after it ran
            Fault.html_error(503),
        ]
    )


@dataclass
class Report:
    idempotent_calls: int = 0
    idempotent_succeeded: int = 0
    plain_calls: int = 0
    plain_succeeded: int = 0
    failed: Counter[str] = field(default_factory=Counter)
    faults_injected: int = 0
    replayed: int = 0
    idempotent_requests: int = 0
    executed_twice: int = 0
    plain_resent: int = 0
    plain_resent_after_drop: int = 0

    def summary(self) -> str:
        failed = ", ".join(f"{n} {c}" for n, c in self.failed.most_common()) or "none"
        return (
            f"idempotent soak: {self.idempotent_calls + self.plain_calls} calls at concurrency "
            f"{CONCURRENCY}, {self.faults_injected} faults injected; idempotent "
            f"{self.idempotent_succeeded}/{self.idempotent_calls} succeeded in "
            f"{self.idempotent_requests} requests, {self.replayed} answered from their key; "
            f"key-less {self.plain_succeeded}/{self.plain_calls} succeeded, failed with {failed}; "
            f"executed twice {self.executed_twice}; key-less resent {self.plain_resent}"
        )


def adjustment(i: int) -> InventoryAdjustQuantitiesInput:
    return InventoryAdjustQuantitiesInput(
        name="available",
        reason="restock",
        changes=[
            InventoryChangeInput(
                delta=1 + i % 7,
                inventory_item_id=f"gid://shopify/InventoryItem/{i}",
                location_id="gid://shopify/Location/1",
            )
        ],
    )


async def soak(fake: FakeShopify, calls: int, rng: random.Random) -> Report:
    report = Report()
    policy = RetryPolicy(
        max_retries=MAX_RETRIES, backoff_base=0.005, backoff_max=0.05, wait_max=0.1, rng=rng
    )
    limits = httpx.Limits(max_connections=CONCURRENCY, max_keepalive_connections=CONCURRENCY)
    timeout = httpx.Timeout(0.3, connect=2.0)
    semaphore = asyncio.Semaphore(CONCURRENCY)
    async with AsyncClient(
        endpoint=fake.endpoint("admin", AsyncClient.api_version),
        access_token=ADMIN_TOKEN,
        retry_policy=policy,
        http_client=httpx.AsyncClient(limits=limits, timeout=timeout),
    ) as admin:
        await admin.products(first=1, timeout=30.0)  # the fake reads its schema: not timed
        fake.requests.clear()

        async def one(i: int) -> None:
            async with semaphore:
                if rng.random() < FAULT_RATE:
                    fake.enqueue(random_fault(rng))
                    report.faults_injected += 1
                idempotent = i % 2 == 0
                try:
                    if idempotent:
                        report.idempotent_calls += 1
                        await admin.inventory_adjust_quantities(
                            input=adjustment(i), idempotency_key=f"soak-{i}"
                        )
                        report.idempotent_succeeded += 1
                    else:
                        report.plain_calls += 1
                        await admin.product_update(
                            product=ProductUpdateInput(
                                id=f"gid://shopify/Product/{i}", title=f"soak {i}"
                            )
                        )
                        report.plain_succeeded += 1
                except ShopifyError as exc:
                    report.failed[type(exc).__name__] += 1
                    if idempotent or (isinstance(exc, TransportError) and not exc.request_sent):
                        raise  # neither may happen here: nothing is refused before sending

        await asyncio.gather(*(one(i) for i in range(calls)))
    report.replayed = fake.idempotency.replayed["InventoryAdjustQuantities"]
    report.executed_twice = sum(1 for count in fake.executions.values() if count > 1)
    sent: Counter[str] = Counter()
    for request in fake.requests:
        assert request.body is not None
        if request.body.get("operationName") == "InventoryAdjustQuantities":
            report.idempotent_requests += 1
        elif request.body.get("operationName") == "ProductUpdate":
            sent[json.dumps(request.body["variables"], sort_keys=True)] += 1
    report.plain_resent = sum(1 for count in sent.values() if count > 1)
    return report


def test_idempotent_mutations_succeed_once_through_drops_after_execution() -> None:
    rng = random.Random(SEED)
    with FakeShopify(bucket=LeakyBucket(maximum=1e9, restore_rate=1e9)) as fake:
        report = asyncio.run(soak(fake, CALLS, rng))
        adjusted = [k for k in fake.executions if k.startswith("InventoryAdjustQuantities ")]
    print("\n" + report.summary())
    # every idempotent call succeeded, and ran exactly once
    assert report.idempotent_succeeded == report.idempotent_calls == (CALLS + 1) // 2
    assert len(adjusted) == report.idempotent_calls
    assert report.executed_twice == 0
    # the faults did hit idempotent calls after they ran: their retries were answered
    # from the key, not run again
    assert report.replayed > 0
    assert report.idempotent_requests > report.idempotent_calls
    # a key-less mutation keeps today's rule: sent once, never resent once it may have run
    assert report.plain_resent == 0
    assert report.plain_succeeded + sum(report.failed.values()) == report.plain_calls
    assert report.plain_succeeded < report.plain_calls  # some met a fault and were not resent
