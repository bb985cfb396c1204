"""Shopify's bulk query rules, checked by validate (so generate) at file:line:col."""

from __future__ import annotations

from pathlib import Path

import pytest

from shopify_codegen.operations import read_operation_file
from shopify_codegen.schema_files import load_schema
from shopify_codegen.validate import Finding, validate_document
from tests.conftest import FIXTURES, ROOT, run_cli

SCHEMA = load_schema(ROOT / "schema" / "admin" / "2026-04.json")


def findings(tmp_path: Path, text: str, folder: str = "bulk") -> list[Finding]:
    path = tmp_path / folder / "op.graphql"
    path.parent.mkdir(exist_ok=True)
    path.write_text(text)
    return [
        f
        for f in validate_document(read_operation_file(path, "bulk/op.graphql"), SCHEMA, "admin")
        if f.severity == "error"
    ]


def test_the_guides_example_passes(tmp_path: Path) -> None:
    text = (FIXTURES / "operations" / "bulk" / "export_products.graphql").read_text()
    assert findings(tmp_path, text) == []


@pytest.mark.parametrize(
    ("text", "message", "marker"),
    [
        ("query A { shop { name } }", "'shop' is not a connection", "shop"),
        (
            'query A { node(id: "gid://shopify/Product/1") { id } }',
            "top-level 'node'",
            "node(",
        ),
        (
            "query A {\n  products { edges { node { id\n"
            "    variants { edges { node { id\n"
            "      inventoryItem { id } } } } } } }\n}",
            None,
            None,
        ),
        (
            "query A { products { edges { node { id variants { edges { node { id "
            "media { edges { node { id } } } } } } } } } }",
            "nested 3 levels deep",
            "media",
        ),
        (
            "query A { products { edges { node { title variants { nodes { id } } } } } }",
            "select connections but not 'id'",
            "products",
        ),
        (
            "query A { shop { name } products { nodes { id } } }",
            "'shop' is not a connection",
            "shop",
        ),
        (
            "query A { products { nodes { id } } orders { nodes { id } } }",
            "one root connection",
            "orders",
        ),
        # a mutation in bulk/ is a bulk mutation (see test_bulk_mutation): no query rule
        ('mutation A { productDelete(input: {id: "x"}) { deletedProductId } }', None, None),
        (
            "query A($f: ProductSetInput) { products { nodes { id } } }",
            "input object",
            "$f",
        ),
        (
            "query A { products { nodes { id "
            "a: variants { nodes { id } } b: variants { nodes { id } } } } }",
            "both return ProductVariant",
            "b: variants",
        ),
    ],
)
def test_each_rule_names_file_line_and_column(
    tmp_path: Path, text: str, message: str | None, marker: str | None
) -> None:
    """``marker``: the text the finding points at (on the first line)."""
    found = findings(tmp_path, text)
    if message is None:
        assert found == []
        return
    assert any(message in f.message for f in found), found
    hit = next(f for f in found if message in f.message)
    assert marker is not None
    where = (1, text.index(marker) + 1)
    assert (hit.line, hit.column) == where
    assert hit.file == "bulk/op.graphql"
    assert str(hit).startswith(f"bulk/op.graphql:{where[0]}:{where[1]}: error")


def test_more_than_five_connections(tmp_path: Path) -> None:
    text = (
        "query A { products { nodes { id "
        + " ".join(f"c{i}: metafields(first: 1) {{ nodes {{ id }} }}" for i in range(5))
        + " } } }"
    )
    found = findings(tmp_path, text)
    hit = next(f for f in found if "Shopify allows at most 5" in f.message)
    # the finding points at the sixth connection and names all six, in order
    assert (hit.line, hit.column) == (1, text.index("c4:") + 1)
    assert "6 connections ('products', 'c0', 'c1', 'c2', 'c3', 'c4')" in hit.message
    assert "this one is the 6th" in hit.message


def test_five_connections_are_allowed(tmp_path: Path) -> None:
    children = ("variants", "metafields", "collections", "media")
    text = (
        "query A { products { nodes { id "
        + " ".join(f"{c} {{ nodes {{ __typename }} }}" for c in children)
        + " } } }"
    )
    assert findings(tmp_path, text) == []


def test_a_connection_of_scalars_is_not_a_node_connection(tmp_path: Path) -> None:
    # Product.productTags... no: QueryRoot.productTags is a StringConnection (nodes: String)
    text = "query A {\n  products { nodes { id } }\n  productTags(first: 5) { nodes }\n}"
    found = findings(tmp_path, text)
    hit = next(f for f in found if "productTags" in f.message)
    assert "returns String, not a Node type" in hit.message
    assert "not a connection" not in hit.message
    assert (hit.line, hit.column) == (3, 3)


def test_a_connection_that_selects_no_nodes_says_so(tmp_path: Path) -> None:
    text = "query A {\n  products { pageInfo { hasNextPage } }\n}"
    found = findings(tmp_path, text)
    assert len(found) == 1, found
    assert "'products' selects neither 'edges { node { ... } }' nor 'nodes" in found[0].message
    assert (found[0].line, found[0].column) == (2, 3)


@pytest.mark.parametrize("api", ["storefront", "customer"])
def test_a_bulk_folder_outside_the_admin_api_is_refused(tmp_path: Path, api: str) -> None:
    schema = load_schema(ROOT / "schema" / api / "2026-04.json")
    path = tmp_path / "bulk" / "op.graphql"
    path.parent.mkdir()
    path.write_text("# a comment\nquery A { shop { name } }\n")
    found = [
        f
        for f in validate_document(read_operation_file(path, "bulk/op.graphql"), schema, api)
        if f.severity == "error"
    ]
    assert len(found) == 1, found
    assert "bulk operations exist in the Admin API only" in found[0].message
    assert (found[0].line, found[0].column) == (2, 1)


def test_a_connection_of_non_node_types_is_refused(tmp_path: Path) -> None:
    # Product.options is a list; ProductVariant.selectedOptions too: find a connection
    # whose nodes are not Node: StaffMember? use the schema to find one
    from graphql import GraphQLObjectType, get_named_type

    query_type = SCHEMA.query_type
    assert query_type is not None
    for name, field in query_type.fields.items():
        named = get_named_type(field.type)
        if isinstance(named, GraphQLObjectType) and name.endswith("s") and "nodes" in named.fields:
            node = get_named_type(named.fields["nodes"].type)
            if isinstance(node, GraphQLObjectType) and not any(
                i.name == "Node" for i in node.interfaces
            ):
                break
    else:
        pytest.skip("every root connection of this schema returns Node types")
    required = [a for a, arg in field.args.items() if str(arg.type).endswith("!")]
    if required:
        pytest.skip(f"{name} needs arguments")
    found = findings(tmp_path, f"query A {{ {name} {{ nodes {{ __typename }} }} }}")
    assert any("not a Node type" in f.message for f in found), found


def test_outside_a_bulk_folder_no_bulk_rule_applies(tmp_path: Path) -> None:
    assert findings(tmp_path, "query A { shop { name } }", folder="plain") == []


def test_validate_cli_reports_a_broken_bulk_query(tmp_path: Path) -> None:
    path = tmp_path / "bulk" / "op.graphql"
    path.parent.mkdir()
    path.write_text("query A {\n  shop { name }\n}\n")
    code, out, err = run_cli(
        "validate", "--schema", str(ROOT / "schema/admin/2026-04.json"), str(path)
    )
    assert code != 0
    assert "op.graphql:2:3: error" in out + err


def test_a_finding_in_another_files_fragment_names_that_file(tmp_path: Path) -> None:
    """The connection sits in a fragment of fragments/ship.graphql: the finding points
    there, not at the same line and column of the bulk file."""
    from shopify_codegen.operations import read_operation_folder

    queries = tmp_path / "queries" / "admin"
    (queries / "bulk").mkdir(parents=True)
    (queries / "fragments").mkdir()
    (queries / "fragments" / "ship.graphql").write_text(
        "fragment OrderShipping on Order {\n  id\n  shippingLines { edges { node { title } } }\n}\n"
    )
    (queries / "bulk" / "ship_export.graphql").write_text(
        "query ShipExport {\n  orders {\n    edges {\n"
        "      node { ...OrderShipping }\n    }\n  }\n}\n"
    )
    files = read_operation_folder(queries, lambda p: p.relative_to(tmp_path).as_posix())
    bulk_file = next(f for f in files if f.path.name == "ship_export.graphql")
    found = [
        f for f in validate_document(bulk_file, SCHEMA, "admin") if "shippingLines" in f.message
    ]
    assert len(found) == 1, found
    assert "returns ShippingLine, not a Node type" in found[0].message
    assert (found[0].file, found[0].line, found[0].column) == (
        "queries/admin/fragments/ship.graphql",
        3,
        3,
    )


def test_what_shopify_ignores_is_a_warning_at_its_place(tmp_path: Path) -> None:
    text = "query A {\n  products(first: 10) { pageInfo { hasNextPage } nodes { id } }\n}"
    path = tmp_path / "bulk" / "op.graphql"
    path.parent.mkdir()
    path.write_text(text)
    found = validate_document(read_operation_file(path, "bulk/op.graphql"), SCHEMA, "admin")
    assert [f.severity for f in found] == ["warning", "warning"], found
    first, page_info = found
    assert "'first' on connection 'products' is ignored by Shopify" in first.message
    assert (first.line, first.column) == (2, 12)
    assert "'pageInfo' of connection 'products'" in page_info.message
    assert (page_info.line, page_info.column) == (2, 25)


def test_an_undefined_fragment_adds_no_follow_on_id_finding(tmp_path: Path) -> None:
    """validate names the unknown fragment; the id it may hold is not called missing."""
    text = "query A { orders { nodes { ...Elsewhere lineItems { nodes { id } } } } }"
    path = tmp_path / "bulk" / "op.graphql"
    path.parent.mkdir()
    path.write_text(text)
    found = validate_document(read_operation_file(path, "bulk/op.graphql"), SCHEMA, "admin")
    assert any("Unknown fragment 'Elsewhere'" in f.message for f in found), found
    assert not any("but not 'id'" in f.message for f in found), found


def test_a_file_in_a_subfolder_of_bulk_is_warned_about(tmp_path: Path) -> None:
    """Only files directly in bulk/ are bulk operations: one deeper is read as a plain
    query, and validate says so rather than letting it pass as a bulk one."""
    path = tmp_path / "bulk" / "sub" / "op.graphql"
    path.parent.mkdir(parents=True)
    path.write_text("# exports\nquery A { products(first: 5) { nodes { id } } }\n")
    found = validate_document(read_operation_file(path, "bulk/sub/op.graphql"), SCHEMA, "admin")
    assert [(f.severity, f.line, f.column) for f in found] == [("warning", 2, 1)], found
    assert "in a subfolder of 'bulk/'" in found[0].message
    # directly in bulk/ or outside any bulk/: no such warning
    for shown in ("bulk/op.graphql", "plain/op.graphql"):
        found = validate_document(read_operation_file(path, shown), SCHEMA, "admin")
        assert not any("subfolder" in f.message for f in found), found
