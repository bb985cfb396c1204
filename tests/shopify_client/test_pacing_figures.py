"""Hostile query-cost figures (issue 21, item 2): not finite, negative or absurd figures
are ignored, never believed. No call hangs, no limiter is poisoned, no answer is lost."""

from __future__ import annotations

import asyncio
import json
import math
import os

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shopify_admin import AsyncClient, Client
from shopify_client import QueryCost, QueryCostLimiter
from shopify_client._pacing import MAX_REFILL_SECONDS, Ticket
from shopify_client.testing import ADMIN_TOKEN

EXAMPLES = int(os.environ.get("HYPOTHESIS_EXAMPLES", "120"))

ENDPOINT = "https://example.myshopify.com/admin/api/2024-01/graphql.json"
EMPTY = {"products": {"edges": [], "pageInfo": {"hasNextPage": False, "endCursor": None}}}


def body(
    requested: str = "10", available: str = "1000", rate: str = "100", maximum: str = "1000"
) -> bytes:
    """An answer whose cost figures are the raw JSON texts given (Python's json reads
    NaN, Infinity and -Infinity, as a server may send them)."""
    return (
        f'{{"data": {json.dumps(EMPTY)}, "extensions": {{"cost": {{'
        f'"requestedQueryCost": {requested}, "actualQueryCost": {requested}, '
        f'"throttleStatus": {{"maximumAvailable": {maximum}, '
        f'"currentlyAvailable": {available}, "restoreRate": {rate}}}}}}}}}'
    ).encode()


HOSTILE = {
    "restoreRate 1e-7": {"rate": "1e-7", "available": "0"},
    "currentlyAvailable -1e9": {"available": "-1e9"},
    "currentlyAvailable -Infinity": {"available": "-Infinity"},
    "currentlyAvailable NaN": {"available": "NaN"},
    "restoreRate NaN": {"rate": "NaN"},
    "restoreRate Infinity": {"rate": "Infinity"},
    "requestedQueryCost 1e300": {"requested": "1e300"},
    "requestedQueryCost of 400 digits": {"requested": "9" * 400},
    "maximumAvailable of 400 digits": {"maximum": "9" * 400},
}


def answers(first: bytes) -> httpx.MockTransport:
    """The first request is answered with ``first``, every later one with sane figures."""
    sent: list[bytes] = [first]

    def handle(request: httpx.Request) -> httpx.Response:
        content = sent.pop() if sent else body()
        return httpx.Response(200, content=content, headers={"Content-Type": "application/json"})

    return httpx.MockTransport(handle)


@pytest.mark.parametrize("figures", HOSTILE.values(), ids=HOSTILE.keys())
def test_an_async_call_after_hostile_figures_goes_at_once(figures: dict[str, str]) -> None:
    """-inf or 1e300 hung the next async call for ever, 1e-7 and -1e9 slept for years,
    NaN raised a bare ValueError on every call of the limiter."""
    limiter = QueryCostLimiter()

    async def run() -> None:
        http = httpx.AsyncClient(transport=answers(body(**figures)))
        async with AsyncClient(
            endpoint=ENDPOINT, access_token=ADMIN_TOKEN, http_client=http, pacing=limiter
        ) as client:
            first = await client.products(first=1)
            assert first.products.edges == []
            for _ in range(2):  # wait_for: a bound for the test, should the fix fail
                await asyncio.wait_for(client.products(first=1), 10)
            assert limiter.waited == 0  # nobody was held: the figure was not believed
            calls = asyncio.gather(*(client.products(first=1) for _ in range(3)))
            await asyncio.wait_for(calls, 10)  # concurrent calls too (1e300 hung them)
        await http.aclose()

    asyncio.run(run())


@pytest.mark.parametrize("figures", HOSTILE.values(), ids=HOSTILE.keys())
def test_a_hostile_figure_loses_no_answer_and_breaks_no_repr(figures: dict[str, str]) -> None:
    """A 400-digit cost raised OverflowError from a successful call, and from
    repr(response) and last_cost after it."""
    http = httpx.Client(transport=answers(body(**figures)))
    with Client(endpoint=ENDPOINT, access_token=ADMIN_TOKEN, http_client=http) as client:
        assert client.products(first=1).products.edges == []
        assert "GraphQLResponse(" in repr(client.last_response)
        cost = client.last_cost
        assert cost is not None
        for value in (
            cost.requested,
            cost.actual,
            cost.maximum_available,
            cost.currently_available,
            cost.restore_rate,
        ):
            assert value is None or (math.isfinite(value) and 0 <= value <= 1e7)
        assert client.products(first=1).products.edges == []  # and the next call too
    http.close()


@pytest.mark.parametrize(
    "raw",
    [float("nan"), float("inf"), float("-inf"), -1, -0.5, 1e300, 10**400, -(10**400), True, "5"],
    ids=repr,
)
def test_a_figure_that_is_not_a_sane_number_reads_as_none(raw: object) -> None:
    extensions = {
        "cost": {
            "requestedQueryCost": raw,
            "actualQueryCost": raw,
            "throttleStatus": {
                "maximumAvailable": raw,
                "currentlyAvailable": raw,
                "restoreRate": raw,
            },
        }
    }
    cost = QueryCost.from_extensions(extensions)
    assert cost == QueryCost(None, None, None, None, None)
    assert cost.seconds_until_available() is None


def test_sane_figures_read_as_they_are() -> None:
    cost = QueryCost.from_extensions(json.loads(body("102", "1898.5", "100", "2000"))["extensions"])
    assert cost == QueryCost(102.0, 102.0, 2000.0, 1898.5, 100.0)
    assert QueryCost.from_extensions({"cost": {"requestedQueryCost": 0}}) == QueryCost(
        0.0, None, None, None, None
    )


def sane(requested: float = 100, available: float = 1000) -> QueryCost:
    return QueryCost(requested, requested, 1000.0, available, 100.0)


UNBELIEVABLE = {
    "restore rate 1e-7": QueryCost(100, 100, 1000, 0, 1e-7),
    "restore rate NaN": QueryCost(100, 100, 1000, 0, math.nan),
    "available NaN": QueryCost(100, 100, 1000, math.nan, 100),
    "available -inf": QueryCost(100, 100, 1000, -math.inf, 100),
    "available -1e9": QueryCost(100, 100, 1000, -1e9, 100),
    "available over the maximum": QueryCost(100, 100, 1000, 1e6, 100),
    "maximum inf": QueryCost(100, 100, math.inf, 0, 100),
    "a bucket that takes a day to refill": QueryCost(100, 100, 8_640_000, 0, 100),
}


@pytest.mark.parametrize("reading", UNBELIEVABLE.values(), ids=UNBELIEVABLE.keys())
def test_an_unbelievable_reading_leaves_the_model_as_it_was(reading: QueryCost) -> None:
    """Built directly (not parsed), so the limiter's own checks are what is tested."""
    limiter = QueryCostLimiter()
    ticket, _ = limiter.reserve("Q")
    assert ticket is not None
    limiter.settle(ticket, sane(100, 1000))  # alone: the model holds 1,000 points
    held, _ = limiter.reserve("Q")
    assert held is not None
    limiter.settle(held, reading)
    available = limiter.available
    assert available is not None and 900 <= available <= 1000
    granted, wait = limiter.reserve("Q")
    assert granted is not None and wait == 0


# -- any figures at all: the model stays sane --------------------------------------------

figure = st.one_of(
    st.none(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.floats(min_value=0, max_value=3000),
    st.sampled_from([0.0, 1e-7, 1e300, 1000.0, 2000.0, 100.0]),
)
step = st.tuples(
    st.sampled_from(["reserve", "settle", "unsent", "tick"]),
    st.sampled_from(["A", "B"]),
    st.integers(min_value=0, max_value=300),
    st.builds(QueryCost, figure, figure, figure, figure, figure),
)


@given(st.lists(step, max_size=60))
@settings(max_examples=EXAMPLES, deadline=None)
def test_no_sequence_of_figures_makes_the_model_hang_or_raise(
    steps: list[tuple[str, str, int, QueryCost]],
) -> None:
    """Whatever an answer says, every wait the model asks for is finite and at most
    two whole-bucket refills (2 x 60 s), and nothing in flight counts as nothing."""
    clock = [1000.0]
    limiter = QueryCostLimiter()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("shopify_client._pacing.time.monotonic", lambda: clock[0])
        out: list[Ticket] = []
        for action, operation, first, reading in steps:
            if action == "reserve":
                ticket, wait = limiter.reserve(operation, {"first": first})
                if ticket is not None:
                    out.append(ticket)
                else:
                    assert wait is None or 0 < wait <= 2 * MAX_REFILL_SECONDS
            elif action == "tick":
                clock[0] += first / 10
            elif out:
                limiter.settle(out.pop(first % len(out)), reading, sent=action == "settle")
            available = limiter.available
            assert available is None or math.isfinite(available)
        for ticket in out:
            limiter.settle(ticket, None)
        assert limiter._in_flight == 0 and limiter._in_flight_cost == 0.0
