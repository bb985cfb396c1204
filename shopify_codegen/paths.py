"""Paths inside the project, looked at without following symlinks.

The tools write regular files and folders only. A symlink where they read or write
(``generated/`` pointing elsewhere, ``queries/admin`` linked to another checkout, a
schema file leading to ``/proc/self/environ``) is never followed: whoever planted
it chose where it leads, and the tools would read, print or replace what is there.
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["link_on_the_way", "shown"]


def link_on_the_way(root: Path, path: Path) -> Path | None:
    """The first of ``path`` and its folders below ``root`` that is a symlink, or a
    folder of it that is not a folder; ``path`` itself if it is not under ``root``
    as written (``..`` included). Looked at with lstat only: nothing is followed."""
    parts = path.parts[len(root.parts) :] if path.parts[: len(root.parts)] == root.parts else None
    if parts is None or ".." in parts:
        return path
    here = root
    for i, part in enumerate(parts):
        here = here / part
        if here.is_symlink():
            return here
        if i < len(parts) - 1 and here.exists() and not here.is_dir():
            return here
    return None


def shown(root: Path, path: Path) -> str:
    """``path`` relative to ``root`` as written (not resolved: a symlink's target is
    never named), else as given."""
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return str(path)
