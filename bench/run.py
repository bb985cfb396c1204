"""Benchmarks: what the generated clients cost next to raw httpx (and a few peers).

Run it with ``make bench`` (or ``.venv/bin/python bench/run.py`` once the ``bench``
extra is installed); ``--quick`` makes a short smoke run. Every figure is a ratio
against a baseline measured in the same run, on the same machine, so the numbers
compare across machines better than the absolute times do. See bench/README.md.

Nothing here asserts on timings: the goals are printed next to the figures.

The rows come from :data:`SECTIONS`, in order: each section is a module of bench/ with
a ``measure(ctx) -> list[Row]`` function. To add a row, add it to a section's list, or
add a module and one line to :data:`SECTIONS`.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import tempfile
import time
import warnings
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

if __package__ in (None, ""):  # run as a script: bench/ is sys.path[0], the project is not
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import (
    bulk,
    bulk_mutation,
    concurrency,
    imports,
    pacing,
    per_call,
    redis_pacing,
    scale,
    tooling,
)
from bench.ariadne_defaults import generate_ariadne_defaults
from bench.common import DEFAULT_OUTPUT, ROOT, Context, JSONDict, Settings, log, request_bodies
from bench.server import local_server
from bench.table import Row, machine_info, render


@dataclass(frozen=True)
class Section:
    number: str  # the table's "#" column
    name: str
    measure: Callable[[Context], list[Row]]


SECTIONS: tuple[Section, ...] = (
    Section("1", "per-call overhead", per_call.measure),
    Section("2", "cold start", imports.measure),
    Section("3", "concurrency", concurrency.measure),
    Section("4", "tooling", tooling.measure),
    Section("5", "pacing", pacing.measure),
    Section("6", "scale", scale.measure),
    Section("7", "pacing shared over Redis", redis_pacing.measure),
    Section("8", "bulk", bulk.measure),
    Section("9", "bulk mutations", bulk_mutation.measure),
)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="few calls: a smoke run")
    parser.add_argument(
        "--only",
        default=None,
        help="comma-separated section numbers to run (default: all): "
        + ", ".join(f"{s.number} {s.name}" for s in SECTIONS),
    )
    parser.add_argument(
        "--output",
        type=Path,
        default=None,
        help=f"where to write the JSON (default: {DEFAULT_OUTPUT.relative_to(ROOT)}; "
        "a --quick or --only run writes nothing unless given)",
    )
    args = parser.parse_args(argv)
    settings = Settings.make(args.quick)
    chosen = SECTIONS
    if args.only is not None:
        wanted = {part.strip() for part in args.only.split(",") if part.strip()}
        unknown = wanted - {s.number for s in SECTIONS}
        if unknown:
            parser.error(f"--only: no section {', '.join(sorted(unknown))}")
        chosen = tuple(s for s in SECTIONS if s.number in wanted)
    full = not args.quick and args.only is None
    output: Path | None = args.output or (DEFAULT_OUTPUT if full else None)
    warnings.simplefilter("ignore")  # UnsupportedVersionWarning on every construction
    logging.getLogger("shopify_client").addHandler(logging.NullHandler())  # ... and its log line
    logging.getLogger("shopify_client").propagate = False
    started = time.perf_counter()

    rows: list[Row] = []
    results: JSONDict = {"machine": machine_info(), "settings": asdict(settings)}
    with tempfile.TemporaryDirectory(prefix="bench-ariadne-defaults-") as scratch:
        defaults_dir = Path(scratch)
        log("generating the ariadne-codegen default packages")
        results["ariadne_default_generation_s"] = generate_ariadne_defaults(defaults_dir)
        sys.path.insert(0, str(defaults_dir))
        with local_server() as url:
            log(f"canned server at {url}")
            ctx = Context(settings, url, request_bodies(), defaults_dir, results)
            for section in chosen:
                rows += section.measure(ctx)

    results["rows"] = [asdict(row) for row in rows]
    results["wall_time_s"] = time.perf_counter() - started
    results["load_average_1min_at_end"] = os.getloadavg()[0] if hasattr(os, "getloadavg") else None
    table = render(rows)
    results["table"] = table
    print(table)
    print(
        "\nper call: median / p99 over "
        f"{settings.calls} calls each; ratios against baselines measured in this run. "
        f"Whole run: {results['wall_time_s']:.0f} s."
    )
    if output is not None:
        output.parent.mkdir(parents=True, exist_ok=True)
        temporary = output.with_name(output.name + ".tmp")
        temporary.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
        temporary.replace(output)
        print(f"results: {output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
