"""Section 2, cold start: what importing a package costs in a fresh interpreter, and the
time from starting a fresh interpreter to the first typed result of one call.

Imports: baseline ``import httpx, pydantic``; the *reference* adds one pydantic model,
which any package of pydantic models pays (pydantic loads its model machinery on the
first ``BaseModel`` subclass), so our packages' goal is counted over the reference, two
ways: the median of per-round differences between the package's fresh interpreter and
the reference's (the issue's measure), and the package's import timed alone in an
interpreter that has already imported the reference (no subtraction).
First result: ``python -c`` importing the client and making one ``customer`` call
against the canned server, ours (typed model) against raw httpx (``post`` +
``json.loads``), timed from just before the interpreter is started to the moment the
result is in hand (the child prints ``time.time()`` then; process exit is not counted).
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from bench.common import RAW_HEADERS, TOKEN, Context, Settings, log, rotated
from bench.table import Row

GOAL_IMPORT_OVER_REFERENCE_MS = 5.0  # issue 11: our package's own cost

_IMPORT_PROBE = (
    "import time\nstarted = time.perf_counter()\n{code}\nprint(time.perf_counter() - started)\n"
)
_REFERENCE_CODE = "import httpx, pydantic\nclass M(pydantic.BaseModel):\n    x: int"
# The package's own import, timed alone: the reference first (untimed), its garbage
# collected (else the package's slice pays for collecting pydantic's leftovers, 1-1.5 ms
# on this machine, by chance of where a collection falls), then `import package`.
_AFTER_REFERENCE_PROBE = (
    _REFERENCE_CODE
    + "\nimport gc, time\ngc.collect()\nstarted = time.perf_counter()\nimport {package}\n"
    "print(time.perf_counter() - started)\n"
)
BASELINE_IMPORT = "httpx, pydantic"
# Not a goal's baseline: what any package defining a pydantic model pays on top of it
# (pydantic imports its model machinery lazily, on the first BaseModel subclass).
MODEL_REFERENCE = "httpx, pydantic + one BaseModel"
OURS = ("shopify_storefront", "shopify_admin")


def measure_imports(defaults_dir: Path, settings: Settings) -> dict[str, list[float]]:
    """ms of each import in fresh interpreters (cwd: the default packages), one list per
    label, index ``i`` of every list from round ``i`` (the labels of a round run back
    to back, in an order rotated per round)."""
    targets = {
        BASELINE_IMPORT: _IMPORT_PROBE.format(code="import httpx, pydantic"),
        MODEL_REFERENCE: _IMPORT_PROBE.format(code=_REFERENCE_CODE),
    }
    for package in OURS:  # each package's two rows side by side in the table
        targets[package] = _IMPORT_PROBE.format(code=f"import {package}")
        targets[_after(package)] = _AFTER_REFERENCE_PROBE.format(package=package)
    targets["ariadne default storefront"] = _IMPORT_PROBE.format(
        code="import ariadne_default_storefront"
    )
    targets["ariadne default admin"] = _IMPORT_PROBE.format(code="import ariadne_default_admin")
    times: dict[str, list[float]] = {label: [] for label in targets}
    # Bytecode caching on, as after a pip install: run 0 writes the .pyc files.
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    for run in range(settings.import_runs + 1):  # run 0 writes the .pyc files: not counted
        for label in rotated(list(targets), run):
            completed = subprocess.run(
                [sys.executable, "-c", targets[label]],
                cwd=defaults_dir,
                env=env,
                capture_output=True,
                text=True,
                check=True,
            )
            if run:
                times[label].append(float(completed.stdout.strip()) * 1000)
    return times


def paired_over(samples: list[float], reference: list[float]) -> list[float]:
    """Per round, a package's time minus the reference's measured in the same round."""
    return [ours - ref for ours, ref in zip(samples, reference, strict=True)]


def _after(package: str) -> str:
    return f"{package}, after the reference in one interpreter"


_FIRST_RESULT = {
    "raw httpx": (
        "import json\n"
        "import httpx\n"
        "with httpx.Client() as client:\n"
        "    response = client.post({url!r}, content={body!r}, headers={headers!r})\n"
        "result = json.loads(response.content)\n"
        "assert result['data']['customer']['email']\n"
    ),
    "shopify_storefront": (
        "import warnings\n"
        "warnings.simplefilter('ignore')\n"
        "import shopify_storefront\n"
        "with shopify_storefront.Client(endpoint={url!r}, access_token={token!r}) as client:\n"
        "    result = client.customer(customer_access_token={token!r})\n"
        "assert result.customer.email\n"
    ),
}


def _env() -> dict[str, str]:
    # Bytecode caching on, as after a pip install: run 0 writes the .pyc files.
    return {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def measure_first_result(ctx: Context) -> dict[str, list[float]]:
    """ms from starting a fresh interpreter to holding the first result, per client."""
    codes = {
        label: code.format(
            url=ctx.url, body=ctx.bodies["customer"], headers=RAW_HEADERS, token=TOKEN
        )
        + "import time\nprint(time.time())\n"
        for label, code in _FIRST_RESULT.items()
    }
    times: dict[str, list[float]] = {label: [] for label in codes}
    for run in range(ctx.settings.import_runs + 1):  # run 0 writes the .pyc files: not counted
        for label in rotated(list(codes), run):
            started = time.time()
            completed = subprocess.run(
                [sys.executable, "-c", codes[label]],
                env=_env(),
                capture_output=True,
                text=True,
                check=True,
            )
            if run:
                times[label].append((float(completed.stdout.strip()) - started) * 1000)
    return times


def measure(ctx: Context) -> list[Row]:
    log("2. cold import time")
    imports = measure_imports(ctx.defaults_dir, ctx.settings)
    base = imports[BASELINE_IMPORT]
    reference = imports[MODEL_REFERENCE]
    base_ms = statistics.median(base)
    reference_ms = statistics.median(reference)
    rows: list[Row] = []
    ctx.results["import_ms"] = {}
    for label, samples in imports.items():
        ms = statistics.median(samples)
        entry: dict[str, object] = {"median": ms, "samples": samples}
        ctx.results["import_ms"][label] = entry
        if label == BASELINE_IMPORT:
            rows.append(Row("2", f"import {label} (baseline)", f"{ms:.1f} ms", "", "", ""))
            continue
        if label == MODEL_REFERENCE:
            over_base = statistics.median(paired_over(samples, base))
            entry["delta"] = over_base
            rows.append(
                Row(
                    "2",
                    f"import {label} (reference)",
                    f"{ms:.1f} ms",
                    f"{base_ms:.1f} ms",
                    f"{over_base:+.1f} ms",
                )
            )
            continue
        if label in (_after(package) for package in OURS):
            # Already the package's own cost: no subtraction, so no other run's noise.
            # Shown, not held to the goal, which the issue sets on the measure above;
            # the quartiles show this machine's fast and slow phases.
            quartiles = statistics.quantiles(samples, n=4)
            entry["over_reference"] = ms
            rows.append(
                Row(
                    "2",
                    f"import {label}",
                    f"{ms:.1f} ms",
                    "",
                    f"+{ms:.1f} ms ({quartiles[0]:.1f} to {quartiles[2]:.1f})",
                )
            )
            continue
        is_ours = label in OURS
        deltas = paired_over(samples, reference)
        over = statistics.median(deltas)
        quartiles = statistics.quantiles(deltas, n=4)
        entry["delta_over_reference"] = over
        entry["paired_deltas_over_reference"] = deltas
        rows.append(
            Row(
                section="2",
                figure=f"import {label}",
                value=f"{ms:.1f} ms",
                baseline=f"{reference_ms:.1f} ms",
                ratio=f"{over:+.1f} ms ({quartiles[0]:+.1f} to {quartiles[2]:+.1f})",
                goal=f"<= +{GOAL_IMPORT_OVER_REFERENCE_MS:.0f} ms" if is_ours else "",
                met=over <= GOAL_IMPORT_OVER_REFERENCE_MS if is_ours else None,
            )
        )

    log("2. cold start to the first typed result")
    first = measure_first_result(ctx)
    raw_ms = statistics.median(first["raw httpx"])
    ours_ms = statistics.median(first["shopify_storefront"])
    ctx.results["first_result_ms"] = {
        label: {"median": statistics.median(samples), "samples": samples}
        for label, samples in first.items()
    }
    ctx.results["first_result_ms"]["ratio"] = ours_ms / raw_ms
    rows.append(
        Row(
            "2",
            "fresh interpreter to first result: raw httpx (baseline)",
            f"{raw_ms:.1f} ms",
            "",
            "1.00x",
        )
    )
    rows.append(
        Row(
            "2",
            "fresh interpreter to first typed result: shopify_storefront",
            f"{ours_ms:.1f} ms",
            f"{raw_ms:.1f} ms",
            f"{ours_ms / raw_ms:.2f}x / {ours_ms - raw_ms:+.1f} ms",
        )
    )
    return rows
