"""Grouped bulk runs read with ``stream=True`` under injected faults: each ends in every
record or in a typed error, and what came before an error is a true prefix.

Also: a process killed while streaming, after it kept some records, and the operation
resumed from its id by another process with ``skip=`` that many: every record once.
`make test` runs BULK_SOAK_RUNS=30 (default).
"""

from __future__ import annotations

import os
import random
import subprocess
import sys

from shopify_client import BulkOperationError
from shopify_client.testing import BulkFault, FakeShopify

from .bulk_helpers import SPEC, Product, client_for
from .test_bulk_soak import FAST, FAULTS, RUNS, SEED, truth

STREAM_FAULTS: list[BulkFault | None] = [*FAULTS, "stall"]


def test_every_faulty_streamed_run_ends_in_all_its_records_or_a_typed_error() -> None:
    rng = random.Random(SEED + 1)
    endings: dict[str, int] = {}
    with FakeShopify() as fake:
        fake.bulk.storage.stall_seconds = 0.3
        client = client_for(fake)
        for _ in range(RUNS):
            fake.bulk.roots = rng.randint(0, 60)
            fake.bulk.children = rng.randint(0, 4)
            fault = rng.choice(STREAM_FAULTS)
            if fault is not None:
                fake.bulk.inject(fault)
            run = client._bulk_start(SPEC, {}, True, {**FAST, "read_timeout": 0.1})
            got: list[Product] = []
            try:
                got.extend(run.records(stream=True))
            except BulkOperationError as exc:
                assert exc.operation_id == run.id
                ending = type(exc).__name__
            else:
                empty = fake.bulk.operations[run.id].object_count == 0
                assert fault in (None, "drop", "stall") or empty, f"{fault} ended in records"
                ending = "records"
            want = truth(fake, run.id) if run.id in fake.bulk.operations else {}
            shown = {r.id: [v.id for v in r.variants] for r in got}
            if ending == "records":
                assert shown == want  # every record, once, with all its children
            else:  # a true prefix: the first records of the file, each complete
                assert list(shown.items()) == list(want.items())[: len(shown)]
            endings[ending] = endings.get(ending, 0) + 1
    assert endings.get("records", 0) > 0 and sum(endings.values()) == RUNS


CHILD = """
import os, sys
sys.path.insert(0, sys.argv[3])
from tests.shopify_client.bulk_helpers import SPEC, Client
from shopify_client.testing import ADMIN_TOKEN
client = Client(endpoint=sys.argv[1], access_token=ADMIN_TOKEN)
run = client._bulk_start(SPEC, {}, True, {"poll_interval": 0.001})
print(run.id, flush=True)
for kept, record in enumerate(run.records(stream=True), 1):
    print(record.id, flush=True)  # stored, then the checkpoint
    if kept == int(sys.argv[2]):
        os._exit(9)  # killed mid-download, after that many records
"""


def test_a_process_killed_while_streaming_resumes_after_what_it_kept() -> None:
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    with FakeShopify() as fake:
        fake.bulk.roots = 3000  # several chunks: killed before the last byte
        fake.bulk.children = 2
        done = subprocess.run(
            [sys.executable, "-c", CHILD, fake.endpoint("admin", "2026-04"), "1234", root],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert done.returncode == 9, done.stderr
        operation_id, *kept = done.stdout.split()
        assert len(kept) == 1234
        resumed = client_for(fake)._bulk_resume(SPEC, operation_id, FAST)
        rest = [r.id for r in resumed.records(stream=True, skip=len(kept))]
        assert kept + rest == list(truth(fake, operation_id))  # every record once, in order
