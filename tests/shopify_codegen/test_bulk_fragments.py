"""Bulk queries that select through named and inline fragments: the rules count the
connections inside them, the text sent keeps them (with ``__typename`` where sibling
connections need it), and the records come out typed, connections as lists."""

from __future__ import annotations

import importlib
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import graphql
import pytest

from shopify_client.testing import ADMIN_TOKEN, FakeShopify
from shopify_codegen.operations import read_operation_file
from shopify_codegen.schema_files import load_schema
from shopify_codegen.validate import Finding, validate_document
from tests.conftest import ROOT, run_cli

SCHEMA = load_schema(ROOT / "schema" / "admin" / "2026-04.json")

PACKAGE = "shopify_bulk_fragments"

#: connections in a named fragment, a fragment spread inside a connection's node, an
#: inline fragment on the node's own type holding a connection
QUERIES = {
    "export_options.graphql": """
query ExportOptions {
  products { nodes { ...WithVariants } }
}

fragment WithVariants on Product { id handle variants { nodes { id title } } }
""",
    "export_catalog.graphql": """
query ExportCatalog($query: String) {
  products(query: $query) {
    edges {
      node {
        ...ProductCore
        variants { edges { node { ...VariantBits } } }
        ... on Product {
          metafields { edges { node { id key } } }
        }
      }
    }
  }
}

fragment ProductCore on Product { id title }
fragment VariantBits on ProductVariant { id sku }
""",
    "export_siblings.graphql": """
query ExportSiblings {
  products { nodes { ...Siblings } }
}

fragment Siblings on Product {
  id
  variants { nodes { id } }
  metafields { nodes { id namespace } }
}
""",
}


def findings(tmp_path: Path, text: str) -> list[Finding]:
    path = tmp_path / "bulk" / "op.graphql"
    path.parent.mkdir(exist_ok=True)
    path.write_text(text)
    return [
        f
        for f in validate_document(read_operation_file(path, "bulk/op.graphql"), SCHEMA, "admin")
        if f.severity == "error"
    ]


@pytest.mark.parametrize("name", sorted(QUERIES))
def test_the_fragment_queries_pass_the_rules(tmp_path: Path, name: str) -> None:
    assert findings(tmp_path, QUERIES[name]) == []


def test_a_connection_too_deep_inside_a_fragment_is_refused(tmp_path: Path) -> None:
    text = (
        "query A { products { nodes { id ...Deep } } }\n"
        "fragment Deep on Product { variants { nodes { id ...Deeper } } }\n"
        "fragment Deeper on ProductVariant { metafields { nodes { id } } }\n"
    )
    assert any("nested 3 levels deep" in f.message for f in findings(tmp_path, text))


def test_connections_counted_through_fragments_spread_twice(tmp_path: Path) -> None:
    text = (
        "query A { products { nodes { id ...M a: metafields(first: 1) { nodes { id } } "
        "... on Product { b: metafields(first: 2) { nodes { id } } } } } }\n"
        "fragment M on Product { c: metafields(first: 3) { nodes { id } } "
        "d: metafields(first: 4) { nodes { id } } e: metafields(first: 5) { nodes { id } } }\n"
    )
    assert any(
        "6 connections (" in f.message and "at most 5" in f.message
        for f in findings(tmp_path, text)
    )


def test_a_fragment_with_a_connection_on_a_node_without_id_is_refused(tmp_path: Path) -> None:
    text = (
        "query A { products { nodes { ...NoId } } }\n"
        "fragment NoId on Product { title variants { nodes { id } } }\n"
    )
    assert any("select connections but not 'id'" in f.message for f in findings(tmp_path, text))


@pytest.fixture(scope="module")
def package(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """A project of the three queries, generated, imported."""
    root = tmp_path_factory.mktemp("bulk-fragments")
    (root / "schema").mkdir()
    shutil.copy2(ROOT / "schema" / "manifest.json", root / "schema" / "manifest.json")
    shutil.copytree(ROOT / "schema" / "admin", root / "schema" / "admin")
    folder = root / "queries" / "admin" / "bulk"
    folder.mkdir(parents=True)
    for name, text in QUERIES.items():
        (folder / name).write_text(text)
    (root / "codegen.toml").write_text(
        '[project]\nschema_dir = "schema"\ngenerated_dir = "generated"\n\n'
        '[api.admin]\npinned_version = "2026-04"\nvalidate_versions = ["2026-04"]\n'
        f'queries = "queries/admin"\npackage = "{PACKAGE}"\n'
    )
    code, out, err = run_cli("--root", str(root), "generate")
    assert code == 0, out + err
    sys.path.insert(0, str(root / "generated"))
    try:
        yield importlib.import_module(PACKAGE)
    finally:
        sys.path.remove(str(root / "generated"))
        for name in [m for m in sys.modules if m == PACKAGE or m.startswith(PACKAGE + ".")]:
            del sys.modules[name]


def records(package: Any, method: str) -> tuple[list[Any], str]:
    with FakeShopify() as fake:
        fake.bulk.roots, fake.bulk.children = 3, 2
        endpoint = fake.endpoint("admin", "2026-04")
        with package.Client(endpoint=endpoint, access_token=ADMIN_TOKEN) as shop:
            run = getattr(shop, method)(poll_interval=0.001)
            got = list(run)
        return got, fake.bulk.operations[run.id].query


def test_a_connection_in_a_named_fragment_is_a_list_of_typed_children(package: Any) -> None:
    got, sent = records(package, "export_options")
    module = importlib.import_module(f"{PACKAGE}.export_options")
    # built after the fragments module, and still exported as the models are
    assert package.ExportOptionsRecord is module.ExportOptionsRecord
    assert "ExportOptionsRecord" in package.__all__
    assert len(got) == 3
    for record in got:
        assert isinstance(record, module.ExportOptionsRecord)
        assert record.id.startswith("gid://shopify/Product/") and record.handle
        assert len(record.variants) == 2
        assert all(v.id.startswith("gid://shopify/ProductVariant/") for v in record.variants)
    # the fragment reaches Shopify as written
    document = graphql.parse(sent)
    assert [d.name.value for d in document.definitions[1:]] == ["WithVariants"]  # type: ignore[attr-defined]


def test_spread_and_inline_fragments_in_nodes_reassemble(package: Any) -> None:
    got, _ = records(package, "export_catalog")
    assert len(got) == 3
    for record in got:
        assert record.id and record.title
        assert len(record.variants) == 2 and all(v.id and v.sku for v in record.variants)
        assert len(record.metafields) == 2 and all(m.key for m in record.metafields)


def test_sibling_connections_in_a_fragment_get_their_typename_in_the_text_sent(
    package: Any,
) -> None:
    got, sent = records(package, "export_siblings")
    fragment = next(
        d for d in graphql.parse(sent).definitions if isinstance(d, graphql.FragmentDefinitionNode)
    )
    nodes = {
        f.name.value: f.selection_set.selections[0].selection_set  # type: ignore[attr-defined]
        for f in fragment.selection_set.selections
        if isinstance(f, graphql.FieldNode) and f.selection_set is not None
    }
    for key in ("variants", "metafields"):
        names = [s.name.value for s in nodes[key].selections]
        assert names[0] == "__typename", (key, names)
    for record in got:
        assert len(record.variants) == 2 and len(record.metafields) == 2
        assert all(m.namespace for m in record.metafields)
