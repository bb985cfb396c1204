"""Bulk runs with injected faults: each ends in every record or in a typed error.

Also: a process killed during a run, and the operation resumed from its id by another
process, gets every record once. `make test` runs BULK_SOAK_RUNS=30 (default).
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
from collections import Counter
from typing import Any

from shopify_client import BulkCallOptions, BulkOperationError
from shopify_client.testing import FakeShopify
from shopify_client.testing._bulk import BulkFault

from .bulk_helpers import SPEC, client_for

RUNS = int(os.environ.get("BULK_SOAK_RUNS", "30"))
SEED = int(os.environ.get("SOAK_SEED", "20261203"))
FAULTS: list[BulkFault | None] = [
    None,
    None,
    "drop",
    "failed_partial",
    "access_denied",
    "internal_error",
    "timeout",
    "canceled",
    "expired",
    "expired_url",
    "no_url",
    "short",
]
FAST: BulkCallOptions = {"poll_interval": 0.001, "max_poll_interval": 0.002}


def truth(fake: FakeShopify, operation_id: str) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for line in fake.bulk.operations[operation_id].lines:
        value = json.loads(line)
        if "__parentId" in value:
            out[value["__parentId"]].append(value["id"])
        else:
            out[value["id"]] = []
    return out


def test_every_faulty_run_ends_in_all_its_records_or_a_typed_error() -> None:
    rng = random.Random(SEED)
    endings: Counter[str] = Counter()
    with FakeShopify() as fake:
        client = client_for(fake)
        for _ in range(RUNS):
            fake.bulk.roots = rng.randint(0, 40)
            fake.bulk.children = rng.randint(0, 4)
            fault = rng.choice(FAULTS)
            if fault is not None:
                fake.bulk.inject(fault)
            run = client._bulk_start(SPEC, {}, rng.random() < 0.3, FAST)
            try:
                records = list(run)
            except BulkOperationError as exc:
                assert exc.operation_id == run.id
                endings[type(exc).__name__] += 1
                continue
            empty = fake.bulk.operations[run.id].object_count == 0  # no file to spoil
            assert fault in (None, "drop") or empty, f"{fault} ended in records"
            got = {r.id: [v.id for v in r.variants] for r in records}
            assert got == truth(fake, run.id)  # every record, once, with all its children
            endings["records"] += 1
    assert endings["records"] > 0 and sum(endings.values()) == RUNS


CHILD = """
import sys
sys.path.insert(0, sys.argv[2])
from tests.shopify_client.bulk_helpers import SPEC, Client
from shopify_client.testing import ADMIN_TOKEN
client = Client(endpoint=sys.argv[1], access_token=ADMIN_TOKEN)
run = client._bulk_start(SPEC, {}, False, {"poll_interval": 0.001})
print(run.id, flush=True)
import os
os._exit(9)  # killed mid-run: before any poll, any download
"""


def test_a_killed_process_resumes_from_the_operation_id() -> None:
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    with FakeShopify() as fake:
        fake.bulk.roots = 25
        done = subprocess.run(
            [sys.executable, "-c", CHILD, fake.endpoint("admin", "2026-04"), root],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert done.returncode == 9, done.stderr
        operation_id = done.stdout.strip()
        run: Any = client_for(fake)._bulk_resume(SPEC, operation_id, FAST)
        records = list(run)
        assert {r.id: [v.id for v in r.variants] for r in records} == truth(fake, operation_id)
        assert len(records) == 25
