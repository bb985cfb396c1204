"""`shopify-codegen bump`: the worked example (Admin 2024-01 -> 2024-10) and refusals."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from graphql import build_schema, introspection_from_schema

from shopify_codegen import bump as bump_module
from shopify_codegen.config import load_config
from shopify_codegen.transaction import TransactionError
from tests.conftest import ROOT, copy_project, run_cli
from tests.shopify_codegen.test_download import tree_digest

CLIENT_CHECK = """
import warnings
warnings.simplefilter("ignore")
import shopify_admin
from shopify_admin import Client, StorefrontAccessTokenInput
from shopify_client.testing import ADMIN_TOKEN, FakeShopify
assert shopify_admin.API_VERSION == "2024-10", shopify_admin.API_VERSION
with FakeShopify() as fake, Client(
    endpoint=fake.endpoint("admin", "2024-10"), access_token=ADMIN_TOKEN
) as admin:
    result = admin.storefront_access_token_create(
        input=StorefrontAccessTokenInput(title="after bump")
    )
    token = result.storefront_access_token_create.storefront_access_token
    assert token.title == "after bump"
    assert fake.requests[-1].path == "/admin/api/2024-10/graphql.json"
print("bumped client OK", shopify_admin.__file__)
"""


def test_bump_admin_to_2024_10_regenerates_a_working_client(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "project", apis=("storefront", "admin"))
    code, out, err = run_cli(
        "--root",
        str(project),
        "bump",
        "--api",
        "admin",
        "--version",
        "2024-10",
        "--schema-file",
        str(ROOT / "schema" / "admin" / "2024-10.json"),
    )
    assert code == 0, err
    assert "schema diff admin@2024-01 -> admin@2024-10 (new)" in out
    assert "232 breaking, 270 dangerous" in out
    assert "2 operation(s): 0 breaks, 0 at risk, 0 tolerated, 2 unaffected" in out
    assert "bumped admin 2024-01 -> 2024-10" in out
    assert 'pinned_version = "2024-10"' in (project / "codegen.toml").read_text()
    package = project / "generated" / "shopify_admin"
    assert 'API_VERSION = "2024-10"' in (package / "__init__.py").read_text()
    assert "# Source: schema/admin/2024-10.graphql" in (package / "input_types.py").read_text()
    # The tree is consistent afterwards: check is green.
    assert run_cli("--root", str(project), "check")[0] == 0
    # The regenerated package works, imported from the bumped copy.
    result = subprocess.run(
        [sys.executable, "-c", CLIENT_CHECK],
        env={"PYTHONPATH": f"{project / 'generated'}:{ROOT}", "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert str(project / "generated" / "shopify_admin") in result.stdout


def test_bump_to_a_schema_that_breaks_an_operation_changes_nothing(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "project", apis=("storefront", "admin"))
    sdl = (ROOT / "schema" / "admin" / "2024-10.graphql").read_text()
    broken_sdl = sdl.replace(
        "  storefrontAccessTokenCreate(", "  storefrontAccessTokenCreateV2(", 1
    )
    assert broken_sdl != sdl
    broken = tmp_path / "2025-01.json"
    broken.write_text(json.dumps(introspection_from_schema(build_schema(broken_sdl))))
    before = tree_digest(project)
    code, out, _ = run_cli(
        "--root",
        str(project),
        "bump",
        "--api",
        "admin",
        "--version",
        "2025-01",
        "--schema-file",
        str(broken),
    )
    assert code == 1
    assert "Cannot query field 'storefrontAccessTokenCreate' on type 'Mutation'." in out
    assert "nothing changed" in out
    assert tree_digest(project) == before


def test_bump_rejects_a_file_that_is_not_a_schema(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "project", apis=("storefront",))
    junk = tmp_path / "junk.json"
    junk.write_text('{"errors": "Not Found"}')
    before = tree_digest(project)
    code, _, err = run_cli(
        "--root",
        str(project),
        "bump",
        "--api",
        "storefront",
        "--version",
        "2025-01",
        "--schema-file",
        str(junk),
    )
    assert code == 2
    assert "junk.json: is a GraphQL error response" in err
    assert tree_digest(project) == before


@pytest.mark.parametrize("fail_at", [0, 1, 2, 4, 6, 8])
def test_a_failure_at_any_rename_rolls_everything_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fail_at: int
) -> None:
    """One rename (journal, backup, swap) fails: the tree ends as it began."""
    project = copy_project(tmp_path / "project", apis=("storefront",))
    before = tree_digest(project)
    real_replace = os.replace
    calls = [0]

    def flaky_replace(src: object, dst: object) -> None:
        calls[0] += 1
        if calls[0] == fail_at + 1:
            raise OSError("disk full (simulated)")
        real_replace(src, dst)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "replace", flaky_replace)
    # A clear error (exit 2 at the CLI), not a traceback: the OSError is named in it.
    with pytest.raises(TransactionError, match=r"simulated\).*rolled back"):
        bump_module.bump(
            load_config(project),
            "storefront",
            "2025-01",
            schema_json=(ROOT / "schema" / "storefront" / "2024-10.json").read_bytes(),
            origin="test",
        )
    monkeypatch.undo()
    assert tree_digest(project) == before


@pytest.mark.parametrize("version", ["2025-13", "../../PWNED", "2025-02", '2025-01"\nx = 1'])
def test_bump_refuses_a_version_that_is_not_shopify_s_and_changes_nothing(
    tmp_path: Path, version: str
) -> None:
    project = copy_project(tmp_path / "project", apis=("storefront", "admin"))
    before = tree_digest(project)
    schema_file = ROOT / "schema" / "admin" / "2024-01.json"
    code, _, err = run_cli(
        "--root",
        str(project),
        "bump",
        "--api",
        "admin",
        "--version",
        version,
        "--schema-file",
        str(schema_file),
    )
    assert code == 2
    assert "not a Shopify API version" in err
    assert tree_digest(project) == before
    # Every later command still works: nothing unreadable was pinned.
    assert load_config(project).api("admin").pinned_version == "2024-01"


def test_bump_itself_checks_the_version_before_building_paths(tmp_path: Path) -> None:
    from shopify_codegen.errors import CodegenError

    project = copy_project(tmp_path / "project", apis=("storefront", "admin"))
    body = (ROOT / "schema" / "admin" / "2024-01.json").read_bytes()
    with pytest.raises(CodegenError, match="not a Shopify API version"):
        bump_module.bump(load_config(project), "admin", "../../x", schema_json=body, origin="t")


def test_readme_bump_example_is_the_real_storefront_2024_10_to_2026_04_bump(
    tmp_path: Path,
) -> None:
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## Bump an API version", 1)[1]
    command = section.split("```sh\n", 1)[1].split("\n", 1)[0]
    assert command == (
        ".venv/bin/shopify-codegen bump --api storefront --version 2026-04 "
        "--schema-file schema/storefront/2026-04.json"
    )
    block = section.split("```text\n", 1)[1].split("```", 1)[0]
    project = copy_project(tmp_path / "project", apis=("storefront",))
    # The schema file as the README names it, inside the copy.
    args = [*command.split()[1:-1], str(project / "schema" / "storefront" / "2026-04.json")]
    code, out, err = run_cli("--root", str(project), *args)
    assert code == 0, err
    for line in block.splitlines():
        if line.strip() != "...":
            assert line in out.splitlines(), line
    assert (
        'API_VERSION = "2026-04"'
        in (project / "generated" / "shopify_storefront" / "__init__.py").read_text()
    )


def test_bump_drops_a_required_version_the_operations_fail_and_check_is_green(
    tmp_path: Path,
) -> None:
    project = copy_project(tmp_path / "project", apis=("storefront",))
    config = project / "codegen.toml"
    text = config.read_text()
    bound = 'required_for = ["CustomerAccessTokenCreate", "Customer"]\n'
    assert bound in text
    config.write_text(text.replace(bound, ""))  # 2024-01 and 2024-10 bind every operation
    # Shop.shopPayInstallmentsPricing: in 2024-10 and 2026-04, not in 2024-01.
    (project / "queries" / "storefront" / "installments.graphql").write_text(
        "query Installments { shop { shopPayInstallmentsPricing { maxPrice { amount } } } }\n"
    )
    assert run_cli("--root", str(project), "validate")[0] == 1  # 2024-01 is required
    code, out, err = run_cli(
        "--root", str(project), "bump", "--api", "storefront", "--version", "2026-04",
        "--schema-file", str(project / "schema" / "storefront" / "2026-04.json"),
    )  # fmt: skip
    assert code == 0, out + err
    assert "  pinned_version: 2024-10 -> 2026-04" in out
    assert "  required_versions: dropped 2024-01 (the operations fail there; " in out
    parsed = tomllib.loads(config.read_text())["api"]["storefront"]
    assert parsed["pinned_version"] == "2026-04"
    assert parsed["required_versions"] == ["2024-10"]
    code, out, err = run_cli("--root", str(project), "check")
    assert code == 0, out + err
    assert "breaks on 2024-01: " in out  # still validated, reported only
