"""This repository's own operations (queries/): each validates where its config binds it.

The cases are found in the files, so an operation added to queries/ is held to the same
rule as ``check``: no error on the versions that bind it (the pinned one, and the
``required_versions`` for the operations ``required_for`` names). Warnings (a deprecated
field, a secret written inline, "breaks on" a version that does not bind it) are
reported by ``validate`` and do not fail here, as they do not fail ``check``. The seed
operations this repository ships are held to strict validation where they are bound:
they use nothing deprecated.
"""

from __future__ import annotations

import functools
from pathlib import Path

import pytest

from shopify_codegen.config import load_config
from shopify_codegen.operations import find_operation_files
from shopify_codegen.validate import Finding, validate_project
from tests.conftest import PROJECT

CONFIG = load_config(PROJECT)
CASES = [
    (api.key, version, path)
    for api in CONFIG.apis.values()
    for version in api.validate_versions
    for path in find_operation_files(api.queries)
]

#: The operations this repository ships (the seeds), by package: files in its queries folder.
SEEDS = {
    "storefront": {
        "customer.graphql",
        "customer_access_token_create.graphql",
        "products.graphql",
        "fragments/product_card.graphql",
    },
    "admin": {"products.graphql", "storefront_access_token_create.graphql"},
}


def is_seed(key: str, path: Path) -> bool:
    queries = CONFIG.api(key).queries
    return (
        key in SEEDS
        and path.is_relative_to(queries)
        and path.relative_to(queries).as_posix() in SEEDS[key]
    )


@functools.cache
def project_findings(strict: bool) -> tuple[Finding, ...]:
    return tuple(validate_project(CONFIG, strict=strict))


def errors(findings: tuple[Finding, ...] | list[Finding]) -> list[str]:
    return [str(f) for f in findings if f.severity == "error"]


def test_every_listed_version_is_committed_and_2026_04_is_listed() -> None:
    """2026-04 is served by Shopify until 2027-04-01: every operation is checked on it."""
    for api in CONFIG.apis.values():
        assert "2026-04" in api.validate_versions, api.key
        for version in api.validate_versions:
            assert CONFIG.schema_json(api.name, version).is_file(), (api.key, version)
    files = {key: len(find_operation_files(api.queries)) for key, api in CONFIG.apis.items()}
    assert len(CASES) == sum(
        len(CONFIG.api(key).validate_versions) * count for key, count in files.items()
    )


def test_the_seed_operations_are_there() -> None:
    for key, names in SEEDS.items():
        queries = CONFIG.api(key).queries
        present = {p.relative_to(queries).as_posix() for p in find_operation_files(queries)}
        assert names <= present, f"{key}: {sorted(names - present)} missing from {queries}"


@pytest.mark.parametrize(
    ("key", "version", "path"),
    CASES,
    ids=[
        f"{k}-{v}-{p.relative_to(CONFIG.api(k).queries).with_suffix('').as_posix()}"
        for k, v, p in CASES
    ],
)
def test_operation_validates_against_version(key: str, version: str, path: Path) -> None:
    label = f"{CONFIG.api(key).name} {version}"
    shown = CONFIG.rel(path)
    found = [
        f for f in project_findings(is_seed(key, path)) if f.file == shown and f.schema == label
    ]
    assert errors(found) == []


def test_project_validation_has_no_errors() -> None:
    assert errors(project_findings(False)) == []
