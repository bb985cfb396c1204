"""Multi-file updates that a crash (even SIGKILL) cannot leave half-done.

A :class:`Transaction` stages every new file and folder beside the project, then
writes a journal naming each target, its staged replacement and where the old
version goes, and only then renames things into place. Removing the journal is
the commit point. :func:`recover` (run at the start of every ``shopify-codegen``
command) finds a journal left by a killed process and rolls the project back to
the state before the transaction; leftovers of a committed one are cleared.

Durability (a power cut, not just a kill): every staged file and folder is fsynced
before the journal is written; the journal (file and folder) is fsynced before the
first rename; every folder a rename touched is fsynced before the journal is
removed, and the project folder again after. So the journal never names a staged
file whose bytes may still be missing, and the commit point is never on disk before
the renames it commits.

The lock is a file in the project's git-ignored ``.shopify-codegen/`` folder, opened
without following symlinks; it is kept (removing a flock'ed file races with the next
process to open it), but it is one file per project, not one per run in the shared
temp folder.
"""

from __future__ import annotations

import errno
import fcntl
import json
import os
import shutil
from pathlib import Path
from types import TracebackType
from typing import Self

from .atomic import atomic_write_bytes
from .errors import CodegenError

__all__ = ["JOURNAL_NAME", "LOCK_DIR", "Transaction", "TransactionError", "recover"]

JOURNAL_NAME = ".shopify-codegen-journal.json"
WORK_DIR = ".shopify-codegen-tx"
LOCK_DIR = ".shopify-codegen"  # git-ignored; holds the lock file only
LOCK_NAME = "lock"


class TransactionError(CodegenError):
    """The journal or the lock is not what this tool writes (a path outside, a symlink)."""


def lock_path(root: Path) -> Path:
    """The project's lock file, inside the project in a git-ignored folder."""
    return root / LOCK_DIR / LOCK_NAME


def _open_lock_file(root: Path) -> int:
    folder = root / LOCK_DIR
    try:
        folder.mkdir(mode=0o755, exist_ok=True)
        dir_fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
    except OSError as exc:
        if exc.errno in (errno.ELOOP, errno.ENOTDIR, errno.EEXIST):
            raise TransactionError(
                f"{folder}: the lock folder is a symlink or not a folder; refusing to follow it"
            ) from None
        raise TransactionError(f"{folder}: cannot open the lock folder: {exc.strerror}") from None
    try:
        return os.open(
            LOCK_NAME, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o644, dir_fd=dir_fd
        )
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise TransactionError(
                f"{folder / LOCK_NAME}: the lock file is a symlink; refusing to follow it"
            ) from None
        raise TransactionError(f"{folder / LOCK_NAME}: cannot open: {exc.strerror}") from None
    finally:
        os.close(dir_fd)


class _Lock:
    """An exclusive flock on the project's lock file; the OS drops it if we are killed."""

    def __init__(self, root: Path, *, blocking: bool) -> None:
        self.fd = _open_lock_file(root)
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


def _fsync_file(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_tree(path: Path) -> None:
    """fsync every file, then every folder bottom-up, of a staged tree (or one file)."""
    if not path.is_dir():
        _fsync_file(path)
        return
    for folder, _dirs, files in os.walk(path, topdown=False):
        for name in files:
            if not os.path.islink(os.path.join(folder, name)):
                _fsync_file(Path(folder, name))
        _fsync_dir(Path(folder))


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
        _fsync_file(staged)
        self._entries.append((self._rel(target), self._rel(staged)))

    def put_dir(self, target: Path, source: Path) -> None:
        staged = self._stage_path()
        shutil.copytree(source, staged)
        _fsync_tree(staged)
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
        _fsync_dir(self.work)  # 1. the staged files (each fsynced when staged) and their names
        atomic_write_bytes(self.root / JOURNAL_NAME, json.dumps(journal, indent=2).encode())
        _fsync_dir(self.root)  # 2. the journal's name, before any rename it covers
        touched = {self.work}
        for entry in entries:
            target = self.root / str(entry["target"])
            if target.exists():
                os.replace(target, self.root / str(entry["backup"]))
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(self.root / str(entry["staged"]), target)
            touched.update(_new_folders(self.root, target.parent))
        for folder in sorted(touched, key=lambda p: len(p.parts), reverse=True):
            _fsync_dir(folder)  # 3. every rename, deepest folder first
        _fsync_dir(self.root)
        (self.root / JOURNAL_NAME).unlink()  # 4. the commit point
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


def _new_folders(root: Path, folder: Path) -> list[Path]:
    """``folder`` and its parents up to ``root``: each may hold a new name."""
    result = []
    while folder != root and folder.is_relative_to(root):
        result.append(folder)
        folder = folder.parent
    return result


def _inside(root: Path, relative: object, field: str) -> Path:
    """``root / relative``, refused unless it is a plain relative path that stays in ``root``."""
    if not isinstance(relative, str) or not relative:
        raise TransactionError(f"{root / JOURNAL_NAME}: entry {field!r} is not a path")
    path = Path(relative)
    if path.is_absolute() or ".." in path.parts:
        raise TransactionError(
            f"{root / JOURNAL_NAME}: entry {field!r} names {relative!r}, outside the project;"
            " refusing to recover from it (remove the journal once you have checked the files)"
        )
    if not (root / path).parent.resolve().is_relative_to(root.resolve()):
        raise TransactionError(
            f"{root / JOURNAL_NAME}: entry {field!r} names {relative!r}, which a symlink"
            " leads outside the project; refusing to recover from it"
        )
    return root / path


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
    except (ValueError, KeyError, TypeError, OSError):
        # A journal cut short: written atomically, so this is not ours to undo.
        journal_path.unlink(missing_ok=True)
        shutil.rmtree(work, ignore_errors=True)
        return False
    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        raise TransactionError(f"{journal_path}: 'entries' is not a list of objects")
    checked = [
        (
            _inside(root, entry.get("target"), "target"),
            _inside(root, entry.get("backup"), "backup"),
            _inside(root, entry.get("staged"), "staged"),
            entry.get("existed", True),
        )
        for entry in entries
    ]  # every entry checked before anything is moved
    for target, backup, staged, existed in reversed(checked):
        if backup.exists():
            if target.exists():
                _remove(target)
            os.replace(backup, target)
        elif not existed and not staged.exists() and target.exists():
            _remove(target)  # a file the transaction created and had moved into place
    _fsync_dir(root)
    journal_path.unlink()
    shutil.rmtree(work, ignore_errors=True)
    return True
