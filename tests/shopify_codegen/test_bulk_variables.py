"""Bulk queries' variables: each keyword argument reaches Shopify's query text under
its GraphQL name, whatever ariadne-codegen named the argument (``$sortKey`` ->
``sort_key``, ``$from`` -> ``from_``), and a value left out drops its argument."""

from __future__ import annotations

import importlib
import sys
from collections.abc import Iterator
from typing import Any

import graphql
import pytest

from shopify_client.testing import ADMIN_TOKEN, FakeShopify
from tests.conftest import admin_bulk_project

PACKAGE = "shopify_bulk_variables"

QUERY = """
query ExportSorted($from: String, $sortKey: ProductSortKeys, $reverse: Boolean = false,
                   $variantSortKey: ProductVariantSortKeys) {
  products(query: $from, sortKey: $sortKey, reverse: $reverse) {
    edges { node { id title variants(sortKey: $variantSortKey) { nodes { id } } } }
  }
}
"""


@pytest.fixture(scope="module")
def package(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    root = admin_bulk_project(
        tmp_path_factory.mktemp("bulk-variables"), {"export_sorted.graphql": QUERY}, PACKAGE
    )
    sys.path.insert(0, str(root / "generated"))
    try:
        yield importlib.import_module(PACKAGE)
    finally:
        sys.path.remove(str(root / "generated"))
        for name in [m for m in sys.modules if m == PACKAGE or m.startswith(PACKAGE + ".")]:
            del sys.modules[name]


def sent(package: Any, **values: Any) -> tuple[str, int]:
    """The query text Shopify received for ``export_sorted(**values)``, and the records."""
    with FakeShopify() as fake:
        fake.bulk.roots, fake.bulk.children = 3, 1
        with package.Client(
            endpoint=fake.endpoint("admin", "2026-04"), access_token=ADMIN_TOKEN
        ) as shop:
            run = shop.export_sorted(poll_interval=0.001, **values)
            got = list(run)
        return fake.bulk.operations[run.id].query, len(got)


def arguments(text: str, field: str) -> dict[str, str]:
    found: dict[str, str] = {}

    class Visit(graphql.Visitor):
        def enter_field(self, node: graphql.FieldNode, *_: Any) -> None:
            if node.name.value == field:
                found.update({a.name.value: graphql.print_ast(a.value) for a in node.arguments})

    graphql.visit(graphql.parse(text), Visit())
    return found


def test_the_keyword_arguments_are_named_as_ariadne_codegen_names_them(package: Any) -> None:
    import inspect

    parameters = inspect.signature(package.Client.export_sorted).parameters
    assert {"from_", "sort_key", "reverse", "variant_sort_key"} <= set(parameters)


def test_the_record_classes_are_exported_from_the_package(package: Any) -> None:
    module = importlib.import_module(f"{PACKAGE}.export_sorted")
    assert package.ExportSortedRecord is module.ExportSortedRecord
    assert "ExportSortedRecord" in package.__all__


def test_multi_word_and_keyword_variables_reach_shopify_under_their_graphql_names(
    package: Any,
) -> None:
    text, count = sent(
        package,
        from_='title:"a \\"b\\""',
        sort_key="TITLE",
        reverse=True,
        variant_sort_key="POSITION",
    )
    assert count == 3
    assert arguments(text, "products") == {
        "query": '"title:\\"a \\\\\\"b\\\\\\"\\""',
        "sortKey": "TITLE",
        "reverse": "true",
    }
    assert arguments(text, "variants") == {"sortKey": "POSITION"}
    assert "$" not in text  # no variable is left: bulk queries take none


def test_a_call_without_arguments_sends_only_the_defaults(package: Any) -> None:
    text, count = sent(package)
    assert count == 3
    assert arguments(text, "products") == {"reverse": "false"}
    assert arguments(text, "variants") == {}
