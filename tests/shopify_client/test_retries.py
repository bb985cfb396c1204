"""Retries against FakeShopify over real sockets: what is retried, how long it waits, when
it gives up; plus the pure pieces (Retry-After parsing, backoff)."""

from __future__ import annotations

import asyncio
import email.utils
import logging
import random
from dataclasses import dataclass, field

import pytest

from shopify_admin import Client as AdminClient
from shopify_admin import StorefrontAccessTokenInput
from shopify_client import (
    RetryPolicy,
    ServerError,
    ShopifyError,
    ThrottledError,
    TransportError,
    parse_retry_after,
)
from shopify_client.testing import (
    ADMIN_TOKEN,
    DEMO_EMAIL,
    DEMO_PASSWORD,
    STOREFRONT_TOKEN,
    FakeShopify,
    Fault,
)
from shopify_storefront import AsyncClient as AsyncStorefrontClient
from shopify_storefront import Client as StorefrontClient
from shopify_storefront import Customer, CustomerAccessTokenCreate, CustomerAccessTokenCreateInput
from tests.shopify_client.conftest import (
    ADMIN_VERSION,
    STOREFRONT_VERSION,
    closed_port,
    fast_policy,
)

LOGIN = CustomerAccessTokenCreateInput(email=DEMO_EMAIL, password=DEMO_PASSWORD)


@dataclass(frozen=True)
class RecordingPolicy(RetryPolicy):
    """A fast policy that remembers the server hint and the wait of each retry."""

    hints: list[float | None] = field(default_factory=list, compare=False)
    waits: list[float | None] = field(default_factory=list, compare=False)

    def wait(self, attempt: int, server_hint: float | None) -> float | None:
        seconds = super().wait(attempt, server_hint)
        self.hints.append(server_hint)
        self.waits.append(seconds)
        return seconds


def storefront(
    fake: FakeShopify, policy: RetryPolicy | None = None, timeout: float = 5.0
) -> StorefrontClient:
    return StorefrontClient(
        endpoint=fake.endpoint("storefront", STOREFRONT_VERSION),
        access_token=STOREFRONT_TOKEN,
        retry_policy=policy or fast_policy(),
        timeout=timeout,
    )


def async_storefront(
    fake: FakeShopify, policy: RetryPolicy | None = None, timeout: float = 5.0
) -> AsyncStorefrontClient:
    return AsyncStorefrontClient(
        endpoint=fake.endpoint("storefront", STOREFRONT_VERSION),
        access_token=STOREFRONT_TOKEN,
        retry_policy=policy or fast_policy(),
        timeout=timeout,
    )


def login(client: StorefrontClient) -> CustomerAccessTokenCreate:
    return client.customer_access_token_create(input=LOGIN)


def retry_records(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [
        r
        for r in caplog.records
        if r.name == "shopify_client"
        and r.levelno == logging.WARNING
        and r.getMessage().startswith("retrying")
    ]


def logged_in(result: CustomerAccessTokenCreate) -> bool:
    payload = result.customer_access_token_create
    return payload is not None and payload.customer_access_token is not None


# -- queries -----------------------------------------------------------------------------


def test_query_retries_a_429_after_retry_after(fake: FakeShopify) -> None:
    fake.enqueue(Fault.too_many_requests("0.2"))
    with storefront(fake) as client:
        result = client.customer(customer_access_token="nobody")
        assert isinstance(result, Customer)
        assert client.last_response is not None
        assert client.last_response.attempts == 2
    assert len(fake.requests) == 2
    assert fake.requests[1].at - fake.requests[0].at >= 0.2


def test_retry_after_wins_over_backoff(fake: FakeShopify) -> None:
    policy = RecordingPolicy(max_retries=2, backoff_base=0.01, backoff_max=0.05)
    fake.enqueue(Fault.too_many_requests("0.15"))
    with storefront(fake, policy) as client:
        client.customer(customer_access_token="nobody")
    assert policy.hints == [0.15]
    assert policy.waits == [0.15]
    assert fake.requests[1].at - fake.requests[0].at >= 0.15


def test_429_without_retry_after_backs_off(fake: FakeShopify) -> None:
    policy = RecordingPolicy(max_retries=2, backoff_base=0.01, backoff_max=0.05)
    fake.enqueue(Fault.too_many_requests(None))
    with storefront(fake, policy) as client:
        client.customer(customer_access_token="nobody")
    assert policy.hints == [None]
    first = policy.waits[0]
    assert first is not None and 0.005 <= first <= 0.01


def test_a_retry_after_longer_than_wait_max_is_raised_at_once_not_retried_early(
    fake: FakeShopify,
) -> None:
    # Retrying after wait_max would come back earlier than Shopify asked.
    policy = RecordingPolicy(max_retries=1, backoff_base=0.01, backoff_max=0.05, wait_max=0.05)
    fake.enqueue(Fault.too_many_requests("3600"))
    with storefront(fake, policy) as client, pytest.raises(ThrottledError) as info:
        client.customer(customer_access_token="nobody")
    assert info.value.retry_after == 3600.0
    assert policy.hints == [3600.0]
    assert policy.waits == [None]
    assert len(fake.requests) == 1


def test_a_retry_after_within_wait_max_is_waited_in_full(fake: FakeShopify) -> None:
    policy = RecordingPolicy(max_retries=1, backoff_base=0.01, backoff_max=0.05, wait_max=0.5)
    fake.enqueue(Fault.too_many_requests("0.2"))
    with storefront(fake, policy) as client:
        client.customer(customer_access_token="nobody")
    assert policy.waits == [0.2]


@pytest.mark.parametrize("status", [502, 503, 504])
def test_query_retries_gateway_html_pages(fake: FakeShopify, status: int) -> None:
    fake.enqueue(Fault.html_error(status))
    with storefront(fake) as client:
        assert isinstance(client.customer(customer_access_token="nobody"), Customer)
    assert len(fake.requests) == 2
    assert fake.executed["customer"] == 1


def test_query_is_not_retried_on_500(fake: FakeShopify) -> None:
    # The runtime retries queries on 429/502/503/504 only (RETRY_STATUSES_QUERY): a 500
    # is often deterministic (e.g. a query Shopify cannot serve), so it is raised at once.
    fake.enqueue(Fault.html_error(500))
    with storefront(fake) as client, pytest.raises(ServerError) as info:
        client.customer(customer_access_token="nobody")
    assert info.value.status_code == 500
    assert len(fake.requests) == 1


def test_query_retries_throttled_with_the_wait_derived_from_cost(fake: FakeShopify) -> None:
    policy = RecordingPolicy(max_retries=2, backoff_base=0.01, backoff_max=0.05)
    fake.enqueue(Fault("throttled"))
    with storefront(fake, policy) as client:
        assert isinstance(client.customer(customer_access_token="nobody"), Customer)
    # requested 10, currently available 5, restore rate 1000/s: (10 - 5) / 1000
    assert policy.hints == [pytest.approx(0.005)]
    assert policy.waits == [pytest.approx(0.005)]
    assert len(fake.requests) == 2


@pytest.mark.parametrize(
    "fault", [Fault("drop_before_read"), Fault("drop_after_read"), Fault("truncated")]
)
def test_query_retries_a_dropped_connection(
    fake: FakeShopify, fault: Fault, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="shopify_client")
    fake.enqueue(fault)
    with storefront(fake) as client:
        assert isinstance(client.customer(customer_access_token="nobody"), Customer)
        assert client.last_response is not None and client.last_response.attempts == 2
    records = retry_records(caplog)
    assert len(records) == 1
    assert "TransportError" in records[0].getMessage()


def test_query_retries_a_read_timeout(fake: FakeShopify) -> None:
    fake.enqueue(Fault("slow", delay=0.5))
    with storefront(fake, timeout=0.1) as client:
        assert isinstance(client.customer(customer_access_token="nobody"), Customer)
        assert client.last_response is not None and client.last_response.attempts >= 2
    # >= rather than ==: a loaded machine may time out a normal answer within 0.1 s too
    assert fake.executed["customer"] >= 2


def test_query_gives_up_after_max_retries_on_429(fake: FakeShopify) -> None:
    fake.enqueue(*[Fault.too_many_requests("0.01")] * 3)
    with (
        storefront(fake, fast_policy(max_retries=2)) as client,
        pytest.raises(ThrottledError) as info,
    ):
        client.customer(customer_access_token="nobody")
    assert info.value.status_code == 429
    assert info.value.retry_after == pytest.approx(0.01)
    assert len(fake.requests) == 3


def test_query_gives_up_after_max_retries_on_503(fake: FakeShopify) -> None:
    fake.enqueue(*[Fault.html_error(503)] * 3)
    with storefront(fake, fast_policy(max_retries=2)) as client, pytest.raises(ServerError) as info:
        client.customer(customer_access_token="nobody")
    assert info.value.status_code == 503
    assert info.value.request_id
    assert len(fake.requests) == 3


def test_query_gives_up_after_max_retries_on_throttled(fake: FakeShopify) -> None:
    fake.enqueue(*[Fault("throttled")] * 3)
    with (
        storefront(fake, fast_policy(max_retries=2)) as client,
        pytest.raises(ThrottledError) as info,
    ):
        client.customer(customer_access_token="nobody")
    assert info.value.status_code == 200
    assert info.value.cost is not None
    assert info.value.cost.requested == 10
    assert info.value.cost.currently_available == 5
    assert info.value.cost.restore_rate == 1000
    assert info.value.cost.seconds_until_available() == pytest.approx(0.005)
    assert len(fake.requests) == 3


def test_query_gives_up_after_max_retries_on_dropped_connections(fake: FakeShopify) -> None:
    fake.enqueue(*[Fault("drop_after_read")] * 3)
    with (
        storefront(fake, fast_policy(max_retries=2)) as client,
        pytest.raises(TransportError) as info,
    ):
        client.customer(customer_access_token="nobody")
    assert info.value.request_sent is True
    assert fake.executed["customer"] == 3


def test_the_next_call_starts_with_a_fresh_budget(fake: FakeShopify) -> None:
    fake.enqueue(*[Fault.html_error(503)] * 2)
    with storefront(fake, fast_policy(max_retries=1)) as client:
        with pytest.raises(ServerError):
            client.customer(customer_access_token="nobody")
        fake.enqueue(Fault.html_error(503))
        client.customer(customer_access_token="nobody")
        assert client.last_response is not None and client.last_response.attempts == 2


@pytest.mark.parametrize(
    ("fault", "error"),
    [
        (Fault.too_many_requests("0.01"), ThrottledError),
        (Fault("throttled"), ThrottledError),
        (Fault.html_error(503), ServerError),
        (Fault("drop_after_read"), TransportError),
    ],
)
def test_max_retries_zero_disables_retries(
    fake: FakeShopify, fault: Fault, error: type[ShopifyError]
) -> None:
    fake.enqueue(fault)
    with (
        StorefrontClient(
            endpoint=fake.endpoint("storefront", STOREFRONT_VERSION),
            access_token=STOREFRONT_TOKEN,
            max_retries=0,
        ) as client,
        pytest.raises(error),
    ):
        client.customer(customer_access_token="nobody")
    assert len(fake.requests) == 1


# -- mutations ---------------------------------------------------------------------------


def test_mutation_retries_a_429(fake: FakeShopify) -> None:
    fake.enqueue(Fault.too_many_requests("0.05"))
    with storefront(fake) as client:
        assert logged_in(login(client))
    assert len(fake.requests) == 2
    assert fake.executed["customerAccessTokenCreate"] == 1
    assert fake.requests[1].at - fake.requests[0].at >= 0.05


def test_mutation_retries_throttled(fake: FakeShopify) -> None:
    fake.enqueue(Fault("throttled"))
    with storefront(fake) as client:
        assert logged_in(login(client))
    assert fake.executed["customerAccessTokenCreate"] == 1
    assert len(fake.requests) == 2


def test_admin_mutation_retries_throttled(fake: FakeShopify) -> None:
    fake.enqueue(Fault("throttled"), Fault.too_many_requests("0.01"))
    with AdminClient(
        endpoint=fake.endpoint("admin", ADMIN_VERSION),
        access_token=ADMIN_TOKEN,
        retry_policy=fast_policy(),
    ) as client:
        result = client.storefront_access_token_create(
            input=StorefrontAccessTokenInput(title="retry")
        )
        assert result.storefront_access_token_create is not None
        assert client.last_response is not None and client.last_response.attempts == 3
        assert client.last_cost is not None and client.last_cost.actual == 10
    assert fake.executed["StorefrontAccessTokenCreate"] == 1
    assert len(fake.storefront_tokens) == 1


def test_mutation_is_not_retried_after_drop_after_read(fake: FakeShopify) -> None:
    fake.enqueue(Fault("drop_after_read"))
    with storefront(fake) as client, pytest.raises(TransportError) as info:
        login(client)
    assert info.value.request_sent is True
    assert fake.executed["customerAccessTokenCreate"] == 1
    assert len(fake.requests) == 1


def test_mutation_is_not_retried_after_drop_before_read(fake: FakeShopify) -> None:
    # The client cannot tell "closed before reading" from "closed after executing": both
    # are a disconnect after the request was written, so the mutation is not repeated.
    fake.enqueue(Fault("drop_before_read"))
    with storefront(fake) as client, pytest.raises(TransportError) as info:
        login(client)
    assert info.value.request_sent is True
    assert fake.executed["customerAccessTokenCreate"] == 0
    assert fake._next_fault() is None


def test_mutation_is_not_retried_after_a_truncated_answer(fake: FakeShopify) -> None:
    fake.enqueue(Fault("truncated"))
    with storefront(fake) as client, pytest.raises(TransportError) as info:
        login(client)
    assert info.value.request_sent is True
    assert fake.executed["customerAccessTokenCreate"] == 1


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_mutation_is_not_retried_after_5xx(fake: FakeShopify, status: int) -> None:
    fake.enqueue(Fault.html_error(status))
    with storefront(fake) as client, pytest.raises(ServerError) as info:
        login(client)
    assert info.value.status_code == status
    assert len(fake.requests) == 1


def test_mutation_is_not_retried_after_a_read_timeout(fake: FakeShopify) -> None:
    fake.enqueue(Fault("slow", delay=0.5))
    with storefront(fake, timeout=0.1) as client, pytest.raises(TransportError) as info:
        login(client)
    assert info.value.request_sent is True
    assert "timed out" in str(info.value)
    assert fake.executed["customerAccessTokenCreate"] == 1
    assert len(fake.requests) == 1


@pytest.mark.parametrize("operation", ["mutation", "query"])
def test_connection_refused_is_retried_then_raised(
    operation: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="shopify_client")
    endpoint = f"http://127.0.0.1:{closed_port()}/api/{STOREFRONT_VERSION}/graphql.json"
    with (
        StorefrontClient(
            endpoint=endpoint,
            access_token=STOREFRONT_TOKEN,
            retry_policy=fast_policy(max_retries=2),
        ) as client,
        pytest.raises(TransportError) as info,
    ):
        if operation == "mutation":
            login(client)
        else:
            client.customer(customer_access_token="nobody")
    assert info.value.request_sent is False
    assert "ConnectError" in str(info.value)
    records = retry_records(caplog)
    attempts = len(records) + 1
    assert attempts == 3
    assert [r.getMessage().split("attempt ")[1] for r in records] == ["2 of 3", "3 of 3"]


def test_connection_refused_with_retries_disabled() -> None:
    policy = RecordingPolicy(max_retries=0, backoff_base=0.01, backoff_max=0.05)
    endpoint = f"http://127.0.0.1:{closed_port()}/api/{STOREFRONT_VERSION}/graphql.json"
    with (
        StorefrontClient(
            endpoint=endpoint, access_token=STOREFRONT_TOKEN, retry_policy=policy
        ) as c,
        pytest.raises(TransportError),
    ):
        login(c)
    assert policy.waits == []  # max_retries=0: no retry was even planned


# -- async -------------------------------------------------------------------------------


def test_async_query_retries_429_503_throttled_and_drops(fake: FakeShopify) -> None:
    fake.enqueue(
        Fault.too_many_requests("0.1"),
        Fault.html_error(503),
        Fault("throttled"),
        Fault("drop_after_read"),
    )

    async def main() -> int:
        async with async_storefront(fake, fast_policy(max_retries=4)) as client:
            await client.customer(customer_access_token="nobody")
            assert client.last_response is not None
            return client.last_response.attempts

    assert asyncio.run(main()) == 5
    assert len(fake.requests) == 5
    assert fake.requests[1].at - fake.requests[0].at >= 0.1


def test_async_mutation_retries_429_and_throttled(fake: FakeShopify) -> None:
    fake.enqueue(Fault.too_many_requests("0.01"), Fault("throttled"))

    async def main() -> CustomerAccessTokenCreate:
        async with async_storefront(fake) as client:
            return await client.customer_access_token_create(input=LOGIN)

    assert logged_in(asyncio.run(main()))
    assert fake.executed["customerAccessTokenCreate"] == 1
    assert len(fake.requests) == 3


@pytest.mark.parametrize(
    "fault", [Fault("drop_after_read"), Fault.html_error(503), Fault("slow", delay=0.5)]
)
def test_async_mutation_is_not_retried_when_shopify_may_have_acted(
    fake: FakeShopify, fault: Fault
) -> None:
    fake.enqueue(fault)

    async def main() -> None:
        async with async_storefront(fake, timeout=0.1) as client:
            await client.customer_access_token_create(input=LOGIN)

    with pytest.raises((TransportError, ServerError)) as info:
        asyncio.run(main())
    if isinstance(info.value, TransportError):
        assert info.value.request_sent is True
    assert len(fake.requests) == 1


def test_async_gives_up_after_max_retries(fake: FakeShopify) -> None:
    fake.enqueue(*[Fault.too_many_requests("0.01")] * 3)

    async def main() -> None:
        async with async_storefront(fake, fast_policy(max_retries=2)) as client:
            await client.customer(customer_access_token="nobody")

    with pytest.raises(ThrottledError):
        asyncio.run(main())
    assert len(fake.requests) == 3


def test_async_max_retries_zero(fake: FakeShopify) -> None:
    fake.enqueue(Fault.html_error(503))

    async def main() -> None:
        async with async_storefront(fake, fast_policy(max_retries=0)) as client:
            await client.customer(customer_access_token="nobody")

    with pytest.raises(ServerError):
        asyncio.run(main())
    assert len(fake.requests) == 1


def test_async_connection_refused(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, logger="shopify_client")
    endpoint = f"http://127.0.0.1:{closed_port()}/api/{STOREFRONT_VERSION}/graphql.json"

    async def main() -> None:
        async with AsyncStorefrontClient(
            endpoint=endpoint, access_token=STOREFRONT_TOKEN, retry_policy=fast_policy(2)
        ) as client:
            await client.customer_access_token_create(input=LOGIN)

    with pytest.raises(TransportError) as info:
        asyncio.run(main())
    assert info.value.request_sent is False
    assert len(retry_records(caplog)) + 1 == 3


def test_async_200_concurrent_calls_through_one_client(fake: FakeShopify) -> None:
    fake.enqueue(Fault.too_many_requests("0.01"), Fault("throttled"))

    async def main() -> list[Customer]:
        async with async_storefront(fake) as client:
            return await asyncio.gather(
                *(client.customer(customer_access_token=f"token-{i}") for i in range(200))
            )

    results = asyncio.run(main())
    assert len(results) == 200
    assert all(isinstance(r, Customer) and r.customer is None for r in results)
    assert fake.executed["customer"] == 200
    assert len(fake.requests) == 202
    sent = {r.body["variables"]["customerAccessToken"] for r in fake.requests if r.body}
    assert sent == {f"token-{i}" for i in range(200)}


# -- parse_retry_after ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        ("2", 2.0),
        ("0", 0.0),
        ("0.5", 0.5),
        ("1.0", 1.0),
        (" 3 ", 3.0),
        ("120", 120.0),
    ],
)
def test_parse_retry_after_seconds(value: str, seconds: float) -> None:
    assert parse_retry_after(value) == seconds


def test_parse_retry_after_http_date() -> None:
    now = 1_700_000_000.0
    later = email.utils.formatdate(now + 30, usegmt=True)
    assert parse_retry_after(later, now=now) == pytest.approx(30.0)
    earlier = email.utils.formatdate(now - 30, usegmt=True)
    assert parse_retry_after(earlier, now=now) == 0.0


def test_parse_retry_after_http_date_against_the_clock() -> None:
    import time

    value = email.utils.formatdate(time.time() + 60, usegmt=True)
    seconds = parse_retry_after(value)
    assert seconds is not None and 0 < seconds <= 60


@pytest.mark.parametrize(
    "value",
    [None, "", "   ", "soon", "-1", "-0.5", "nan", "inf", "1e400", "Wed, 99 Foo 2024", "0x10"],
)
def test_parse_retry_after_unusable(value: str | None) -> None:
    assert parse_retry_after(value) is None


# -- RetryPolicy -----------------------------------------------------------------------------


def test_backoff_is_jittered_within_half_to_full_ceiling() -> None:
    policy = RetryPolicy(backoff_base=0.5, backoff_max=8.0, rng=random.Random(1234))
    for attempt in range(1, 12):
        ceiling = min(8.0, 0.5 * 2 ** (attempt - 1))
        for _ in range(200):
            wait = policy.backoff(attempt)
            assert ceiling / 2 <= wait <= ceiling


def test_backoff_grows_then_is_capped() -> None:
    class Top(random.Random):
        def uniform(self, a: float, b: float) -> float:
            return b

    class Bottom(random.Random):
        def uniform(self, a: float, b: float) -> float:
            return a

    top = RetryPolicy(backoff_base=0.5, backoff_max=8.0, rng=Top())
    assert [top.backoff(n) for n in range(1, 8)] == [0.5, 1.0, 2.0, 4.0, 8.0, 8.0, 8.0]
    bottom = RetryPolicy(backoff_base=0.5, backoff_max=8.0, rng=Bottom())
    assert [bottom.backoff(n) for n in range(1, 8)] == [0.25, 0.5, 1.0, 2.0, 4.0, 4.0, 4.0]
    assert top.backoff(200) == 8.0  # no overflow for absurd attempt numbers


def test_backoff_and_hints_are_capped_by_wait_max() -> None:
    policy = RetryPolicy(backoff_base=100.0, backoff_max=100.0, wait_max=2.0)
    assert all(policy.backoff(n) <= 2.0 for n in range(1, 5))
    assert policy.wait(1, 30.0) is None  # asked for longer: raise, never retry early
    assert policy.wait(1, 2.0) == 2.0
    assert policy.wait(1, 0.3) == 0.3
    assert policy.wait(1, 0.0) == 0.0


def test_zero_backoff_base_means_no_wait() -> None:
    assert RetryPolicy(backoff_base=0.0).backoff(3) == 0.0


@pytest.mark.parametrize(
    "kwargs",
    [{"max_retries": -1}, {"backoff_base": -0.1}, {"backoff_max": -1.0}, {"wait_max": -1.0}],
)
def test_retry_policy_rejects_negative_values(kwargs: dict[str, float]) -> None:
    with pytest.raises(ValueError):
        RetryPolicy(**kwargs)  # type: ignore[arg-type]


def test_retried_statuses() -> None:
    policy = RetryPolicy()
    for status in (429, 502, 503, 504):
        assert policy.retries_status(status, is_mutation=False)
    for status in (400, 401, 403, 404, 430, 500):
        assert not policy.retries_status(status, is_mutation=False)
    assert policy.retries_status(429, is_mutation=True)
    for status in (500, 502, 503, 504):
        assert not policy.retries_status(status, is_mutation=True)


def test_an_http_date_in_minus_0000_is_read_as_gmt_not_local_time(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import os
    import time as _time

    monkeypatch.setenv("TZ", "America/Los_Angeles")  # far from UTC: a local reading is off 8h
    if hasattr(_time, "tzset"):
        _time.tzset()
    try:
        now = 1_700_000_000.0
        date = email.utils.formatdate(now + 30, usegmt=False).replace("+0000", "-0000")
        assert date.endswith("-0000")
        assert parse_retry_after(date, now=now) == pytest.approx(30.0, abs=1.0)
    finally:
        monkeypatch.delenv("TZ")
        if hasattr(_time, "tzset"):
            _time.tzset()
    assert os.environ.get("TZ") is None
