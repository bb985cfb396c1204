"""What every bench module shares: paths, settings, operations, statistics, the context."""

from __future__ import annotations

import json
import math
import statistics
import sys
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pydantic

import shopify_storefront

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
FIXTURES = ROOT / "tests" / "fixtures" / "responses"
DEFAULT_OUTPUT = ROOT / "bench" / "results" / "latest.json"

TOKEN = "bench-storefront-token"
EMAIL = "johnsmith@example.com"
PASSWORD = "bench-password"

JSONDict = dict[str, Any]
SyncCall = Callable[[], object]
AsyncCall = Callable[[], Awaitable[object]]


@dataclass(frozen=True)
class Settings:
    quick: bool
    calls: int  # timed calls per (client, operation, flavour)
    warmup: int  # untimed calls before them
    blocks: int  # the timed calls are interleaved between clients in this many blocks
    concurrent_calls: int
    concurrency: int
    throughput_rounds: int
    import_runs: int  # fresh interpreters per import, and per cold start to a first result
    check_runs: int
    schema_runs: int
    generate_runs: int
    # pacing: Admin `products` calls against FakeShopify's leaky bucket
    paced_calls: int
    paced_concurrency: int
    bucket_maximum: float  # points
    bucket_restore_rate: float  # points per second
    query_cost: float  # points per `products` call

    @classmethod
    def make(cls, quick: bool) -> Settings:
        if quick:
            return cls(True, 200, 20, 40, 200, 50, 1, 3, 1, 1, 1, 100, 20, 500, 5_000, 100)
        return cls(False, 2000, 200, 400, 1000, 50, 9, 25, 3, 3, 3, 500, 50, 1_000, 5_000, 100)


@dataclass(frozen=True)
class Operation:
    """A Storefront operation of queries/storefront and its recorded answer."""

    name: str  # the GraphQL operationName
    method: str  # the generated client's method
    query_file: Path
    fixture: Path
    gql_variables: JSONDict

    def check(self, result: object) -> None:
        """Raise unless ``result`` holds the recorded answer (a wrong route, a bad parse)."""
        data = _as_data(result)
        if self.name == "customer":
            value = data["customer"]["email"]
            expected = "johnsmith@example.com"
        else:
            value = data["customerAccessTokenCreate"]["customerAccessToken"]["accessToken"]
            expected = "ghaidas_token"
        if value != expected:
            raise RuntimeError(f"{self.name}: unexpected result {value!r}")


OPERATIONS = (
    Operation(
        name="customer",
        method="customer",
        query_file=ROOT / "queries" / "storefront" / "customer.graphql",
        fixture=FIXTURES / "storefront_customer.json",
        gql_variables={"customerAccessToken": TOKEN},
    ),
    Operation(
        name="customerAccessTokenCreate",
        method="customer_access_token_create",
        query_file=ROOT / "queries" / "storefront" / "customer_access_token_create.graphql",
        fixture=FIXTURES / "storefront_customer_access_token_create.json",
        gql_variables={"input": {"email": EMAIL, "password": PASSWORD}},
    ),
)
ADMIN_FIXTURE = (
    "StorefrontAccessTokenCreate",
    FIXTURES / "admin_storefront_access_token_create.json",
)


def _as_data(result: object) -> dict[str, Any]:
    if isinstance(result, pydantic.BaseModel):
        dumped: dict[str, Any] = result.model_dump(mode="json", by_alias=True)
        return dumped
    if not isinstance(result, dict):
        raise RuntimeError(f"unexpected result type {type(result).__name__}")
    inner = result.get("data", result)
    if not isinstance(inner, dict):
        raise RuntimeError("result has no data object")
    return inner


# -- statistics ----------------------------------------------------------------------------


def percentile(samples: Sequence[float], fraction: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(samples)
    rank = max(1, math.ceil(fraction * len(ordered)))
    return ordered[min(rank, len(ordered)) - 1]


@dataclass
class Series:
    """Per-call times of one client for one operation and flavour, in ns."""

    samples: list[int] = field(default_factory=list)

    @property
    def median_ms(self) -> float:
        return statistics.median(self.samples) / 1e6

    @property
    def p99_ms(self) -> float:
        return percentile(self.samples, 0.99) / 1e6

    @property
    def mean_ms(self) -> float:
        return statistics.fmean(self.samples) / 1e6


def rotated(items: Sequence[str], shift: int) -> list[str]:
    shift %= len(items)
    return [*items[shift:], *items[:shift]]


def log(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


def request_bodies() -> dict[str, bytes]:
    """The exact bytes our client sends per operation (captured, not re-encoded)."""
    captured: dict[str, bytes] = {}

    def handler(request: httpx.Request) -> httpx.Response:
        name = json.loads(request.content)["operationName"]
        captured[name] = request.content
        fixture = next(op.fixture for op in OPERATIONS if op.name == name)
        return httpx.Response(200, content=fixture.read_bytes())

    with shopify_storefront.Client(
        endpoint="http://127.0.0.1:9/api/2024-10/graphql.json",
        access_token=TOKEN,
        http_client=httpx.Client(transport=httpx.MockTransport(handler)),
    ) as client:
        client.customer(customer_access_token=TOKEN)
        client.customer_access_token_create(
            input=shopify_storefront.CustomerAccessTokenCreateInput(email=EMAIL, password=PASSWORD)
        )
    return captured


RAW_HEADERS = {
    "Content-Type": "application/json",
    "Accept": "application/json",
    "X-Shopify-Storefront-Access-Token": TOKEN,
}


@dataclass
class Context:
    """What a section's measure function gets: the settings and what main set up."""

    settings: Settings
    url: str  # the canned-answer server (bench/server.py), Storefront 2024-10 path
    bodies: dict[str, bytes]  # what our client sends per operation, for the raw baseline
    defaults_dir: Path  # ariadne-codegen's default packages, generated in this run
    results: JSONDict  # the run's JSON: each section adds its own key
