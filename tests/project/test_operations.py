"""This repository's own operations (queries/): every one validates on every listed version.

The cases are found in the files, so an operation added to queries/ is held to the same
rule: no errors. Warnings (a deprecated field, a secret written inline) are reported by
``validate`` and do not fail here, as they do not fail ``check``. The seed operations
this repository ships are held to strict validation: they use nothing deprecated.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from shopify_codegen.config import load_config
from shopify_codegen.operations import find_operation_files, read_operation_folder
from shopify_codegen.store import committed_schema
from shopify_codegen.validate import Finding, validate_document, validate_project
from tests.conftest import PROJECT

CONFIG = load_config(PROJECT)
CASES = [
    (api.name, version, path)
    for api in CONFIG.apis.values()
    for version in api.validate_versions
    for path in find_operation_files(api.queries)
]

#: The operations this repository ships (the seeds), by API: files in its queries folder.
SEEDS = {
    "storefront": {
        "customer.graphql",
        "customer_access_token_create.graphql",
        "products.graphql",
        "fragments/product_card.graphql",
    },
    "admin": {"products.graphql", "storefront_access_token_create.graphql"},
}


def is_seed(api: str, path: Path) -> bool:
    queries = CONFIG.api(api).queries
    return path.is_relative_to(queries) and path.relative_to(queries).as_posix() in SEEDS[api]


def errors(findings: list[Finding]) -> list[str]:
    return [str(f) for f in findings if f.severity == "error"]


def test_every_api_is_validated_against_every_committed_version() -> None:
    """2026-04 is served by Shopify until 2027-04-01: every operation is known to work on it."""
    for api in CONFIG.apis.values():
        assert api.validate_versions == ("2024-01", "2024-10", "2026-04")
    files = {api: len(find_operation_files(CONFIG.api(api).queries)) for api in CONFIG.apis}
    assert len(CASES) == sum(3 * count for count in files.values())
    assert files["storefront"] >= 4 and files["admin"] >= 1


def test_the_seed_operations_are_there() -> None:
    for api, names in SEEDS.items():
        queries = CONFIG.api(api).queries
        present = {p.relative_to(queries).as_posix() for p in find_operation_files(queries)}
        assert names <= present, f"{api}: {sorted(names - present)} missing from {queries}"


@pytest.mark.parametrize(
    ("api", "version", "path"),
    CASES,
    ids=[
        f"{a}-{v}-{p.relative_to(CONFIG.api(a).queries).with_suffix('').as_posix()}"
        for a, v, p in CASES
    ],
)
def test_operation_validates_against_version(api: str, version: str, path: Path) -> None:
    seed = is_seed(api, path)
    op_file = next(
        f for f in read_operation_folder(CONFIG.api(api).queries, CONFIG.rel) if f.path == path
    )
    findings = validate_document(
        op_file, committed_schema(CONFIG, api, version), f"{api} {version}", strict=seed
    )
    assert errors(findings) == []


def test_project_validation_has_no_errors() -> None:
    assert errors(validate_project(CONFIG)) == []
