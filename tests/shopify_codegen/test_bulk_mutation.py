"""Bulk mutations: Shopify's rules at file:line:col, and what generate writes for one.

The generated package is made in a scratch project of this test's own (an Admin
2026-04 package with one bulk mutation), never from this repository's queries/.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from shopify_codegen.operations import read_operation_file
from shopify_codegen.schema_files import load_schema
from shopify_codegen.validate import Finding, validate_document
from tests.conftest import ROOT, admin_bulk_project, run_cli

SCHEMA = load_schema(ROOT / "schema" / "admin" / "2026-04.json")

IMPORT = """mutation ImportProducts($product: ProductCreateInput!, $media: [CreateMediaInput!]) {
  productCreate(product: $product, media: $media) {
    product { id title handle }
    userErrors { field message }
  }
}
"""


def findings(tmp_path: Path, text: str) -> list[Finding]:
    path = tmp_path / "bulk" / "op.graphql"
    path.parent.mkdir(exist_ok=True)
    path.write_text(text)
    found = validate_document(read_operation_file(path, "bulk/op.graphql"), SCHEMA, "admin")
    return [f for f in found if f.severity == "error"]


def test_a_bulk_mutation_of_one_field_passes(tmp_path: Path) -> None:
    assert findings(tmp_path, IMPORT) == []


def test_fragments_are_allowed(tmp_path: Path) -> None:
    text = (
        "mutation A($p: ProductCreateInput!) { productCreate(product: $p) { ...P } }\n"
        "fragment P on ProductCreatePayload { product { id } userErrors { message } }\n"
    )
    assert findings(tmp_path, text) == []


@pytest.mark.parametrize(
    ("text", "message", "marker"),
    [
        (
            "mutation A($p: ProductCreateInput!, $q: ProductCreateInput!) { "
            "a: productCreate(product: $p) { product { id } } "
            'b: productUpdate(product: {id: "x"}) { product { id } } }',
            "2 mutation fields (a: productCreate, b: productUpdate)",
            "b: productUpdate",
        ),
        (  # the same field twice, no alias: named twice, pointed at the second
            "mutation A($p: ProductCreateInput!) { productCreate(product: $p) { product "
            "{ id } } productCreate(product: $p) { userErrors { message } } }",
            "2 mutation fields (productCreate, productCreate)",
            "productCreate(product: $p) { userErrors",
        ),
        (
            'mutation A { bulkOperationRunQuery(query: "{ shop { id } }") { '
            "bulkOperation { id } } }",
            "'bulkOperationRunQuery' cannot run inside a bulk operation",
            "bulkOperationRunQuery",
        ),
        (
            'mutation A { bulkOperationCancel(id: "gid://shopify/BulkOperation/1") { '
            "bulkOperation { id } } }",
            "cannot run inside a bulk operation",
            "bulkOperationCancel",
        ),
    ],
)
def test_each_rule_names_file_line_and_column(
    tmp_path: Path, text: str, message: str, marker: str
) -> None:
    found = findings(tmp_path, text)
    hit = next((f for f in found if message in f.message), None)
    assert hit is not None, found
    assert (hit.line, hit.column) == (1, text.index(marker) + 1)
    assert str(hit).startswith(f"bulk/op.graphql:1:{text.index(marker) + 1}: error")


def test_a_mutation_that_needs_a_key_takes_it_per_line(tmp_path: Path) -> None:
    head = "mutation A($input: InventoryAdjustQuantitiesInput!, $k: String!) {\n  "
    tail = " { userErrors { message } }\n}\n"
    bare = head + "inventoryAdjustQuantities(input: $input)" + tail
    found = findings(tmp_path, bare.replace(", $k: String!", ""))
    assert any("requires @idempotent(key:)" in f.message and f.line == 2 for f in found), found
    literal = head + 'inventoryAdjustQuantities(input: $input) @idempotent(key: "k")' + tail
    found = findings(tmp_path, literal.replace(", $k: String!", ""))
    assert any("literal @idempotent key" in f.message for f in found), found
    per_line = head + "inventoryAdjustQuantities(input: $input) @idempotent(key: $k)" + tail
    assert findings(tmp_path, per_line) == []


def test_validate_cli_reports_a_broken_bulk_mutation(tmp_path: Path) -> None:
    path = tmp_path / "bulk" / "op.graphql"
    path.parent.mkdir()
    path.write_text('mutation A {\n  bulkOperationCancel(id: "x") { bulkOperation { id } }\n}\n')
    code, out, err = run_cli(
        "validate", "--schema", str(ROOT / "schema/admin/2026-04.json"), str(path)
    )
    assert code != 0
    assert "op.graphql:2:3: error" in out + err


# -- generate ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A scratch project: one Admin 2026-04 package with ImportProducts in bulk/."""
    return admin_bulk_project(
        tmp_path_factory.mktemp("bulk-mutation-project"),
        {"import_products.graphql": IMPORT},
        "bulk_mutation_pkg",
    )


def test_the_variables_model_is_generated(generated: Path) -> None:
    module = (generated / "generated/bulk_mutation_pkg/import_products.py").read_text()
    assert "class ImportProductsVariables(BaseModel):" in module
    assert "product: ProductCreateInput" in module
    assert "media: Optional[list[CreateMediaInput]] = None" in module
    client = (generated / "generated/bulk_mutation_pkg/client.py").read_text()
    assert "def import_products(" in client
    assert "def resume_import_products(" in client
    assert "-> BulkMutationRun[ImportProducts]" in client
    asynchronous = (generated / "generated/bulk_mutation_pkg/async_client.py").read_text()
    assert "async def import_products(" in asynchronous
    assert "-> AsyncBulkMutationRun[ImportProducts]" in asynchronous


def test_the_generated_package_is_check_clean(generated: Path) -> None:
    code, out, err = run_cli("--root", str(generated), "check")
    assert code == 0, out + err


def test_the_generated_method_imports_through_fake_shopify(generated: Path) -> None:
    """The generated package, in a fresh interpreter, against FakeShopify: one result
    per input, in input order, the unset optional variable left out of each line."""
    code = f"""
        import json, sys
        sys.path.insert(0, {str(generated / "generated")!r})
        from bulk_mutation_pkg import Client, ImportProductsVariables
        from bulk_mutation_pkg.input_types import ProductCreateInput
        from shopify_client.testing import ADMIN_TOKEN, FakeShopify

        with FakeShopify(schema_dir={str(generated / "schema")!r}) as fake:
            fake.answer(
                "ImportProducts",
                lambda v: {{"productCreate": {{"product": {{"title": v["product"]["title"]}}}}}},
            )
            with Client(
                endpoint=fake.endpoint("admin", "2026-04"), access_token=ADMIN_TOKEN
            ) as client:
                lines = [
                    ImportProductsVariables(product=ProductCreateInput(title=f"T{{i}}"))
                    for i in range(7)
                ]
                run = client.import_products(iter(lines), poll_interval=0.001, max_file_bytes=120)
                results = list(run)
            (upload,) = [u for u in fake.bulk.mutations.uploads.values() if u.path][:1]
            first = upload.path.read_text().splitlines()[0]
            print(json.dumps({{
                "lines": [r.line for r in results],
                "titles": [r.data.product_create.product.title for r in results],
                "parts": len(run.ids),
                "first": first,
            }}))
    """
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=generated,
    )
    assert done.returncode == 0, done.stderr
    value = json.loads(done.stdout.strip().splitlines()[-1])
    assert value["lines"] == list(range(7))
    assert value["titles"] == [f"T{i}" for i in range(7)]
    assert value["parts"] > 1  # max_file_bytes split the input
    assert json.loads(value["first"]) == {"product": {"title": "T0"}}  # media: left out
