"""Recorded hashes that let ``check`` skip work whose inputs it has already checked.

Building the schemas, printing their SDL and regenerating the packages is most of
what ``check`` costs. After a step that passed, ``check`` records a digest of
everything the step read (by content: sha256 of the bytes, never a modification
time) together with the tool versions; the next ``check`` redoes a step only when
its digest differs:

- **generated**, per package: every file of the queries folder, the pinned
  schema's JSON and SDL, the package's settings, and the sha256 of every file it
  produced; the committed package is hashed every time (a hand edit, an added or
  removed file regenerates and is reported);
- **sdl**, per schema file: the JSON's and the SDL's bytes (an edit to either
  prints the SDL again and compares);
- **validation**, per package: every file of the queries folder (names and bytes),
  every schema JSON of ``validate_versions``, the package's table (versions,
  ``required_versions``, ``required_for``, settings), ``--strict``, and the
  findings themselves, warnings included, which are reported again as recorded.

Every digest also covers the versions of Python, ariadne-codegen, graphql-core, ruff
and pydantic, and the source of shopify-codegen itself (its generator, plugin,
validator and base clients). A path reached through a symlink is never hashed: the
step then runs, and reports it.

The record lives in the project's git-ignored ``.shopify-codegen/check-stamps.json``,
sealed with an HMAC under ``.shopify-codegen/check-key``: 32 random bytes, bound to
that file's identity on disk (inode, device, change time). A record that cannot be
read, is cut short, edited or forged, or comes from another checkout (a copy, a
fresh clone in CI, one committed by mistake: its key file is a new file there) is
ignored, never trusted: the check recomputes everything and records afresh.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import json
import os
import platform
import secrets
import stat
from importlib import metadata
from pathlib import Path
from typing import Any

from .atomic import atomic_write_bytes
from .config import ApiConfig, ProjectConfig
from .paths import link_on_the_way

__all__ = [
    "KEY_PATH",
    "SECTIONS",
    "STAMPS_PATH",
    "inputs_digest",
    "load_stamps",
    "save_stamps",
    "sdl_digest",
    "tree_hashes",
    "validation_digest",
]

STAMPS_PATH = Path(".shopify-codegen") / "check-stamps.json"
KEY_PATH = Path(".shopify-codegen") / "check-key"
SECTIONS = ("generated", "sdl", "validation")
_FORMAT = 2
_KEY_BYTES = 32
_TOOLS = ("ariadne-codegen", "graphql-core", "ruff", "pydantic")
_MAX_STAMPS_BYTES = 4 * 1024 * 1024


@functools.cache
def _tooling_digest() -> str:
    digest = hashlib.sha256(f"python=={platform.python_version()}\n".encode())
    for name in _TOOLS:
        try:
            version = metadata.version(name)
        except metadata.PackageNotFoundError:
            version = "-"
        digest.update(f"{name}=={version}\n".encode())
    source = Path(__file__).resolve().parent
    for path in sorted(source.rglob("*.py")):
        digest.update(path.relative_to(source).as_posix().encode() + b"\0")
        digest.update(path.read_bytes())
    return digest.hexdigest()


def _files_under(folder: Path) -> list[Path]:
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.rglob("*") if p.is_file() and "__pycache__" not in p.parts)


def inputs_digest(config: ProjectConfig, api: ApiConfig, settings: dict[str, Any]) -> str:
    """A digest of everything generating ``api``'s package reads."""
    digest = hashlib.sha256(_tooling_digest().encode())
    described = {
        "api": api.name,
        "version": api.pinned_version,
        "package": api.package,
        "queries": config.rel(api.queries),
        "settings": settings,
    }
    digest.update(json.dumps(described, sort_keys=True, default=str).encode())
    for path in _files_under(api.queries):
        digest.update(
            b"\0q"
            + path.relative_to(api.queries).as_posix().encode("utf-8", "surrogateescape")
            + b"\0"
        )
        digest.update(path.read_bytes())
    for path in (
        config.schema_json(api.name, api.pinned_version),
        config.schema_sdl(api.name, api.pinned_version),
    ):
        digest.update(b"\0s" + path.name.encode() + b"\0")
        digest.update(path.read_bytes() if path.is_file() else b"<missing>")
    return digest.hexdigest()


def tree_hashes(folder: Path) -> dict[str, str] | None:
    """sha256 of every file under ``folder`` (None when it is not a plain folder).

    A symlink anywhere in it gives None: the check then regenerates and reports it.
    """
    if folder.is_symlink() or not folder.is_dir():
        return None
    hashes = {}
    for path in sorted(folder.rglob("*")):
        if "__pycache__" in path.parts:
            continue
        if path.is_symlink():
            return None
        if path.is_file():
            hashes[path.relative_to(folder).as_posix()] = hashlib.sha256(
                path.read_bytes()
            ).hexdigest()
    return hashes


def _regular_file_bytes(path: Path) -> bytes | None:
    """The bytes of ``path`` if it is a regular file reached through no symlink in it."""
    try:
        if not stat.S_ISREG(path.lstat().st_mode):
            return None
        return path.read_bytes()
    except OSError:
        return None


def _folder_files(folder: Path) -> list[tuple[str, Path]] | None:
    """(relative name, path) of every regular file under ``folder``, sorted, found
    without following a symlink; None when ``folder`` or anything in it is a symlink
    or a special file (the step then runs, and reports it)."""
    if folder.is_symlink() or not folder.is_dir():
        return None
    out: list[tuple[str, Path]] = []
    pending = [(folder, "")]
    while pending:
        current, prefix = pending.pop()
        try:
            with os.scandir(current) as listing:
                entries = list(listing)
        except OSError:
            return None
        for entry in entries:
            if entry.name == "__pycache__":
                continue
            name = prefix + entry.name
            if entry.is_symlink():
                return None
            if entry.is_dir(follow_symlinks=False):
                pending.append((Path(entry.path), name + "/"))
            elif entry.is_file(follow_symlinks=False):
                out.append((name, Path(entry.path)))
            else:
                return None
    return sorted(out)


def sdl_digest(json_path: Path, sdl_path: Path) -> str | None:
    """A digest of one schema's JSON and SDL bytes and the tools (None: do not skip)."""
    json_bytes, sdl_bytes = _regular_file_bytes(json_path), _regular_file_bytes(sdl_path)
    if json_bytes is None or sdl_bytes is None:
        return None
    digest = hashlib.sha256(b"sdl\0" + _tooling_digest().encode())
    digest.update(hashlib.sha256(json_bytes).digest())
    digest.update(hashlib.sha256(sdl_bytes).digest())
    return digest.hexdigest()


def validation_digest(config: ProjectConfig, api: ApiConfig, *, strict: bool) -> str | None:
    """A digest of everything validating ``api``'s operations reads (None: do not skip)."""
    root = config.root
    if api.queries.parts[: len(root.parts)] == root.parts and link_on_the_way(root, api.queries):
        return None  # reading the folder refuses it: validation reports it
    files = _folder_files(api.queries)
    if files is None:
        return None
    digest = hashlib.sha256(b"validation\0" + _tooling_digest().encode())
    described = {
        "key": api.key,
        "api": api.name,
        "pinned": api.pinned_version,
        "versions": api.validate_versions,
        "required": api.required_versions,
        "required_for": api.required_for,
        "queries": config.rel(api.queries),
        "root": str(config.root),
        "settings": {**config.ariadne, **api.ariadne},
        "strict": strict,
    }
    digest.update(json.dumps(described, sort_keys=True, default=str).encode())
    for name, path in files:
        data = _regular_file_bytes(path)
        if data is None:
            return None
        shown = f"{config.rel(path)}\0{name}".encode("utf-8", "surrogateescape")
        digest.update(b"\0q" + shown + b"\0")
        digest.update(hashlib.sha256(data).digest())
    for version in api.validate_versions:
        path = config.schema_json(api.name, version)
        data = None if link_on_the_way(root, path) else _regular_file_bytes(path)
        if data is None:
            return None  # missing or a symlink: validation reports it
        digest.update(b"\0s" + version.encode() + b"\0" + hashlib.sha256(data).digest())
    return digest.hexdigest()


def _empty() -> dict[str, dict[str, Any]]:
    return {section: {} for section in SECTIONS}


def _seal_key(config: ProjectConfig, *, create: bool) -> bytes | None:
    """The HMAC key: the key file's random bytes bound to that very file on disk.

    A copy of the file (a clone, a committed one, a backup) is a new file, with
    another inode or change time: records sealed elsewhere do not verify here.
    """
    path = config.root / KEY_PATH
    for _ in range(3):
        try:
            info = path.lstat()
        except FileNotFoundError:
            if not create:
                return None
            try:
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            except FileExistsError:
                continue  # another check made it first: use theirs
            with os.fdopen(fd, "wb") as handle:
                handle.write(secrets.token_bytes(_KEY_BYTES))
            continue
        data = b""
        if stat.S_ISREG(info.st_mode) and info.st_size == _KEY_BYTES:
            with path.open("rb") as handle:
                data = handle.read(_KEY_BYTES + 1)
        if len(data) != _KEY_BYTES:
            if not create or stat.S_ISDIR(info.st_mode):
                return None
            path.unlink()  # not a key (a symlink is removed, never followed): a new one
            continue
        identity = f"{info.st_dev}:{info.st_ino}:{info.st_ctime_ns}".encode()
        return hmac.new(data, identity, hashlib.sha256).digest()
    return None


def _seal(key: bytes, body: bytes) -> str:
    return hmac.new(key, body, hashlib.sha256).hexdigest()


def load_stamps(config: ProjectConfig) -> dict[str, dict[str, Any]]:
    """The recorded sections (each a dict); all empty unless the record verifies."""
    path = config.root / STAMPS_PATH
    try:
        if path.parent.is_symlink():
            return _empty()
        info = path.lstat()
        if not stat.S_ISREG(info.st_mode) or info.st_size > _MAX_STAMPS_BYTES:
            return _empty()
        key = _seal_key(config, create=False)
        if key is None:
            return _empty()
        record = json.loads(path.read_bytes())
        if not isinstance(record, dict) or record.get("format") != _FORMAT:
            return _empty()
        body, seal = record.get("body"), record.get("hmac")
        if not isinstance(body, str) or not isinstance(seal, str):
            return _empty()
        if not hmac.compare_digest(_seal(key, body.encode()), seal):
            return _empty()
        data = json.loads(body)
    except (OSError, ValueError, RecursionError):
        return _empty()
    if not isinstance(data, dict):
        return _empty()
    return {s: v if isinstance(v := data.get(s), dict) else {} for s in SECTIONS}


def save_stamps(config: ProjectConfig, stamps: dict[str, dict[str, Any]]) -> None:
    """Best effort: a record that cannot be written only makes the next check slower."""
    path = config.root / STAMPS_PATH
    try:
        if path.parent.is_symlink():
            return
        path.parent.mkdir(exist_ok=True)
        key = _seal_key(config, create=True)
        if key is None:
            return
        body = json.dumps({s: stamps.get(s, {}) for s in SECTIONS}, sort_keys=True)
        record = {"format": _FORMAT, "hmac": _seal(key, body.encode()), "body": body}
        atomic_write_bytes(path, json.dumps(record, indent=1).encode())
    except OSError:
        return
