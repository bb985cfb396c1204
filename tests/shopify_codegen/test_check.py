"""`shopify-codegen check`: green on a clean tree, a diff for every kind of drift."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT, run_cli


def test_check_passes_on_the_committed_tree() -> None:
    """The real tree, through the installed console script, exactly as users run it."""
    result = subprocess.run(
        [str(Path(sys.executable).parent / "shopify-codegen"), "check", "--json"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    report = json.loads(result.stdout)
    assert report["ok"] is True and report["drift"] == []
    # Warnings only (an operation a user adds may select something deprecated); one on
    # purpose: the Storefront bridge selects a mutation Shopify deprecated in 2025-01 and
    # still serves (docs/customer-accounts.md says when to use it).
    assert [f for f in report["findings"] if f["severity"] == "error"] == []
    assert ("warning", "queries/customer/storefront_customer_access_token_create.graphql") in [
        (f["severity"], f["file"]) for f in report["findings"]
    ]


def test_check_fails_with_diff_after_editing_an_operation_without_regenerating(
    storefront_project: Path,
) -> None:
    query = storefront_project / "queries" / "storefront" / "customer.graphql"
    query.write_text(query.read_text().replace("    phone\n", "    phone\n    tags\n"))
    code, out, _ = run_cli("--root", str(storefront_project), "check")
    assert code == 1
    assert "DRIFT generated: generated/shopify_storefront/customer.py: differs" in out
    assert "+    tags: list[str]" in out
    assert "--- generated/shopify_storefront/customer.py (committed)" in out
    assert "check: FAILED" in out


def test_check_passes_again_after_generate(storefront_project: Path) -> None:
    query = storefront_project / "queries" / "storefront" / "customer.graphql"
    query.write_text(query.read_text().replace("    phone\n", "    phone\n    tags\n"))
    assert run_cli("--root", str(storefront_project), "generate")[0] == 0
    code, out, _ = run_cli("--root", str(storefront_project), "check")
    assert code == 0, out
    assert (
        "tags: list[str]"
        in (storefront_project / "generated" / "shopify_storefront" / "customer.py").read_text()
    )


def test_check_reports_a_stray_file_in_generated(storefront_project: Path) -> None:
    stray = storefront_project / "generated" / "shopify_storefront" / "old_operation.py"
    stray.write_text("# left behind by a deleted operation\n")
    code, out, _ = run_cli("--root", str(storefront_project), "check", "--json")
    assert code == 1
    drift = json.loads(out)["drift"]
    assert [d["path"] for d in drift] == ["generated/shopify_storefront/old_operation.py"]
    assert drift[0]["message"].startswith("stray file")
    assert "-# left behind by a deleted operation" in drift[0]["diff"]


def test_deleting_an_operation_then_generating_leaves_no_stale_module(
    storefront_project: Path,
) -> None:
    (storefront_project / "queries" / "storefront" / "customer.graphql").unlink()
    assert run_cli("--root", str(storefront_project), "generate")[0] == 0
    package = storefront_project / "generated" / "shopify_storefront"
    assert not (package / "customer.py").exists()
    assert (package / "customer_access_token_create.py").exists()
    assert run_cli("--root", str(storefront_project), "check")[0] == 0


def test_check_reports_one_changed_byte_of_a_schema_file(storefront_project: Path) -> None:
    schema = storefront_project / "schema" / "storefront" / "2024-01.json"
    data = bytearray(schema.read_bytes())
    index = data.index(b"The email associated to the customer.")
    data[index + 4] = ord("E")
    schema.write_bytes(bytes(data))
    code, out, _ = run_cli("--root", str(storefront_project), "check")
    assert code == 1
    assert "DRIFT manifest: schema/storefront/2024-01.json: sha256 is" in out
    assert (
        "DRIFT sdl: schema/storefront/2024-01.graphql: is not the SDL printed from 2024-01.json"
        in out
    )
    assert '+  """The Email associated to the customer."""' in out


def test_check_reports_a_hand_edited_sdl(storefront_project: Path) -> None:
    sdl = storefront_project / "schema" / "storefront" / "2024-10.graphql"
    sdl.write_text(sdl.read_text() + "\n# edited\n")
    code, out, _ = run_cli("--root", str(storefront_project), "check")
    assert code == 1
    assert "DRIFT sdl: schema/storefront/2024-10.graphql" in out
    assert "DRIFT manifest: schema/storefront/2024-10.graphql: sha256 is" in out


def test_check_fails_on_an_invalid_operation_without_generating(storefront_project: Path) -> None:
    query = storefront_project / "queries" / "storefront" / "customer.graphql"
    query.write_text(query.read_text().replace("    phone\n", "    phoneNumber\n"))
    code, out, _ = run_cli("--root", str(storefront_project), "check", "--json")
    assert code == 1
    report = json.loads(out)
    assert {f["schema"] for f in report["findings"]} == {
        "storefront 2024-01",
        "storefront 2024-10",
        "storefront 2026-04",
    }
    assert report["drift"] == []


def test_generate_writes_nothing_when_an_operation_is_invalid(storefront_project: Path) -> None:
    package = storefront_project / "generated" / "shopify_storefront"
    before = {p.name: p.read_bytes() for p in package.iterdir() if p.is_file()}
    query = storefront_project / "queries" / "storefront" / "customer.graphql"
    query.write_text(query.read_text().replace("    phone\n", "    phoneNumber\n"))
    code, out, _ = run_cli("--root", str(storefront_project), "generate")
    assert code == 1
    assert "nothing written" in out
    assert {p.name: p.read_bytes() for p in package.iterdir() if p.is_file()} == before


def test_bad_config_is_exit_2(tmp_path: Path) -> None:
    (tmp_path / "codegen.toml").write_text("[api.storefront\n")
    code, _, err = run_cli("--root", str(tmp_path), "check")
    assert code == 2
    assert "codegen.toml:1:16: not valid TOML" in err


def test_unknown_command_is_exit_2() -> None:
    code, _, _ = run_cli("frobnicate")
    assert code == 2
