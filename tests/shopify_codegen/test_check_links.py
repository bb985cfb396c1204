"""`check` never reads through a symlink in schema/ or generated/ (issue 21 item 8).

A symlink planted in a pull request (``generated/.../enums.py -> /proc/self/environ``)
used to be read and its target printed in the drift diff: the CI's environment,
secrets included. Every such entry is drift in itself, reported without opening it.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import copy_project

SECRET = "ci-secret-d41d8cd98f00b204"
CANARY = "canary line of a file outside the project"
STOREFRONT = "generated/shopify_storefront"


def check_in_a_process_holding_a_secret(project: Path) -> tuple[int, dict[str, Any], str]:
    """`check --json` in a fresh process whose environment holds SECRET (what
    /proc/self/environ shows), with the report and everything it printed."""
    env = {**os.environ, "CI_DEPLOY_TOKEN": SECRET}
    done = subprocess.run(
        [sys.executable, "-m", "shopify_codegen.cli", "--root", str(project), "check", "--json"],
        capture_output=True,
        text=True,
        env=env,
        cwd=project,
        timeout=300,
        check=False,
    )
    return done.returncode, json.loads(done.stdout), done.stdout + done.stderr


def outside_file(project: Path) -> Path:
    outside = project.parent / "outside.txt"
    outside.write_text(f"{CANARY}\n{SECRET}\n")
    return outside


def replace_with_link(path: Path, target: Path | str) -> None:
    path.unlink()
    path.symlink_to(target)


def link_a_generated_module(project: Path) -> str:
    replace_with_link(project / STOREFRONT / "enums.py", outside_file(project))
    return f"{STOREFRONT}/enums.py"


def link_a_stray_generated_module(project: Path) -> str:
    (project / STOREFRONT / "evil.py").symlink_to(outside_file(project))
    return f"{STOREFRONT}/evil.py"


def link_a_generated_subfolder(project: Path) -> str:
    (project.parent / "elsewhere").mkdir()
    (project.parent / "elsewhere" / "x.py").write_text(f"{SECRET}\n")
    (project / STOREFRONT / "sub").symlink_to(project.parent / "elsewhere")
    return f"{STOREFRONT}/sub"


def link_the_package_folder(project: Path) -> str:
    """An exact copy outside: it compares equal, but it is not what is committed."""
    moved = project.parent / "package-outside"
    shutil.move(project / STOREFRONT, moved)
    (project / STOREFRONT).symlink_to(moved)
    return STOREFRONT


def link_the_sdl(project: Path) -> str:
    replace_with_link(project / "schema/storefront/2024-10.graphql", outside_file(project))
    return "schema/storefront/2024-10.graphql"


def link_the_environment_as_a_stray_schema_file(project: Path) -> str:
    (project / "schema/storefront/x.graphql").symlink_to("/proc/self/environ")
    return "schema/storefront/x.graphql"


def link_the_environment_as_the_manifest(project: Path) -> str:
    replace_with_link(project / "schema/manifest.json", "/proc/self/environ")
    return "schema/manifest.json"


def put_a_fifo_in_generated(project: Path) -> str:
    os.mkfifo(project / STOREFRONT / "pipe.py")
    return f"{STOREFRONT}/pipe.py"


def plant_four_in_the_package(project: Path) -> list[str]:
    """Four kinds at once (one regeneration): a module replaced by a link, a stray
    link, a linked subfolder, and a FIFO (which a read would block on)."""
    return [
        link_a_generated_module(project),
        link_a_stray_generated_module(project),
        link_a_generated_subfolder(project),
        put_a_fifo_in_generated(project),
    ]


CASES: list[Callable[[Path], str | list[str]]] = [
    plant_four_in_the_package,
    link_the_package_folder,
    link_the_sdl,
    link_the_environment_as_a_stray_schema_file,
    link_the_environment_as_the_manifest,
]


@pytest.mark.parametrize("plant", CASES, ids=lambda f: f.__name__)
def test_a_symlink_is_drift_and_its_target_is_never_read(
    tmp_path: Path, plant: Callable[[Path], str | list[str]]
) -> None:
    project = copy_project(tmp_path / "project", apis=("storefront",))
    planted = plant(project)
    code, report, printed = check_in_a_process_holding_a_secret(project)
    assert code == 1, printed
    assert SECRET not in printed and CANARY not in printed
    assert str(tmp_path) not in printed, "neither the target nor any path out is named"
    drift = report["drift"]
    assert sorted(d["path"] for d in drift) == sorted(
        planted if isinstance(planted, list) else [planted]
    ), drift
    for item in drift:
        assert "not followed" in item["message"] or "not opened" in item["message"]
        assert item["diff"] == ""


def test_a_manifest_entry_leading_outside_the_schema_folder_is_drift(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "project", apis=("storefront",))
    manifest = project / "schema" / "manifest.json"
    data = json.loads(manifest.read_text())
    data["files"][0]["path"] = "../../outside.txt"
    manifest.write_text(json.dumps(data))
    outside_file(project)
    code, report, printed = check_in_a_process_holding_a_secret(project)
    assert code == 1 and SECRET not in printed
    messages = [d["message"] for d in report["drift"]]
    assert "entry '../../outside.txt' is not a path inside schema" in messages


def test_a_file_where_the_generated_folder_belongs_is_drift_named_as_such(
    tmp_path: Path,
) -> None:
    from tests.conftest import run_cli

    project = copy_project(tmp_path / "project", apis=("storefront",))
    shutil.rmtree(project / "generated")
    (project / "generated").write_text("not a folder\n")
    code, out, _ = run_cli("--root", str(project), "check", "--json")
    assert code == 1
    drift = json.loads(out)["drift"]
    assert [(d["path"], d["message"]) for d in drift] == [
        ("generated", "is not a folder (the tools write one here)")
    ]
