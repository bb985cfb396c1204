"""Generating from the pruned schema is sound only if the output is byte-identical."""

from __future__ import annotations

from pathlib import Path

import pytest
from graphql import GraphQLSchema

from shopify_codegen.check import compare_trees
from shopify_codegen.config import load_config
from shopify_codegen.generate import generate_package
from shopify_codegen.operations import read_operation_file, read_operation_folder
from shopify_codegen.prune import prune_schema
from shopify_codegen.schema_files import load_schema
from shopify_codegen.validate import RULES
from tests.conftest import FIXTURE_PROJECT, FIXTURES, ROOT, fixture_config

CONFIG = fixture_config()


@pytest.mark.parametrize("api", ["storefront", "admin"])
def test_pruned_generation_is_byte_identical_to_full_schema_generation(
    api: str, tmp_path: Path
) -> None:
    full = generate_package(CONFIG, CONFIG.api(api), _mkdir(tmp_path / "full"), prune=False)
    pruned = generate_package(CONFIG, CONFIG.api(api), _mkdir(tmp_path / "pruned"), prune=True)
    assert compare_trees(full.path, pruned.path, api) == []
    assert full.files == pruned.files
    # the fixture project's operations never need the slow fallback to the whole schema
    assert (pruned.pruned, pruned.prune_problem) == (True, None)
    assert (full.pruned, full.prune_problem) == (False, None)


def _mkdir(path: Path) -> Path:
    path.mkdir()
    return path


def _pruned(api: str, version: str) -> tuple[GraphQLSchema, GraphQLSchema]:
    schema = load_schema(ROOT / "schema" / api / f"{version}.json")
    documents = [f.document for f in read_operation_folder(FIXTURE_PROJECT / "queries" / api)]
    return schema, prune_schema(schema, documents)


def test_pruned_schema_keeps_only_what_operations_reach() -> None:
    full, pruned = _pruned("storefront", "2024-10")
    assert len(full.type_map) > 350
    named = {n for n in pruned.type_map if not n.startswith("__")}
    assert {
        "Customer",
        "CustomerAccessTokenCreateInput",
        "CustomerErrorCode",
        "DateTime",
        "UnsignedInt64",
    } <= named
    assert "Checkout" not in named and "Blog" not in named
    assert pruned.query_type is not None
    assert sorted(pruned.query_type.fields) == ["customer", "products"]
    customer = pruned.type_map["Customer"]
    assert full.type_map["Customer"].description == customer.description


def test_pruned_schema_still_validates_the_operations() -> None:
    from graphql import validate

    for api, version in [("storefront", "2024-10"), ("admin", "2024-01")]:
        _, pruned = _pruned(api, version)
        for op_file in read_operation_folder(FIXTURE_PROJECT / "queries" / api):
            assert validate(pruned, op_file.document, RULES) == []


def test_pruning_follows_fragments_and_interfaces() -> None:
    schema = load_schema(ROOT / "schema" / "storefront" / "2024-10.json")
    document = read_operation_file(FIXTURES / "operations" / "interface_fragment.graphql").document
    pruned = prune_schema(schema, [document])
    from graphql import validate

    assert validate(pruned, document) == []
    assert "Node" in pruned.type_map and "Product" in pruned.type_map


EXTRA_OPERATIONS = {
    # selected only through an inline fragment on an interface
    "product_node.graphql": (
        "query productNode($id: ID!) { node(id: $id) { ... on Product { title } } }\n"
    ),
    # a type reached with nothing but __typename
    "shop_typename.graphql": "query shopTypename { shop { __typename } }\n",
    # a fragment on an interface, spread in a query
    "node_fragment.graphql": (
        "query nodeFragment($id: ID!) { node(id: $id) { ...NodeBits } }\n"
        "fragment NodeBits on Node { id ... on Product { handle } }\n"
    ),
}


def test_pruning_covers_fragments_interfaces_and_typename_only(tmp_path: Path) -> None:
    """Operations that reach types without selecting their fields (a review found
    these crashed generation): pruned output is still byte-identical."""
    from tests.conftest import copy_project

    project = copy_project(tmp_path / "project", apis=("storefront",))
    for name, text in EXTRA_OPERATIONS.items():
        (project / "queries" / "storefront" / name).write_text(text)
    config = load_config(project)
    api = config.api("storefront")
    schema = load_schema(project / "schema" / "storefront" / "2024-10.json")
    documents = [f.document for f in read_operation_folder(api.queries)]
    from graphql import validate, validate_schema

    pruned = prune_schema(schema, documents)
    assert validate_schema(pruned) == []
    assert all(validate(pruned, d, RULES) == [] for d in documents)
    full = generate_package(config, api, _mkdir(tmp_path / "full"), prune=False)
    fast = generate_package(config, api, _mkdir(tmp_path / "pruned"), prune=True)
    assert compare_trees(full.path, fast.path, "storefront") == []
