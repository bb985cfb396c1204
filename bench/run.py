"""Benchmarks: what the generated clients cost next to raw httpx (and a few peers).

Run it with ``make bench`` (or ``.venv/bin/python bench/run.py`` once the ``bench``
extra is installed); ``--quick`` makes a short smoke run. Every figure is a ratio
against a baseline measured in the same run, on the same machine, so the numbers
compare across machines better than the absolute times do. See bench/README.md.

Nothing here asserts on timings: the goals are printed next to the figures.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import gc
import importlib
import importlib.metadata
import json
import logging
import math
import multiprocessing
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from collections.abc import Awaitable, Callable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
import pydantic
from gql import Client as GqlClient
from gql import GraphQLRequest
from gql.transport.httpx import HTTPXAsyncTransport, HTTPXTransport

import shopify_storefront
from shopify_codegen import schema_files
from shopify_codegen.config import load_config
from shopify_codegen.generate import generate_package

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
FIXTURES = ROOT / "tests" / "fixtures" / "responses"
DEFAULT_OUTPUT = ROOT / "bench" / "results" / "latest.json"

TOKEN = "bench-storefront-token"
EMAIL = "johnsmith@example.com"
PASSWORD = "bench-password"

# Goals from the issue; printed beside the figures, never asserted.
GOAL_PER_CALL = 1.10  # ours / raw httpx, median per call
GOAL_IMPORT_MS = 30.0  # ms over `import httpx, pydantic`
GOAL_THROUGHPUT = 0.9  # ours / raw httpx, calls per second
GOAL_CHECK_S = 5.0  # `shopify-codegen check` wall time

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
    import_runs: int
    check_runs: int
    schema_runs: int
    generate_runs: int

    @classmethod
    def make(cls, quick: bool) -> Settings:
        if quick:
            return cls(True, 200, 20, 40, 200, 50, 1, 3, 1, 1, 1)
        return cls(False, 2000, 200, 400, 1000, 50, 5, 10, 3, 3, 3)


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


# -- the local server ------------------------------------------------------------------


async def _handle(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, bodies: dict[str, bytes]
) -> None:
    """HTTP/1.1 keep-alive: answer each POST with the body its operationName selects."""
    try:
        while True:
            head = await reader.readuntil(b"\r\n\r\n")
            length = 0
            for line in head.split(b"\r\n")[1:]:
                name, _, value = line.partition(b":")
                if name.strip().lower() == b"content-length":
                    length = int(value)
            payload = await reader.readexactly(length) if length else b""
            try:
                operation = json.loads(payload).get("operationName")
            except ValueError:
                operation = None
            body = bodies.get(operation) if isinstance(operation, str) else None
            status = b"200 OK"
            if body is None:
                status = b"400 Bad Request"
                body = b'{"errors":[{"message":"unknown operationName"}]}'
            writer.write(
                b"HTTP/1.1 %s\r\nContent-Type: application/json; charset=utf-8\r\n"
                b"Content-Length: %d\r\n\r\n%s" % (status, len(body), body)
            )
            await writer.drain()
    except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError):
        pass
    finally:
        writer.close()


async def _serve_async(conn: Connection, bodies: dict[str, bytes]) -> None:
    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await _handle(reader, writer, bodies)

    server = await asyncio.start_server(handle, "127.0.0.1", 0, backlog=1024)
    port = server.sockets[0].getsockname()[1]
    conn.send(port)
    conn.close()
    async with server:
        await server.serve_forever()


def _serve(conn: Connection, bodies: dict[str, bytes]) -> None:
    """The server process's entry point (top level, so that spawn can find it)."""
    asyncio.run(_serve_async(conn, bodies))


@contextlib.contextmanager
def local_server() -> Iterator[str]:
    """A canned-answer GraphQL server in its own process; yields its URL."""
    bodies = {op.name: op.fixture.read_bytes() for op in OPERATIONS}
    bodies[ADMIN_FIXTURE[0]] = ADMIN_FIXTURE[1].read_bytes()
    context = multiprocessing.get_context("spawn")
    parent, child = context.Pipe(duplex=False)
    process = context.Process(target=_serve, args=(child, bodies), daemon=True)
    process.start()
    try:
        child.close()
        if not parent.poll(30):
            raise RuntimeError("the benchmark server did not start within 30 s")
        port = parent.recv()
        yield f"http://127.0.0.1:{port}/api/2024-10/graphql.json"
    finally:
        process.terminate()
        process.join(5)
        if process.is_alive():
            process.kill()
            process.join()


# -- ariadne-codegen's defaults, generated at bench time ---------------------------------


def _toml_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return json.dumps(value)  # a TOML basic string for these plain values
    raise TypeError(f"cannot write {value!r} to TOML")


def _plain_scalars() -> dict[str, str]:
    """codegen.toml's scalar mapping, less the types that live in our runtime.

    The default package must not import shopify_client, so JSON stays ariadne's Any.
    """
    scalars = load_config(ROOT).ariadne.get("scalars", {})
    return {
        name: spec["type"]
        for name, spec in scalars.items()
        if not str(spec.get("type", "")).startswith("shopify_client")
    }


def generate_ariadne_defaults(target: Path) -> dict[str, float]:
    """Generate the default-settings peers with the ariadne-codegen CLI, in parallel.

    Returns the seconds each package took.
    """
    jobs = {
        "ariadne_default_storefront": ("storefront", "2024-10", False),
        "ariadne_default_storefront_async": ("storefront", "2024-10", True),
        "ariadne_default_admin": ("admin", "2024-01", False),
    }
    scalars = _plain_scalars()
    running: dict[str, tuple[subprocess.Popen[bytes], float]] = {}
    for package, (api, version, is_async) in jobs.items():
        settings = {
            "schema_path": str(ROOT / "schema" / api / f"{version}.graphql"),
            "queries_path": str(ROOT / "queries" / api),
            "target_package_name": package,
            "target_package_path": str(target),
            "async_client": is_async,
        }
        lines = ["[tool.ariadne-codegen]"]
        lines += [f"{key} = {_toml_value(value)}" for key, value in settings.items()]
        for name, python_type in scalars.items():
            table = f"[tool.ariadne-codegen.scalars.{name}]"
            lines += ["", table, f"type = {json.dumps(python_type)}"]
        config_path = target / f"{package}.toml"
        config_path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        process = subprocess.Popen(
            [str(BIN / "ariadne-codegen"), "--config", str(config_path), "client"],
            cwd=target,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        running[package] = (process, time.perf_counter())
    seconds: dict[str, float] = {}
    for package, (process, started) in running.items():
        _, stderr = process.communicate()
        seconds[package] = time.perf_counter() - started
        if process.returncode != 0:
            raise RuntimeError(
                f"ariadne-codegen failed for {package}:\n{stderr.decode(errors='replace')}"
            )
    return seconds


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


def _rotated(items: Sequence[str], shift: int) -> list[str]:
    shift %= len(items)
    return [*items[shift:], *items[:shift]]


# -- 1. per-call overhead ------------------------------------------------------------------

RAW = "raw httpx"
OURS = "shopify_storefront"
ARIADNE = "ariadne-codegen default"
GQL = "gql + httpx transport"
PEERS = (RAW, OURS, ARIADNE, GQL)


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
        for op in OPERATIONS:
            _call_ours(client, op)
    return captured


def _ours_input() -> shopify_storefront.CustomerAccessTokenCreateInput:
    return shopify_storefront.CustomerAccessTokenCreateInput(email=EMAIL, password=PASSWORD)


def _call_ours(client: shopify_storefront.Client, op: Operation) -> object:
    if op.name == "customer":
        return client.customer(customer_access_token=TOKEN)
    return client.customer_access_token_create(input=_ours_input())


RAW_HEADERS = {
    "Content-Type": "application/json",
    "Accept": "application/json",
    "X-Shopify-Storefront-Access-Token": TOKEN,
}


def sync_calls(
    url: str,
    bodies: dict[str, bytes],
    defaults: ModuleType,
    stack: contextlib.ExitStack,
) -> dict[tuple[str, str], SyncCall]:
    """One zero-argument call per (peer, operation); every client built once, kept open."""
    raw = stack.enter_context(httpx.Client())
    ours = stack.enter_context(shopify_storefront.Client(endpoint=url, access_token=TOKEN))
    ariadne = defaults.Client(url=url, headers={"X-Shopify-Storefront-Access-Token": TOKEN})
    stack.callback(ariadne.http_client.close)
    gql_client = GqlClient(transport=HTTPXTransport(url=url, headers=RAW_HEADERS))
    gql_session = gql_client.connect_sync()  # type: ignore[no-untyped-call]
    stack.callback(gql_client.close_sync)

    ours_input = _ours_input()
    ariadne_input = defaults.CustomerAccessTokenCreateInput(email=EMAIL, password=PASSWORD)
    calls: dict[tuple[str, str], SyncCall] = {}
    for op in OPERATIONS:
        body = bodies[op.name]

        def call_raw(body: bytes = body) -> object:
            response = raw.post(url, content=body, headers=RAW_HEADERS)
            return json.loads(response.content)

        request = GraphQLRequest(
            op.query_file.read_text(), variable_values=op.gql_variables, operation_name=op.name
        )

        def call_gql(request: GraphQLRequest = request) -> object:
            return gql_session.execute(request)

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
        calls[OURS, op.name] = call_ours
        calls[ARIADNE, op.name] = call_ariadne
        calls[GQL, op.name] = call_gql
    return calls


def measure_sync(
    url: str, bodies: dict[str, bytes], defaults: ModuleType, settings: Settings
) -> dict[tuple[str, str], Series]:
    series = {(peer, op.name): Series() for peer in PEERS for op in OPERATIONS}
    with contextlib.ExitStack() as stack:
        calls = sync_calls(url, bodies, defaults, stack)
        for op in OPERATIONS:
            for peer in PEERS:
                op.check(calls[peer, op.name]())
                for _ in range(settings.warmup):
                    calls[peer, op.name]()
        per_block = settings.calls // settings.blocks
        clock = time.perf_counter_ns
        for block in range(settings.blocks):
            for op in OPERATIONS:
                for peer in _rotated(PEERS, block):
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
    series = {(peer, op.name): Series() for peer in PEERS for op in OPERATIONS}
    async with contextlib.AsyncExitStack() as stack:
        raw = await stack.enter_async_context(httpx.AsyncClient())
        ours = await stack.enter_async_context(
            shopify_storefront.AsyncClient(endpoint=url, access_token=TOKEN)
        )
        ariadne = defaults.Client(url=url, headers={"X-Shopify-Storefront-Access-Token": TOKEN})
        stack.push_async_callback(ariadne.http_client.aclose)
        gql_client = GqlClient(transport=HTTPXAsyncTransport(url=url, headers=RAW_HEADERS))
        gql_session = await gql_client.connect_async()  # type: ignore[no-untyped-call]
        stack.push_async_callback(gql_client.close_async)

        ours_input = _ours_input()
        ariadne_input = defaults.CustomerAccessTokenCreateInput(email=EMAIL, password=PASSWORD)
        calls: dict[tuple[str, str], AsyncCall] = {}
        for op in OPERATIONS:
            body = bodies[op.name]

            async def call_raw(body: bytes = body) -> object:
                response = await raw.post(url, content=body, headers=RAW_HEADERS)
                return json.loads(response.content)

            request = GraphQLRequest(
                op.query_file.read_text(), variable_values=op.gql_variables, operation_name=op.name
            )

            async def call_gql(request: GraphQLRequest = request) -> object:
                return await gql_session.execute(request)

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
            calls[OURS, op.name] = call_ours
            calls[ARIADNE, op.name] = call_ariadne
            calls[GQL, op.name] = call_gql

        for op in OPERATIONS:
            for peer in PEERS:
                op.check(await calls[peer, op.name]())
                for _ in range(settings.warmup):
                    await calls[peer, op.name]()
        per_block = settings.calls // settings.blocks
        clock = time.perf_counter_ns
        for block in range(settings.blocks):
            for op in OPERATIONS:
                for peer in _rotated(PEERS, block):
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


# -- 3. concurrency ------------------------------------------------------------------------


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


async def _measure_concurrency(url: str, settings: Settings) -> dict[str, list[float]]:
    rates: dict[str, list[float]] = {RAW: [], OURS: []}
    body = request_bodies()["customer"]
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
            for peer in _rotated([RAW, OURS], round_):
                rates[peer].append(
                    await _throughput(calls[peer], settings.concurrent_calls, settings.concurrency)
                )
    return rates


# -- 2. cold import time -------------------------------------------------------------------

_IMPORT_PROBE = (
    "import time\nstarted = time.perf_counter()\n{code}\nprint(time.perf_counter() - started)\n"
)
BASELINE_IMPORT = "httpx, pydantic"
# Not a goal's baseline: what any package defining a pydantic model pays on top of it
# (pydantic imports its model machinery lazily, on the first BaseModel subclass).
MODEL_REFERENCE = "httpx, pydantic + one BaseModel"


def measure_imports(defaults_dir: Path, settings: Settings) -> dict[str, list[float]]:
    """ms of each import in fresh interpreters (cwd: the default packages)."""
    targets = {
        BASELINE_IMPORT: "import httpx, pydantic",
        MODEL_REFERENCE: "import httpx, pydantic\nclass M(pydantic.BaseModel):\n    x: int",
        "shopify_storefront": "import shopify_storefront",
        "shopify_admin": "import shopify_admin",
        "ariadne default storefront": "import ariadne_default_storefront",
        "ariadne default admin": "import ariadne_default_admin",
    }
    times: dict[str, list[float]] = {label: [] for label in targets}
    # Bytecode caching on, as after a pip install: run 0 writes the .pyc files.
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    for run in range(settings.import_runs + 1):  # run 0 writes the .pyc files: not counted
        for label in _rotated(list(targets), run):
            completed = subprocess.run(
                [sys.executable, "-c", _IMPORT_PROBE.format(code=targets[label])],
                cwd=defaults_dir,
                env=env,
                capture_output=True,
                text=True,
                check=True,
            )
            if run:
                times[label].append(float(completed.stdout.strip()) * 1000)
    return times


# -- 4. tooling ----------------------------------------------------------------------------


def measure_check(settings: Settings) -> tuple[list[float], int]:
    seconds = []
    returncode = 0
    for _ in range(settings.check_runs):
        started = time.perf_counter()
        completed = subprocess.run(
            [str(BIN / "shopify-codegen"), "check"], cwd=ROOT, capture_output=True, check=False
        )
        seconds.append(time.perf_counter() - started)
        returncode = returncode or completed.returncode
    return seconds, returncode


def measure_schema_loading(settings: Settings) -> dict[str, tuple[list[float], list[float]]]:
    """Per JSON schema: (load_schema seconds, read + json.loads seconds)."""
    out: dict[str, tuple[list[float], list[float]]] = {}
    for path in sorted((ROOT / "schema").glob("*/*.json")):
        loads: list[float] = []
        parses: list[float] = []
        for _ in range(settings.schema_runs):
            # Same heap for both: no cached schema alive, garbage collected beforehand.
            schema_files._cache.clear()
            gc.collect()
            started = time.perf_counter()
            schema_files.load_schema(path)
            loads.append(time.perf_counter() - started)
            schema_files._cache.clear()
            gc.collect()
            started = time.perf_counter()
            json.loads(path.read_bytes())
            parses.append(time.perf_counter() - started)
        out[path.relative_to(ROOT).as_posix()] = (loads, parses)
    schema_files._cache.clear()
    return out


def measure_generation(settings: Settings) -> dict[bool, list[float]]:
    """Seconds to generate the admin package, unpruned and pruned (schema cache cleared)."""
    config = load_config(ROOT)
    api = config.api("admin")
    out: dict[bool, list[float]] = {False: [], True: []}
    for run in range(settings.generate_runs):
        for prune in (False, True) if run % 2 == 0 else (True, False):
            with tempfile.TemporaryDirectory(prefix="bench-generate-") as scratch:
                schema_files._cache.clear()
                gc.collect()
                started = time.perf_counter()
                generate_package(config, api, Path(scratch), prune=prune)
                out[prune].append(time.perf_counter() - started)
    schema_files._cache.clear()
    return out


# -- the table -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    section: str
    figure: str
    value: str
    baseline: str
    ratio: str
    goal: str = ""
    met: bool | None = None


def _met(flag: bool | None) -> str:
    return "" if flag is None else ("yes" if flag else "NO")


def render(rows: Sequence[Row]) -> str:
    header = ("#", "figure", "value", "baseline", "ratio / delta", "goal", "met")
    cells = [header] + [
        (r.section, r.figure, r.value, r.baseline, r.ratio, r.goal, _met(r.met)) for r in rows
    ]
    widths = [max(len(cell[i]) for cell in cells) for i in range(len(header))]
    lines = []
    for index, cell in enumerate(cells):
        padded = (c.ljust(w) for c, w in zip(cell, widths, strict=True))
        lines.append("| " + " | ".join(padded) + " |")
        if index == 0:
            lines.append("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    return "\n".join(lines)


def per_call_rows(flavour: str, series: dict[tuple[str, str], Series]) -> list[Row]:
    rows = []
    for op in OPERATIONS:
        base = series[RAW, op.name]
        base_text = f"{base.median_ms:.3f} / {base.p99_ms:.3f} ms"
        for peer in PEERS:
            s = series[peer, op.name]
            is_ours = peer == OURS
            ratio = s.median_ms / base.median_ms
            rows.append(
                Row(
                    section="1",
                    figure=f"{flavour} {op.name}: {peer}" + (" (baseline)" if peer == RAW else ""),
                    value=f"{s.median_ms:.3f} / {s.p99_ms:.3f} ms",
                    baseline=base_text,
                    ratio=f"{ratio:.2f}x / {s.p99_ms / base.p99_ms:.2f}x",
                    goal=f"median <= {GOAL_PER_CALL:.2f}x" if is_ours else "",
                    met=ratio <= GOAL_PER_CALL if is_ours else None,
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


# -- machine info and main -----------------------------------------------------------------


def _version_of(distribution: str) -> str | None:
    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return None


def machine_info() -> JSONDict:
    commit = subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=False
    ).stdout.strip()
    dirty = subprocess.run(
        ["git", "status", "--porcelain"], cwd=ROOT, capture_output=True, text=True, check=False
    ).stdout.strip()
    return {
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "platform": platform.platform(),
        "machine": platform.machine(),
        "processor": platform.processor(),
        "python": platform.python_version(),
        "python_implementation": platform.python_implementation(),
        "cpu_count": os.cpu_count(),
        "git_commit": commit or None,
        "git_dirty": bool(dirty),
        "packages": {
            name: _version_of(name)
            for name in ("httpx", "httpcore", "pydantic", "pydantic-core", "gql", "ariadne-codegen")
        },
    }


def _log(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="few calls: a smoke run")
    parser.add_argument(
        "--output",
        type=Path,
        default=None,
        help=f"where to write the JSON (default: {DEFAULT_OUTPUT.relative_to(ROOT)}; "
        "a --quick run writes nothing unless given)",
    )
    args = parser.parse_args(argv)
    settings = Settings.make(args.quick)
    output: Path | None = args.output or (None if args.quick else DEFAULT_OUTPUT)
    warnings.simplefilter("ignore")  # UnsupportedVersionWarning on every construction
    logging.getLogger("shopify_client").addHandler(logging.NullHandler())  # ... and its log line
    started = time.perf_counter()

    rows: list[Row] = []
    results: JSONDict = {"machine": machine_info(), "settings": asdict(settings)}

    with tempfile.TemporaryDirectory(prefix="bench-ariadne-defaults-") as scratch:
        defaults_dir = Path(scratch)
        _log("generating the ariadne-codegen default packages")
        results["ariadne_default_generation_s"] = generate_ariadne_defaults(defaults_dir)
        sys.path.insert(0, str(defaults_dir))
        default_sync = importlib.import_module("ariadne_default_storefront")
        default_async = importlib.import_module("ariadne_default_storefront_async")

        bodies = request_bodies()
        with local_server() as url:
            _log(f"server at {url}; 1. per-call overhead (sync)")
            sync_series = measure_sync(url, bodies, default_sync, settings)
            _log("1. per-call overhead (async)")
            async_series = measure_async(url, bodies, default_async, settings)
            _log("3. concurrency")
            rates = asyncio.run(_measure_concurrency(url, settings))
        rows += per_call_rows("sync", sync_series)
        rows += per_call_rows("async", async_series)
        results["per_call"] = series_json("sync", sync_series) + series_json("async", async_series)

        _log("2. cold import time")
        imports = measure_imports(defaults_dir, settings)

    base_ms = statistics.median(imports[BASELINE_IMPORT])
    reference_ms = statistics.median(imports[MODEL_REFERENCE])
    results["import_ms"] = {}
    for label, samples in imports.items():
        ms = statistics.median(samples)
        results["import_ms"][label] = {
            "median": ms,
            "samples": samples,
            "delta": ms - base_ms,
            "delta_over_reference": ms - reference_ms,
        }
        is_ours = label.startswith("shopify_")
        rows.append(
            Row(
                section="2",
                figure=f"import {label}"
                + {BASELINE_IMPORT: " (baseline)", MODEL_REFERENCE: " (reference)"}.get(label, ""),
                value=f"{ms:.1f} ms",
                baseline=f"{base_ms:.1f} ms",
                ratio=f"{ms - base_ms:+.1f} ms",
                goal=f"<= +{GOAL_IMPORT_MS:.0f} ms" if is_ours else "",
                met=ms - base_ms <= GOAL_IMPORT_MS if is_ours else None,
            )
        )

    raw_rate = statistics.median(rates[RAW])
    ours_rate = statistics.median(rates[OURS])
    results["concurrency"] = {
        "calls": settings.concurrent_calls,
        "concurrency": settings.concurrency,
        "calls_per_second": rates,
        "median_ratio": ours_rate / raw_rate,
    }
    conc = f"{settings.concurrent_calls} calls @ {settings.concurrency}"
    rows.append(Row("3", f"{conc}: raw httpx (baseline)", f"{raw_rate:.0f}/s", "", "1.00x"))
    rows.append(
        Row(
            "3",
            f"{conc}: shopify_storefront.AsyncClient",
            f"{ours_rate:.0f}/s",
            f"{raw_rate:.0f}/s",
            f"{ours_rate / raw_rate:.2f}x",
            f">= {GOAL_THROUGHPUT:.1f}x",
            ours_rate / raw_rate >= GOAL_THROUGHPUT,
        )
    )

    _log("4. tooling: shopify-codegen check")
    check_s, check_rc = measure_check(settings)
    check_median = statistics.median(check_s)
    results["check"] = {"seconds": check_s, "median": check_median, "returncode": check_rc}
    rows.append(
        Row(
            "4",
            "shopify-codegen check" + ("" if check_rc == 0 else f" (exit {check_rc})"),
            f"{check_median:.2f} s",
            "",
            "",
            f"< {GOAL_CHECK_S:.0f} s",
            check_median < GOAL_CHECK_S,
        )
    )
    _log("4. tooling: load_schema")
    schema_times = measure_schema_loading(settings)
    results["load_schema"] = {}
    for name, (loads, parses) in schema_times.items():
        load_med, parse_med = statistics.median(loads), statistics.median(parses)
        results["load_schema"][name] = {
            "load_schema_s": loads,
            "json_loads_s": parses,
            "ratio": load_med / parse_med,
        }
        rows.append(
            Row(
                "4",
                f"load_schema {name} (vs json.loads)",
                f"{load_med * 1000:.0f} ms",
                f"{parse_med * 1000:.0f} ms",
                f"{load_med / parse_med:.2f}x",
            )
        )
    _log("4. tooling: generating shopify_admin, unpruned and pruned")
    generation = measure_generation(settings)
    unpruned, pruned = statistics.median(generation[False]), statistics.median(generation[True])
    results["generate_admin"] = {
        "prune_false_s": generation[False],
        "prune_true_s": generation[True],
        "ratio": pruned / unpruned,
    }
    before = "generate shopify_admin, prune=False (before)"
    rows.append(Row("4", before, f"{unpruned:.2f} s", "", ""))
    rows.append(
        Row(
            "4",
            "generate shopify_admin, prune=True (after)",
            f"{pruned:.2f} s",
            f"{unpruned:.2f} s",
            f"{pruned / unpruned:.2f}x ({unpruned / pruned:.1f}x faster)",
        )
    )

    results["rows"] = [asdict(row) for row in rows]
    results["wall_time_s"] = time.perf_counter() - started
    table = render(rows)
    results["table"] = table
    print(table)
    print(
        "\nper call: median / p99 over "
        f"{settings.calls} calls each; ratios against raw httpx measured in this run. "
        f"Whole run: {results['wall_time_s']:.0f} s."
    )
    if output is not None:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
        print(f"results: {output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
