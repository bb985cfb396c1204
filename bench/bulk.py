"""Section 8, bulk: reading a bulk query's JSONL into typed records (issue 22).

Files of products with 3 variants each (one line per object, ``__parentId`` on the
variants), ungrouped (variants scattered after their products, Shopify's default from
2026-01) or grouped, written once per run. Three figures:

- typed records a second (reassembled by :class:`shopify_client._bulk_reassembly.Reassembler`
  and validated into the generated ``ExportProductsRecord`` by ``Reassembler.typed``,
  the runtime's own path), against ``json.loads`` of every line of the same file; goal:
  at least 0.5x; the best of :data:`ROUNDS` rounds of each, interleaved;
- peak memory (RSS) of a fresh process reading 10,000 / 100,000 / 1,000,000 lines,
  ungrouped and grouped; goal: the 1,000,000-line peak within 1.2x of the 10,000-line one;
- download plus parse, end to end (the download, Range resume and all), against raw
  httpx streaming the same file to disk; goal: within 1.2x. Once from
  :class:`shopify_client.testing.StorageHost` on loopback (CPU-bound: the file arrives
  faster than ``json.loads`` alone reads it), and once per rate of :data:`LINK_RATES`
  from a storage host in its own process that paces its writes to that many bytes a
  second (:func:`bench.server.throttled_storage`), as a real storage host's link does.
  For the ungrouped file (the store: typed after the last byte) and for the grouped
  one read as ``records(stream=True)`` does (:class:`shopify_client._bulk_grouped.GroupedReader`:
  typed during the download).

And the bound on the ungrouped case: pydantic alone typing every root from its
assembled text (:func:`typing_floor`), the least any design spends after the last
byte when no root is complete before it.
"""

from __future__ import annotations

import json
import random
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from bench.common import Context, log
from bench.table import Row

SIZES = (10_000, 100_000, 1_000_000)
QUICK_SIZES = (10_000, 100_000)
VARIANTS = 3
GOAL_RATE = 0.5
GOAL_MEMORY = 1.2
GOAL_END_TO_END = 1.2
#: rounds of the rate and end-to-end figures (the best of each is shown)
ROUNDS = 3
#: the throttled storage host's rates, bytes a second (bench/README.md says why these)
LINK_RATES = (25_000_000, 100_000_000)


def write_file(path: Path, lines: int, *, grouped: bool, seed: int = 5) -> int:
    """A products + variants JSONL of ``lines`` lines; returns the root count."""
    rng = random.Random(seed)
    roots = lines // (VARIANTS + 1)
    pending: list[str] = []
    serial = 0
    with path.open("w", encoding="utf-8") as out:
        for p in range(roots):
            serial += 1
            pid = f"gid://shopify/Product/{serial}"
            out.write(
                json.dumps(
                    {
                        "id": pid,
                        "title": f"Product {p} \u00e9",
                        "updatedAt": "2026-01-02T03:04:05Z",
                    },
                    separators=(",", ":"),
                )
                + "\n"
            )
            children = []
            for v in range(VARIANTS):
                serial += 1
                children.append(
                    json.dumps(
                        {
                            "id": f"gid://shopify/ProductVariant/{serial}",
                            "sku": f"SKU-{p}-{v}",
                            "price": f"{p % 100}.{v}0",
                            "__parentId": pid,
                        },
                        separators=(",", ":"),
                    )
                )
            if grouped:
                out.write("\n".join(children) + "\n")
                continue
            pending.extend(children)
            # scattered: a random share of the waiting children now, the rest later
            while pending and rng.random() < 0.7:
                out.write(pending.pop(rng.randrange(len(pending))) + "\n")
        rng.shuffle(pending)
        for line in pending:
            out.write(line + "\n")
    return roots


def typed_read(path: Path) -> int:
    """Reassemble and type every record of ``path``; returns the record count."""
    from shopify_admin_2026_04.export_products import ExportProductsRecord
    from shopify_client import BulkConnection
    from shopify_client._bulk_reassembly import Reassembler

    connections = (BulkConnection("variants", frozenset({"ProductVariant"})),)
    count = 0
    with Reassembler(connections) as store, path.open("rb") as file:
        while chunk := file.read(256 * 1024):
            store.feed(chunk)
        store.finish()
        for _ in store.typed(ExportProductsRecord):
            count += 1
    return count


def raw_read(path: Path) -> int:
    count = 0
    with path.open("rb") as file:
        for line in file:
            json.loads(line)
            count += 1
    return count


def _peak(path: Path) -> float:
    """Peak RSS (MiB) of a fresh process doing typed_read on ``path``."""
    # VmHWM, not ru_maxrss: Linux keeps ru_maxrss across exec, so a child forked from
    # this (large) process would report the parent's size whatever it read
    code = (
        "import resource, sys\n"
        "from pathlib import Path\n"
        "from bench.bulk import typed_read\n"
        "typed_read(Path(sys.argv[1]))\n"
        "try:\n"
        "    status = open('/proc/self/status').read()\n"
        "    print(next(l.split()[1] for l in status.splitlines() if l.startswith('VmHWM')))\n"
        "except OSError:\n"
        "    print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)\n"
    )
    root = Path(__file__).resolve().parent.parent
    done = subprocess.run(
        [sys.executable, "-c", code, str(path)],
        capture_output=True,
        text=True,
        check=True,
        cwd=root,
    )
    return int(done.stdout.strip().splitlines()[-1]) / 1024


def _ours(url: str, roots: int) -> tuple[float, float]:
    """(seconds: download + reassembly + typing, seconds of that after the last byte)."""
    from shopify_admin_2026_04.export_products import ExportProductsRecord
    from shopify_client import BulkConnection
    from shopify_client._bulk_download import download_sync
    from shopify_client._bulk_reassembly import Reassembler

    started = time.perf_counter()
    connections = (BulkConnection("variants", frozenset({"ProductVariant"})),)
    with Reassembler(connections) as store:
        download_sync(url, store)
        received = time.perf_counter()
        store.finish()
        count = 0
        for _ in store.typed(ExportProductsRecord):
            count += 1
    done = time.perf_counter()
    assert count == roots
    return done - started, done - received


def _ours_stream(url: str, roots: int) -> tuple[float, float]:
    """:func:`_ours` for a grouped file read as ``records(stream=True)`` reads it:
    each record typed as soon as its block ends, during the download."""
    from shopify_admin_2026_04.export_products import ExportProductsRecord
    from shopify_client import BulkConnection
    from shopify_client._bulk_download import download_steps_sync
    from shopify_client._bulk_grouped import GroupedReader
    from shopify_client._bulk_reassembly import type_texts

    started = time.perf_counter()
    connections = (BulkConnection("variants", frozenset({"ProductVariant"})),)
    reader = GroupedReader(connections)
    count = 0
    for _ in download_steps_sync(url, reader):
        for _ in type_texts(reader.take(), ExportProductsRecord, None, reader.not_json):
            count += 1
    received = time.perf_counter()
    reader.finish()
    for _ in type_texts(reader.take(), ExportProductsRecord, None, reader.not_json):
        count += 1
    done = time.perf_counter()
    assert count == roots
    return done - started, done - received


def typing_floor(path: Path) -> float:
    """Seconds pydantic alone takes to type every root of ``path`` from its whole
    JSON text (assembled beforehand, in memory): what any design that types after
    the last byte (as an ungrouped file needs: no root is complete before it) spends
    after it at the least."""
    from shopify_admin_2026_04.export_products import ExportProductsRecord
    from shopify_client import BulkConnection
    from shopify_client._bulk_reassembly import Reassembler, type_texts

    connections = (BulkConnection("variants", frozenset({"ProductVariant"})),)
    with Reassembler(connections) as store:
        store.feed(path.read_bytes())
        store.finish()
        texts = list(store.texts())
    best = float("inf")
    for _ in range(ROUNDS):
        started = time.perf_counter()
        for _ in type_texts(texts, ExportProductsRecord, None, store.not_json):
            pass
        best = min(best, time.perf_counter() - started)
    return best


def _raw(url: str) -> float:
    """Seconds: raw httpx streaming ``url`` to a file on disk."""
    import httpx

    started = time.perf_counter()
    with (
        tempfile.NamedTemporaryFile() as sink,
        httpx.Client() as http,
        http.stream("GET", url) as response,
    ):
        for chunk in response.iter_raw():
            sink.write(chunk)
    return time.perf_counter() - started


def _end_to_end(
    path: Path, roots: int, ours: Callable[[str, int], tuple[float, float]] | None = None
) -> tuple[float, float]:
    """(seconds: ours, seconds: raw httpx) from StorageHost on loopback."""
    read = ours or _ours
    from shopify_client.testing._bulk import StorageHost

    host = StorageHost()
    try:
        url = host.publish(path.name, path)
        mine = read(url, roots)[0]
        raw = _raw(url)
    finally:
        host.files.clear()  # the bench's file: not the host's to remove
        host.stop()
    return mine, raw


@dataclass
class Throttled:
    """One rate's end-to-end figures: the best of ROUNDS each, and every round."""

    rate: int
    size: int
    ours_runs: list[float]
    after_last_byte_runs: list[float]
    raw_runs: list[float]

    @property
    def best(self) -> int:
        return self.ours_runs.index(min(self.ours_runs))

    @property
    def ours(self) -> float:
        return self.ours_runs[self.best]

    @property
    def after_last_byte(self) -> float:
        return self.after_last_byte_runs[self.best]

    @property
    def raw(self) -> float:
        return min(self.raw_runs)

    @property
    def holds_up_to(self) -> float:
        """The fastest link (bytes a second) at which the goal would hold, if the time
        after the last byte stayed as measured and the rest kept pace with the link."""
        return (GOAL_END_TO_END - 1) * self.size / self.after_last_byte

    def json(self) -> dict[str, object]:
        return {
            "rate_bytes_s": self.rate,
            "bytes": self.size,
            "ours_s": self.ours,
            "ours_after_last_byte_s": self.after_last_byte,
            "raw_httpx_s": self.raw,
            "goal_holds_up_to_bytes_s": self.holds_up_to,
            "ours_runs_s": self.ours_runs,
            "ours_after_last_byte_runs_s": self.after_last_byte_runs,
            "raw_httpx_runs_s": self.raw_runs,
        }


def _throttled(
    path: Path,
    roots: int,
    rate: int,
    read: Callable[[str, int], tuple[float, float]] | None = None,
) -> Throttled:
    """Ours and raw httpx over one host at ``rate`` bytes a second, ROUNDS each,
    interleaved (the order swapped every round)."""
    from bench.server import throttled_storage

    _ours_read = read or _ours
    ours: list[tuple[float, float]] = []
    raw: list[float] = []
    with throttled_storage(path, rate) as url:
        for number in range(ROUNDS):
            if number % 2:
                ours.append(_ours_read(url, roots))
                raw.append(_raw(url))
            else:
                raw.append(_raw(url))
                ours.append(_ours_read(url, roots))
    return Throttled(rate, path.stat().st_size, [o[0] for o in ours], [o[1] for o in ours], raw)


def measure(ctx: Context) -> list[Row]:
    sizes = QUICK_SIZES if ctx.settings.quick else SIZES
    rows: list[Row] = []
    results: dict[str, object] = {}
    with tempfile.TemporaryDirectory(prefix="bench-bulk-") as scratch:
        files: dict[tuple[int, bool], tuple[Path, int]] = {}
        for size in sizes:
            for grouped in (False, True):
                path = Path(scratch) / f"{size}-{'grouped' if grouped else 'ungrouped'}.jsonl"
                files[size, grouped] = (path, write_file(path, size, grouped=grouped))
        rate_size = 100_000
        path, roots = files[rate_size, False]
        log("8. bulk: records a second")
        # best of ROUNDS each, interleaved: one slow moment of a shared machine does
        # not decide the ratio (the first typed round also builds the validator)
        typed_runs, raw_runs = [], []
        for _ in range(ROUNDS):
            started = time.perf_counter()
            assert typed_read(path) == roots
            typed_runs.append(time.perf_counter() - started)
            started = time.perf_counter()
            lines = raw_read(path)
            raw_runs.append(time.perf_counter() - started)
        typed_s, raw_s = min(typed_runs), min(raw_runs)
        # per line: the typed read handles every line (roots and children) once
        typed_rate, raw_rate = lines / typed_s, lines / raw_s
        results["rate"] = {
            "lines": lines,
            "typed_s": typed_s,
            "json_loads_s": raw_s,
            "typed_runs_s": typed_runs,
            "json_loads_runs_s": raw_runs,
        }
        rows.append(
            Row(
                "8",
                f"bulk: lines a second, typed + reassembled ({rate_size:,} lines, ungrouped)",
                f"{typed_rate:,.0f}/s",
                f"json.loads {raw_rate:,.0f}/s",
                f"{typed_rate / raw_rate:.2f}x",
                f">= {GOAL_RATE}x",
                typed_rate / raw_rate >= GOAL_RATE,
            )
        )
        peaks: dict[str, float] = {}
        for grouped in (False, True):
            layout = "grouped" if grouped else "ungrouped"
            for size in sizes:
                log(f"8. bulk: peak memory, {size:,} lines {layout}")
                peaks[f"{layout}-{size}"] = _peak(files[size, grouped][0])
            small, large = peaks[f"{layout}-{sizes[0]}"], peaks[f"{layout}-{sizes[-1]}"]
            rows.append(
                Row(
                    "8",
                    f"bulk: peak RSS at {sizes[-1]:,} lines, {layout}",
                    f"{large:.0f} MiB",
                    f"{sizes[0]:,} lines: {small:.0f} MiB",
                    f"{large / small:.2f}x",
                    f"<= {GOAL_MEMORY}x",
                    large / small <= GOAL_MEMORY,
                )
            )
        results["peak_mib"] = peaks
        log("8. bulk: end to end")
        path, roots = files[rate_size, False]
        rounds = [_end_to_end(path, roots) for _ in range(ROUNDS)]
        ours, raw = min(r[0] for r in rounds), min(r[1] for r in rounds)
        results["end_to_end"] = {"ours_s": ours, "raw_httpx_s": raw, "lines": rate_size}
        rows.append(
            Row(
                "8",
                f"bulk: download + parse + type ({rate_size:,} lines, local host)",
                f"{ours:.2f} s",
                f"raw httpx to disk {raw:.2f} s",
                f"{ours / raw:.2f}x",
                f"<= {GOAL_END_TO_END}x",
                ours / raw <= GOAL_END_TO_END,
            )
        )
        throttled: list[Throttled] = []
        for rate in LINK_RATES:
            log(f"8. bulk: end to end, storage host at {rate / 1e6:g} MB/s")
            run = _throttled(path, roots, rate)
            throttled.append(run)
            rows.append(
                Row(
                    "8",
                    f"bulk: download + parse + type ({rate_size:,} lines, "
                    f"storage host at {rate / 1e6:g} MB/s)",
                    f"{run.ours:.2f} s ({run.after_last_byte:.2f} s after the last byte)",
                    f"raw httpx to disk {run.raw:.2f} s",
                    f"{run.ours / run.raw:.2f}x",
                    f"<= {GOAL_END_TO_END}x",
                    run.ours / run.raw <= GOAL_END_TO_END,
                )
            )
        results["end_to_end_throttled"] = {str(run.rate): run.json() for run in throttled}
        rows.append(
            Row(
                "8",
                f"bulk: fastest link for <= {GOAL_END_TO_END}x (its time after the last "
                f"byte at {throttled[0].rate / 1e6:g} MB/s)",
                f"{throttled[0].holds_up_to / 1e6:.1f} MB/s",
                "",
                "",
            )
        )
        # the bound on any design that types after the last byte (ungrouped files)
        floor = typing_floor(path)
        slow = throttled[0]
        results["typing_floor"] = {"seconds": floor, "bytes": slow.size}
        rows.append(
            Row(
                "8",
                f"bulk: ungrouped, pydantic alone after the last byte (its least at "
                f"{slow.rate / 1e6:g} MB/s)",
                f"{floor:.2f} s (so {GOAL_END_TO_END}x at most up to "
                f"{(GOAL_END_TO_END - 1) * slow.size / floor / 1e6:.1f} MB/s)",
                f"raw httpx to disk {slow.raw:.2f} s",
                f"{(slow.raw + floor) / slow.raw:.2f}x",
            )
        )
        # grouped files, records(stream=True): typed during the download
        path, roots = files[rate_size, True]
        log("8. bulk: end to end, grouped, stream=True")
        rounds = [_end_to_end(path, roots, _ours_stream) for _ in range(ROUNDS)]
        ours, raw = min(r[0] for r in rounds), min(r[1] for r in rounds)
        streamed: dict[str, object] = {"local": {"ours_s": ours, "raw_httpx_s": raw}}
        rows.append(
            Row(
                "8",
                f"bulk: grouped, stream=True: download + parse + type ({rate_size:,} lines, "
                "local host)",
                f"{ours:.2f} s",
                f"raw httpx to disk {raw:.2f} s",
                f"{ours / raw:.2f}x",
                f"<= {GOAL_END_TO_END}x",
                ours / raw <= GOAL_END_TO_END,
            )
        )
        # typed during the download: the goal holds while the link is no faster than
        # the CPU (the loopback run is CPU-bound: its time is the work itself)
        busy = ours
        for rate in LINK_RATES:
            log(f"8. bulk: end to end, grouped, stream=True, storage host at {rate / 1e6:g} MB/s")
            run = _throttled(path, roots, rate, _ours_stream)
            streamed[str(rate)] = run.json()
            rows.append(
                Row(
                    "8",
                    f"bulk: grouped, stream=True: download + parse + type ({rate_size:,} "
                    f"lines, storage host at {rate / 1e6:g} MB/s)",
                    f"{run.ours:.2f} s ({run.after_last_byte:.2f} s after the last byte)",
                    f"raw httpx to disk {run.raw:.2f} s",
                    f"{run.ours / run.raw:.2f}x",
                    f"<= {GOAL_END_TO_END}x",
                    run.ours / run.raw <= GOAL_END_TO_END,
                )
            )
        rows.append(
            Row(
                "8",
                f"bulk: grouped, stream=True: fastest link for <= {GOAL_END_TO_END}x (its "
                "local-host time: the work itself)",
                f"{GOAL_END_TO_END * path.stat().st_size / busy / 1e6:.1f} MB/s",
                "",
                "",
            )
        )
        results["end_to_end_grouped_stream"] = streamed
    ctx.results["bulk"] = results
    return rows
