"""Shared fixtures: project paths and a scratch copy of the project."""

from __future__ import annotations

import io
import json
import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

from shopify_codegen.cli import main

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
SEEDS_RESPONSES = FIXTURES / "responses"


def copy_project(dest: Path, *, apis: tuple[str, ...] = ("storefront", "admin")) -> Path:
    """A copy of what the tooling reads (config, schemas, queries, generated/).

    With fewer ``apis``, the copy's codegen.toml lists only those (faster checks).
    """
    for name in ("queries", "generated"):
        shutil.copytree(ROOT / name, dest / name, ignore=shutil.ignore_patterns("__pycache__"))
    (dest / "schema").mkdir()
    shutil.copy2(ROOT / "schema" / "manifest.json", dest / "schema" / "manifest.json")
    for api in ("storefront", "admin", "customer"):
        shutil.copytree(ROOT / "schema" / api, dest / "schema" / api)
    text = (ROOT / "codegen.toml").read_text()
    # Every [api.KEY] table of an API left out goes: [api.admin_2026_04] with [api.admin].
    for key in re.findall(r"^\[api\.([a-z0-9_]+)\]", text, flags=re.MULTILINE):
        if key.split("_")[0] in apis:
            continue
        start = text.index(f"[api.{key}]")
        end = text.find("\n[", start + 1)
        text = text[:start] + (text[end + 1 :] if end != -1 else "")
    (dest / "codegen.toml").write_text(text)
    return dest


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A full scratch copy of the project (both APIs)."""
    return copy_project(tmp_path / "project")


@pytest.fixture
def storefront_project(tmp_path: Path) -> Path:
    """A scratch copy configured for the Storefront API only (quicker to check)."""
    return copy_project(tmp_path / "project", apis=("storefront",))


def run_cli(*argv: str) -> tuple[int, str, str]:
    """Run ``shopify-codegen`` in-process: (exit code, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), out=out, err=err)
    return code, out.getvalue(), err.getvalue()


def run_fresh(code: str) -> Any:
    """``code`` in a fresh interpreter (a clean sys.modules), from the project root; it
    prints one JSON value last, which is returned."""
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
        check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])
