"""One worker process of the Redis bulk-slot tests (test_redis_bulk_slots.py).

``python -m tests.shopify_client.redis_bulk_worker MODE ENDPOINT REDIS_URL RUNS LEASE``
(``REDIS_URL`` ``-``: in-process pacing, no Redis). It prints ``ready``, waits for a
line on stdin (all workers start together), then:

- ``run``: starts ``RUNS`` bulk queries one after another, reading each one's
  records, and prints ``{"records": n, "ids": [...], "failed": [error names]}``;
- ``hold``: takes a slot and prints ``held`` without starting any operation, then
  sleeps (the test kills it: a process that died before Shopify named its operation);
- ``hold-op``: starts one bulk query, prints ``held <id>``, then sleeps without ever
  polling it (killed too: a process that died with its operation running).

Each process sleeps at most 60 s, so none outlives a failed test for long.
"""

from __future__ import annotations

import json
import sys
import time

from shopify_client import BulkCallOptions, ShopifyError
from shopify_client._bulk_slots import take
from shopify_client._redis_pacing import RedisQueryCostLimiter
from shopify_client.testing import ADMIN_TOKEN

from .bulk_helpers import SPEC_2024, Client2024

OPTIONS: BulkCallOptions = {"poll_interval": 0.02, "max_poll_interval": 0.1, "slot_wait": 60}


def main(mode: str, endpoint: str, url: str, runs: int, lease: float) -> None:
    pacing: object = (
        True
        if url == "-"
        else RedisQueryCostLimiter(url, access_token=ADMIN_TOKEN, slot_lease=lease, timeout=5.0)
    )
    with Client2024(
        endpoint=endpoint,
        access_token=ADMIN_TOKEN,
        pacing=pacing,  # type: ignore[arg-type]
    ) as client:
        print("ready", flush=True)
        sys.stdin.readline()
        if mode == "hold":
            take(client, "query", wait=10, poll=0.02, max_poll=0.1)
            print("held", flush=True)
            time.sleep(60)
            return
        if mode == "hold-op":
            run = client._bulk_start(SPEC_2024, {"query": "status:active"}, False, OPTIONS)
            print("held", run.id, flush=True)
            time.sleep(60)
            return
        records, ids, failed = 0, [], []
        for _ in range(runs):
            try:
                run = client._bulk_start(SPEC_2024, {"query": "status:active"}, False, OPTIONS)
                records += len(list(run))
            except ShopifyError as exc:
                failed.append(type(exc).__name__)
            else:
                ids.append(run.id)
        print(json.dumps({"records": records, "ids": ids, "failed": failed}), flush=True)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), float(sys.argv[5]))
