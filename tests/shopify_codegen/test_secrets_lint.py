"""A password or token written inline in an operation is a `validate` warning."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from shopify_codegen.operations import read_operation_file, read_operation_set
from shopify_codegen.secrets_lint import is_secret_name, secret_literal_findings
from tests.conftest import FIXTURES, ROOT, run_cli

SECRETS = FIXTURES / "operations" / "secrets"
STOREFRONT = ROOT / "schema" / "storefront" / "2024-10.json"
ADMIN = ROOT / "schema" / "admin" / "2024-01.json"

# (file, schema, line, column, start of the message, the literal that must not be shown)
CASES = [
    (
        "inline_password.graphql",
        STOREFRONT,
        3,
        67,
        'Input field "password" is given an inline string literal',
        "7dx2gx2Z",
    ),
    (
        "inline_customer_access_token.graphql",
        STOREFRONT,
        2,
        12,
        'Argument "customerAccessToken" is given an inline string literal',
        "ghaidas_token",
    ),
    (
        "secret_default.graphql",
        STOREFRONT,
        1,
        21,
        'Variable "$customerAccessToken" has as its default an inline string literal',
        "ghaidas_token",
    ),
    (
        "admin_access_token.graphql",
        ADMIN,
        3,
        30,
        'Argument "accessToken" is given an inline string literal',
        "shpat_0000",
    ),
]


@pytest.mark.parametrize(
    ("name", "schema", "line", "column", "message", "literal"), CASES, ids=[c[0] for c in CASES]
)
def test_an_inline_secret_is_a_warning_that_never_shows_it(
    name: str, schema: Path, line: int, column: int, message: str, literal: str
) -> None:
    code, out, err = run_cli("validate", "--json", "--schema", str(schema), str(SECRETS / name))
    assert code == 0, err  # a warning: validate passes
    (finding,) = json.loads(out)["findings"]
    assert finding["severity"] == "warning"
    assert finding["file"].endswith(name)
    assert (finding["line"], finding["column"]) == (line, column)
    assert finding["message"].startswith(message)
    assert "Pass it as a variable instead." in finding["message"]
    assert literal not in out + err


def test_strict_makes_an_inline_secret_an_error() -> None:
    code, out, _ = run_cli(
        "validate",
        "--strict",
        "--schema",
        str(STOREFRONT),
        str(SECRETS / "inline_password.graphql"),
    )
    assert code == 1
    assert "error [" in out and 'Input field "password"' in out
    assert "7dx2gx2Z" not in out


def test_a_secret_in_a_shared_fragment_names_the_fragment_file_once() -> None:
    files = read_operation_set(
        [SECRETS / "uses_fragment.graphql", SECRETS / "secret_in_fragment.graphql"]
    )
    code, out, _ = run_cli(
        "validate",
        "--json",
        "--schema",
        str(STOREFRONT),
        str(SECRETS / "uses_fragment.graphql"),
        str(SECRETS / "secret_in_fragment.graphql"),
    )
    assert code == 0
    (finding,) = json.loads(out)["findings"]
    assert finding["file"].endswith("secret_in_fragment.graphql")
    assert (finding["line"], finding["column"]) == (3, 28)
    # The operation's own document carries the fragment it spreads: found from there too.
    user = next(f for f in files if f.path.name == "uses_fragment.graphql")
    (from_user,) = secret_literal_findings(user, "storefront 2024-10")
    assert from_user.file.endswith("secret_in_fragment.graphql")


def test_variables_and_names_that_are_not_secret_are_clean() -> None:
    code, out, _ = run_cli(
        "validate",
        "--json",
        "--strict",
        "--schema",
        str(STOREFRONT),
        str(SECRETS / "clean.graphql"),
    )
    assert code == 0
    assert json.loads(out)["findings"] == []


def test_the_finding_carries_the_schema_label_and_severity() -> None:
    op_file = read_operation_file(SECRETS / "inline_customer_access_token.graphql")
    (warning,) = secret_literal_findings(op_file, "storefront 2024-10")
    assert (warning.severity, warning.schema) == ("warning", "storefront 2024-10")
    assert warning.message.endswith("(--strict makes this an error)")
    (error,) = secret_literal_findings(op_file, "storefront 2024-10", strict=True)
    assert error.severity == "error" and "--strict" not in error.message


def test_project_validation_reports_an_inline_secret_per_version(storefront_project: Path) -> None:
    """Every user gets it: `validate` of a project, each version it lists."""
    target = storefront_project / "queries" / "storefront" / "customer.graphql"
    target.write_text((SECRETS / "inline_customer_access_token.graphql").read_text())
    code, out, _ = run_cli("--root", str(storefront_project), "validate", "--json")
    assert code == 0
    findings = json.loads(out)["findings"]
    assert sorted(f["schema"] for f in findings) == [
        "storefront 2024-01",
        "storefront 2024-10",
        "storefront 2026-04",
    ]
    assert {f["file"] for f in findings} == {"queries/storefront/customer.graphql"}
    assert run_cli("--root", str(storefront_project), "check", "--strict")[0] == 1


@pytest.mark.parametrize(
    ("name", "secret"),
    [
        ("password", True),
        ("customerAccessToken", True),
        ("accessToken", True),
        ("multipassToken", True),
        ("clientSecret", True),
        ("email", False),
        ("namespace", False),
        ("multipassIdentifier", False),
        ("key", False),
    ],
)
def test_secret_names(name: str, secret: bool) -> None:
    assert is_secret_name(name) is secret
