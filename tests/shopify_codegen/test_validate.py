"""Validation of operations: a corpus of mistakes, and the fixture project's operations.

This repository's own operations are validated in tests/project/test_operations.py."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from shopify_codegen.errors import OperationFileError
from shopify_codegen.operations import read_operation_file
from shopify_codegen.validate import validate_project
from tests.conftest import FIXTURE_PROJECT, FIXTURES, ROOT, fixture_config, run_cli

BROKEN = FIXTURES / "operations" / "broken"
STOREFRONT_2024_10 = ROOT / "schema" / "storefront" / "2024-10.json"

BROKEN_CASES = [
    ("unknown_field.graphql", 4, 5, "Cannot query field 'nickname' on type 'Customer'."),
    (
        "wrong_argument_type.graphql",
        1,
        16,
        "Variable '$customerAccessToken' of type 'Int!' used in position expecting type 'String!'.",
    ),
    (
        "missing_variable.graphql",
        2,
        33,
        "Variable '$customerAccessToken' is not defined by operation 'customer'.",
    ),
    (
        "wrong_api_field.graphql",
        2,
        3,
        "Cannot query field 'storefrontAccessTokenCreate' on type 'Mutation'.",
    ),
]


@pytest.mark.parametrize(("name", "line", "column", "message"), BROKEN_CASES)
def test_broken_operation_fails_with_message_and_location(
    name: str, line: int, column: int, message: str
) -> None:
    code, out, _ = run_cli(
        "validate", "--json", "--schema", str(STOREFRONT_2024_10), str(BROKEN / name)
    )
    assert code == 1
    findings = json.loads(out)["findings"]
    matching = [f for f in findings if message in f["message"]]
    assert matching, findings
    assert (matching[0]["line"], matching[0]["column"]) == (line, column)
    assert matching[0]["file"].endswith(name)
    assert matching[0]["schema"] == str(STOREFRONT_2024_10)


def test_human_output_names_file_line_column_and_schema() -> None:
    code, out, _ = run_cli(
        "validate", "--schema", str(STOREFRONT_2024_10), str(BROKEN / "unknown_field.graphql")
    )
    assert code == 1
    assert f"unknown_field.graphql:4:5: error [{STOREFRONT_2024_10}] Cannot query field" in out


def test_syntax_error_is_bad_input_naming_file_and_position() -> None:
    code, _, err = run_cli(
        "validate", "--schema", str(STOREFRONT_2024_10), str(BROKEN / "syntax_error.graphql")
    )
    assert code == 2
    assert "syntax_error.graphql:4:1: Syntax Error: Expected Name, found <EOF>." in err


def test_syntax_error_raises_typed_error() -> None:
    with pytest.raises(OperationFileError) as info:
        read_operation_file(BROKEN / "syntax_error.graphql")
    assert info.value.path.name == "syntax_error.graphql"
    assert "Syntax Error" in info.value.problem


def test_deprecated_field_is_a_warning_naming_the_reason() -> None:
    code, out, _ = run_cli(
        "validate",
        "--json",
        "--schema",
        str(STOREFRONT_2024_10),
        str(BROKEN / "deprecated_user_errors.graphql"),
    )
    assert code == 0
    (finding,) = json.loads(out)["findings"]
    assert finding["severity"] == "warning"
    assert "CustomerAccessTokenCreatePayload.userErrors is deprecated" in finding["message"]
    assert "Use `customerUserErrors` instead." in finding["message"]
    assert (finding["line"], finding["column"]) == (6, 5)


def test_strict_makes_deprecation_an_error() -> None:
    code, out, _ = run_cli(
        "validate",
        "--strict",
        "--schema",
        str(STOREFRONT_2024_10),
        str(BROKEN / "deprecated_user_errors.graphql"),
    )
    assert code == 1
    assert "error" in out and "deprecated" in out


def test_deprecation_is_reported_against_every_committed_version(storefront_project: Path) -> None:
    target = storefront_project / "queries" / "storefront" / "customer_access_token_create.graphql"
    target.write_text((BROKEN / "deprecated_user_errors.graphql").read_text())
    code, out, _ = run_cli("--root", str(storefront_project), "validate", "--json")
    assert code == 0
    schemas = sorted(f["schema"] for f in json.loads(out)["findings"])
    assert schemas == ["storefront 2024-01", "storefront 2024-10", "storefront 2026-04"]


EXTRA = "query extra { shop { shopPayInstallmentsPricing { maxPrice { amount } } } }\n"


def test_breaking_on_a_version_that_is_not_required_is_a_warning_naming_it(
    storefront_project: Path,
) -> None:
    # `Shop.shopPayInstallmentsPricing` exists from Storefront 2024-04: the pin
    # (2024-10) has it, 2024-01 does not. 2024-01 binds only the seeds' operations.
    (storefront_project / "queries" / "storefront" / "extra.graphql").write_text(EXTRA)
    code, out, _ = run_cli("--root", str(storefront_project), "validate", "--json")
    assert code == 0, out
    findings = json.loads(out)["findings"]
    assert not [f for f in findings if f["severity"] == "error"], findings
    breaks = [f for f in findings if "extra.graphql" in f["file"]]
    assert {f["schema"] for f in breaks} == {"storefront 2024-01"}
    assert all(f["message"].startswith("breaks on 2024-01: ") for f in breaks), breaks
    assert all("required_versions" in f["message"] for f in breaks)


def test_breaking_on_a_required_version_fails_the_build(storefront_project: Path) -> None:
    config = storefront_project / "codegen.toml"
    text = config.read_text()
    assert 'required_for = ["CustomerAccessTokenCreate", "Customer"]\n' in text
    config.write_text(
        text.replace('required_for = ["CustomerAccessTokenCreate", "Customer"]\n', "")
    )
    (storefront_project / "queries" / "storefront" / "extra.graphql").write_text(EXTRA)
    code, out, _ = run_cli("--root", str(storefront_project), "validate", "--json")
    assert code == 1
    findings = json.loads(out)["findings"]
    schemas = {f["schema"] for f in findings if f["severity"] == "error"}
    assert schemas == {"storefront 2024-01"}, findings


def test_breaking_on_the_pinned_version_fails_the_build(storefront_project: Path) -> None:
    # `Cart.buyerIdentity.preferences` came in 2026-04's Storefront: not the pin's.
    (storefront_project / "queries" / "storefront" / "extra.graphql").write_text(
        "query extra { shop { id notAField } }\n"
    )
    code, out, _ = run_cli("--root", str(storefront_project), "validate", "--json")
    assert code == 1
    findings = json.loads(out)["findings"]
    assert "storefront 2024-10" in {f["schema"] for f in findings if f["severity"] == "error"}


def test_duplicate_operation_names_across_files_are_bad_input(storefront_project: Path) -> None:
    folder = storefront_project / "queries" / "storefront"
    (folder / "copy.graphql").write_text((folder / "customer.graphql").read_text())
    code, _, err = run_cli("--root", str(storefront_project), "validate")
    assert code == 2
    assert "1:1: operation name 'customer' is also used in queries/storefront/c" in err


STRUCTURAL = [
    ("anonymous.graphql", "anonymous.graphql:1:1: anonymous operation: give it a name"),
    (
        "fragment_cycle.graphql",
        "fragment_cycle.graphql:9:3: Cannot spread fragment 'A' within itself via 'B'.",
    ),
]


@pytest.mark.parametrize(("name", "message"), STRUCTURAL)
def test_structural_problems_are_bad_input_with_location(name: str, message: str) -> None:
    """No schema can make these generate: exit 2, naming file, position and problem."""
    code, _, err = run_cli("validate", "--schema", str(STOREFRONT_2024_10), str(BROKEN / name))
    assert code == 2
    assert message in err


def test_validate_needs_schema_with_files() -> None:
    code, _, err = run_cli("validate", str(BROKEN / "unknown_field.graphql"))
    assert code == 2
    assert "--schema FILE and operation files go together" in err


def test_validate_against_sdl_schema_file() -> None:
    sdl = ROOT / "schema" / "storefront" / "2024-10.graphql"
    customer = FIXTURE_PROJECT / "queries" / "storefront" / "customer.graphql"
    code, _, _ = run_cli("validate", "--schema", str(sdl), str(customer))
    assert code == 0


def test_the_fixture_project_validates_strictly() -> None:
    """The fixture project's operations (the tool tests' own) use nothing deprecated."""
    assert validate_project(fixture_config(), strict=True) == []
