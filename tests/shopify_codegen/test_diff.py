"""`shopify-codegen schema diff`: counts, per-operation verdicts, exit codes, Markdown summary.

The labelled corpus of one-change variants is in test_drift_corpus.py. The operations
judged are the fixture project's (tests/fixtures/project), not this repository's queries/."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import FIXTURE_PROJECT, FIXTURES, ROOT, fixture_project, run_cli
from tests.shopify_codegen.introspection_server import IntrospectionServer

ADMIN_SDL = ROOT / "schema" / "admin" / "2024-01.graphql"
STOREFRONT_SDL = ROOT / "schema" / "storefront" / "2024-10.graphql"


def diff(*args: str) -> tuple[int, str, str]:
    """`shopify-codegen schema diff ARGS` in the fixture project."""
    return run_cli("--root", str(fixture_project()), "schema", "diff", *args)


def test_storefront_2024_01_to_2024_10_finds_the_checkout_removal_and_no_affected_operation() -> (
    None
):
    code, out, _ = diff("storefront@2024-01", "storefront@2024-10", "--json")
    assert code == 0
    report = json.loads(out)
    assert report["counts"]["breaking"] == 62
    assert report["counts"]["dangerous"] == 30
    assert report["verdicts"]["breaks"] == 0 and report["verdicts"]["unaffected"] == 2
    assert sorted(o["operation"] for o in report["operations"]) == [
        "Products",
        "customer",
        "customerAccessTokenCreate",
    ]
    descriptions = {c["description"] for c in report["changes"] if c["severity"] == "breaking"}
    assert "Checkout was removed." in descriptions


def test_human_report_gives_counts_first_and_groups_by_severity() -> None:
    code, out, _ = diff("admin@2024-01", "admin@2024-10")
    assert code == 0
    lines = out.splitlines()
    assert lines[1].startswith("  232 breaking, 270 dangerous, ")
    assert "2 operation(s): 0 breaks, 0 at risk, 0 tolerated, 2 unaffected" in lines[1]
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
    code, out, _ = diff("admin@2024-01", str(renamed), "--json")
    assert code == 1
    report = json.loads(out)
    ops = {o["operation"]: o for o in report["operations"]}
    assert ops["Products"]["verdict"] == "unaffected"
    op = ops["StorefrontAccessTokenCreate"]
    assert op["verdict"] == "breaks"
    changes = {r["change"]: r["verdict"] for r in op["reasons"]}
    assert changes["StorefrontAccessTokenInput.title was removed."] == "breaks"
    assert (
        changes["A required field name on input type StorefrontAccessTokenInput was added."]
        == "breaks"
    )


def _enum_value_removed(tmp_path: Path) -> Path:
    changed = tmp_path / "enum.graphql"
    changed.write_text(
        STOREFRONT_SDL.read_text().replace(
            '  """Unidentified customer."""\n  UNIDENTIFIED_CUSTOMER\n', "", 1
        )
    )
    return changed


def test_removed_enum_value_read_only_is_at_risk_for_its_reader_alone(tmp_path: Path) -> None:
    """graphql-core calls it breaking; an operation that only reads the enum just never
    gets that value again: at risk, exit 0, and exit 1 under --strict."""
    changed = _enum_value_removed(tmp_path)
    code, out, _ = diff("storefront@2024-10", str(changed), "--json")
    assert code == 0
    report = json.loads(out)
    assert report["counts"] == {"breaking": 1, "dangerous": 0, "safe": 0}
    verdicts = {o["operation"]: o["verdict"] for o in report["operations"]}
    assert verdicts == {
        "customer": "unaffected",
        "customerAccessTokenCreate": "at_risk",
        "Products": "unaffected",
    }
    assert diff("storefront@2024-10", str(changed), "--strict")[0] == 1


def test_added_enum_value_is_tolerated_and_named_for_the_reader(tmp_path: Path) -> None:
    changed = tmp_path / "enum_added.graphql"
    changed.write_text(
        STOREFRONT_SDL.read_text().replace(
            "  UNIDENTIFIED_CUSTOMER\n", "  UNIDENTIFIED_CUSTOMER\n  PASSWORD_TOO_FAMOUS\n", 1
        )
    )
    code, out, _ = diff("storefront@2024-10", str(changed), "--strict")
    assert code == 0
    assert (
        "customerAccessTokenCreate (queries/storefront/customer_access_token_create.graphql)"
        ": tolerated" in out
    )
    assert (
        "tolerated: PASSWORD_TOO_FAMOUS was added to enum type CustomerErrorCode. "
        "(it reads CustomerErrorCode; the generated enum accepts values added later)" in out
    )


def test_removed_selected_field_means_the_operation_no_longer_validates(tmp_path: Path) -> None:
    sdl = STOREFRONT_SDL.read_text()
    start = sdl.index("type Customer implements")
    field = sdl.index("  phone: String", start)
    changed = tmp_path / "no_phone.graphql"
    changed.write_text(
        sdl[:field] + sdl[field:].replace("  phone: String\n", "  phoneNumber: String\n", 1)
    )
    code, out, _ = diff(
        "storefront@2024-10",
        str(changed),
        "--operations",
        str(FIXTURE_PROJECT / "queries" / "storefront"),
    )
    assert code == 1
    assert "customer (" in out and "): BREAKS" in out
    assert "Cannot query field 'phone' on type 'Customer'." in out
    assert "it no longer validates against" in out


def test_unknown_committed_version_is_bad_input() -> None:
    code, _, err = diff("storefront@2023-01", "storefront@2024-10")
    assert code == 2
    assert "no committed storefront 2023-01 schema" in err


def test_readme_shows_the_real_storefront_diff_output() -> None:
    block = (ROOT / "README.md").read_text().split("```text\n", 1)[1].split("```", 1)[0]
    _, out, _ = diff("storefront@2024-01", "storefront@2024-10")
    for line in block.splitlines():
        if line.strip() != "...":
            assert line in out.splitlines(), line


def test_operations_invalid_on_the_old_schema_are_reported_not_dropped() -> None:
    """Admin's operation against Storefront schemas: named, NOT CHECKED, not a failure."""
    code, out, _ = diff(
        str(ROOT / "schema" / "storefront" / "2024-01.json"),
        str(ROOT / "schema" / "storefront" / "2024-10.json"),
        "--json",
    )
    assert code == 0
    report = json.loads(out)
    verdicts = {o["operation"]: o["verdict"] for o in report["operations"]}
    assert verdicts["StorefrontAccessTokenCreate"] == "not_checked"
    assert verdicts["customer"] == "unaffected"
    not_checked = [o for o in report["operations"] if o["verdict"] == "not_checked"]
    assert {o["operation"] for o in not_checked} == {"StorefrontAccessTokenCreate", "Products"}
    (op,) = [o for o in not_checked if o["operation"] == "StorefrontAccessTokenCreate"]
    assert any("Unknown type 'StorefrontAccessTokenInput'" in r["change"] for r in op["reasons"])
    assert all(r["verdict"] == "not_checked" for r in op["reasons"])


def test_summary_file_gets_the_markdown_report_appended(tmp_path: Path) -> None:
    summary = tmp_path / "step_summary.md"
    summary.write_text("earlier step\n")
    code, _, _ = diff(
        "storefront@2024-10",
        str(_enum_value_removed(tmp_path)),
        "--summary",
        str(summary),
    )
    assert code == 0
    text = summary.read_text()
    assert text.startswith("earlier step\n### Schema drift: `storefront@2024-10`")
    assert "| operation | file | verdict | reasons |" in text
    assert (
        "| `customerAccessTokenCreate` | `queries/storefront/customer_access_token_create.graphql`"
        " | **AT RISK** | AT RISK: UNIDENTIFIED_CUSTOMER was removed from enum type "
        "CustomerErrorCode. (it reads CustomerErrorCode; UNIDENTIFIED_CUSTOMER no longer "
        "comes back) |" in text
    )
    assert "| `customer` | `queries/storefront/customer.graphql` | **unaffected** |" in text
    assert "<details><summary>breaking (1): 1 value removed from enum</summary>" in text


def test_tolerated_reasons_are_cut_short_what_breaks_never() -> None:
    """Storefront 2024-10 -> 2026-04 adds 31 values to CartErrorCode, which CartCreate reads."""
    code, out, _ = diff(
        "storefront@2024-10",
        "storefront@2026-04",
        "--operations",
        str(FIXTURES / "drift" / "storefront"),
    )
    assert code == 1
    assert "  CartCreate (" in out and "cart_create.graphql): BREAKS" in out
    assert "    - BREAKS: CartBuyerIdentityInput.deliveryAddressPreferences was removed." in out
    assert "    - ... and 26 more tolerated (--all or --json for all)" in out
    everything = diff(
        "storefront@2024-10",
        "storefront@2026-04",
        "--all",
        "--operations",
        str(FIXTURES / "drift" / "storefront"),
    )[1]
    assert "more tolerated" not in everything
    assert "tolerated: VARIANT_REQUIRES_SELLING_PLAN was added to enum type CartErrorCode." in (
        everything
    )


def test_check_remote_writes_the_verdicts_to_the_job_summary(
    storefront_project: Path, tmp_path: Path
) -> None:
    sdl = STOREFRONT_SDL.read_text()
    start = sdl.index("input CustomerAccessTokenCreateInput {")
    live = tmp_path / "live.graphql"
    live.write_text(
        sdl[:start] + sdl[start:].replace("  password: String!", "  secret: String!", 1)
    )
    summary = tmp_path / "summary.md"
    with IntrospectionServer(live).running() as server:
        code, _, _ = run_cli(
            "--root",
            str(storefront_project),
            "check",
            "--remote",
            "--endpoint",
            server.url,
            "--summary",
            str(summary),
        )
    assert code == 1
    text = summary.read_text()
    assert (
        "### Schema drift: `storefront@2024-10 (committed)` → `storefront@2024-10 (live)`" in text
    )
    (row,) = [
        line for line in text.splitlines() if line.startswith("| `customerAccessTokenCreate`")
    ]
    assert row.startswith(
        "| `customerAccessTokenCreate` | `queries/storefront/customer_access_token_create.graphql`"
        " | **BREAKS** | "
    )
    assert (
        "BREAKS: CustomerAccessTokenCreateInput.password was removed. (it sends "
        "CustomerAccessTokenCreateInput; a value setting password is now refused)" in row
    )
    assert "| `customer` | `queries/storefront/customer.graphql` | **unaffected** |" in text


def test_check_remote_says_in_the_summary_when_it_could_not_check(
    storefront_project: Path, tmp_path: Path
) -> None:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    summary = tmp_path / "summary.md"
    code, _, _ = run_cli(
        "--root",
        str(storefront_project),
        "check",
        "--remote",
        "--endpoint",
        f"http://127.0.0.1:{port}/x",
        "--summary",
        str(summary),
    )
    assert code == 2
    text = summary.read_text()
    assert text.startswith("### Schema drift: not checked")
    assert "could not get the live storefront 2024-10 schema" in text


def test_a_version_that_climbs_out_of_the_schema_folder_is_refused(tmp_path: Path) -> None:
    """Issue 21 item 18: `schema diff admin@../../x` read x.json from outside the project."""
    from tests.conftest import copy_project

    project = copy_project(tmp_path / "project", apis=("storefront",))
    (tmp_path / "x.json").write_bytes(STOREFRONT_SDL.with_suffix(".json").read_bytes())
    for spec in ("storefront@../../../x", "storefront@../../x", "storefront@/etc/x"):
        code, out, err = run_cli(
            "--root", str(project), "schema", "diff", "storefront@2024-10", spec
        )
        assert code == 2, (spec, out, err)
        assert "is not a Shopify API version" in err and "Traceback" not in err


def test_a_committed_schema_that_is_a_symlink_is_not_followed(tmp_path: Path) -> None:
    from tests.conftest import copy_project

    project = copy_project(tmp_path / "project", apis=("storefront",))
    outside = tmp_path / "outside.json"
    outside.write_bytes(STOREFRONT_SDL.with_suffix(".json").read_bytes())
    (project / "schema" / "storefront" / "2025-04.json").symlink_to(outside)
    code, _, err = run_cli(
        "--root", str(project), "schema", "diff", "storefront@2024-10", "storefront@2025-04"
    )
    assert code == 2
    assert "schema/storefront/2025-04.json: is a symlink" in err and str(tmp_path) not in err
