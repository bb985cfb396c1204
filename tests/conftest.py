"""Shared fixtures: project paths and scratch copies of a project.

Two projects, kept apart on purpose:

* the tool tests' own project, ``tests/fixtures/project`` (its codegen.toml and
  queries): the tests of the tooling (tests/shopify_codegen) and the conformance corpus
  use it through :func:`copy_project`, :func:`fixture_project` and
  :func:`fixture_config`, never this repository's codegen.toml, queries/ or generated/;
* this repository's own example project (``PROJECT``: its codegen.toml, queries/,
  schema/ and generated/), which the tests under tests/project, tests/generated and
  tests/recorded check. They adapt to what queries/ holds; ``TESTS_PROJECT_ROOT``
  points them at another copy (tests/test_template.py runs them on one with more
  operations).

Both read the schemas committed under this repository's schema/.
"""

from __future__ import annotations

import atexit
import dataclasses
import functools
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path
from typing import Any

import pytest

from shopify_codegen.cli import main
from shopify_codegen.config import ProjectConfig, load_config

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
SEEDS_RESPONSES = FIXTURES / "responses"
#: The tool tests' project: codegen.toml and queries/ only (no schema/, no generated/).
FIXTURE_PROJECT = FIXTURES / "project"
#: This repository's own project, or the copy TESTS_PROJECT_ROOT names.
PROJECT = Path(os.environ.get("TESTS_PROJECT_ROOT") or ROOT).resolve()
PROJECT_APIS = ("storefront", "admin", "customer")


def fixture_config() -> ProjectConfig:
    """The fixture project's config, reading the committed schemas of this repository.

    Its root stays this checkout, so paths shown in messages and generated headers are
    relative to it (``tests/fixtures/project/queries/...``). Use :func:`fixture_project`
    for a self-contained copy to run the CLI on.
    """
    config = load_config(FIXTURE_PROJECT)
    return dataclasses.replace(config, root=ROOT, schema_dir=ROOT / "schema")


def _copy_schemas(dest: Path) -> None:
    (dest / "schema").mkdir(parents=True)
    shutil.copy2(ROOT / "schema" / "manifest.json", dest / "schema" / "manifest.json")
    for api in PROJECT_APIS:
        shutil.copytree(ROOT / "schema" / api, dest / "schema" / api)


@functools.cache
def fixture_project() -> Path:
    """A working copy of the fixture project, built once per process: its codegen.toml
    and queries, the committed schemas, and generated/ written by ``generate``.

    Shared and read-only: a test that changes files takes :func:`copy_project`.
    """
    root = Path(tempfile.mkdtemp(prefix="shopify-fixture-project-"))
    atexit.register(shutil.rmtree, root, ignore_errors=True)
    shutil.copy2(FIXTURE_PROJECT / "codegen.toml", root / "codegen.toml")
    shutil.copytree(FIXTURE_PROJECT / "queries", root / "queries")
    _copy_schemas(root)
    code, out, err = run_cli("--root", str(root), "generate")
    if code != 0:
        raise RuntimeError(f"the fixture project does not generate:\n{out}{err}")
    return root


def copy_project(dest: Path, *, apis: tuple[str, ...] = ("storefront", "admin")) -> Path:
    """A scratch copy of the fixture project (config, schemas, queries, generated/),
    green under ``check``.

    ``apis`` are the ``[api.KEY]`` tables the copy's codegen.toml keeps (by default
    the seeds' two packages; fewer make checks faster).
    """
    source = fixture_project()
    for name in ("queries", "generated", "schema"):
        shutil.copytree(source / name, dest / name, ignore=shutil.ignore_patterns("__pycache__"))
    text = (source / "codegen.toml").read_text()
    keys = re.findall(r"^\[api\.([A-Za-z0-9_-]+)\]$", text, flags=re.MULTILINE)
    for key in set(keys) - set(apis):
        start = text.index(f"[api.{key}]")
        end = text.find("\n[", start + 1)
        text = text[:start] + (text[end + 1 :] if end != -1 else "")
    (dest / "codegen.toml").write_text(text)
    return dest


def admin_bulk_project(root: Path, queries: dict[str, str], package: str) -> Path:
    """A scratch project of one Admin 2026-04 package whose ``queries/bulk/`` holds
    ``queries`` (file name: text), generated; ``root`` must not hold a project yet."""
    (root / "schema" / "admin").mkdir(parents=True)
    manifest = json.loads((ROOT / "schema" / "manifest.json").read_text())
    manifest["files"] = [f for f in manifest["files"] if f["path"].startswith("admin/2026-04.")]
    (root / "schema" / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
    for suffix in ("json", "graphql"):
        shutil.copy2(
            ROOT / f"schema/admin/2026-04.{suffix}", root / f"schema/admin/2026-04.{suffix}"
        )
    (root / "queries" / "bulk").mkdir(parents=True)
    for name, text in queries.items():
        (root / "queries" / "bulk" / name).write_text(text)
    (root / "codegen.toml").write_text(
        '[project]\nschema_dir = "schema"\ngenerated_dir = "generated"\n\n'
        '[api.admin]\npinned_version = "2026-04"\nvalidate_versions = ["2026-04"]\n'
        f'queries = "queries"\npackage = "{package}"\n'
    )
    code, out, err = run_cli("--root", str(root), "generate")
    assert code == 0, out + err
    return root


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A full scratch copy of the fixture project (both APIs)."""
    return copy_project(tmp_path / "project")


@pytest.fixture
def storefront_project(tmp_path: Path) -> Path:
    """A scratch copy of the fixture project for the Storefront API only (quicker to check)."""
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
