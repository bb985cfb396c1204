"""This repository as a template: a user's own operations added to queries/ keep it green.

A copy of the repository's project (codegen.toml, queries/, schema/, generated/) gets
the ordinary operations in tests/fixtures/extra_operations/ (Admin orders with line
items, one of their fields deprecated, metafieldsSet and shop; Storefront cartCreate),
is regenerated and checked as ``make test`` does, and the tests of this repository's
own operations then run against that copy: they find the operations and the generated
types from the files, so nothing names a fixed list that the new operations break. The
tests of the tooling and the runtime never read queries/ or generated/ (they use
tests/fixtures/project and the conformance corpus), so they need no such run.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from shopify_codegen.config import load_config
from tests.conftest import FIXTURES, ROOT, run_cli

EXTRA = FIXTURES / "extra_operations"
#: The tests of this repository's own operations, run against the copy.
REPOSITORY_TESTS = ("tests/project", "tests/generated", "tests/recorded", "tests/test_workflows.py")


def copy_repository(dest: Path) -> Path:
    """What the repository's own project is made of; not .venv, not the tool's sources."""
    dest.mkdir()
    shutil.copy2(ROOT / "codegen.toml", dest / "codegen.toml")
    for name in ("queries", "schema", "generated"):
        shutil.copytree(ROOT / name, dest / name, ignore=shutil.ignore_patterns("__pycache__"))
    return dest


def add_extra_operations(project: Path) -> list[str]:
    """Each API folder of tests/fixtures/extra_operations into that API's queries folder."""
    config = load_config(project)
    added = []
    for folder in sorted(p for p in EXTRA.iterdir() if p.is_dir()):
        queries = config.api(folder.name).queries
        for source in sorted(folder.glob("*.graphql")):
            target = queries / source.name
            assert not target.exists(), f"{config.rel(target)} is in the repository already"
            shutil.copy2(source, target)
            added.append(f"{folder.name}/{source.stem}")
    return added


def test_the_extra_operations_are_ordinary_and_valid_on_every_listed_version() -> None:
    """They validate with no error on each version the repository lists, as a user's
    operations must; one selects a deprecated field (a warning, not a failure)."""
    config = load_config(ROOT)
    for folder in sorted(p for p in EXTRA.iterdir() if p.is_dir()):
        for version in config.api(folder.name).validate_versions:
            schema = config.schema_json(folder.name, version)
            files = [str(p) for p in sorted(folder.glob("*.graphql"))]
            code, out, err = run_cli("validate", "--json", "--schema", str(schema), *files)
            assert code == 0, out + err
            findings = json.loads(out)["findings"]
            assert all(f["severity"] == "warning" for f in findings), findings
            if folder.name == "admin":
                assert any("originalUnitPrice is deprecated" in f["message"] for f in findings)


@pytest.mark.slow
def test_repository_tests_stay_green_with_more_operations(tmp_path: Path) -> None:
    project = copy_repository(tmp_path / "repository")
    added = add_extra_operations(project)
    assert len(added) == 4

    code, out, err = run_cli("--root", str(project), "generate")
    assert code == 0, out + err
    generated = {p.stem for p in (project / "generated").rglob("*.py")}
    assert {"orders", "metafields_set", "shop", "cart_create"} <= generated

    # `make test` begins with `check`: green, the deprecation a warning.
    code, out, err = run_cli("--root", str(project), "check", "--json")
    assert code == 0, out + err
    report = json.loads(out)
    assert report["ok"] is True and report["drift"] == []
    assert {f["severity"] for f in report["findings"]} == {"warning"}

    junit = tmp_path / "junit.xml"
    paths = os.pathsep.join(
        filter(None, [str(project / "generated"), os.environ.get("PYTHONPATH")])
    )
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            f"--junitxml={junit}",
            *REPOSITORY_TESTS,
        ],
        cwd=ROOT,
        env={**os.environ, "TESTS_PROJECT_ROOT": str(project), "PYTHONPATH": paths},
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
    cases = [case.get("name", "") for case in ET.parse(junit).getroot().iter("testcase")]
    # The copy's operations were the ones tested: each added one, on every listed version.
    for name in added:
        api, stem = name.split("/")
        for version in load_config(project).api(api).validate_versions:
            assert f"test_operation_validates_against_version[{api}-{version}-{stem}]" in cases
    assert "test_the_packages_imported_are_the_projects" in cases
    assert any(c.startswith("test_only_the_reached_inputs_and_enums_are_generated") for c in cases)
