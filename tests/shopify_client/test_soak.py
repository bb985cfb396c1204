"""Faults under load: many async calls at concurrency 50 through one AsyncClient while
FakeShopify injects 429s with Retry-After, THROTTLED, 503s, 430s, connection drops
before and after reading the request, slow and truncated bodies.

Every call ends in a typed result or one of the library's exceptions; no mutation is
executed twice. `make test` runs SOAK_CALLS=600 (default); `make soak` 10,000.
"""

from __future__ import annotations

import asyncio
import os
import random
import statistics
import time
from collections import Counter
from dataclasses import dataclass, field

import httpx

from shopify_admin import AsyncClient as AsyncAdminClient
from shopify_admin import StorefrontAccessTokenInput
from shopify_client import RetryPolicy, ShopifyError
from shopify_client.testing import ADMIN_TOKEN, STOREFRONT_TOKEN, FakeShopify, Fault
from shopify_storefront import AsyncClient as AsyncStorefrontClient
from shopify_storefront import CustomerAccessTokenCreateInput

CALLS = int(os.environ.get("SOAK_CALLS", "600"))
CONCURRENCY = 50
SEED = int(os.environ.get("SOAK_SEED", "20261126"))
FAULT_RATE = 0.2


def random_fault(rng: random.Random) -> Fault:
    return rng.choice(
        [
            Fault.too_many_requests(f"{rng.uniform(0.001, 0.02):.3f}"),
            Fault("throttled"),
            Fault.html_error(503),
            Fault.security_rejection(),
            Fault("drop_before_read"),
            Fault("drop_after_read"),
            Fault("slow", delay=rng.choice([0.05, 0.6])),
            Fault("truncated"),
        ]
    )


@dataclass
class SoakReport:
    calls: int = 0
    succeeded: int = 0
    failed: Counter[str] = field(default_factory=Counter)
    untyped: list[str] = field(default_factory=list)
    latencies: list[float] = field(default_factory=list)
    duplicated_mutations: int = 0
    faults_injected: int = 0

    def summary(self) -> str:
        ordered = sorted(self.latencies)
        p50 = statistics.median(ordered) * 1000
        p99 = ordered[int(len(ordered) * 0.99) - 1] * 1000
        failed = ", ".join(f"{name} {n}" for name, n in self.failed.most_common()) or "none"
        return (
            f"soak: {self.calls} calls at concurrency {CONCURRENCY}, {self.faults_injected} faults "
            f"injected: {self.succeeded} succeeded; failed with {failed}; untyped "
            f"{len(self.untyped)}; mutations executed twice {self.duplicated_mutations}; "
            f"latency p50 {p50:.1f} ms, p99 {p99:.1f} ms"
        )


async def soak(fake: FakeShopify, calls: int, rng: random.Random) -> SoakReport:
    report = SoakReport(calls=calls)
    policy = RetryPolicy(max_retries=3, backoff_base=0.005, backoff_max=0.05, wait_max=0.1, rng=rng)
    limits = httpx.Limits(max_connections=CONCURRENCY, max_keepalive_connections=CONCURRENCY)
    timeout = httpx.Timeout(0.5, connect=2.0)
    semaphore = asyncio.Semaphore(CONCURRENCY)
    async with (
        AsyncStorefrontClient(
            endpoint=fake.endpoint("storefront", AsyncStorefrontClient.api_version),
            access_token=STOREFRONT_TOKEN,
            retry_policy=policy,
            timeout=timeout,
            http_client=httpx.AsyncClient(limits=limits, timeout=timeout),
        ) as storefront,
        AsyncAdminClient(
            endpoint=fake.endpoint("admin", AsyncAdminClient.api_version),
            access_token=ADMIN_TOKEN,
            retry_policy=policy,
            timeout=timeout,
            http_client=httpx.AsyncClient(limits=limits, timeout=timeout),
        ) as admin,
    ):

        async def one(i: int) -> None:
            async with semaphore:
                if rng.random() < FAULT_RATE:
                    fake.enqueue(random_fault(rng))
                    report.faults_injected += 1
                started = time.perf_counter()
                try:
                    kind = i % 3
                    if kind == 0:
                        await storefront.customer(customer_access_token=f"token-{i}")
                    elif kind == 1:
                        await storefront.customer_access_token_create(
                            input=CustomerAccessTokenCreateInput(
                                email=f"soak-{i}@example.com", password="pw-soak-1"
                            )
                        )
                    else:
                        await admin.storefront_access_token_create(
                            input=StorefrontAccessTokenInput(title=f"soak token {i}")
                        )
                    report.succeeded += 1
                except ShopifyError as exc:
                    report.failed[type(exc).__name__] += 1
                except Exception as exc:
                    report.untyped.append(f"{type(exc).__name__}: {exc}")
                report.latencies.append(time.perf_counter() - started)

        await asyncio.gather(*(one(i) for i in range(calls)))
    report.duplicated_mutations = sum(
        1
        for key, count in fake.executions.items()
        if count > 1
        and key.split(" ", 1)[0] in ("customerAccessTokenCreate", "StorefrontAccessTokenCreate")
    )
    return report


def test_faults_under_load_stay_typed_and_never_duplicate_a_mutation() -> None:
    rng = random.Random(SEED)
    with FakeShopify() as fake:
        report = asyncio.run(soak(fake, CALLS, rng))
    print("\n" + report.summary())
    assert report.untyped == []
    assert report.duplicated_mutations == 0
    assert report.succeeded + sum(report.failed.values()) == CALLS
    assert report.succeeded > CALLS * 0.7  # retries absorb most faults
