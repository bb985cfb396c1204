"""Operation and fragment names whose generated files or classes would collide.

``query Client`` would be ``client.py``, the file ariadne-codegen writes for the
client (generation stopped with a bare "Duplicated file names"); ``fragment
ShopInfoShop`` beside ``query ShopInfo { shop { ... } }`` would define the class
``ShopInfoShop`` twice (the package generated, then mypy refused its ``__init__``).
Both are refused by ``validate`` (and so by ``generate``), at the definition.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from shopify_codegen.names import (
    EXPORTED_NAMES,
    GENERATED_MODULES,
    module_name,
    module_name_problem,
)
from tests.conftest import copy_project, fixture_project, run_cli

#: One operation name per generated module ariadne-codegen writes.
COLLIDING = [
    "Client",
    "AsyncClient",
    "BaseClient",
    "AsyncBaseClient",
    "BaseModel",
    "Enums",
    "InputTypes",
    "Fragments",
    "Exceptions",
]


def test_every_generated_module_has_a_colliding_name_here() -> None:
    assert {module_name(n) for n in COLLIDING} == set(GENERATED_MODULES) - {"__init__"}


@pytest.mark.parametrize("name", COLLIDING)
def test_an_operation_named_after_a_generated_module_is_refused(name: str) -> None:
    problem = module_name_problem(name)
    assert problem is not None
    assert f"{module_name(name)}.py" in problem and repr(name) in problem


def test_other_names_pass_and_renamed_modules_follow_the_settings() -> None:
    assert module_name_problem("ShopInfo") is None
    assert module_name_problem("ClientOrders") is None
    # With fragments_module_name = "shared", "Fragments" is free and "Shared" is not.
    settings = {"fragments_module_name": "shared"}
    assert module_name_problem("Fragments", settings) is None
    assert "shared.py" in (module_name_problem("Shared", settings) or "")


@pytest.mark.parametrize("command", ["validate", "generate"])
def test_cli_names_the_operation_file_line_and_colliding_file(tmp_path: Path, command: str) -> None:
    root = copy_project(tmp_path / "p", apis=("storefront",))
    op = root / "queries" / "storefront" / "client_op.graphql"
    op.write_text("# a query named after the client\n\nquery Client { shop { name } }\n")
    code, out, err = run_cli("--root", str(root), command)
    assert code == 2, out + err
    assert (
        "queries/storefront/client_op.graphql:3:1: operation 'Client' would be generated "
        "as client.py, the file that holds the sync client"
    ) in err
    assert "Duplicated file names" not in err


def _shop_project(tmp_path: Path) -> Path:
    root = copy_project(tmp_path / "p", apis=("storefront",))
    folder = root / "queries" / "storefront"
    (folder / "shop_info.graphql").write_text("query ShopInfo {\n  shop { name }\n}\n")
    return root


def test_a_fragment_named_like_an_operations_model_is_an_error_at_the_fragment(
    tmp_path: Path,
) -> None:
    root = _shop_project(tmp_path)
    (root / "queries" / "storefront" / "shop_fragment.graphql").write_text(
        "\n  fragment ShopInfoShop on Shop { name }\n"
    )
    code, out, err = run_cli("--root", str(root), "validate")
    assert code == 1, out + err
    assert (
        "queries/storefront/shop_fragment.graphql:2:3: error [storefront 2024-10] fragment "
        "'ShopInfoShop' would generate the class ShopInfoShop (fragments.py), and so would "
        "operation 'ShopInfo' (shop_info.py) at queries/storefront/shop_info.graphql:1:1"
    ) in out
    code, out, _ = run_cli("--root", str(root), "generate")
    assert code == 1 and "nothing written" in out


def test_an_operation_named_like_another_operations_model_is_an_error(tmp_path: Path) -> None:
    root = _shop_project(tmp_path)
    (root / "queries" / "storefront" / "shop_info_shop.graphql").write_text(
        "query ShopInfoShop { shop { name } }\n"
    )
    code, out, err = run_cli("--root", str(root), "validate")
    assert code == 1, out + err
    assert "operation 'ShopInfoShop' would generate the class ShopInfoShop" in out
    assert "and so would operation 'ShopInfo' (shop_info.py)" in out


def test_a_model_named_like_the_packages_own_name_is_an_error(tmp_path: Path) -> None:
    root = copy_project(tmp_path / "p", apis=("storefront",))
    # Base + the alias "model" = BaseModel, the models' base class the package exports
    (root / "queries" / "storefront" / "base.graphql").write_text(
        "query Base { model: shop { name } }\n"
    )
    code, out, err = run_cli("--root", str(root), "validate")
    assert code == 1, out + err
    assert (
        "operation 'Base' would generate the class BaseModel (base.py), and so would "
        "the package's own BaseModel (base_model.py)"
    ) in out


def test_the_packages_own_names_are_what_a_generated_init_exports() -> None:
    package = fixture_project() / "generated" / "shopify_storefront"
    tree = ast.parse((package / "__init__.py").read_text())
    exported: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets
        ):
            exported = set(ast.literal_eval(node.value))
    models = set()
    for module in package.glob("*.py"):
        if module.stem not in ("__init__", "client", "async_client", "base_client", "base_model"):
            for node in ast.parse(module.read_text()).body:
                if isinstance(node, ast.ClassDef):
                    models.add(node.name)
                elif isinstance(node, ast.Assign):  # a model named after a fragment
                    models |= {t.id for t in node.targets if isinstance(t, ast.Name)}
    assert exported - models == set(EXPORTED_NAMES)


def test_the_fixture_projects_names_do_not_clash(tmp_path: Path) -> None:
    root = copy_project(tmp_path / "p", apis=("storefront", "admin", "customer"))
    code, out, err = run_cli("--root", str(root), "validate")
    assert code == 0, out + err
    assert "would generate the class" not in out


def test_validate_with_schema_file_reports_clashes_too(tmp_path: Path) -> None:
    from tests.conftest import ROOT

    (tmp_path / "a.graphql").write_text("query ShopInfo { shop { name } }\n")
    (tmp_path / "b.graphql").write_text("fragment ShopInfoShop on Shop { name }\n")
    schema = ROOT / "schema" / "storefront" / "2024-10.json"
    code, out, err = run_cli(
        "validate",
        "--schema",
        str(schema),
        str(tmp_path / "a.graphql"),
        str(tmp_path / "b.graphql"),
    )
    assert code == 1, out + err
    assert "b.graphql:1:1: error" in out and "class ShopInfoShop" in out


def test_two_operations_of_one_module_name_are_refused(tmp_path: Path) -> None:
    root = _shop_project(tmp_path)
    (root / "queries" / "storefront" / "shop_info_2.graphql").write_text(
        "query shopInfo { shop { name } }\n"
    )
    code, out, err = run_cli("--root", str(root), "validate")
    assert code == 2, out + err
    assert "operation 'shopInfo' would be generated as shop_info.py, as would 'ShopInfo' in " in err
    assert "Duplicated file names" not in err


# -- the classes the plugin adds to bulk operations' modules ---------------------------

ADMIN_2026_04 = "schema/admin/2026-04.json"
EXPORT = "query ExportProducts {\n  products { edges { node { id title } } }\n}\n"
IMPORT = (
    "mutation ImportProducts($product: ProductCreateInput!) {\n"
    "  productCreate(product: $product) { product { id } userErrors { message } }\n"
    "}\n"
)


def _validate_bulk(tmp_path: Path, extra: dict[str, str]) -> tuple[int, str]:
    from tests.conftest import ROOT

    (tmp_path / "bulk").mkdir()
    (tmp_path / "bulk" / "export_products.graphql").write_text(EXPORT)
    (tmp_path / "bulk" / "import_products.graphql").write_text(IMPORT)
    for name, text in extra.items():
        (tmp_path / name).write_text(text)
    paths = sorted(str(p) for p in tmp_path.rglob("*.graphql"))
    code, out, err = run_cli("validate", "--schema", str(ROOT / ADMIN_2026_04), *paths)
    return code, out + err


def test_bulk_operations_alone_pass(tmp_path: Path) -> None:
    code, out = _validate_bulk(tmp_path, {})
    assert code == 0, out


def test_an_operation_named_like_a_bulk_querys_record_is_an_error(tmp_path: Path) -> None:
    code, out = _validate_bulk(
        tmp_path, {"record.graphql": "query ExportProductsRecord { shop { name } }\n"}
    )
    assert code == 1, out
    assert "record.graphql:1:1: error [" in out
    assert (
        "] operation 'ExportProductsRecord' "
        "would generate the class ExportProductsRecord (export_products_record.py), and so "
        "would operation 'ExportProducts' (export_products.py) at "
    ) in out
    assert "bulk/export_products.graphql:1:1" in out


def test_an_operation_named_like_a_bulk_mutations_variables_is_an_error(tmp_path: Path) -> None:
    code, out = _validate_bulk(
        tmp_path, {"variables.graphql": "query ImportProductsVariables { shop { name } }\n"}
    )
    assert code == 1, out
    assert "variables.graphql:1:1: error [" in out
    assert (
        "] operation "
        "'ImportProductsVariables' would generate the class ImportProductsVariables "
        "(import_products_variables.py), and so would operation 'ImportProducts' "
        "(import_products.py) at "
    ) in out


def test_a_fragment_named_like_a_bulk_record_is_an_error(tmp_path: Path) -> None:
    code, out = _validate_bulk(
        tmp_path,
        {
            "uses.graphql": "query ShopName { shop { ...ExportProductsRecord } }\n",
            "fragment.graphql": "fragment ExportProductsRecord on Shop { name }\n",
        },
    )
    assert code == 1, out
    assert "class ExportProductsRecord" in out and "fragment 'ExportProductsRecord'" in out


def test_a_bulk_querys_own_model_named_like_its_record_is_an_error(tmp_path: Path) -> None:
    from tests.conftest import ROOT

    (tmp_path / "bulk").mkdir()
    path = tmp_path / "bulk" / "export_products.graphql"
    # the alias names the connection's model ExportProductsRecord; the record would
    # then replace it in export_products.py
    path.write_text("query ExportProducts {\n  record: products { edges { node { id } } }\n}\n")
    code, out, err = run_cli("validate", "--schema", str(ROOT / ADMIN_2026_04), str(path))
    assert code == 1, out + err
    assert "export_products.graphql:1:1: error [" in out
    assert (
        "] operation "
        "'ExportProducts' would generate the class ExportProductsRecord (export_products.py), "
        "and so would the bulk class of that name the plugin appends to the same module"
    ) in out


@pytest.fixture(scope="module")
def bulk_package(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A generated Admin 2026-04 package of one bulk query (a nested connection) and
    one bulk mutation."""
    from tests.conftest import admin_bulk_project

    return admin_bulk_project(
        tmp_path_factory.mktemp("bulk-names"),
        {"export_products.graphql": NESTED_EXPORT, "import_products.graphql": IMPORT},
        "bulk_names_pkg",
    )


NESTED_EXPORT = (
    "query ExportProducts {\n"
    "  products { edges { node { id title variants { edges { node { id } } } } } }\n"
    "}\n"
)


def test_the_bulk_class_names_are_the_ones_generated(bulk_package: Path) -> None:
    """Each bulk module's classes are ariadne-codegen's plus those the check names."""
    import warnings

    from ariadne_codegen.client_generators.result_types import ResultTypesGenerator
    from graphql import OperationDefinitionNode, parse

    from shopify_codegen.names import _bulk_class_names
    from shopify_codegen.schema_files import load_schema

    schema = load_schema(bulk_package / "schema/admin/2026-04.json")
    for text, module in ((NESTED_EXPORT, "export_products"), (IMPORT, "import_products")):
        (operation,) = parse(text).definitions
        assert isinstance(operation, OperationDefinitionNode)
        tree = ast.parse((bulk_package / f"generated/bulk_names_pkg/{module}.py").read_text())
        classes = {n.name for n in tree.body if isinstance(n, ast.ClassDef)}
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ariadne = ResultTypesGenerator(
                schema=schema,
                operation_definition=operation,
                enums_module_name="enums",
                convert_to_snake_case=True,
            ).get_generated_public_names()
        added = _bulk_class_names(operation, {}, schema)
        assert added and classes - set(ariadne) == set(added)
