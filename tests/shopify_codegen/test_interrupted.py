"""SIGKILL a schema download or a bump at random points: the project is always either
unchanged or completely updated (once the next command has run its recovery).

`make test` kills each a few times; `make soak` (SOAK_KILLS=N) many more.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from shopify_codegen.transaction import JOURNAL_NAME, WORK_DIR, recover
from tests.conftest import ROOT, copy_project
from tests.shopify_codegen.introspection_server import IntrospectionServer
from tests.shopify_codegen.test_download import tree_digest

KILLS = int(os.environ.get("SOAK_KILLS", "4"))
SEED = int(os.environ.get("SOAK_SEED", str(int(time.time()))))
CLI = [sys.executable, "-m", "shopify_codegen.cli"]
STOREFRONT_JSON = ROOT / "schema" / "storefront" / "2024-10.json"


def run_to_completion(project: Path, args: list[str]) -> float:
    started = time.perf_counter()
    result = subprocess.run(
        [*CLI, "--root", str(project), *args],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return time.perf_counter() - started


def kill_after(project: Path, args: list[str], delay: float) -> None:
    process = subprocess.Popen(
        [*CLI, "--root", str(project), *args], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    time.sleep(delay)
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=60)


def leftovers(project: Path) -> list[str]:
    """Staging folders, journals and temp files anywhere in the project."""
    return sorted(
        p.relative_to(project).as_posix()
        for p in project.rglob("*")
        if p.name in (WORK_DIR, JOURNAL_NAME) or p.name.endswith(".tmp")
    )


def campaign(tmp_path: Path, args: list[str], label: str) -> dict[str, int]:
    rng = random.Random(f"{SEED}-{label}")
    reference = copy_project(tmp_path / "reference", apis=("storefront",))
    before = tree_digest(reference)
    duration = run_to_completion(reference, args)
    after = tree_digest(reference)
    assert after != before
    outcomes = {"unchanged": 0, "updated": 0, "rolled back": 0, "re-run completed": 0}
    for i in range(KILLS):
        project = copy_project(tmp_path / f"kill-{i}", apis=("storefront",))
        kill_after(project, args, rng.uniform(0.0, duration * 1.1))
        had_journal = (project / JOURNAL_NAME).exists()
        if recover(project):
            outcomes["rolled back"] += 1
        state = tree_digest(project)
        assert state in (before, after), (
            f"seed {SEED}, kill {i}: half-changed project "
            f"(journal left: {had_journal}); differing: "
            f"{sorted(k for k in set(state) | set(before) if state.get(k) != before.get(k))[:10]}"
        )
        outcomes["unchanged" if state == before else "updated"] += 1
        # What a user does next: run the command again. It must finish the update from
        # whatever state the kill left, with no staging, journal or temp file behind.
        run_to_completion(project, args)
        assert tree_digest(project) == after, f"seed {SEED}, kill {i}: re-run did not converge"
        assert leftovers(project) == [], f"seed {SEED}, kill {i}"
        outcomes["re-run completed"] += 1
    print(f"{label}: seed {SEED}, {KILLS} kills over {duration:.2f}s runs: {outcomes}")
    return outcomes


@pytest.mark.slow
def test_killed_bump_leaves_the_project_unchanged_or_updated(tmp_path: Path) -> None:
    args = [
        "bump",
        "--api",
        "storefront",
        "--version",
        "2025-01",
        "--schema-file",
        str(STOREFRONT_JSON),
    ]
    outcomes = campaign(tmp_path, args, "bump")
    assert outcomes["re-run completed"] == KILLS


@pytest.mark.slow
def test_killed_download_leaves_the_project_unchanged_or_updated(tmp_path: Path) -> None:
    server = IntrospectionServer(STOREFRONT_JSON)
    server.answer()  # computed once, before the clock starts
    with server.running():
        args = [
            "schema",
            "download",
            "--api",
            "storefront",
            "--version",
            "2025-01",
            "--endpoint",
            server.url,
        ]
        outcomes = campaign(tmp_path, args, "download")
    assert outcomes["re-run completed"] == KILLS


KILL_AT_RENAME = """
import os, signal, sys
kill_at = int(sys.argv[1])
real_replace = os.replace
calls = [0]
def replace(src, dst):
    calls[0] += 1
    if calls[0] == kill_at:
        os.kill(os.getpid(), signal.SIGKILL)
    real_replace(src, dst)
os.replace = replace
from shopify_codegen.cli import main
sys.exit(main(sys.argv[2:]))
"""


def test_killed_inside_the_commit_at_every_rename_is_rolled_back(tmp_path: Path) -> None:
    """SIGKILL exactly at each rename of a bump's commit (journal, backups, swaps)."""
    args = [
        "bump",
        "--api",
        "storefront",
        "--version",
        "2025-01",
        "--schema-file",
        str(STOREFRONT_JSON),
    ]
    reference = copy_project(tmp_path / "reference", apis=("storefront",))
    before = tree_digest(reference)
    run_to_completion(reference, args)
    after = tree_digest(reference)
    rolled_back = killed_runs = 0
    for kill_at in range(1, 11):
        project = copy_project(tmp_path / f"kill-at-{kill_at}", apis=("storefront",))
        result = subprocess.run(
            [sys.executable, "-c", KILL_AT_RENAME, str(kill_at), "--root", str(project), *args],
            capture_output=True,
            timeout=300,
            check=False,
        )
        killed = result.returncode == -signal.SIGKILL
        killed_runs += killed
        if killed and kill_at > 1:
            assert (project / JOURNAL_NAME).exists(), "killed mid-commit: the journal must be there"
        rolled_back += recover(project)
        state = tree_digest(project)
        assert state == (before if killed else after), f"kill at rename {kill_at}"
    # Rename 1 writes the journal itself: a kill there leaves nothing to roll back.
    assert killed_runs == 9 and rolled_back == killed_runs - 1
