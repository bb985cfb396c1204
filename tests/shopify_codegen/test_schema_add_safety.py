"""``schema add`` neither replaces a committed version nor takes another API's schema
without ``--force``.

Before: adding admin 2026-04 a second time silently replaced the committed file (and
its manifest origin), and ``--api admin --file storefront.json`` committed the
Storefront schema as Admin's (every operation then failed with "Cannot query field").
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from shopify_codegen.schema_files import load_schema
from shopify_codegen.schema_kind import api_mismatch, apis_of
from tests.conftest import ROOT, copy_project, run_cli
from tests.shopify_codegen.test_download import tree_digest

SCHEMAS = sorted((ROOT / "schema").glob("*/*.json"))


@pytest.mark.parametrize("path", SCHEMAS, ids=lambda p: f"{p.parent.name}-{p.stem}")
def test_every_committed_schema_looks_like_its_own_api_only(path: Path) -> None:
    schema = load_schema(path)
    assert apis_of(schema) == [path.parent.name]
    assert api_mismatch(schema, path.parent.name) is None


def test_a_schema_of_no_shopify_api_is_named_as_such(tmp_path: Path) -> None:
    sdl = tmp_path / "tiny.graphql"
    sdl.write_text("type Query { hello: String }\n")
    assert apis_of(load_schema(sdl)) == []
    assert "does not look like a schema of the Admin API" in (
        api_mismatch(load_schema(sdl), "admin") or ""
    )


def _add(root: Path, api: str, version: str, source: Path, *extra: str) -> tuple[int, str, str]:
    return run_cli(
        "--root", str(root), "schema", "add", "--api", api, "--version", version,
        "--file", str(source), *extra,
    )  # fmt: skip


def test_adding_a_committed_version_again_needs_force(tmp_path: Path) -> None:
    root = copy_project(tmp_path / "p", apis=("storefront",))
    other = ROOT / "schema" / "storefront" / "2026-04.json"
    before = tree_digest(root)
    code, out, err = _add(root, "storefront", "2024-10", other)
    assert code == 2, out + err
    assert "storefront 2024-10 is already committed (schema/storefront/2024-10.json" in err
    assert "Give --force to replace it" in err
    assert tree_digest(root) == before

    code, out, err = _add(root, "storefront", "2024-10", other, "--force", "--json")
    assert code == 0, out + err
    assert json.loads(out)["replaced"] is True
    committed = root / "schema" / "storefront" / "2024-10.json"
    assert committed.read_bytes() == other.read_bytes()


def test_force_says_replaced(tmp_path: Path) -> None:
    root = copy_project(tmp_path / "p", apis=("storefront",))
    other = ROOT / "schema" / "storefront" / "2026-04.json"
    code, out, err = _add(root, "storefront", "2024-10", other, "--force")
    assert code == 0, err
    assert out.startswith("replaced storefront 2024-10 from ")


def test_a_new_version_is_added_without_force(tmp_path: Path) -> None:
    root = copy_project(tmp_path / "p", apis=("storefront",))
    (root / "schema" / "storefront" / "2026-04.json").unlink()
    (root / "schema" / "storefront" / "2026-04.graphql").unlink()
    code, out, err = _add(root, "storefront", "2026-04", ROOT / "schema/storefront/2026-04.json")
    assert code == 0, err
    assert out.startswith("added storefront 2026-04")


@pytest.mark.parametrize(
    ("api", "source", "looks_like"),
    [
        ("admin", "storefront/2026-04.json", "the Storefront API"),
        ("storefront", "admin/2024-01.json", "the Admin API"),
        ("customer", "storefront/2024-10.json", "the Storefront API"),
        ("storefront", "customer/2026-04.json", "the Customer Account API"),
    ],
)
def test_another_apis_schema_is_refused_naming_the_api_it_looks_like(
    tmp_path: Path, api: str, source: str, looks_like: str
) -> None:
    root = copy_project(tmp_path / "p", apis=("storefront", "admin", "customer"))
    before = tree_digest(root)
    code, out, err = _add(root, api, "2025-01", ROOT / "schema" / source)
    assert code == 2, out + err
    assert f"looks like a schema of {looks_like}" in err and f"not of the {api} API" in err
    assert "--force" in err
    assert tree_digest(root) == before


def test_force_takes_a_schema_that_looks_like_another_api(tmp_path: Path) -> None:
    root = copy_project(tmp_path / "p", apis=("storefront",))
    tiny = tmp_path / "tiny.graphql"
    tiny.write_text("type Query { hello: String }\n")
    code, _, err = _add(root, "storefront", "2025-01", tiny)
    assert code == 2 and "does not look like a schema of the Storefront API" in err
    code, _, err = _add(root, "storefront", "2025-01", tiny, "--force")
    assert code == 0, err
    assert (root / "schema" / "storefront" / "2025-01.json").is_file()


def test_adding_the_same_bytes_again_changes_nothing_and_succeeds(tmp_path: Path) -> None:
    root = copy_project(tmp_path / "p", apis=("storefront",))
    before = tree_digest(root)
    same = root / "schema" / "storefront" / "2024-10.json"
    code, out, err = _add(root, "storefront", "2024-10", same)
    assert code == 0, out + err
    assert "already committed with these bytes" in out and "nothing changed" in out
    assert tree_digest(root) == before
