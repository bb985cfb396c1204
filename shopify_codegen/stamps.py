"""Recorded hashes that let ``check`` skip regenerating a package nothing changed.

Regenerating is most of what ``check`` costs (ariadne-codegen, twice a package).
After a regeneration that matched, ``check`` records, per package, a digest of
everything generation reads and the sha256 of every file it produced. The next
``check`` regenerates only when either differs:

- the inputs: every file of the queries folder, the pinned schema's JSON and SDL,
  the package's settings, the versions of ariadne-codegen, graphql-core, ruff and
  pydantic, and the source of shopify-codegen itself (its generator, plugin and
  base clients);
- the committed package: a file added, removed or changed by hand (its bytes are
  hashed every time; only generation is skipped).

The record lives in the project's git-ignored ``.shopify-codegen/check-stamps.json``:
a fresh clone (CI) has none and regenerates everything. A record that cannot be
read is ignored, never trusted.
"""

from __future__ import annotations

import functools
import hashlib
import json
from importlib import metadata
from pathlib import Path
from typing import Any

from .atomic import atomic_write_bytes
from .config import ApiConfig, ProjectConfig

__all__ = ["STAMPS_PATH", "inputs_digest", "load_stamps", "save_stamps", "tree_hashes"]

STAMPS_PATH = Path(".shopify-codegen") / "check-stamps.json"
_TOOLS = ("ariadne-codegen", "graphql-core", "ruff", "pydantic")
_MAX_STAMPS_BYTES = 4 * 1024 * 1024


@functools.cache
def _tooling_digest() -> str:
    digest = hashlib.sha256()
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
        digest.update(b"\0q" + path.relative_to(api.queries).as_posix().encode() + b"\0")
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


def load_stamps(config: ProjectConfig) -> dict[str, Any]:
    path = config.root / STAMPS_PATH
    try:
        if path.is_symlink() or path.stat().st_size > _MAX_STAMPS_BYTES:
            return {}
        data = json.loads(path.read_bytes())
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def save_stamps(config: ProjectConfig, stamps: dict[str, Any]) -> None:
    """Best effort: a record that cannot be written only makes the next check slower."""
    path = config.root / STAMPS_PATH
    try:
        if path.parent.is_symlink():
            return
        path.parent.mkdir(exist_ok=True)
        atomic_write_bytes(path, json.dumps(stamps, indent=1, sort_keys=True).encode())
    except OSError:
        return
