"""Section 6, scale: `validate`, `generate` and `check` for projects of 10, 100 and
300 operations (a user's app made by `shopify-codegen init` in a temp folder).

Each operation is a distinct Storefront query (a connection with its page info and
a nested object), as real apps write them. `check` is timed twice: the first run
regenerates every package (as in CI, a fresh clone), the second may skip
regeneration through the recorded hashes (as on a developer's machine). Goals
(issue 20): `check` of 100 operations under 3 s, and cost growing no faster than the
operation count (the 300-operation time over the 100-operation time at most 3x).
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from bench.common import BIN, ROOT, Context, log
from bench.table import Row

SIZES = (10, 100, 300)
GOAL_CHECK_100_S = 3.0
SCHEMA = ROOT / "schema" / "storefront" / "2024-10.json"
PYPROJECT = '[project]\nname = "benchapp"\nversion = "0"\n'

FIELDS = ("title", "handle", "description", "vendor", "productType", "createdAt")


def operation(index: int) -> str:
    field = FIELDS[index % len(FIELDS)]
    return (
        f"query Op{index}($first: Int = 10, $after: String) {{\n"
        "  products(first: $first, after: $after) {\n"
        f"    nodes {{ id {field} priceRange {{ minVariantPrice {{ amount currencyCode }} }} }}\n"
        "    pageInfo { hasNextPage endCursor }\n"
        "  }\n"
        "}\n"
    )


def _cli(app: Path, *args: str) -> float:
    started = time.perf_counter()
    done = subprocess.run(
        [str(BIN / "shopify-codegen"), *args], cwd=app, capture_output=True, text=True, check=False
    )
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(f"shopify-codegen {' '.join(args)} failed: {done.stdout}{done.stderr}")
    return seconds


def make_app(folder: Path, size: int) -> Path:
    app = folder / f"app{size}"
    (app / "benchapp").mkdir(parents=True)
    (app / "pyproject.toml").write_text(PYPROJECT)
    _cli(app, "init", "--api", "storefront", "--version", "2024-10", "--package", "benchapp.sf")
    _cli(app, "schema", "add", "--api", "storefront", "--version", "2024-10", "--file", str(SCHEMA))
    queries = app / "shopify" / "queries" / "storefront"
    for path in queries.iterdir():
        path.unlink()
    for index in range(size):
        (queries / f"op{index}.graphql").write_text(operation(index))
    return app


def measure(ctx: Context) -> list[Row]:
    rows: list[Row] = []
    results: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory(prefix="bench-scale-") as scratch:
        for size in SIZES:
            log(f"6. scale: {size} operations")
            app = make_app(Path(scratch), size)
            figures = {
                "validate_s": _cli(app, "validate"),
                "generate_s": _cli(app, "generate"),
                "check_full_s": _cli(app, "check", "--full"),
            }
            _cli(app, "check")  # records the hashes
            figures["check_s"] = _cli(app, "check")
            results[str(size)] = figures
            shutil.rmtree(app)
    ctx.results["scale"] = results
    for size in SIZES:
        f = results[str(size)]
        rows.append(
            Row(
                "6",
                f"{size} operations: validate / generate",
                f"{f['validate_s']:.2f} s",
                f"{f['generate_s']:.2f} s",
                "",
            )
        )
        goal = f"< {GOAL_CHECK_100_S:.0f} s" if size == 100 else ""
        rows.append(
            Row(
                "6",
                f"{size} operations: check (recorded hashes; full regeneration as baseline)",
                f"{f['check_s']:.2f} s",
                f"{f['check_full_s']:.2f} s",
                f"{f['check_s'] / f['check_full_s']:.2f}x",
                goal,
                f["check_s"] < GOAL_CHECK_100_S if size == 100 else None,
            )
        )
    growth = results["300"]["check_full_s"] / results["100"]["check_full_s"]
    rows.append(
        Row(
            "6",
            "check --full, 300 over 100 operations",
            f"{growth:.2f}x",
            "",
            "",
            "<= 3x",
            growth <= 3.0,
        )
    )
    return rows
