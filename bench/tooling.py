"""Section 4, tooling: `shopify-codegen check` wall time, cold (no record of earlier
checks, as in CI's fresh clone) and warm (nothing changed since the last check),
`load_schema` against plain `json.loads` of the same file, and generating
shopify_admin unpruned against pruned."""

from __future__ import annotations

import gc
import json
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

from bench.common import BIN, ROOT, Context, Settings, log
from bench.table import Row
from shopify_codegen import schema_files
from shopify_codegen.config import load_config
from shopify_codegen.generate import generate_package
from shopify_codegen.stamps import STAMPS_PATH

GOAL_CHECK_S = 5.0  # `shopify-codegen check` wall time


def _time_check() -> tuple[float, int]:
    started = time.perf_counter()
    completed = subprocess.run(
        [str(BIN / "shopify-codegen"), "check"], cwd=ROOT, capture_output=True, check=False
    )
    return time.perf_counter() - started, completed.returncode


def measure_check(settings: Settings) -> tuple[list[float], list[float], int]:
    """(cold seconds, warm seconds, first nonzero exit code): each cold run starts
    without the record of earlier checks (a git-ignored cache: removing it costs only
    time), the warm run after it reuses what the cold one recorded."""
    cold: list[float] = []
    warm: list[float] = []
    returncode = 0
    for _ in range(settings.check_runs):
        (ROOT / STAMPS_PATH).unlink(missing_ok=True)
        for times in (cold, warm):
            seconds, code = _time_check()
            times.append(seconds)
            returncode = returncode or code
    return cold, warm, returncode


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


def measure(ctx: Context) -> list[Row]:
    settings, results = ctx.settings, ctx.results
    rows: list[Row] = []
    log("4. tooling: shopify-codegen check, cold and warm")
    cold_s, warm_s, check_rc = measure_check(settings)
    cold, warm = statistics.median(cold_s), statistics.median(warm_s)
    results["check"] = {
        "cold_seconds": cold_s,
        "warm_seconds": warm_s,
        "cold_median": cold,
        "warm_median": warm,
        "returncode": check_rc,
    }
    failed = "" if check_rc == 0 else f" (exit {check_rc})"
    rows.append(
        Row(
            "4",
            f"shopify-codegen check, cold (no record, as in CI){failed}",
            f"{cold:.2f} s",
            "",
            "",
            f"< {GOAL_CHECK_S:.0f} s",
            cold < GOAL_CHECK_S,
        )
    )
    rows.append(
        Row(
            "4",
            f"shopify-codegen check, warm (nothing changed; cold as baseline){failed}",
            f"{warm:.2f} s",
            f"{cold:.2f} s",
            f"{warm / cold:.2f}x",
            f"< {GOAL_CHECK_S:.0f} s",
            warm < GOAL_CHECK_S,
        )
    )
    log("4. tooling: load_schema")
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
    log("4. tooling: generating shopify_admin, unpruned and pruned")
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
    return rows
