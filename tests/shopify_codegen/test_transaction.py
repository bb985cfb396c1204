"""The journaled transaction: concurrency with recovery, and what recovery may delete."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from shopify_codegen.errors import CodegenError
from shopify_codegen.transaction import (
    JOURNAL_NAME,
    LOCK_DIR,
    WORK_DIR,
    Transaction,
    TransactionError,
    recover,
)
from tests.conftest import ROOT

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
        tx.write_bytes(root / "schema" / "admin" / "2025-01.json", b"{}\n")
        tx.commit()
    assert (root / "codegen.toml").read_text() == "new config\n"
    assert (root / "schema" / "admin" / "2025-01.json").read_text() == "{}\n"
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
                "target": "schema/admin/2025-01.json",
                "staged": f"{WORK_DIR}/staged-1",
                "backup": f"{WORK_DIR}/backup-1",
                "existed": False,
            },
        ]
    }
    (root / "schema" / "admin").mkdir()
    (root / "schema" / "admin" / "2025-01.json").write_text("{}\n")
    (root / JOURNAL_NAME).write_text(json.dumps(journal))
    assert recover(root) is True
    assert (root / "codegen.toml").read_text() == "old config\n"
    assert not (root / "schema" / "admin" / "2025-01.json").exists()
    assert not (root / JOURNAL_NAME).exists()


def test_a_block_left_without_commit_changes_nothing(tmp_path: Path) -> None:
    root = project(tmp_path)
    with Transaction(root) as tx:
        tx.write_bytes(root / "codegen.toml", b"never committed\n")
    assert (root / "codegen.toml").read_text() == "old config\n"
    assert not (root / WORK_DIR).exists()


def fd_path(fd: int) -> str:
    return os.readlink(f"/proc/self/fd/{fd}")


def test_commit_fsyncs_staged_files_journal_and_folders_in_journal_order(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A power cut must never find a journal naming unsynced files, nor a commit
    point (the journal's removal) on disk before the renames it commits."""
    root = project(tmp_path)
    source = tmp_path / "package"
    (source / "sub").mkdir(parents=True)
    (source / "sub" / "module.py").write_text("x = 1\n")
    events: list[tuple[str, str]] = []
    real_fsync, real_replace, real_unlink = os.fsync, os.replace, Path.unlink

    def fsync(fd: int) -> None:
        events.append(("fsync", fd_path(fd)))
        real_fsync(fd)

    def replace(src: str | Path, dst: str | Path) -> None:
        events.append(("rename", str(dst)))
        real_replace(src, dst)

    def unlink(self: Path, missing_ok: bool = False) -> None:
        events.append(("unlink", str(self)))
        real_unlink(self, missing_ok=missing_ok)

    monkeypatch.setattr(os, "fsync", fsync)
    monkeypatch.setattr(os, "replace", replace)
    monkeypatch.setattr(Path, "unlink", unlink)
    with Transaction(root) as tx:
        tx.write_bytes(root / "schema" / "manifest.json", b"new manifest\n")
        tx.put_dir(root / "generated" / "pkg", source)
        tx.commit()
    journal = str(root / JOURNAL_NAME)
    journal_written = events.index(("rename", journal))
    first_target = events.index(("rename", str(root / "schema" / "manifest.json")))
    commit_point = events.index(("unlink", journal))
    synced_before_journal = {path for kind, path in events[:journal_written] if kind == "fsync"}
    work = str(root / WORK_DIR)
    assert {
        f"{work}/staged-0",
        f"{work}/staged-1/sub/module.py",
        f"{work}/staged-1/sub",
        f"{work}/staged-1",
        work,
    } <= synced_before_journal
    assert ("fsync", str(root)) in events[journal_written:first_target]
    synced_before_commit = {
        path for kind, path in events[first_target:commit_point] if kind == "fsync"
    }
    assert {
        str(root / "schema"),
        str(root / "generated"),
        str(root),
    } <= synced_before_commit
    assert ("fsync", str(root)) in events[commit_point:]
    assert (root / "generated" / "pkg" / "sub" / "module.py").read_text() == "x = 1\n"


@pytest.mark.parametrize("field", ["target", "backup", "staged"])
@pytest.mark.parametrize("escape", ["../../x", "/etc/x", "schema/../../x"])
def test_a_journal_naming_a_path_outside_the_project_is_refused(
    tmp_path: Path, field: str, escape: str
) -> None:
    root = project(tmp_path)
    outside = tmp_path / "x"
    outside.write_text("not the project's\n")
    entry = {
        "target": "codegen.toml",
        "staged": f"{WORK_DIR}/staged-0",
        "backup": f"{WORK_DIR}/backup-0",
        "existed": False,
    }
    entry[field] = escape
    (root / WORK_DIR).mkdir()
    (root / JOURNAL_NAME).write_text(json.dumps({"entries": [entry]}))
    with pytest.raises(TransactionError, match="outside the project") as info:
        recover(root)
    assert isinstance(info.value, CodegenError)
    assert repr(field) in str(info.value)
    assert outside.read_text() == "not the project's\n"
    assert (root / "codegen.toml").read_text() == "old config\n"
    assert (root / JOURNAL_NAME).exists(), "left for the user to look at"


def test_a_journal_path_that_a_symlink_leads_outside_is_refused(tmp_path: Path) -> None:
    root = project(tmp_path)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "x").write_text("keep\n")
    (root / "generated").symlink_to(elsewhere)
    (root / WORK_DIR).mkdir()
    entry = {
        "target": "generated/x",
        "staged": f"{WORK_DIR}/staged-0",
        "backup": f"{WORK_DIR}/backup-0",
    }
    (root / JOURNAL_NAME).write_text(json.dumps({"entries": [{**entry, "existed": False}]}))
    with pytest.raises(TransactionError, match="symlink"):
        recover(root)
    assert (elsewhere / "x").read_text() == "keep\n"


def test_repeated_runs_leave_no_lock_in_the_temp_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    temp = tmp_path / "tmp"
    temp.mkdir()
    monkeypatch.setenv("TMPDIR", str(temp))
    monkeypatch.setattr(tempfile, "tempdir", str(temp))
    root = project(tmp_path)
    for i in range(3):
        with Transaction(root) as tx:
            tx.write_bytes(root / "codegen.toml", f"config {i}\n".encode())
            tx.commit()
        recover(root)
    assert list(temp.iterdir()) == []
    # At most one lock file, in the project's git-ignored tooling folder (an OS lock
    # keeps it; filelock's marker, where no OS lock exists, goes with its release).
    assert {p.relative_to(root).as_posix() for p in (root / LOCK_DIR).iterdir()} <= {
        f"{LOCK_DIR}/lock"
    }
    assert f"{LOCK_DIR}/" in (ROOT / ".gitignore").read_text().splitlines()


@pytest.mark.parametrize("what", ["file", "folder"])
def test_the_lock_is_never_opened_through_a_symlink(tmp_path: Path, what: str) -> None:
    root = project(tmp_path)
    victim = tmp_path / "victim"
    if what == "file":
        victim.write_text("precious\n")
        (root / LOCK_DIR).mkdir()
        (root / LOCK_DIR / "lock").symlink_to(victim)
    else:
        victim.mkdir()
        (root / LOCK_DIR).symlink_to(victim)
    with pytest.raises(TransactionError, match="symlink"):
        Transaction(root)
    assert recover(root) is False, "nothing left behind: the lock is not even looked at"
    (root / WORK_DIR).mkdir()  # a leftover: recovery needs the lock
    with pytest.raises(TransactionError, match="symlink"):
        recover(root)
    if what == "file":
        assert victim.read_text() == "precious\n"
    else:
        assert list(victim.iterdir()) == []
    assert (root / "codegen.toml").read_text() == "old config\n"
