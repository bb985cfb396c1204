"""The bulk runtime counts its slots in the Redis of ``pacing="redis://..."``: the
processes of one app never meet Shopify's "already in progress", never wait on each
other for ever, and a dead process's slot frees (issue 24).

The workers are real processes (``redis_bulk_worker.py``) against one FakeShopify,
whose 2024-01 bulk queries run one at a time per app, as Shopify's do before 2026-01.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import logging
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from shopify_client import BulkCallOptions, BulkConcurrencyError, BulkStartError
from shopify_client._bulk_slots import attach, slots_of, take
from shopify_client._redis_pacing import RedisQueryCostLimiter
from shopify_client.testing import ADMIN_TOKEN, FakeShopify, Fault
from tests.conftest import ROOT
from tests.shopify_client.conftest import closed_port

from .bulk_helpers import SPEC, SPEC_2024, AsyncClient, Client, Client2024

FAST: BulkCallOptions = {"poll_interval": 0.02, "max_poll_interval": 0.1, "slot_wait": 60}
#: seconds a worker process may take, start to end, before the test gives up on it
WORKER_TIMEOUT = 120


@pytest.fixture
def fake() -> Iterator[FakeShopify]:
    with FakeShopify() as shop:
        shop.bulk.roots = 3
        shop.bulk.children = 2
        shop.bulk.running_polls = 4  # each operation runs over a few polls
        yield shop


def count_refusals(fake: FakeShopify) -> list[str]:
    """Every "already in progress" the fake answers, recorded as it answers."""
    refusals: list[str] = []
    original = fake.bulk._run

    def run(version: str, variables: dict[str, Any]) -> dict[str, Any]:
        answer = original(version, variables)
        payload = (answer.get("data") or {}).get("bulkOperationRunQuery") or {}
        for error in payload.get("userErrors") or []:
            if "already in progress" in str(error.get("message")):
                refusals.append(str(error["message"]))
        return answer

    fake.bulk._run = run  # type: ignore[method-assign]
    return refusals


def workers(
    mode: str, fake: FakeShopify, url: str, count: int, runs: int = 1, lease: float = 600
) -> list[subprocess.Popen[str]]:
    """``count`` worker processes, started together (each waits for a line on stdin)."""
    endpoint = fake.endpoint("admin", "2024-01")
    command = [sys.executable, "-m", "tests.shopify_client.redis_bulk_worker", mode, endpoint]
    processes = [
        subprocess.Popen(
            [*command, url, str(runs), str(lease)],
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        )
        for _ in range(count)
    ]
    for process in processes:
        assert process.stdout is not None and process.stdout.readline().strip() == "ready"
    for process in processes:
        assert process.stdin is not None
        process.stdin.write("go\n")
        process.stdin.flush()
    return processes


def results(processes: list[subprocess.Popen[str]]) -> list[dict[str, Any]]:
    out = []
    for process in processes:
        stdout, _ = process.communicate(timeout=WORKER_TIMEOUT)
        assert process.returncode == 0, stdout
        out.append(json.loads(stdout.strip().splitlines()[-1]))
    return out


def kill(process: subprocess.Popen[str]) -> None:
    process.send_signal(signal.SIGKILL)
    process.communicate(timeout=WORKER_TIMEOUT)


#: seconds a Redis command may take here: these tests count slots, and a loaded CI
#: machine (FakeShopify's threads in this process too) must not turn them into the
#: fallback that test_redis_pacing_faults.py tests
TIMEOUT = 5.0


def client(fake: FakeShopify, pacing: object, **kwargs: Any) -> Client2024:
    if isinstance(pacing, str):
        pacing = RedisQueryCostLimiter(pacing, access_token=ADMIN_TOKEN, timeout=TIMEOUT)
    return Client2024(
        endpoint=fake.endpoint("admin", "2024-01"),
        access_token=ADMIN_TOKEN,
        max_retries=0,
        pacing=pacing,  # type: ignore[arg-type]
        **kwargs,
    )


def held_slots(fake: FakeShopify, url: str) -> list[str]:
    """The holders of the app's 2024-01 bulk query slots on the fake, in Redis."""
    with client(fake, url) as admin:
        slots = slots_of(admin, "query")
        assert slots is not None
        return slots.holders()


def start(admin: Client2024, **options: Any) -> Any:
    settings: BulkCallOptions = {**FAST, **options}  # type: ignore[typeddict-item]
    return admin._bulk_start(SPEC_2024, {"query": "status:active"}, False, settings)


# -- processes -------------------------------------------------------------------------


def test_processes_without_redis_meet_already_in_progress(fake: FakeShopify) -> None:
    """The measure: each process believes it may submit (one slot on 2024-01)."""
    refusals = count_refusals(fake)
    results(workers("run", fake, "-", count=4))
    assert len(refusals) > 0


def test_processes_sharing_redis_never_meet_already_in_progress(
    fake: FakeShopify, redis_url: str
) -> None:
    refusals = count_refusals(fake)
    done = results(workers("run", fake, redis_url, count=4, runs=2))
    assert refusals == [] and [r["failed"] for r in done] == [[]] * 4
    assert sum(r["records"] for r in done) == 4 * 2 * 3
    ids = [i for r in done for i in r["ids"]]
    assert len(set(ids)) == 8 and all(fake.bulk.operations[i].status == "COMPLETED" for i in ids)
    assert held_slots(fake, redis_url) == []  # every slot freed by its operation's end


def test_a_killed_holders_slot_is_freed_when_its_lease_expires(
    fake: FakeShopify, redis_url: str
) -> None:
    """A process that took a slot and was SIGKILLed before Shopify named its operation:
    only the lease can free it (nothing at Shopify to ask about)."""
    refusals = count_refusals(fake)
    (holder,) = workers("hold", fake, redis_url, count=1, lease=1.0)
    assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
    kill(holder)
    (dead,) = held_slots(fake, redis_url)
    assert not dead.startswith("gid://")
    with client(fake, redis_url) as admin:
        run = start(admin)  # waits for the lease's end, bounded by slot_wait
        assert dead not in held_slots(fake, redis_url)
        assert held_slots(fake, redis_url) == [run.id]
        assert len(list(run)) == 3
    assert refusals == [] and held_slots(fake, redis_url) == []


def test_a_killed_holders_slot_is_freed_when_its_operation_ends(
    fake: FakeShopify, redis_url: str
) -> None:
    """SIGKILLed with its operation running and a lease of ten minutes: a waiting
    process asks Shopify about the holders' operations and frees the one that ended."""
    refusals = count_refusals(fake)
    (holder,) = workers("hold-op", fake, redis_url, count=1, lease=600)
    assert holder.stdout is not None
    word, operation_id = holder.stdout.readline().split()
    kill(holder)
    assert word == "held" and held_slots(fake, redis_url) == [operation_id]
    with client(fake, redis_url) as admin:
        run = start(admin)
        assert len(list(run)) == 3
    assert fake.bulk.operations[operation_id].status == "COMPLETED"
    assert refusals == [] and held_slots(fake, redis_url) == []


def test_a_failed_look_at_a_holders_operation_only_waits(fake: FakeShopify, redis_url: str) -> None:
    """The status query about a holder's operation fails (a 502): the waiting start
    keeps waiting, within slot_wait, until the holder's lease ends."""
    holder = client(
        fake,
        RedisQueryCostLimiter(redis_url, access_token=ADMIN_TOKEN, slot_lease=1, timeout=TIMEOUT),
    )
    first = start(holder)  # its process stops polling it
    fake.enqueue(Fault.html_error(502))  # the waiting start's first look at it fails
    with client(fake, redis_url) as admin:
        run = start(admin, poll_interval=0.05, max_poll_interval=0.05)
        assert held_slots(fake, redis_url) == [run.id]
    assert first.id != run.id
    holder.close()


# -- one process -----------------------------------------------------------------------


def test_slots_held_past_slot_wait_raise_a_concurrency_error(
    fake: FakeShopify, redis_url: str
) -> None:
    other = client(fake, redis_url)
    first = start(other)  # another process's operation, never polled here
    with client(fake, redis_url) as admin, pytest.raises(BulkConcurrencyError) as caught:
        start(admin, slot_wait=0.3, poll_interval=10, max_poll_interval=10)
    assert caught.value.slots == 1 and caught.value.running == (first.id,)
    assert "counted in Redis" in str(caught.value)
    other.close()


def test_a_refused_query_frees_its_slot(fake: FakeShopify, redis_url: str) -> None:
    with client(fake, redis_url) as admin:
        bad = dataclasses.replace(SPEC_2024, document="query X { nope { edges { node { id } } } }")
        with pytest.raises(BulkStartError):
            admin._bulk_start(bad, {}, False, FAST)
        assert held_slots(fake, redis_url) == []


def test_a_canceled_operation_frees_its_slot(fake: FakeShopify, redis_url: str) -> None:
    with client(fake, redis_url) as admin:
        run = start(admin)
        assert held_slots(fake, redis_url) == [run.id]
        run.cancel()
        with pytest.raises(Exception, match="canceled"):
            run.wait()
        assert held_slots(fake, redis_url) == []


def test_redis_down_starts_as_without_redis_with_one_warning(
    fake: FakeShopify, caplog: pytest.LogCaptureFixture
) -> None:
    refusals = count_refusals(fake)
    fake.bulk.others = ["gid://shopify/BulkOperation/1"]  # Shopify's answer decides
    url = f"redis://127.0.0.1:{closed_port()}/0"
    with caplog.at_level(logging.WARNING, logger="shopify_client"), client(fake, url) as admin:
        threading.Timer(0.2, fake.bulk.others.clear).start()
        run = start(admin)
        assert len(list(run)) == 3
        assert len(list(start(admin))) == 3
    assert len(refusals) > 0  # today's behaviour: submitted, refused, submitted again
    warned = [r for r in caplog.records if r.levelno == logging.WARNING and "Redis" in r.msg]
    assert len(warned) == 1 and "pacing in this process only" in warned[0].getMessage()


def test_async_clients_sharing_redis_never_meet_already_in_progress(
    redis_url: str,
) -> None:
    with FakeShopify() as fake:
        fake.bulk.roots, fake.bulk.children, fake.bulk.running_polls = 2, 1, 3
        refusals = count_refusals(fake)
        endpoint = fake.endpoint("admin", AsyncClient.api_version)

        async def worker() -> int:
            limiter = RedisQueryCostLimiter(redis_url, access_token=ADMIN_TOKEN, timeout=TIMEOUT)
            async with AsyncClient(
                endpoint=endpoint, access_token=ADMIN_TOKEN, max_retries=0, pacing=limiter
            ) as admin:
                total = 0
                for _ in range(2):
                    run = await admin._bulk_start(SPEC, {"query": "x"}, False, FAST)
                    total += len([r async for r in run])
                return total

        async def main() -> list[int]:
            return await asyncio.gather(*(worker() for _ in range(7)))  # 5 slots on 2026-04

        assert sum(asyncio.run(main())) == 7 * 2 * 2
        assert refusals == []
        with Client(endpoint=endpoint, access_token=ADMIN_TOKEN, pacing=redis_url) as admin:
            slots = slots_of(admin, "query")
            assert slots is not None and slots.limit == 5 and slots.holders() == []


def test_a_poll_frees_a_bulk_mutations_slot_too(fake: FakeShopify, redis_url: str) -> None:
    """One hook for both kinds: polls are the same node(id:), whatever the operation."""
    with client(fake, redis_url) as admin:
        mutations = slots_of(admin, "mutation")
        assert mutations is not None
        slot = take(admin, "mutation", wait=1, poll=1, max_poll=1)
        assert slot is not None and slot.shared
        with client(fake, True) as plain:  # an operation whose start Redis did not count
            operation_id = start(plain).id
        attach(slot, operation_id)
        assert mutations.holders() == [operation_id]
        admin._bulk_resume(SPEC_2024, operation_id, FAST).wait()
        assert mutations.holders() == []


# -- bulk mutations ----------------------------------------------------------------------


def test_bulk_mutations_sharing_redis_never_meet_already_in_progress(
    fake: FakeShopify, redis_url: str
) -> None:
    """Four workers (each its own client and limiter: processes but for the threads)
    import at once on 2024-01's single mutation slot."""
    from .bulk_mutation_helpers import SPEC_2024 as MUTATION
    from .bulk_mutation_helpers import lines, respond

    fake.bulk.mutations.responder = respond
    refusals: list[str] = []
    original = fake.bulk.mutations.run

    def run(version: str, variables: dict[str, Any]) -> dict[str, Any]:
        answer: dict[str, Any] = original(version, variables)
        if "already in progress" in str(answer):
            refusals.append(version)
        return answer

    fake.bulk.mutations.run = run  # type: ignore[method-assign]
    together = threading.Barrier(4)
    options: Any = {**FAST}

    def worker(_: int) -> int:
        with client(fake, redis_url) as admin:
            together.wait(timeout=30)
            imported = admin._bulk_mutate(MUTATION, lines(2), None, options)
            return len(list(imported))

    with ThreadPoolExecutor(4) as pool:
        assert list(pool.map(worker, range(4))) == [2] * 4
    assert refusals == [] and held_slots(fake, redis_url) == []
    with client(fake, redis_url) as admin:
        mutations = slots_of(admin, "mutation")
        assert mutations is not None and mutations.holders() == []
