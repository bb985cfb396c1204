"""Multi-file updates that a crash (even SIGKILL) cannot leave half-done.

A :class:`Transaction` stages every new file and folder beside the project, then
writes a journal naming each target, its staged replacement and where the old
version goes, and only then renames things into place. Removing the journal is
the commit point. :func:`recover` (run at the start of every ``shopify-codegen``
command) finds a journal left by a killed process and rolls the project back to
the state before the transaction; leftovers of a committed one are cleared.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
import tempfile
from pathlib import Path
from types import TracebackType
from typing import Self

from .atomic import atomic_write_bytes

__all__ = ["JOURNAL_NAME", "Transaction", "recover"]

JOURNAL_NAME = ".shopify-codegen-journal.json"
WORK_DIR = ".shopify-codegen-tx"


def lock_path(root: Path) -> Path:
    """The project's lock file: in the temp folder, so the project tree stays as it is."""
    digest = hashlib.sha256(str(root.resolve()).encode()).hexdigest()[:16]
    return Path(tempfile.gettempdir()) / f"shopify-codegen-{digest}.lock"


class _Lock:
    """An exclusive flock on the project's lock file; the OS drops it if we are killed."""

    def __init__(self, root: Path, *, blocking: bool) -> None:
        self.fd = os.open(lock_path(root), os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(self.fd, fcntl.LOCK_EX | (0 if blocking else fcntl.LOCK_NB))
        except BlockingIOError:
            os.close(self.fd)
            raise

    def release(self) -> None:
        fcntl.flock(self.fd, fcntl.LOCK_UN)
        os.close(self.fd)


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

    _lock: _Lock | None

    def __init__(self, root: Path) -> None:
        self.root = root
        self.work = root / WORK_DIR
        self._lock = _Lock(root, blocking=True)  # one transaction at a time per project
        try:
            _recover_locked(root)
            self.work.mkdir()
        except BaseException:
            self._lock.release()
            raise
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
        entries: list[dict[str, str | bool]] = [
            {
                "target": target,
                "staged": staged,
                "backup": f"{WORK_DIR}/backup-{i}",
                "existed": (self.root / target).exists(),
            }
            for i, (target, staged) in enumerate(self._entries)
        ]
        journal = {"entries": entries}
        atomic_write_bytes(self.root / JOURNAL_NAME, json.dumps(journal, indent=2).encode())
        _fsync_dir(self.root)
        for entry in entries:
            target = self.root / str(entry["target"])
            if target.exists():
                os.replace(target, self.root / str(entry["backup"]))
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(self.root / str(entry["staged"]), target)
        _fsync_dir(self.root)
        (self.root / JOURNAL_NAME).unlink()  # the commit point
        _fsync_dir(self.root)
        shutil.rmtree(self.work, ignore_errors=True)
        self._release()

    def abort(self) -> None:
        try:
            _recover_locked(self.root)
            shutil.rmtree(self.work, ignore_errors=True)
        finally:
            self._release()

    def _release(self) -> None:
        if self._lock is not None:
            self._lock.release()
            self._lock = None

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if exc_type is not None or self._lock is not None:
            self.abort()  # an exception, or a block left without commit()


def recover(root: Path) -> bool:
    """Roll back a transaction a killed process left behind; True if there was one.

    Does nothing while another process holds the project's lock: its transaction is
    alive, not abandoned.
    """
    if not root.is_dir():
        return False
    try:
        lock = _Lock(root, blocking=False)
    except BlockingIOError:
        return False
    try:
        return _recover_locked(root)
    finally:
        lock.release()


def _recover_locked(root: Path) -> bool:
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
        elif not entry.get("existed", True) and not staged.exists() and target.exists():
            _remove(target)  # a file the transaction created and had moved into place
    _fsync_dir(root)
    journal_path.unlink()
    shutil.rmtree(work, ignore_errors=True)
    return True
