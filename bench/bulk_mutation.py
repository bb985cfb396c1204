"""Section 9, bulk mutations: inputs to typed results, and peak memory (issue 23).

The generated ``ImportProducts`` (queries/admin_2026_04/bulk/import_products.graphql):
each input a ``ImportProductsVariables(product=ProductCreateInput(title=...))``. What
Shopify does between the upload and the result file is not timed: the bench writes
the result file itself, one line per input, out of order (line ``i * step mod n``),
without holding anything.

- inputs a second from the iterable to the last result: our pipeline (lines encoded
  and written as the iterable is consumed, parts split at the version's limit, the
  result file stored in sqlite, checked line by line, read back in input order and
  validated into ``ImportProducts``) against a hand-written loop (``json.dumps`` of a
  dict per input to a file, ``json.loads`` of every result line, in file order,
  nothing checked or typed);
- the same end to end through FakeShopify (stagedUploadsCreate, the multipart upload
  to its storage host, bulkOperationRunMutation, polling, the download), with a
  responder in place of the schema (so the fake's own work stays small);
- peak memory (RSS) of a fresh process running the pipeline for 10,000 and 1,000,000
  inputs (100,000 with ``--quick``); goal: the larger within 1.2x of the smaller.
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from bench.common import Context, log
from bench.table import Row

SIZES = (10_000, 1_000_000)
QUICK_SIZES = (10_000, 100_000)
RATE_INPUTS = 200_000
QUICK_RATE_INPUTS = 20_000
E2E_INPUTS = 20_000
QUICK_E2E_INPUTS = 2_000
GOAL_MEMORY = 1.2


def _step(n: int) -> int:
    """A step coprime to ``n``: ``i * step mod n`` visits every line once, scattered."""
    step = max(1, int(n * 0.618)) | 1
    while math.gcd(step, n) != 1:
        step += 2
    return step


def inputs(count: int) -> Iterator[Any]:
    from shopify_admin_2026_04 import ImportProductsVariables
    from shopify_admin_2026_04.input_types import ProductCreateInput

    for i in range(count):
        yield ImportProductsVariables(product=ProductCreateInput(title=f"Board {i} \u00e9"))


def _result_line(number: int, title: str) -> str:
    product = {"id": f"gid://shopify/Product/{number + 1}", "title": title, "handle": f"b-{number}"}
    product["status"] = "ACTIVE"
    data = {"productCreate": {"product": product, "userErrors": []}}
    return json.dumps({"data": data, "__lineNumber": number}, separators=(",", ":"))


def write_results(part: Path, out: Path, count: int, first: int = 0) -> None:
    """Shopify's side, untimed: one result per line of ``part``, out of order. The
    inputs are the bench's own (:func:`inputs`), so each line's title is known from
    its number: the simulation holds nothing (its memory is not ours to measure)."""
    step = _step(count)
    with out.open("w", encoding="utf-8") as sink:
        for i in range(count):
            number = i * step % count
            sink.write(_result_line(number, f"Board {first + number} \u00e9") + "\n")


def pipeline(count: int, directory: str, shopify: Any = None) -> int:
    """Our pipeline, without the network: returns the results read. ``shopify``:
    what writes the result file (default :func:`write_results`)."""
    shopify = shopify or write_results
    from shopify_admin_2026_04 import ImportProducts, ImportProductsVariables
    from shopify_client import BulkMutation
    from shopify_client._bulk_mutation import _Core, _PartRun
    from shopify_client._bulk_mutation_parts import file_limit, write_parts
    from shopify_client._bulk_mutation_results import ResultStore

    class Parser:
        @staticmethod
        def parse_result(model: Any, data: Any) -> Any:
            return model.model_validate(data)

    spec: BulkMutation[Any, Any] = BulkMutation(
        "ImportProducts",
        "",
        "productCreate",
        lambda: ImportProducts,
        lambda: ImportProductsVariables,
    )
    core: _Core[Any] = _Core(Parser(), spec, [], None)  # type: ignore[arg-type]
    seen = 0
    results = Path(directory) / "results.jsonl"
    for part in write_parts(
        inputs(count),
        ImportProductsVariables,
        name="ImportProducts",
        max_bytes=file_limit("2026-04"),
        directory=directory,
    ):
        shopify(part.path, results, part.lines, part.first_line)  # Shopify's work
        with ResultStore(directory=directory) as store:
            with results.open("rb") as file:
                while chunk := file.read(64 * 1024):
                    store.feed(chunk)
            store.finish()
            store.check(expected=part.lines, first_line=part.first_line, part=0, operation_id="b")
            run = _PartRun(part.index, None, part.first_line, part.lines)
            for result in core._emit(run, store):
                assert result.line == seen
                seen += 1
        part.remove()
    return seen


def hand_loop(count: int, directory: str, shopify: Any = None) -> int:
    """The hand-written loop: json.dumps to a file, json.loads of each result line."""
    shopify = shopify or write_results
    part = Path(directory) / "hand.jsonl"
    with part.open("w", encoding="utf-8") as out:
        for i in range(count):
            out.write(json.dumps({"product": {"title": f"Board {i} \u00e9"}}) + "\n")
    results = Path(directory) / "hand-results.jsonl"
    shopify(part, results, count)  # Shopify's work
    seen = 0
    with results.open("rb") as file:
        for line in file:
            json.loads(line)
            seen += 1
    return seen


def _timed(fn: Any, count: int) -> tuple[float, float]:
    """(total seconds, seconds of Shopify's simulated work inside it)."""
    spent = 0.0

    def shopify(part: Path, out: Path, n: int, first: int = 0) -> None:
        nonlocal spent
        started = time.perf_counter()
        write_results(part, out, n, first)
        spent += time.perf_counter() - started

    with tempfile.TemporaryDirectory(prefix="bench-bulk-mut-") as scratch:
        started = time.perf_counter()
        assert fn(count, scratch, shopify) == count
        return time.perf_counter() - started, spent


def _peak(count: int) -> float:
    """Peak RSS (MiB) of a fresh process running the pipeline for ``count`` inputs."""
    # VmHWM, not ru_maxrss: a child's ru_maxrss starts at its parent's RSS when forked
    # (Linux keeps it across exec), so under bench/run.py every size read the same
    code = (
        "import resource, sys, tempfile\n"
        "from bench.bulk_mutation import pipeline\n"
        "with tempfile.TemporaryDirectory() as d:\n"
        "    pipeline(int(sys.argv[1]), d)\n"
        "try:\n"
        "    status = open('/proc/self/status').read().split('VmHWM:')[1]\n"
        "    print(int(status.split()[0]))\n"
        "except (OSError, IndexError):\n"
        "    print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)\n"
    )
    root = Path(__file__).resolve().parent.parent
    done = subprocess.run(
        [sys.executable, "-c", code, str(count)],
        capture_output=True,
        text=True,
        check=True,
        cwd=root,
    )
    return int(done.stdout.strip().splitlines()[-1]) / 1024


def end_to_end(count: int) -> float:
    """Seconds from the iterable to the last result through FakeShopify."""
    import warnings

    from shopify_admin_2026_04 import Client
    from shopify_client.testing import ADMIN_TOKEN, FakeShopify

    def respond(variables: dict[str, Any]) -> dict[str, Any]:
        title = variables["product"]["title"]
        product = {
            "id": "gid://shopify/Product/1",
            "title": title,
            "handle": "h",
            "status": "ACTIVE",
        }
        return {"productCreate": {"product": product, "userErrors": []}}

    warnings.simplefilter("ignore")
    with FakeShopify() as fake:
        fake.bulk.mutations.responder = respond
        with Client(endpoint=fake.endpoint("admin", "2026-04"), access_token=ADMIN_TOKEN) as client:
            started = time.perf_counter()
            run = client.import_products(inputs(count), poll_interval=0.01)
            seen = sum(1 for _ in run)
            elapsed = time.perf_counter() - started
    assert seen == count
    return elapsed


def measure(ctx: Context) -> list[Row]:
    quick = ctx.settings.quick
    rate_inputs = QUICK_RATE_INPUTS if quick else RATE_INPUTS
    sizes = QUICK_SIZES if quick else SIZES
    rows: list[Row] = []
    results: dict[str, object] = {}
    log(f"9. bulk mutations: inputs a second ({rate_inputs:,})")
    ours, ours_shopify = _timed(pipeline, rate_inputs)
    hand, hand_shopify = _timed(hand_loop, rate_inputs)
    ours_rate = rate_inputs / (ours - ours_shopify)
    hand_rate = rate_inputs / (hand - hand_shopify)
    results["rate"] = {
        "inputs": rate_inputs,
        "ours_s": ours - ours_shopify,
        "hand_loop_s": hand - hand_shopify,
        "simulated_shopify_s": ours_shopify,
    }
    rows.append(
        Row(
            "9",
            f"bulk mutation: inputs a second to typed results, in input order ({rate_inputs:,})",
            f"{ours_rate:,.0f}/s",
            f"json.dumps + json.loads loop {hand_rate:,.0f}/s",
            f"{ours_rate / hand_rate:.2f}x",
        )
    )
    e2e_inputs = QUICK_E2E_INPUTS if quick else E2E_INPUTS
    log(f"9. bulk mutations: end to end through FakeShopify ({e2e_inputs:,})")
    e2e = end_to_end(e2e_inputs)
    results["end_to_end"] = {"inputs": e2e_inputs, "seconds": e2e}
    rows.append(
        Row(
            "9",
            f"bulk mutation: end to end via FakeShopify ({e2e_inputs:,} inputs)",
            f"{e2e_inputs / e2e:,.0f}/s",
            "",
            "",
        )
    )
    peaks = {}
    for size in sizes:
        log(f"9. bulk mutations: peak memory, {size:,} inputs")
        peaks[size] = _peak(size)
    small, large = peaks[sizes[0]], peaks[sizes[-1]]
    results["peak_mib"] = {str(k): v for k, v in peaks.items()}
    rows.append(
        Row(
            "9",
            f"bulk mutation: peak RSS at {sizes[-1]:,} inputs",
            f"{large:.0f} MiB",
            f"{sizes[0]:,} inputs: {small:.0f} MiB",
            f"{large / small:.2f}x",
            f"<= {GOAL_MEMORY}x",
            large / small <= GOAL_MEMORY,
        )
    )
    ctx.results["bulk_mutation"] = results
    return rows
