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

What a journal may name (a journal is a file in the project: one can be planted, or
arrive with a checkout): each target must be one the tools write (:func:`output_target`:
the config file, a schema file or the manifest in the schema folder, a package folder
in the generated folder), reached through no symlink; each staged file and backup
must be in the tool's own staging folder, a real folder. Anything else is a
:class:`TransactionError`, before anything is moved, and the journal is left for the
user to look at. A staging folder that is a symlink is only ever unlinked, never
followed. The same rules hold when staging, so the tool never journals what its own
recovery would refuse.

The lock is a file in the project's git-ignored ``.shopify-codegen/`` folder, neither
it nor its folder followed if a symlink, held with the ``filelock`` package: an OS
lock on POSIX (flock) and Windows (msvcrt), which the OS drops if the holder is
killed; where neither exists, filelock's marker file, which records its holder's
process and is broken once that process is gone. The file is kept (one per project,
not one per run in the shared temp folder). A wait for it is bounded by
``LOCK_TIMEOUT``.
"""

from __future__ import annotations

import errno
import json
import os
import re
import shutil
import stat
import warnings
from pathlib import Path, PurePosixPath
from types import TracebackType
from typing import Any, Self

from .atomic import atomic_write_bytes
from .errors import CodegenError
from .paths import link_on_the_way
from .paths import shown as shown_path

__all__ = [
    "JOURNAL_NAME",
    "LOCK_DIR",
    "LOCK_TIMEOUT",
    "Transaction",
    "TransactionError",
    "output_target",
    "recover",
]

JOURNAL_NAME = ".shopify-codegen-journal.json"
WORK_DIR = ".shopify-codegen-tx"
LOCK_DIR = ".shopify-codegen"  # git-ignored; holds the lock file only
LOCK_NAME = "lock"
#: The longest wait for another shopify-codegen run on the same project, in seconds.
LOCK_TIMEOUT = 600.0
MAX_JOURNAL_BYTES = 1_000_000  # a journal names a handful of paths

# The config files a bump rewrites (pyproject.toml: a [tool.shopify-codegen] table).
CONFIG_FILES = frozenset({"codegen.toml", "pyproject.toml"})
# The file names of a committed schema: schema/<api>/<version>.json and .graphql.
_SCHEMA_FILE = re.compile(r"(?:20\d\d-(?:01|04|07|10)|unstable)\.(?:json|graphql)")
_STAGED = re.compile(rf"{re.escape(WORK_DIR)}/(?:staged|backup)-\d{{1,6}}")
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)  # POSIX; on Windows, checked with lstat first
_BINARY = getattr(os, "O_BINARY", 0)  # Windows


class TransactionError(CodegenError):
    """The journal or the lock is not what this tool writes (a path outside, a symlink),
    or a staged update could not be written (nothing is left half-done)."""


def lock_path(root: Path) -> Path:
    """The project's lock file, inside the project in a git-ignored folder."""
    return root / LOCK_DIR / LOCK_NAME


def _lock_file(root: Path) -> Path:
    """The lock file's path, once neither it nor its folder is a symlink."""
    folder = root / LOCK_DIR
    if folder.is_symlink() or (folder.exists() and not folder.is_dir()):
        raise TransactionError(
            f"{folder}: the lock folder is a symlink or not a folder; refusing to follow it"
        )
    try:
        folder.mkdir(mode=0o755, exist_ok=True)
    except OSError as exc:
        raise TransactionError(f"{folder}: cannot create the lock folder: {exc.strerror}") from None
    path = folder / LOCK_NAME
    if path.is_symlink():
        raise TransactionError(f"{path}: the lock file is a symlink; refusing to follow it")
    return path


class _Lock:
    """The project's lock, held exclusively (see the module's docstring)."""

    def __init__(self, root: Path, *, blocking: bool) -> None:
        with warnings.catch_warnings():
            # Where no OS lock exists, filelock says so once: its marker file is the lock.
            warnings.filterwarnings("ignore", "only soft file lock", UserWarning)
            from filelock import FileLock, Timeout

        path = _lock_file(root)
        self._lock = FileLock(path, thread_local=False)
        try:
            self._lock.acquire(timeout=LOCK_TIMEOUT if blocking else 0, blocking=blocking)
        except Timeout:
            if not blocking:
                raise BlockingIOError(errno.EAGAIN, "held by another process") from None
            raise TransactionError(
                f"{path}: another shopify-codegen run holds this project's lock; waited "
                f"{LOCK_TIMEOUT:g}s for it. Is one stuck? (its lock ends with it)"
            ) from None
        except OSError as exc:
            if exc.errno == errno.ELOOP:
                raise TransactionError(
                    f"{path}: the lock file is a symlink; refusing to follow it"
                ) from None
            raise TransactionError(f"{path}: cannot lock: {exc.strerror or exc}") from None

    def release(self) -> None:
        self._lock.release()


def _remove(path: Path) -> None:
    """Remove a file, a folder, or a symlink (the link itself: never what it points to)."""
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    else:
        path.unlink(missing_ok=True)


def _clear_work(work: Path) -> None:
    """Remove the staging folder; a symlink or file in its place is unlinked, not followed."""
    if work.is_symlink() or (os.path.lexists(work) and not work.is_dir()):
        work.unlink(missing_ok=True)
    elif work.is_dir():
        shutil.rmtree(work, ignore_errors=True)


def _fsync_file(path: Path) -> None:
    # Windows flushes only through a handle that may write.
    flags = (os.O_RDONLY if os.name == "posix" else os.O_RDWR) | _NOFOLLOW | _BINARY
    fd = os.open(path, flags)
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
        return  # Windows cannot open a folder (nor needs to: its renames are durable)
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


#: The project's schema folder and its packages' folders, relative to the project
#: (None: no config could be read; then any identifier folder of ``generated/``).
Outputs = tuple[PurePosixPath, frozenset[PurePosixPath] | None]


def _output_dirs(root: Path) -> Outputs:
    """The project's schema folder and generated package folders, relative to ``root``:
    as the config says, or the defaults when there is none (or it cannot be read: a
    bump killed while codegen.toml was moved aside)."""
    from .config import load_config

    defaults: Outputs = PurePosixPath("schema"), None
    try:
        config = load_config(root)
    except CodegenError:
        return defaults
    if config.root != root.resolve():
        return defaults  # a parent folder's project, not this one
    try:
        packages = frozenset(
            PurePosixPath(config.package_dir(api).relative_to(config.root).as_posix())
            for api in config.apis.values()
        )
        return PurePosixPath(config.schema_dir.relative_to(config.root).as_posix()), packages
    except ValueError:
        return defaults


def output_target(relative: str, dirs: Outputs) -> bool:
    """Whether ``relative`` (to the project) is a path the tools write: the config
    file; the schema folder's manifest or one of its ``<api>/<version>.json|.graphql``;
    one of the configured packages' folders (``generated/shopify_admin``,
    ``myapp/shopify_admin``), or with no readable config an identifier folder of
    ``generated/``. Never a path with a hidden part (``.git/hooks``), whatever the config."""
    from shopify_client.toolkit import API_NAMES

    path = PurePosixPath(relative)
    if path.is_absolute() or not path.parts or ".." in path.parts:
        return False
    if any(part.startswith(".") for part in path.parts):
        return False  # never into a hidden folder (.git, the tool's own), whatever the config
    schema, packages = dirs
    if str(path) in CONFIG_FILES:
        return True
    if path == schema / "manifest.json":
        return True
    if (
        path.parent.parent == schema
        and path.parent.name in API_NAMES
        and _SCHEMA_FILE.fullmatch(path.name)
    ):
        return True
    if packages is None:
        return path.parent == PurePosixPath("generated") and path.name.isidentifier()
    return path in packages


class Transaction:
    """Stage with :meth:`write_bytes` / :meth:`put_dir`, then :meth:`commit`."""

    _lock: _Lock | None

    def __init__(self, root: Path) -> None:
        self.root = root
        self.work = root / WORK_DIR
        self._lock = _Lock(root, blocking=True)  # one transaction at a time per project
        try:
            _recover_locked(root)
            self._dirs = _output_dirs(root)
            try:
                self.work.mkdir()
            except OSError as exc:
                raise TransactionError(
                    f"{self.work}: cannot create the staging folder: {exc.strerror}"
                ) from None
        except BaseException:
            self._lock.release()
            raise
        self._entries: list[tuple[str, str]] = []  # (target, staged), relative to root

    def _stage_path(self) -> Path:
        return self.work / f"staged-{len(self._entries)}"

    def _target(self, target: Path) -> str:
        """``target`` relative to the project, once it is a path the tools write,
        reached through no symlink (recovery holds the journal to the same rules)."""
        try:
            relative = target.relative_to(self.root).as_posix()
        except ValueError:
            raise TransactionError(f"{target}: outside the project {self.root}") from None
        if not output_target(relative, self._dirs):
            raise TransactionError(f"{relative}: not a file or folder shopify-codegen writes")
        link = link_on_the_way(self.root, target.parent)
        if link is not None:
            raise TransactionError(
                f"{shown_path(self.root, link)}: is a symlink (or not a folder): shopify-codegen "
                "writes only into real folders inside the project; not followed (replace it "
                "with a folder)"
            )
        return relative

    def write_bytes(self, target: Path, data: bytes) -> None:
        relative = self._target(target)
        staged = self._stage_path()
        try:
            staged.write_bytes(data)
            os.chmod(staged, 0o644)
            _fsync_file(staged)
        except OSError as exc:
            raise TransactionError(f"{relative}: cannot stage: {exc.strerror}") from None
        self._entries.append((relative, staged.relative_to(self.root).as_posix()))

    def put_dir(self, target: Path, source: Path) -> None:
        relative = self._target(target)
        staged = self._stage_path()
        try:
            shutil.copytree(source, staged)
            _fsync_tree(staged)
        except (OSError, shutil.Error) as exc:
            raise TransactionError(f"{relative}: cannot stage: {exc}") from None
        self._entries.append((relative, staged.relative_to(self.root).as_posix()))

    def commit(self) -> None:
        try:
            self._commit()
        except OSError as exc:
            # Raised inside the `with` block: __exit__ rolls back what was moved.
            raise TransactionError(
                f"{self.root}: the update could not be completed ({exc.strerror or exc}); "
                "rolled back, the project is as it was"
            ) from None

    def _commit(self) -> None:
        entries: list[dict[str, str | bool]] = [
            {
                "target": target,
                "staged": staged,
                "backup": f"{WORK_DIR}/backup-{i}",
                "existed": os.path.lexists(self.root / target),
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
            if os.path.lexists(target):
                os.replace(target, self.root / str(entry["backup"]))
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(self.root / str(entry["staged"]), target)
            touched.update(_new_folders(self.root, target.parent))
        for folder in sorted(touched, key=lambda p: len(p.parts), reverse=True):
            _fsync_dir(folder)  # 3. every rename, deepest folder first
        _fsync_dir(self.root)
        (self.root / JOURNAL_NAME).unlink()  # 4. the commit point
        _fsync_dir(self.root)
        _clear_work(self.work)
        self._release()

    def abort(self) -> None:
        try:
            _recover_locked(self.root)
            _clear_work(self.work)
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


def _refuse(root: Path, field: str, relative: object, why: str) -> TransactionError:
    shown = relative[:120] if isinstance(relative, str) else relative
    return TransactionError(
        f"{root / JOURNAL_NAME}: entry {field!r} names {shown!r}, {why}; refusing to recover "
        "from it (remove the journal once you have checked the files)"
    )


def _journal_path(root: Path, relative: object, field: str, dirs: Outputs) -> Path:
    """``root / relative`` for a journal entry the tool could have written, else a
    TransactionError: a target the tools write, reached through no symlink; a staged
    file or backup in the tool's own staging folder, itself a real folder."""
    if not isinstance(relative, str) or not relative:
        raise TransactionError(f"{root / JOURNAL_NAME}: entry {field!r} is not a path")
    path = PurePosixPath(relative)
    if path.is_absolute() or ".." in path.parts or "\\" in relative:
        raise _refuse(root, field, relative, "outside the project")
    if field == "target":
        if not output_target(relative, dirs):
            raise _refuse(root, field, relative, "not a file or folder shopify-codegen writes")
    elif not _STAGED.fullmatch(relative):
        raise _refuse(root, field, relative, f"not a file of the staging folder {WORK_DIR}")
    full = root / path
    link = link_on_the_way(root, full.parent)
    if link is not None:
        raise _refuse(
            root,
            field,
            relative,
            f"which the symlink (or non-folder) {shown_path(root, link)!r} leads elsewhere",
        )
    return full


def _read_journal(path: Path) -> bytes:
    """The journal's bytes: a regular file, not followed if a symlink, not blocked on
    if a FIFO, and small."""
    if path.is_symlink():
        raise TransactionError(f"{path}: the journal is a symlink; refusing to follow it")
    try:
        fd = os.open(path, os.O_RDONLY | _NOFOLLOW | getattr(os, "O_NONBLOCK", 0) | _BINARY)
    except OSError as exc:
        raise TransactionError(f"{path}: cannot read the journal: {exc.strerror}") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise TransactionError(f"{path}: the journal is not a regular file; not read")
        if info.st_size > MAX_JOURNAL_BYTES:
            raise TransactionError(
                f"{path}: {info.st_size:,} bytes is no journal of shopify-codegen's; not read"
            )
        with os.fdopen(fd, "rb", closefd=False) as handle:
            return handle.read(MAX_JOURNAL_BYTES + 1)
    finally:
        os.close(fd)


def _leftovers(root: Path) -> bool:
    """Whether anything a transaction leaves behind is there (looked at, not followed)."""
    if os.path.lexists(root / JOURNAL_NAME) or os.path.lexists(root / WORK_DIR):
        return True
    return any(root.glob(f".{JOURNAL_NAME}.*.tmp"))


def recover(root: Path) -> bool:
    """Roll back a transaction a killed process left behind; True if there was one.

    Does nothing while another process holds the project's lock: its transaction is
    alive, not abandoned. Nor, when nothing was left behind, does it touch the lock:
    a read-only command in a read-only checkout writes nothing.
    """
    if not root.is_dir() or not _leftovers(root):
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
    if not os.path.lexists(journal_path):
        _clear_work(work)  # committed, or never started renaming
        return False
    try:
        entries: Any = json.loads(_read_journal(journal_path))["entries"]
    except (ValueError, KeyError, TypeError):
        # A journal cut short: written atomically, so this is not ours to undo.
        journal_path.unlink(missing_ok=True)
        _clear_work(work)
        return False
    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        raise TransactionError(f"{journal_path}: 'entries' is not a list of objects")
    if entries and (work.is_symlink() or not work.is_dir()):
        raise TransactionError(
            f"{journal_path}: its staging folder {WORK_DIR} is a symlink or missing: not "
            "a journal this tool left; refusing to recover from it (remove the journal "
            "once you have checked the files)"
        )
    dirs = _output_dirs(root)
    checked = [
        (
            _journal_path(root, entry.get("target"), "target", dirs),
            _journal_path(root, entry.get("backup"), "backup", dirs),
            _journal_path(root, entry.get("staged"), "staged", dirs),
            entry.get("existed", True) is not False,
        )
        for entry in entries
    ]  # every entry checked before anything is moved
    for target, backup, staged, existed in reversed(checked):
        if os.path.lexists(backup):
            if os.path.lexists(target):
                _remove(target)
            os.replace(backup, target)
        elif not existed and not os.path.lexists(staged) and os.path.lexists(target):
            # A file the transaction created and had moved into place. Never the
            # config: the tools rewrite it, never create it, so it is the user's.
            if target.relative_to(root).as_posix() not in CONFIG_FILES:
                _remove(target)
    _fsync_dir(root)
    journal_path.unlink()
    _clear_work(work)
    return True
