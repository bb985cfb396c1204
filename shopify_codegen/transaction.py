"""Multi-file updates that a crash (even SIGKILL) cannot leave half-done.

A :class:`Transaction` stages every new file and folder beside the project, then
writes a journal naming each target, its staged replacement and where the old
version goes, and only then renames things into place. Removing the journal is
the commit point. :func:`recover` (run at the start of every ``shopify-codegen``
command) finds a journal left by a killed process and rolls the project back to
the state before the transaction; leftovers of a committed one are cleared.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from types import TracebackType
from typing import Self

from .atomic import atomic_write_bytes

__all__ = ["JOURNAL_NAME", "Transaction", "recover"]

JOURNAL_NAME = ".shopify-codegen-journal.json"
WORK_DIR = ".shopify-codegen-tx"


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    else:
        path.unlink(missing_ok=True)


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


class Transaction:
    """Stage with :meth:`write_bytes` / :meth:`put_dir`, then :meth:`commit`."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.work = root / WORK_DIR
        recover(root)
        self.work.mkdir()
        self._entries: list[tuple[str, str]] = []  # (target, staged), relative to root

    def _stage_path(self) -> Path:
        return self.work / f"staged-{len(self._entries)}"

    def write_bytes(self, target: Path, data: bytes) -> None:
        staged = self._stage_path()
        staged.write_bytes(data)
        os.chmod(staged, 0o644)
        self._entries.append((self._rel(target), self._rel(staged)))

    def put_dir(self, target: Path, source: Path) -> None:
        staged = self._stage_path()
        shutil.copytree(source, staged)
        self._entries.append((self._rel(target), self._rel(staged)))

    def _rel(self, path: Path) -> str:
        return path.resolve().relative_to(self.root.resolve()).as_posix()

    def commit(self) -> None:
        journal = {
            "entries": [
                {"target": target, "staged": staged, "backup": f"{WORK_DIR}/backup-{i}"}
                for i, (target, staged) in enumerate(self._entries)
            ]
        }
        atomic_write_bytes(self.root / JOURNAL_NAME, json.dumps(journal, indent=2).encode())
        _fsync_dir(self.root)
        for entry in journal["entries"]:
            target = self.root / entry["target"]
            if target.exists():
                os.replace(target, self.root / entry["backup"])
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(self.root / entry["staged"], target)
        _fsync_dir(self.root)
        (self.root / JOURNAL_NAME).unlink()  # the commit point
        _fsync_dir(self.root)
        shutil.rmtree(self.work, ignore_errors=True)

    def abort(self) -> None:
        if (self.root / JOURNAL_NAME).exists():
            recover(self.root)
        shutil.rmtree(self.work, ignore_errors=True)

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if exc_type is not None:
            self.abort()


def recover(root: Path) -> bool:
    """Roll back a transaction a killed process left behind; True if there was one."""
    journal_path = root / JOURNAL_NAME
    work = root / WORK_DIR
    for partial in root.glob(f".{JOURNAL_NAME}.*.tmp"):
        partial.unlink(missing_ok=True)  # a journal whose write was cut short
    if not journal_path.exists():
        if work.exists():
            shutil.rmtree(work, ignore_errors=True)  # committed, or never started renaming
        return False
    try:
        entries = json.loads(journal_path.read_text())["entries"]
    except (ValueError, KeyError, OSError):
        # A journal cut short: written atomically, so this is not ours to undo.
        journal_path.unlink(missing_ok=True)
        shutil.rmtree(work, ignore_errors=True)
        return False
    for entry in reversed(entries):
        target = root / entry["target"]
        backup = root / entry["backup"]
        staged = root / entry["staged"]
        if backup.exists():
            if target.exists():
                _remove(target)
            os.replace(backup, target)
        elif not staged.exists() and target.exists():
            _remove(target)  # a new file that had been moved into place
    _fsync_dir(root)
    journal_path.unlink()
    shutil.rmtree(work, ignore_errors=True)
    return True
