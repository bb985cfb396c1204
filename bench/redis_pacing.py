"""Section 7, pacing shared over Redis (issue 24): N worker processes x M Admin
``products`` calls, K in flight each, against FakeShopify's leaky bucket (its own
process, bench/server.py), with each process pacing on its own (``pacing=True``)
and with every process sharing one model in Redis (``pacing="redis://..."``, a real
redis-server on 127.0.0.1 started here).

Each worker first makes :data:`WARM_CALLS` calls through a client of its own, against
a bucket that never runs dry (a worker that has been running); then the bucket is
reset full, Redis emptied, and the run starts from a new client in each worker.

Per mode: the THROTTLED answers the shop gave (goal 0 with Redis), the calls that
failed after their retries (goal 0), and the share of the restore rate (as section
5: the floor ``(spent - maximum) / restore_rate`` over the elapsed time; goal at
least 95%). Then bulk-operation slots: :data:`BULK_PROCESSES` processes each start
:data:`BULK_RUNS` bulk queries (2026-04: five at once per app) against one
FakeShopify, counting its "already in progress" answers (goal 0 with Redis). Then
the latency Redis adds to one call: one process's reserve and settle, sync and
async, Redis against in-process, with a bucket that never runs dry (the median of
the difference; goal at most 0.3 ms on loopback). Calls back to back, as a worker
makes them: each reserve carries the settle of the call before it, so its cost is in
the timed figure (and Redis's own count of its commands, the last flush included,
says how many a call made). Then spaced calls, a pause after each one, so that every
settle is sent on its own, off the call (the limiter's thread, or a task of the
loop): the call's time, and the CPU the process spent a call, its threads and the
loop's other tasks included.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import statistics
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any

from bench.common import Context, Settings, log
from bench.pacing import ANSWER, OPERATION
from bench.server import fake_shop
from bench.table import Row
from shopify_client import QueryCost, QueryCostLimiter
from shopify_client.testing import ADMIN_TOKEN
from shopify_client.testing.redis_server import RedisServer

GOAL_THROTTLED = 0
GOAL_FAILED = 0
GOAL_SHARE = 0.95
GOAL_ADDED_MS = 0.3
#: the issue's figures: 8 processes x 50 calls at 10 in flight
PROCESSES, CALLS, IN_FLIGHT = 8, 50, 10
QUICK = (4, 15, 5)
#: seconds the workers get to start (interpreters, imports) before the run
START_TIMEOUT = 120.0
#: calls each worker makes before the run, through a client of its own with the same
#: pacing, against a bucket that never runs dry: its imports, connections and code
#: paths warm, as in a worker that has been running (a cold interpreter's first calls
#: cost it ~0.1-0.6 s of CPU on a loaded 2-core machine: not pacing)
WARM_CALLS = 3
#: reserve + settle rounds for the latency rows
LATENCY_ROUNDS, LATENCY_ROUNDS_QUICK = 3000, 300
SHOP = "http://127.0.0.1:1/admin/api/2024-01/graphql.json"
#: seconds between the spaced calls of the latency rows: past SETTLE_DELAY, so that no
#: call carries the settle before it (each is sent on its own, off the call)
SPACED_PAUSE = 0.006
FULL = QueryCost(1.0, 1.0, 1e6, 1e6, 1e6)  # a bucket that never runs dry


@dataclass(frozen=True)
class SharedRun:
    mode: str  # "in-process" or "redis"
    processes: int
    calls: int
    in_flight: int
    elapsed_s: float
    throttled_answers: int
    failed: int  # calls that raised, after their retries
    fallbacks: int  # Redis failures the workers saw
    spent: float
    executed: int

    def share(self, maximum: float, restore_rate: float) -> float:
        return max(0.0, self.spent - maximum) / restore_rate / self.elapsed_s


def _worker(conn: Connection, endpoint: str, pacing: str, calls: int, in_flight: int) -> None:
    """One worker process: waits for "go", makes its calls, sends its figures."""
    import logging

    warnings.simplefilter("ignore")
    logging.getLogger("shopify_client").addHandler(logging.NullHandler())
    logging.getLogger("shopify_client").propagate = False
    from shopify_admin import AsyncClient

    async def run() -> tuple[float, float, int, int]:
        value: Any = True if pacing == "in-process" else pacing
        async with AsyncClient(endpoint=endpoint, access_token=ADMIN_TOKEN, pacing=value) as warm:
            for _ in range(WARM_CALLS):
                await warm.products(first=1)
        # a new client: a limiter that learned nothing (Redis is emptied before "go")
        async with AsyncClient(endpoint=endpoint, access_token=ADMIN_TOKEN, pacing=value) as client:
            remaining = calls
            failed = 0

            async def one() -> None:
                nonlocal remaining, failed
                while remaining > 0:
                    remaining -= 1
                    try:
                        await client.products(first=1)
                    except Exception:  # every failed call counts
                        failed += 1

            conn.send("ready")
            conn.recv()  # go
            started = time.monotonic()
            await asyncio.gather(*(one() for _ in range(in_flight)))
            ended = time.monotonic()
            fallbacks = getattr(client.pacing, "failures", 0)
            return started, ended, failed, fallbacks

    conn.send(asyncio.run(run()))


def _in_workers(
    target: Callable[..., None],
    arguments: list[tuple[Any, ...]],
    ready: Callable[[], None] | None = None,
) -> list[Any]:
    """Start a spawned process per ``arguments`` (each gets its pipe first), wait until
    all have warmed up, call ``ready``, let them go together, and collect each one's
    figures; every process is joined (killed past 10 s) whatever happens."""
    context = multiprocessing.get_context("spawn")
    pipes, workers = [], []
    for args in arguments:
        parent, child = context.Pipe(duplex=True)
        process = context.Process(target=target, args=(child, *args), daemon=True)
        process.start()
        pipes.append(parent)
        workers.append(process)
    try:
        for pipe in pipes:
            if not pipe.poll(START_TIMEOUT):
                raise RuntimeError("a bench worker did not start in time")
            pipe.recv()
        if ready is not None:
            ready()
        for pipe in pipes:
            pipe.send("go")
        figures = []
        for pipe in pipes:
            if not pipe.poll(START_TIMEOUT * 5):
                raise RuntimeError("a bench worker did not finish in time")
            figures.append(pipe.recv())
    finally:
        for process in workers:
            process.join(10)
            if process.is_alive():
                process.kill()
                process.join()
    return figures


def shared_run(
    shop: Any, mode: str, processes: int, calls: int, in_flight: int, maximum: float, rate: float
) -> SharedRun:
    shop.reset_bucket(1e15, 1e15)  # for the warm-up calls

    def ready() -> None:
        shop.reset_bucket(maximum, rate)  # full, its counters at zero
        if mode != "in-process":
            _empty(mode)  # the warm-up's model gone: the run starts from nothing

    figures = _in_workers(
        _worker, [(shop.admin_endpoint(), mode, calls, in_flight)] * processes, ready
    )
    throttled, spent, executed = shop.counters()
    started = min(f[0] for f in figures)
    ended = max(f[1] for f in figures)
    return SharedRun(
        mode,
        processes,
        calls,
        in_flight,
        ended - started,
        throttled,
        sum(f[2] for f in figures),
        sum(f[3] for f in figures),
        spent,
        executed,
    )


#: bulk slots: processes x bulk queries each (2026-04: five run at once per app)
BULK_PROCESSES, BULK_RUNS = 8, 3
BULK_QUICK = (6, 1)


def _bulk_worker(conn: Connection, endpoint: str, pacing: str, runs: int) -> None:
    """One process starting ``runs`` bulk queries one after another, each read to its
    end; sends (records, failed starts)."""
    import logging

    warnings.simplefilter("ignore")
    logging.getLogger("shopify_client").addHandler(logging.NullHandler())
    logging.getLogger("shopify_client").propagate = False
    from shopify_admin_2026_04 import Client
    from shopify_client import ShopifyError

    value: Any = True if pacing == "in-process" else pacing
    records = failed = 0
    with Client(endpoint=endpoint, access_token=ADMIN_TOKEN, pacing=value) as client:
        conn.send("ready")
        conn.recv()  # go
        for _ in range(runs):
            try:
                run = client.export_products(poll_interval=0.02, max_poll_interval=0.1)
                records += len(list(run))
            except ShopifyError:
                failed += 1
    conn.send((records, failed))


def _count_refusals(fake: Any) -> list[int]:
    """[n]: the "already in progress" answers of ``fake``'s bulk queries, as they go."""
    refused = [0]
    original = fake.bulk._run

    def counted(version: str, variables: dict[str, Any]) -> dict[str, Any]:
        answer: dict[str, Any] = original(version, variables)
        if "already in progress" in str(answer):
            refused[0] += 1
        return answer

    fake.bulk._run = counted
    return refused


def bulk_slots(url: str, processes: int, runs: int) -> dict[str, dict[str, int]]:
    """Per mode: the "already in progress" answers FakeShopify gave, and failed starts."""
    from shopify_client.testing import FakeShopify

    out: dict[str, dict[str, int]] = {}
    for mode in ("in-process", url):
        with FakeShopify() as fake:
            fake.bulk.roots, fake.bulk.children, fake.bulk.running_polls = 3, 2, 4
            refused = _count_refusals(fake)
            figures = _in_workers(
                _bulk_worker, [(fake.endpoint("admin", "2026-04"), mode, runs)] * processes
            )
        out["in-process" if mode == "in-process" else "redis"] = {
            "already_in_progress": refused[0],
            "failed_starts": sum(f[1] for f in figures),
            "records": sum(f[0] for f in figures),
        }
    return out


def _empty(url: str) -> None:
    import redis

    with redis.Redis.from_url(url) as client:
        client.flushall()


def _latency_sync(limiter: QueryCostLimiter, rounds: int, pause: float = 0.0) -> list[float]:
    samples = []
    for _ in range(rounds):
        started = time.perf_counter()
        ticket = limiter.acquire(OPERATION, {"first": 1})
        limiter.settle(ticket, FULL, answered=True)
        samples.append(time.perf_counter() - started)
        if pause:
            time.sleep(pause)
    return samples


async def _latency_async(limiter: QueryCostLimiter, rounds: int, pause: float = 0.0) -> list[float]:
    samples = []
    for _ in range(rounds):
        started = time.perf_counter()
        ticket = await limiter.acquire_async(OPERATION, {"first": 1})
        await limiter.settle_async(ticket, FULL, answered=True)
        samples.append(time.perf_counter() - started)
        if pause:
            await asyncio.sleep(pause)
    return samples


@dataclass(frozen=True)
class Latency:
    """One limiter's reserve + settle, as a call makes them (seconds)."""

    median_s: float  # back to back: each reserve carries the settle before it
    mean_s: float
    commands_per_call: float  # scripts Redis ran, counted by Redis, the last flush included
    spaced_median_s: float  # a pause after each call: every settle is sent on its own
    spaced_cpu_s: float  # this process's CPU a spaced call, every thread and task included


def _commands(url: str | None) -> int:
    if url is None:
        return 0
    import redis

    with redis.Redis.from_url(url) as client:
        stats = client.info("commandstats")
    return sum(
        int(stats.get(name, {}).get("calls", 0)) for name in ("cmdstat_evalsha", "cmdstat_eval")
    )


def _one_latency(limiter: QueryCostLimiter, flavour: str, url: str | None, rounds: int) -> Latency:
    """Warm, then ``rounds`` calls back to back (timed one by one, the flush after
    the last one counted in the commands), then ``rounds // 10`` calls each followed
    by a pause of SPACED_PAUSE (untimed; the CPU of the whole loop, pauses included,
    is what the process spent: the settles sent on their own are in it)."""
    warm = max(50, rounds // 10)
    spaced = max(30, rounds // 10)

    async def run_async() -> tuple[list[float], int, list[float], float]:
        await _latency_async(limiter, warm)
        await limiter.flush_async()
        before = _commands(url)
        samples = await _latency_async(limiter, rounds)
        await limiter.flush_async()
        commands = _commands(url) - before
        cpu = time.process_time()
        spaced_samples = await _latency_async(limiter, spaced, SPACED_PAUSE)
        await limiter.flush_async()
        return samples, commands, spaced_samples, (time.process_time() - cpu) / spaced

    if flavour == "sync":
        _latency_sync(limiter, warm)
        limiter.flush()
        before = _commands(url)
        samples = _latency_sync(limiter, rounds)
        limiter.flush()
        commands = _commands(url) - before
        cpu = time.process_time()
        spaced_samples = _latency_sync(limiter, spaced, SPACED_PAUSE)
        limiter.flush()
        spaced_cpu = (time.process_time() - cpu) / spaced
    else:
        samples, commands, spaced_samples, spaced_cpu = asyncio.run(run_async())
    return Latency(
        statistics.median(samples),
        statistics.mean(samples),
        commands / rounds,
        statistics.median(spaced_samples),
        spaced_cpu,
    )


def added_latency(url: str, rounds: int) -> dict[str, dict[str, Latency]]:
    """One call's reserve + settle: in-process, Redis; sync, async."""
    from shopify_client._redis_pacing import RedisQueryCostLimiter

    out: dict[str, dict[str, Latency]] = {}
    for flavour in ("sync", "async"):
        figures = {}
        for mode in ("in-process", "redis"):
            limiter: QueryCostLimiter = (
                QueryCostLimiter()
                if mode == "in-process"
                else RedisQueryCostLimiter(url, access_token=f"{ADMIN_TOKEN}-{flavour}")
            )
            limiter.bind(SHOP)
            figures[mode] = _one_latency(
                limiter, flavour, None if mode == "in-process" else url, rounds
            )
        out[flavour] = figures
    return out


def measure(ctx: Context) -> list[Row]:
    s: Settings = ctx.settings
    processes, calls, in_flight = QUICK if s.quick else (PROCESSES, CALLS, IN_FLIGHT)
    maximum, rate, cost = s.bucket_maximum, s.bucket_restore_rate, s.query_cost
    warnings.simplefilter("ignore")
    runs: list[SharedRun] = []
    with RedisServer() as redis_server, fake_shop({OPERATION: ANSWER}, {OPERATION: cost}) as shop:
        log("7. shared pacing: warming FakeShopify up")
        shared_run(shop, "in-process", 2, in_flight, in_flight, 1e15, 1e15)
        for mode in ("in-process", redis_server.url):
            name = "in-process" if mode == "in-process" else "redis"
            log(f"7. shared pacing, {name}: {processes} processes x {calls} calls @ {in_flight}")
            run = shared_run(shop, mode, processes, calls, in_flight, maximum, rate)
            runs.append(SharedRun(name, *list(run.__dict__.values())[1:]))
        bulk_processes, bulk_runs = BULK_QUICK if s.quick else (BULK_PROCESSES, BULK_RUNS)
        log(f"7. bulk slots: {bulk_processes} processes x {bulk_runs} bulk queries")
        slots = bulk_slots(redis_server.url, bulk_processes, bulk_runs)
        log("7. shared pacing: latency Redis adds to one call")
        latency = added_latency(
            redis_server.url, LATENCY_ROUNDS_QUICK if s.quick else LATENCY_ROUNDS
        )
    ctx.results["redis_pacing"] = {
        "bucket": {"maximum": maximum, "restore_rate": rate, "query_cost": cost},
        "runs": [
            {**run.__dict__, "share_of_restore_rate": run.share(maximum, rate)} for run in runs
        ],
        "reserve_settle_median_s": {
            flavour: {mode: figures.median_s for mode, figures in modes.items()}
            for flavour, modes in latency.items()
        },
        "reserve_settle": {
            flavour: {mode: figures.__dict__ for mode, figures in modes.items()}
            for flavour, modes in latency.items()
        },
        "bulk_slots": {"processes": bulk_processes, "runs": bulk_runs, **slots},
    }
    rows = []
    for run in runs:
        label = (
            f"{run.processes} processes x {run.calls} calls @ {run.in_flight}, {run.mode} pacing"
        )
        redis = run.mode == "redis"
        rows.append(
            Row(
                "7",
                f"{label}: THROTTLED / failed calls",
                f"{run.throttled_answers} / {run.failed}"
                + (f", {run.fallbacks} Redis failures" if run.fallbacks else ""),
                "",
                "",
                f"{GOAL_THROTTLED} / {GOAL_FAILED}" if redis else "",
                (run.throttled_answers == GOAL_THROTTLED and run.failed == GOAL_FAILED)
                if redis
                else None,
            )
        )
        share = run.share(maximum, rate)
        rows.append(
            Row(
                "7",
                f"{label}: share of restore rate",
                f"{run.elapsed_s:.2f} s, {run.executed} executed",
                f"{max(0.0, run.spent - maximum) / rate:.2f} s",
                f"{share:.1%}",
                f">= {GOAL_SHARE:.0%}" if redis else "",
                share >= GOAL_SHARE if redis else None,
            )
        )
    for name, figures in slots.items():
        redis = name == "redis"
        rows.append(
            Row(
                "7",
                f"{bulk_processes} processes x {bulk_runs} bulk queries (5 slots), {name} "
                "slots: 'already in progress' / failed starts",
                f"{figures['already_in_progress']} / {figures['failed_starts']}",
                "",
                "",
                "0 / 0" if redis else "",
                (figures["already_in_progress"] == 0 and figures["failed_starts"] == 0)
                if redis
                else None,
            )
        )
    for flavour, modes in latency.items():
        redis_figures, local = modes["redis"], modes["in-process"]
        added_ms = (redis_figures.median_s - local.median_s) * 1000
        rows.append(
            Row(
                "7",
                f"reserve + settle of one call, {flavour}: Redis vs in-process (median; "
                "Redis commands a call)",
                f"{redis_figures.median_s * 1e6:.0f} us (mean "
                f"{redis_figures.mean_s * 1e6:.0f} us), {redis_figures.commands_per_call:.2f}",
                f"{local.median_s * 1e6:.0f} us",
                f"+{added_ms:.3f} ms",
                f"<= +{GOAL_ADDED_MS} ms",
                added_ms <= GOAL_ADDED_MS,
            )
        )
        spaced_ms = (redis_figures.spaced_median_s - local.spaced_median_s) * 1000
        rows.append(
            Row(
                "7",
                f"the same, {flavour}, a {SPACED_PAUSE * 1000:.0f} ms pause after each call "
                "(each settle sent on its own): median; process CPU a call",
                f"{redis_figures.spaced_median_s * 1e6:.0f} us; "
                f"{redis_figures.spaced_cpu_s * 1e6:.0f} us CPU",
                f"{local.spaced_median_s * 1e6:.0f} us; {local.spaced_cpu_s * 1e6:.0f} us CPU",
                f"+{spaced_ms:.3f} ms; "
                f"+{(redis_figures.spaced_cpu_s - local.spaced_cpu_s) * 1000:.3f} ms CPU",
                "",
                None,
            )
        )
    return rows
