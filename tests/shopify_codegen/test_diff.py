"""`shopify-codegen schema diff`: classification, counts, and which operation is affected."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import ROOT, run_cli

ADMIN_SDL = ROOT / "schema" / "admin" / "2024-01.graphql"
STOREFRONT_SDL = ROOT / "schema" / "storefront" / "2024-10.graphql"


def test_storefront_2024_01_to_2024_10_finds_the_checkout_removal_and_no_affected_operation() -> (
    None
):
    code, out, _ = run_cli("schema", "diff", "storefront@2024-01", "storefront@2024-10", "--json")
    assert code == 0
    report = json.loads(out)
    assert report["counts"]["breaking"] == 62
    assert report["counts"]["dangerous"] == 30
    assert report["operations_affected"] == 0
    assert sorted(o["operation"] for o in report["operations"]) == [
        "Products",
        "customer",
        "customerAccessTokenCreate",
    ]
    descriptions = {c["description"] for c in report["changes"] if c["severity"] == "breaking"}
    assert "Checkout was removed." in descriptions


def test_human_report_gives_counts_first_and_groups_by_severity() -> None:
    code, out, _ = run_cli("schema", "diff", "admin@2024-01", "admin@2024-10")
    assert code == 0
    lines = out.splitlines()
    assert lines[1].startswith("  232 breaking, 270 dangerous, ")
    assert "0 of 2 operation(s) affected" in lines[1]
    headers = [
        line.split(" (")[0]
        for line in lines
        if line.split(" (")[0] in ("BREAKING", "DANGEROUS", "SAFE")
    ]
    assert headers == ["BREAKING", "DANGEROUS", "SAFE"]
    assert "... and 207 more (--all or --json for all)" in out
    assert len(lines) < 120  # readable for a 2,000-type schema


def test_renamed_input_field_affects_exactly_the_operation_that_sends_it(tmp_path: Path) -> None:
    sdl = ADMIN_SDL.read_text()
    block_start = sdl.index("input StorefrontAccessTokenInput {")
    block_end = sdl.index("}", block_start)
    block = sdl[block_start:block_end]
    assert "  title: String!" in block
    renamed = tmp_path / "renamed.graphql"
    renamed.write_text(
        sdl[:block_start] + block.replace("  title: String!", "  name: String!") + sdl[block_end:]
    )
    code, out, _ = run_cli("schema", "diff", "admin@2024-01", str(renamed), "--json")
    assert code == 1
    report = json.loads(out)
    ops = {o["operation"]: o for o in report["operations"]}
    assert ops["Products"]["affected"] is False
    op = ops["StorefrontAccessTokenCreate"]
    assert op["affected"] is True
    assert "breaking: StorefrontAccessTokenInput.title was removed." in op["reasons"]
    assert (
        "breaking: A required field name on input type StorefrontAccessTokenInput was added."
        in op["reasons"]
    )


def test_removed_enum_value_affects_only_the_operation_that_reads_the_enum(tmp_path: Path) -> None:
    changed = tmp_path / "enum.graphql"
    changed.write_text(
        STOREFRONT_SDL.read_text().replace(
            '  """Unidentified customer."""\n  UNIDENTIFIED_CUSTOMER\n', "", 1
        )
    )
    code, out, _ = run_cli("schema", "diff", "storefront@2024-10", str(changed), "--json")
    assert code == 1
    report = json.loads(out)
    assert report["counts"] == {"breaking": 1, "dangerous": 0, "safe": 0}
    affected = {o["operation"]: o["affected"] for o in report["operations"]}
    assert affected == {"customer": False, "customerAccessTokenCreate": True, "Products": False}


def test_added_enum_value_is_dangerous_for_the_reader(tmp_path: Path) -> None:
    changed = tmp_path / "enum_added.graphql"
    changed.write_text(
        STOREFRONT_SDL.read_text().replace(
            "  UNIDENTIFIED_CUSTOMER\n", "  UNIDENTIFIED_CUSTOMER\n  PASSWORD_TOO_FAMOUS\n", 1
        )
    )
    code, out, _ = run_cli("schema", "diff", "storefront@2024-10", str(changed))
    assert code == 1
    assert "dangerous: PASSWORD_TOO_FAMOUS was added to enum type CustomerErrorCode." in out


def test_removed_selected_field_means_the_operation_no_longer_validates(tmp_path: Path) -> None:
    sdl = STOREFRONT_SDL.read_text()
    start = sdl.index("type Customer implements")
    field = sdl.index("  phone: String", start)
    changed = tmp_path / "no_phone.graphql"
    changed.write_text(
        sdl[:field] + sdl[field:].replace("  phone: String\n", "  phoneNumber: String\n", 1)
    )
    code, out, _ = run_cli(
        "schema",
        "diff",
        "storefront@2024-10",
        str(changed),
        "--operations",
        str(ROOT / "queries" / "storefront"),
    )
    assert code == 1
    assert "no longer validates" in out and "Cannot query field 'phone' on type 'Customer'." in out


def test_unknown_committed_version_is_bad_input() -> None:
    code, _, err = run_cli("schema", "diff", "storefront@2023-01", "storefront@2024-10")
    assert code == 2
    assert "no committed storefront 2023-01 schema" in err


def test_readme_shows_the_real_storefront_diff_output() -> None:
    block = (ROOT / "README.md").read_text().split("```text\n", 1)[1].split("```", 1)[0]
    _, out, _ = run_cli("schema", "diff", "storefront@2024-01", "storefront@2024-10")
    for line in block.splitlines():
        if line.strip() != "...":
            assert line in out.splitlines(), line
