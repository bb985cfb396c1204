"""The bench's rows and table, and the machine a run describes itself with.

A section's measure function returns :class:`Row` objects; :func:`render` makes the
Markdown table that run.py prints, writes into latest.json and the README shows.
"""

from __future__ import annotations

import datetime as dt
import importlib.metadata
import os
import platform
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass

from bench.common import ROOT, JSONDict


@dataclass(frozen=True)
class Row:
    section: str
    figure: str
    value: str
    baseline: str
    ratio: str
    goal: str = ""
    met: bool | None = None


def met_text(flag: bool | None) -> str:
    return "" if flag is None else ("yes" if flag else "NO")


def render(rows: Sequence[Row]) -> str:
    header = ("#", "figure", "value", "baseline", "ratio / delta", "goal", "met")
    cells = [header] + [
        (r.section, r.figure, r.value, r.baseline, r.ratio, r.goal, met_text(r.met)) for r in rows
    ]
    widths = [max(len(cell[i]) for cell in cells) for i in range(len(header))]
    lines = []
    for index, cell in enumerate(cells):
        padded = (c.ljust(w) for c, w in zip(cell, widths, strict=True))
        lines.append("| " + " | ".join(padded) + " |")
        if index == 0:
            lines.append("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    return "\n".join(lines)


# -- the machine -------------------------------------------------------------------------


def version_of(distribution: str) -> str | None:
    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return None


def machine_info() -> JSONDict:
    commit = subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=False
    ).stdout.strip()
    dirty = subprocess.run(
        ["git", "status", "--porcelain"], cwd=ROOT, capture_output=True, text=True, check=False
    ).stdout.strip()
    return {
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "platform": platform.platform(),
        "machine": platform.machine(),
        "processor": platform.processor(),
        "python": platform.python_version(),
        "python_implementation": platform.python_implementation(),
        "cpu_count": os.cpu_count(),
        "git_commit": commit or None,
        # other work on the machine moves every figure: the 1-minute load at the start
        "load_average_1min": os.getloadavg()[0] if hasattr(os, "getloadavg") else None,
        "git_dirty": bool(dirty),
        "packages": {
            name: version_of(name)
            for name in ("httpx", "httpcore", "pydantic", "pydantic-core", "gql", "ariadne-codegen")
        },
    }
