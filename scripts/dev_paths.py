"""Put this checkout's packages on the path of its own .venv, for static tools too.

``make install`` runs it after the editable install. That install maps the tool's
packages (``shopify_client``, ``shopify_codegen``) through an import hook that only the
interpreter runs; mypy and pyright read plain path entries. So a ``.pth`` file in the
venv's site-packages names two folders:

* a folder of links (symlinks, or directory junctions on Windows where symlinks need
  a privilege) to the tool's packages and nothing else: the checkout itself is never
  on the path, so ``import tests`` (or ``bench``, ``examples``) from elsewhere finds
  nothing of this repository's;
* ``generated/``: this repository's own generated clients, its worked example, which
  the distribution does not ship.

Usage: ``python scripts/dev_paths.py PTH_NAME LINKS_DIR GENERATED_DIR PACKAGE...``,
run from the checkout (relative paths are taken from there).
"""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
from pathlib import Path


def _remove_link(link: Path) -> None:
    if link.is_symlink():
        link.unlink()
    elif link.exists():  # a junction: rmdir removes it, never what it points to
        os.rmdir(link)


def _link(link: Path, target: Path) -> None:
    _remove_link(link)
    try:
        link.symlink_to(target, target_is_directory=True)
    except OSError:
        if sys.platform != "win32":
            raise
        # Windows without Developer Mode: a junction needs no privilege.
        subprocess.run(
            ["cmd", "/c", "mklink", "/J", str(link), str(target)],
            check=True,
            capture_output=True,
        )


def write_paths(
    pth_name: str,
    links_dir: Path,
    generated: Path,
    packages: list[str],
    *,
    site_dir: Path | None = None,
) -> Path:
    """Link ``packages`` (folders of the current directory) into ``links_dir`` and write
    the path file ``pth_name`` into ``site_dir`` (default: this venv's site-packages)."""
    links_dir = links_dir.resolve()
    links_dir.mkdir(parents=True, exist_ok=True)
    for stale in links_dir.iterdir():
        if stale.name not in packages:
            _remove_link(stale)
    for name in packages:
        target = Path(name).resolve()
        if not (target / "__init__.py").is_file():
            raise SystemExit(f"dev_paths: {target} is not a package")
        _link(links_dir / name, target)
    pth = (site_dir or Path(sysconfig.get_path("purelib"))) / pth_name
    pth.write_text(f"{links_dir}\n{generated.resolve()}\n", encoding="utf-8")
    return pth


def main(argv: list[str]) -> int:
    if len(argv) < 4:
        print(__doc__, file=sys.stderr)
        return 2
    pth_name, links_dir, generated, *packages = argv
    print(f"dev_paths: wrote {write_paths(pth_name, Path(links_dir), Path(generated), packages)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
