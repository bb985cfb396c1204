"""What a user installs: the wheel and the sdist, built here without network.

The distribution is the runtime (``shopify_client``, with its fake shop
``shopify_client.testing``) and the tooling (``shopify_codegen``; its dependencies are
the ``codegen`` extra), every package typed (``py.typed``). This repository's own
generated clients (``generated/``) are its worked example and stay out: a user's own
``shopify_admin`` would otherwise overwrite them, and uninstalling one would break the
other. The repository's dev install (``make install``) makes them importable through a
path file instead, one that puts nothing else of the checkout on the path.

The build runs like ``python -m build``: the sdist from a copy of the checkout, then the
wheel from the unpacked sdist (so a file the sdist forgets fails here), with the venv's
setuptools (``--no-isolation``: nothing is downloaded).
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
import sysconfig
import tarfile
import tomllib
import zipfile
from dataclasses import dataclass
from email.message import Message
from email.parser import HeaderParser
from pathlib import Path, PurePosixPath
from types import ModuleType

import pytest

from tests.conftest import ROOT

NAME = "shopify_graphql_typed"
TOOL_PACKAGES = ("shopify_client", "shopify_codegen")
EXAMPLE_PACKAGES = ("shopify_admin", "shopify_storefront")
PTH = "shopify_graphql_typed_paths.pth"
# What never belongs in the distribution: the checkout's own folders.
NOT_SHIPPED = ("tests", "generated", "schema", "queries", "bench", "examples", "scripts")

SKIP_WHEN_COPYING = shutil.ignore_patterns(
    ".git",
    ".venv",
    "__pycache__",
    "*.egg-info",
    "build",
    "dist",
    ".mypy_cache",
    ".ruff_cache",
    ".pytest_cache",
    ".hypothesis",
    ".shopify-codegen*",
)


@dataclass(frozen=True)
class Dists:
    source: Path
    wheel: Path
    sdist: Path

    def wheel_names(self) -> set[str]:
        with zipfile.ZipFile(self.wheel) as archive:
            return set(archive.namelist())

    def sdist_names(self) -> set[str]:
        """The sdist's files, relative to its top folder (``name-version/``)."""
        with tarfile.open(self.sdist) as archive:
            members = [m for m in archive.getmembers() if m.isfile()]
        return {str(PurePosixPath(*PurePosixPath(m.name).parts[1:])) for m in members}

    def wheel_text(self, name: str) -> str:
        with zipfile.ZipFile(self.wheel) as archive:
            return archive.read(name).decode()


def package_sources(root: Path) -> set[str]:
    """Every file of the tool's packages under ``root``, as archive paths."""
    return {
        path.relative_to(root).as_posix()
        for package in TOOL_PACKAGES
        for path in (root / package).rglob("*")
        if path.is_file() and "__pycache__" not in path.parts
    }


@pytest.fixture(scope="module")
def dists(tmp_path_factory: pytest.TempPathFactory) -> Dists:
    base = tmp_path_factory.mktemp("packaging")
    source, out = base / "checkout", base / "dist"
    shutil.copytree(ROOT, source, ignore=SKIP_WHEN_COPYING, symlinks=True)
    done = subprocess.run(
        [sys.executable, "-m", "build", "--no-isolation", "--outdir", str(out), str(source)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    (wheel,) = out.glob("*.whl")
    (sdist,) = out.glob("*.tar.gz")
    return Dists(source=source, wheel=wheel, sdist=sdist)


def metadata(dists: Dists) -> Message:
    (name,) = [n for n in dists.wheel_names() if n.endswith(".dist-info/METADATA")]
    return HeaderParser().parsestr(dists.wheel_text(name))


@pytest.mark.slow
def test_the_wheel_ships_every_module_of_the_runtime_and_the_tooling(dists: Dists) -> None:
    names = dists.wheel_names()
    assert package_sources(dists.source) <= names
    # the fake shop (left out while packages were listed by hand) and the copied bases
    assert "shopify_client/testing/__init__.py" in names
    assert "shopify_client/testing/_server.py" in names
    assert "shopify_codegen/bases/admin/base_client.py" in names


@pytest.mark.slow
def test_the_wheel_holds_only_the_tool_and_every_package_is_typed(dists: Dists) -> None:
    names = dists.wheel_names()
    top_level = {name.split("/")[0] for name in names}
    assert top_level == {*TOOL_PACKAGES, f"{NAME}-0.1.0.dist-info"}
    for package in TOOL_PACKAGES:
        assert f"{package}/py.typed" in names
    listed = dists.wheel_text(f"{NAME}-0.1.0.dist-info/top_level.txt").split()
    assert sorted(listed) == sorted(TOOL_PACKAGES)


@pytest.mark.slow
def test_this_repositorys_example_clients_are_not_shipped(dists: Dists) -> None:
    """A user's own ``shopify_admin`` is theirs: nothing of the worked example in
    ``generated/`` is installed under that (or any) name."""
    for names in (dists.wheel_names(), dists.sdist_names()):
        for folder in (*EXAMPLE_PACKAGES, *NOT_SHIPPED):
            assert not [n for n in names if n.startswith(f"{folder}/")], folder
        assert not [n for n in names if "input_types.py" in n]


@pytest.mark.slow
def test_the_metadata_carries_an_spdx_license_and_the_codegen_extra(dists: Dists) -> None:
    meta = metadata(dists)
    assert meta["License-Expression"] == "MIT"
    assert meta.get_all("License-File") == ["LICENSE"]
    assert meta["License"] is None  # the TOML-table form, which stops building in 2027
    assert f"{NAME}-0.1.0.dist-info/licenses/LICENSE" in dists.wheel_names()
    assert "codegen" in (meta.get_all("Provides-Extra") or [])
    requires = meta.get_all("Requires-Dist") or []
    unconditional = {r.split("<")[0].split(">")[0] for r in requires if ";" not in r}
    assert unconditional == {"httpx", "pydantic", "sniffio", "graphql-core"}
    assert [r for r in requires if r.startswith("ariadne-codegen")] == [
        'ariadne-codegen==0.19.0; extra == "codegen"'
    ]
    entry_points = dists.wheel_text(f"{NAME}-0.1.0.dist-info/entry_points.txt")
    assert "shopify-codegen = shopify_codegen._script:main" in entry_points


def test_the_build_backend_is_one_that_reads_the_spdx_license() -> None:
    """setuptools reads ``license = "MIT"`` from 77 on; an older one fails the build."""
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert pyproject["project"]["license"] == "MIT"
    assert pyproject["build-system"]["requires"] == ["setuptools>=77"]


@pytest.mark.slow
def test_the_sdist_holds_what_builds_the_wheel(dists: Dists) -> None:
    names = dists.sdist_names()
    assert {"pyproject.toml", "README.md", "LICENSE", "PKG-INFO"} <= names
    assert package_sources(dists.source) <= names


@pytest.mark.slow
def test_the_wheel_alone_imports_the_fake_shop_and_the_cli(dists: Dists, tmp_path: Path) -> None:
    """Unpacked and first on the path, with this checkout's path file and editable
    hook out of play (``-S``: no .pth file is read), the wheel gives
    ``shopify_client.testing`` and the ``shopify-codegen`` script, and no example
    client."""
    unpacked = tmp_path / "site"
    with zipfile.ZipFile(dists.wheel) as archive:
        archive.extractall(unpacked)
    code = f"""
import importlib.util, json, sys
sys.path[:] = [{str(unpacked)!r}, *sys.path[1:], {sysconfig.get_path("purelib")!r}]
import shopify_client, shopify_client.testing, shopify_codegen._script
print(json.dumps({{
    "files": [shopify_client.__file__, shopify_client.testing.__file__,
              shopify_codegen._script.__file__],
    "fake": hasattr(shopify_client.testing, "FakeShopify"),
    "examples": [n for n in {list(EXAMPLE_PACKAGES)!r} if importlib.util.find_spec(n)],
}}))
"""
    done = subprocess.run(
        [sys.executable, "-I", "-S", "-c", code],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout.splitlines()[-1])
    assert all(Path(f).is_relative_to(unpacked) for f in result["files"]), result
    assert result["fake"] is True
    assert result["examples"] == []


# -- the repository's own dev install (make install) --------------------------------


def dev_path_entries() -> list[Path]:
    pth = Path(sysconfig.get_path("purelib"), PTH)
    assert pth.is_file(), f"{pth} is missing: set up the venv with `make install`"
    return [Path(line) for line in pth.read_text().splitlines() if line.strip()]


def importable_names(folder: Path) -> set[str]:
    """The top-level names a path entry ``folder`` makes importable (folders count:
    a folder without ``__init__.py`` imports as a namespace package)."""
    names = set()
    for child in folder.iterdir():
        if child.is_dir() and child.name.isidentifier():
            names.add(child.name)
        elif child.suffix == ".py":
            names.add(child.stem)
    return names


def test_the_dev_path_file_names_only_the_tool_and_the_generated_packages() -> None:
    links, generated = dev_path_entries()
    assert importable_names(links) == set(TOOL_PACKAGES)
    for name in TOOL_PACKAGES:
        assert (links / name).resolve() == (ROOT / name).resolve()
    assert generated.resolve() == (ROOT / "generated").resolve()
    for name in importable_names(generated):
        assert (generated / name / "py.typed").is_file(), f"generated/{name} is not a package"
    assert ROOT.resolve() not in {entry.resolve() for entry in dev_path_entries()}


def test_this_checkouts_own_folders_are_not_importable_from_elsewhere(tmp_path: Path) -> None:
    """``import tests`` from any folder found this repository's tests while the path
    file named the checkout itself."""
    code = f"""
import importlib.util, json
names = {[*NOT_SHIPPED, *TOOL_PACKAGES, *EXAMPLE_PACKAGES]!r}
print(json.dumps({{n: importlib.util.find_spec(n) is not None for n in names}}))
"""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    found = json.loads(done.stdout)
    assert {n for n, ok in found.items() if ok} == {*TOOL_PACKAGES, *EXAMPLE_PACKAGES}


def load_dev_paths() -> ModuleType:
    spec = importlib.util.spec_from_file_location("dev_paths", ROOT / "scripts" / "dev_paths.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_dev_paths_relinks_and_drops_stale_links(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    checkout, site = tmp_path / "checkout", tmp_path / "site"
    site.mkdir()
    for name in ("pkg_a", "pkg_b"):
        (checkout / name).mkdir(parents=True)
        (checkout / name / "__init__.py").write_text("")
    (checkout / "generated").mkdir()
    monkeypatch.chdir(checkout)
    dev_paths = load_dev_paths()
    links = checkout / ".venv" / "src"

    dev_paths.write_paths("x.pth", links, Path("generated"), ["pkg_a", "pkg_b"], site_dir=site)
    pth = dev_paths.write_paths("x.pth", links, Path("generated"), ["pkg_a"], site_dir=site)

    assert sorted(p.name for p in links.iterdir()) == ["pkg_a"]
    assert (links / "pkg_a").resolve() == (checkout / "pkg_a").resolve()
    assert (checkout / "pkg_b" / "__init__.py").is_file()  # the stale link, not its target
    assert pth.read_text().splitlines() == [
        str(links.resolve()),
        str((checkout / "generated").resolve()),
    ]


def test_dev_paths_refuses_a_folder_that_is_not_a_package(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "notes").mkdir()
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SystemExit, match="notes is not a package"):
        load_dev_paths().write_paths(
            "x.pth", tmp_path / "links", tmp_path, ["notes"], site_dir=tmp_path
        )
