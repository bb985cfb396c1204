"""The journaled transaction: concurrency with recovery, and what recovery may delete."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from shopify_codegen.transaction import JOURNAL_NAME, WORK_DIR, Transaction, recover

RECOVER_IN_ANOTHER_PROCESS = """
import sys
from pathlib import Path
from shopify_codegen.transaction import recover
print(recover(Path(sys.argv[1])))
"""


def project(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    (root / "schema").mkdir(parents=True)
    (root / "codegen.toml").write_text("old config\n")
    (root / "schema" / "manifest.json").write_text("old manifest\n")
    return root


def test_commit_replaces_and_adds_files(tmp_path: Path) -> None:
    root = project(tmp_path)
    with Transaction(root) as tx:
        tx.write_bytes(root / "codegen.toml", b"new config\n")
        tx.write_bytes(root / "schema" / "new.json", b"{}\n")
        tx.commit()
    assert (root / "codegen.toml").read_text() == "new config\n"
    assert (root / "schema" / "new.json").read_text() == "{}\n"
    assert not (root / JOURNAL_NAME).exists() and not (root / WORK_DIR).exists()


def test_recovery_leaves_a_live_transaction_alone(tmp_path: Path) -> None:
    """Another process's `recover` (any command's start) while this one is staging."""
    root = project(tmp_path)
    with Transaction(root) as tx:
        tx.write_bytes(root / "schema" / "manifest.json", b"new manifest\n")
        other = subprocess.run(
            [
                sys.executable,
                "-c",
                RECOVER_IN_ANOTHER_PROCESS,
                str(root),
            ],
            capture_output=True,
            text=True,
            check=True,
        )
        assert other.stdout.strip() == "False"
        assert (root / WORK_DIR).exists(), "the staging folder of a live transaction survives"
        tx.commit()
    assert (root / "schema" / "manifest.json").read_text() == "new manifest\n"
    assert (root / "codegen.toml").read_text() == "old config\n"


def test_recovery_never_deletes_a_file_that_existed_before(tmp_path: Path) -> None:
    root = project(tmp_path)
    (root / WORK_DIR).mkdir()
    journal = {
        "entries": [
            # existed before; neither staged nor backup copy left (e.g. removed by hand)
            {
                "target": "codegen.toml",
                "staged": f"{WORK_DIR}/staged-0",
                "backup": f"{WORK_DIR}/backup-0",
                "existed": True,
            },
            # created by the transaction and already moved into place: rolled back
            {
                "target": "schema/new.json",
                "staged": f"{WORK_DIR}/staged-1",
                "backup": f"{WORK_DIR}/backup-1",
                "existed": False,
            },
        ]
    }
    (root / "schema" / "new.json").write_text("{}\n")
    (root / JOURNAL_NAME).write_text(json.dumps(journal))
    assert recover(root) is True
    assert (root / "codegen.toml").read_text() == "old config\n"
    assert not (root / "schema" / "new.json").exists()
    assert not (root / JOURNAL_NAME).exists()


def test_a_block_left_without_commit_changes_nothing(tmp_path: Path) -> None:
    root = project(tmp_path)
    with Transaction(root) as tx:
        tx.write_bytes(root / "codegen.toml", b"never committed\n")
    assert (root / "codegen.toml").read_text() == "old config\n"
    assert not (root / WORK_DIR).exists()
