"""How calls wait on the limiter (issue 21, items 12, 15, 16 and the bound of item 2):
woken by answers rather than polling, never for ever, never past ``max_wait``,
on one shop's bucket only."""

from __future__ import annotations

import asyncio
import pickle
import threading
import traceback
from collections.abc import Iterator

import httpx
import pytest

from shopify_admin import AsyncClient, Client
from shopify_client import (
    ConfigurationError,
    PacingTimeoutError,
    QueryCost,
    QueryCostLimiter,
    ShopifyError,
)
from shopify_client._pacing import MAX_PACING_WAIT
from shopify_client.testing import ADMIN_TOKEN

ENDPOINT = "https://example.myshopify.com/admin/api/2024-01/graphql.json"
OTHER_SHOP = "https://other.myshopify.com/admin/api/2024-01/graphql.json"
EMPTY = {"products": {"edges": [], "pageInfo": {"hasNextPage": False, "endCursor": None}}}


def figures(
    requested: float, available: float, maximum: float = 1000.0, rate: float = 100.0
) -> dict[str, object]:
    return {
        "cost": {
            "requestedQueryCost": requested,
            "actualQueryCost": requested,
            "throttleStatus": {
                "maximumAvailable": maximum,
                "currentlyAvailable": available,
                "restoreRate": rate,
            },
        }
    }


def answer(extensions: dict[str, object] | None = None) -> httpx.Response:
    body: dict[str, object] = {"data": EMPTY}
    if extensions is not None:
        body["extensions"] = extensions
    return httpx.Response(200, json=body)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[float]]:
    now = [1000.0]
    monkeypatch.setattr("shopify_client._pacing.time.monotonic", lambda: now[0])
    yield now


# -- item 12: drift -------------------------------------------------------------------------


def test_nothing_in_flight_is_exactly_nothing(clock: list[float]) -> None:
    """Float sums of in-flight costs drift: 54.6 + 339.1 + 305.7, taken back in the other
    order, leave 7.8e-14 points "in flight", and a call costing the whole bucket polled
    for ever (380 polls in 2 s) for a bucket that could never hold it."""

    def reading(requested: float) -> QueryCost:
        return QueryCost(requested, requested, 1000.0, 1000.0, 100.0)

    limiter = QueryCostLimiter()
    costs = {"A": 54.6, "B": 339.1, "C": 305.7, "Big": 1000.0}
    for operation, points in costs.items():  # each learned, alone
        ticket, _ = limiter.reserve(operation)
        assert ticket is not None
        limiter.settle(ticket, reading(points))
        clock[0] += 60
    tickets = [limiter.reserve(operation)[0] for operation in ("A", "B", "C")]
    for ticket in reversed(tickets):
        assert ticket is not None
        limiter.settle(ticket, reading(costs[ticket.operation]))
    clock[0] += 60  # the bucket is full again
    granted, wait = limiter.reserve("Big")
    assert granted is not None and wait == 0


# -- item 15: without cost figures; waking, not polling ------------------------------------


def test_without_cost_figures_calls_go_together() -> None:
    """Every call went alone for ever when answers carry no cost: 20 calls of 0.2 s
    took 4.1 s. Now the first call learns that the shop reports none."""
    state = {"now": 0, "most": 0, "calls": 0}
    together = asyncio.Event()

    async def handle(request: httpx.Request) -> httpx.Response:
        state["calls"] += 1
        if state["calls"] > 1:  # the first call answers at once; the others meet
            state["now"] += 1
            state["most"] = max(state["most"], state["now"])
            if state["now"] == 3:
                together.set()
            try:
                await asyncio.wait_for(together.wait(), 2)
            except TimeoutError:
                pass
            finally:
                state["now"] -= 1
        return answer()

    async def run() -> None:
        http = httpx.AsyncClient(transport=httpx.MockTransport(handle))
        async with AsyncClient(endpoint=ENDPOINT, access_token=ADMIN_TOKEN, http_client=http) as c:
            await c.products(first=1)
            await asyncio.gather(*(c.products(first=1) for _ in range(3)))
        await http.aclose()

    asyncio.run(run())
    assert state["most"] == 3


def count_refills(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How often the limiter looks at its bucket: each wake-up of a waiting call does."""
    count = [0]
    original = QueryCostLimiter._refill

    def counted(self: QueryCostLimiter, now: float) -> None:
        count[0] += 1
        original(self, now)

    monkeypatch.setattr(QueryCostLimiter, "_refill", counted)
    return count


def test_waiting_tasks_are_woken_by_answers_not_polling(monkeypatch: pytest.MonkeyPatch) -> None:
    """1,000 waiting tasks burnt a CPU core polling every 5 ms. While one call holds
    600 of 1,000 points, 50 calls of 600 wait for its answer: they look at the bucket
    once, not every 5 ms (~40 times each in 0.2 s)."""
    refills = count_refills(monkeypatch)
    gate = asyncio.Event()
    calls = [0]

    async def handle(request: httpx.Request) -> httpx.Response:
        calls[0] += 1
        if calls[0] == 2:
            await gate.wait()
        return answer(figures(600, 1000, rate=100_000))

    async def run() -> int:
        http = httpx.AsyncClient(transport=httpx.MockTransport(handle))
        async with AsyncClient(endpoint=ENDPOINT, access_token=ADMIN_TOKEN, http_client=http) as c:
            await c.products(first=1)  # learns the bucket and the cost
            held = asyncio.ensure_future(c.products(first=1))
            await asyncio.sleep(0.05)
            waiting = [asyncio.ensure_future(c.products(first=1)) for _ in range(50)]
            await asyncio.sleep(0.05)
            before = refills[0]
            await asyncio.sleep(0.2)
            looks = refills[0] - before
            for task in waiting:
                task.cancel()
            gate.set()
            await held
            await asyncio.gather(*waiting, return_exceptions=True)
        await http.aclose()
        return looks

    looks = asyncio.run(run())
    assert looks <= 5  # polling: ~2,000


def test_waiting_threads_are_woken_by_answers_not_polling(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    refills = count_refills(monkeypatch)
    gate, second = threading.Event(), threading.Event()
    calls = [0]
    lock = threading.Lock()

    def handle(request: httpx.Request) -> httpx.Response:
        with lock:
            calls[0] += 1
            n = calls[0]
        if n == 2:
            second.set()
            gate.wait(10)
        return answer(figures(600, 1000, rate=100_000))

    http = httpx.Client(transport=httpx.MockTransport(handle))
    with Client(endpoint=ENDPOINT, access_token=ADMIN_TOKEN, http_client=http) as client:
        client.products(first=1)
        threads = [threading.Thread(target=client.products, kwargs={"first": 1})]
        threads[0].start()
        assert second.wait(10)  # it holds 600 of the 1,000 points
        threads += [
            threading.Thread(target=client.products, kwargs={"first": 1}) for _ in range(10)
        ]
        for thread in threads[1:]:
            thread.start()
        threading.Event().wait(0.05)
        before = refills[0]
        threading.Event().wait(0.2)
        looks = refills[0] - before
        gate.set()
        for thread in threads:
            thread.join(10)
        assert not any(thread.is_alive() for thread in threads)
    http.close()
    assert calls[0] == 12
    assert looks <= 5  # polling: ~400


# -- item 2: a bounded wait -------------------------------------------------------------


def test_max_wait_is_checked() -> None:
    assert QueryCostLimiter().max_wait == MAX_PACING_WAIT == 60.0
    for bad in (0, -1, float("nan"), float("inf"), 86_401, True, "5"):
        with pytest.raises(ConfigurationError, match="max_wait"):
            QueryCostLimiter(max_wait=bad)  # type: ignore[arg-type]


def test_a_wait_past_max_wait_raises_at_once_and_sends_nothing() -> None:
    """A bucket that needs 19 s to hold the call, on a limiter that holds a call 5 s
    at most: PacingTimeoutError without sleeping, and the request is never sent."""
    sent = [0]

    def handle(request: httpx.Request) -> httpx.Response:
        sent[0] += 1
        return answer(figures(2000, 100, maximum=2000, rate=100))

    limiter = QueryCostLimiter(max_wait=5)
    http = httpx.Client(transport=httpx.MockTransport(handle))
    with Client(
        endpoint=ENDPOINT, access_token=ADMIN_TOKEN, http_client=http, pacing=limiter
    ) as client:
        client.products(first=1)
        with pytest.raises(PacingTimeoutError) as caught:
            client.products(first=1)
    http.close()
    error = caught.value
    assert isinstance(error, ShopifyError)
    assert sent[0] == 1
    assert error.operation == "Products" and error.limit == 5
    assert error.needed is not None and 10 < error.needed <= 19.1  # (2,000 - 100) / 100
    assert error.waited < 5
    assert "max_wait" in str(error) and "not sent" in str(error)
    assert limiter.waited == 0  # it did not sleep first


def test_the_error_pickles_whole() -> None:
    """As every ShopifyError: a worker process hands it to its parent by pickle."""
    error = PacingTimeoutError("held", operation="Q", waited=61.0, limit=60.0, needed=None)
    copy = pickle.loads(pickle.dumps(error))
    assert type(copy) is PacingTimeoutError and vars(copy) == vars(error)
    assert str(copy) == "held"


def test_a_wait_for_answers_ends_at_max_wait() -> None:
    """The first call goes alone; its answer does not come, and the next call gives up
    at max_wait instead of waiting for it."""
    gate = asyncio.Event()

    async def handle(request: httpx.Request) -> httpx.Response:
        await gate.wait()
        return answer(figures(10, 1000))

    async def run() -> PacingTimeoutError:
        limiter = QueryCostLimiter(max_wait=0.1)
        http = httpx.AsyncClient(transport=httpx.MockTransport(handle))
        async with AsyncClient(
            endpoint=ENDPOINT, access_token=ADMIN_TOKEN, http_client=http, pacing=limiter
        ) as c:
            first = asyncio.ensure_future(c.products(first=1))
            await asyncio.sleep(0)
            with pytest.raises(PacingTimeoutError) as caught:
                await asyncio.wait_for(c.products(first=1), 10)
            gate.set()
            await first
            await c.products(first=1)  # the limiter works on
        await http.aclose()
        return caught.value

    error = asyncio.run(run())
    assert error.needed is None and error.waited >= 0.1


def test_the_bound_is_for_a_call_with_all_its_attempts(clock: list[float]) -> None:
    limiter = QueryCostLimiter(max_wait=1)
    ticket, _ = limiter.reserve("Q")
    assert ticket is not None
    limiter.settle(ticket, QueryCost(100, 100, 1000, 50, 100))
    # the bucket needs 0.51 s; 0.6 s were spent waiting before an earlier attempt
    with pytest.raises(PacingTimeoutError) as caught:
        limiter.acquire("Q", held=0.6)
    assert caught.value.waited == pytest.approx(0.6)
    assert len(limiter._queue) == 0  # it left the queue


def test_a_cancelled_waiter_lets_the_next_one_go() -> None:
    async def run() -> None:
        limiter = QueryCostLimiter()
        probe = await limiter.acquire_async("Q")  # alone: the others wait for its answer
        first = asyncio.ensure_future(limiter.acquire_async("Q"))
        second = asyncio.ensure_future(limiter.acquire_async("Q"))
        await asyncio.sleep(0)
        first.cancel()
        limiter.settle(probe, QueryCost(10, 10, 1000, 1000, 100), answered=True)
        ticket = await asyncio.wait_for(second, 10)
        assert ticket.cost == 10
        assert first.cancelled()

    asyncio.run(run())


def test_a_thread_is_woken_by_an_answer_settled_on_another_thread() -> None:
    limiter = QueryCostLimiter()
    probe = limiter.acquire("Q")
    got: list[float | None] = []
    waiter = threading.Thread(target=lambda: got.append(limiter.acquire("Q").cost))
    waiter.start()
    limiter.settle(probe, QueryCost(10, 10, 1000, 1000, 100), answered=True)
    waiter.join(10)
    assert got == [10]


def test_a_task_is_woken_by_an_answer_settled_on_another_thread() -> None:
    async def run() -> float | None:
        limiter = QueryCostLimiter()
        probe = limiter.acquire("Q")
        waiting = asyncio.ensure_future(limiter.acquire_async("Q"))
        await asyncio.sleep(0)
        answer = QueryCost(10, 10, 1000, 1000, 100)
        settler = threading.Thread(target=limiter.settle, args=(probe, answer))
        settler.start()
        ticket = await asyncio.wait_for(waiting, 10)
        settler.join()
        return ticket.cost

    assert asyncio.run(run()) == 10


# -- item 16: one limiter, one shop --------------------------------------------------------


def test_a_limiter_serves_one_shop() -> None:
    limiter = QueryCostLimiter()
    with Client(shop="example.myshopify.com", access_token=ADMIN_TOKEN, pacing=limiter):
        pass
    # the same shop by its endpoint, and an async client: one bucket
    with Client(endpoint=ENDPOINT, access_token=ADMIN_TOKEN, pacing=limiter):
        pass
    with pytest.raises(ConfigurationError) as caught:
        Client(shop="other.myshopify.com", access_token=ADMIN_TOKEN, pacing=limiter)
    message = str(caught.value)
    assert "example.myshopify.com" in message and "other.myshopify.com" in message
    assert "own limiter" in message

    async def other_async() -> None:
        AsyncClient(endpoint=OTHER_SHOP, access_token=ADMIN_TOKEN, pacing=limiter)

    with pytest.raises(ConfigurationError):
        asyncio.run(other_async())


def test_clients_with_their_own_limiters_are_free() -> None:
    with (
        Client(shop="example.myshopify.com", access_token=ADMIN_TOKEN) as a,
        Client(shop="other.myshopify.com", access_token=ADMIN_TOKEN) as b,
    ):
        assert a.pacing is not None and b.pacing is not None and a.pacing is not b.pacing


def test_under_another_event_loop_a_task_looks_again_every_10_ms(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """No thread-safe wake-up is at hand outside asyncio (trio): the one case that
    polls, at 10 ms, bounded by max_wait as every wait is."""
    from shopify_client import _pacing

    monkeypatch.setattr(_pacing, "_async_waiter", _pacing._PollingWaiter)

    async def run() -> float | None:
        limiter = QueryCostLimiter()
        probe = limiter.acquire("Q")
        waiting = asyncio.ensure_future(limiter.acquire_async("Q"))
        await asyncio.sleep(0.03)
        assert not waiting.done()
        limiter.settle(probe, QueryCost(10, 10, 1000, 1000, 100), answered=True)
        return (await asyncio.wait_for(waiting, 10)).cost

    assert asyncio.run(run()) == 10


def test_a_traceback_with_locals_shows_no_variable_value(clock: list[float]) -> None:
    """The limiter reads the variables' shape and lets go of them: a pacing error seen
    with its frames' locals (Sentry's default) shows no value of theirs."""
    limiter = QueryCostLimiter(max_wait=1)
    probe = limiter.acquire("Q")
    limiter.settle(probe, QueryCost(1000, 1000, 1000, 0, 100), answered=True)
    try:
        limiter.acquire("Q", {"password": "".join(("hun", "ter", "2")), "first": 5})
    except PacingTimeoutError as exc:
        frames = traceback.TracebackException.from_exception(exc, capture_locals=True)
        text = "".join(frames.format())
    assert "acquire" in text and "hunter2" not in text
