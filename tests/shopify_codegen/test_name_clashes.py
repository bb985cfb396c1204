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
