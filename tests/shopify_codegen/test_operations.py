"""Operation files as one set per API: fragment files, shared fragments, bad input."""

from __future__ import annotations

from pathlib import Path

import pytest
from graphql import FragmentDefinitionNode, OperationDefinitionNode

from shopify_codegen.errors import OperationFileError
from shopify_codegen.operations import find_operation_files, read_operation_set, unused_fragments
from shopify_codegen.store import committed_schema
from shopify_codegen.validate import validate_files, validate_set
from tests.conftest import ROOT, copy_project, fixture_config, run_cli

CONFIG = fixture_config()
STOREFRONT = committed_schema(CONFIG, "storefront", "2024-10")

PRODUCT_CARD = "fragment ProductCard on Product {\n  id\n  title\n  ...Price\n}\n"
PRICE = "fragment Price on Product {\n  priceRange { minVariantPrice { amount currencyCode } }\n}\n"
PRODUCTS = (
    "query Products($first: Int = 10, $after: String) {\n"
    "  products(first: $first, after: $after) { nodes { ...ProductCard } }\n}\n"
)


def write(folder: Path, files: dict[str, str]) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, text in files.items():
        path = folder / name
        path.write_text(text)
        paths.append(path)
    return sorted(paths)


def test_a_file_of_fragments_only_is_valid_and_shared(tmp_path: Path) -> None:
    paths = write(
        tmp_path,
        {"fragments.graphql": PRODUCT_CARD, "price.graphql": PRICE, "products.graphql": PRODUCTS},
    )
    files = read_operation_set(paths)
    products = next(f for f in files if f.path.name == "products.graphql")
    names = [
        d.name.value
        for d in products.document.definitions
        if isinstance(d, OperationDefinitionNode | FragmentDefinitionNode) and d.name
    ]
    assert names == ["Products", "ProductCard", "Price"]  # its own, then what it spreads
    assert [o.name.value for o in products.operations if o.name] == ["Products"]
    assert validate_set(files, STOREFRONT, "storefront 2024-10") == []
    assert unused_fragments(files) == []


def test_a_fragment_defined_twice_names_both_files(tmp_path: Path) -> None:
    paths = write(tmp_path, {"a.graphql": PRODUCT_CARD + PRICE, "b.graphql": PRICE + PRODUCTS})
    with pytest.raises(OperationFileError) as info:
        read_operation_set(paths)
    message = str(info.value)
    assert "b.graphql" in message and "a.graphql:6:1" in message
    assert "fragment 'Price'" in message


def test_fragments_spreading_each_other_across_files_are_refused(tmp_path: Path) -> None:
    paths = write(
        tmp_path,
        {
            "a.graphql": "fragment A on Product { id ...B }\n",
            "b.graphql": "fragment B on Product { title ...A }\n",
            "q.graphql": "query Q($id: ID!) { product(id: $id) { ...A } }\n",
        },
    )
    with pytest.raises(OperationFileError, match="Cannot spread fragment"):
        read_operation_set(paths)


def test_a_file_with_type_definitions_is_refused(tmp_path: Path) -> None:
    paths = write(tmp_path, {"types.graphql": "type Foo { id: ID }\n"})
    with pytest.raises(OperationFileError, match="only operations and fragments"):
        read_operation_set(paths)


def test_an_unused_fragment_is_a_warning_not_an_error(tmp_path: Path) -> None:
    paths = write(
        tmp_path, {"f.graphql": PRODUCT_CARD + PRICE + "fragment Spare on Shop { name }\n"}
    )
    paths += write(tmp_path, {"q.graphql": PRODUCTS})
    findings = validate_files(sorted(set(paths)), STOREFRONT, "storefront 2024-10", strict=False)
    assert [(f.severity, f.file.endswith("f.graphql"), f.line) for f in findings] == [
        ("warning", True, 9)
    ]
    assert "Spare" in findings[0].message


def test_an_error_inside_a_shared_fragment_names_the_fragment_file_once(tmp_path: Path) -> None:
    paths = write(
        tmp_path,
        {
            "card.graphql": "fragment Card on Product {\n  id\n  nope\n}\n",
            "one.graphql": "query One($id: ID!) { product(id: $id) { ...Card } }\n",
            "two.graphql": "query Two($h: String!) { product(handle: $h) { ...Card } }\n",
        },
    )
    findings = validate_files(paths, STOREFRONT, "storefront 2024-10", strict=False)
    errors = [f for f in findings if f.severity == "error"]
    assert len(errors) == 1
    assert errors[0].file.endswith("card.graphql")
    assert (errors[0].line, errors[0].column) == (3, 3)
    assert "nope" in errors[0].message


def test_validate_cli_accepts_a_fragment_file_and_exits_2_on_a_duplicate(tmp_path: Path) -> None:
    folder = tmp_path / "ops"
    write(folder, {"card.graphql": PRODUCT_CARD + PRICE, "products.graphql": PRODUCTS})
    schema = str(ROOT / "schema" / "storefront" / "2024-10.json")
    code, out, err = run_cli("validate", "--schema", schema, str(folder))
    assert code == 0, out + err
    (folder / "again.graphql").write_text(PRICE)
    code, out, err = run_cli("validate", "--schema", schema, str(folder))
    assert code == 2
    assert "again.graphql" in err and "card.graphql" in err


# -- symlinks (issue 14) ----------------------------------------------------------------


def test_a_symlink_leading_outside_the_queries_folder_is_refused(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "project", apis=("storefront",))
    secret = tmp_path / "outside" / "id_rsa.graphql"
    secret.parent.mkdir()
    secret.write_text("PRIVATEKEYMATERIAL and more\n")
    link = project / "queries" / "storefront" / "stolen.graphql"
    link.symlink_to(secret)
    with pytest.raises(OperationFileError, match="leads outside"):
        find_operation_files(project / "queries" / "storefront")
    for command in (["validate"], ["generate"], ["check"]):
        code, out, err = run_cli("--root", str(project), *command)
        assert code == 2, (command, out, err)
        assert "stolen.graphql" in err
        assert "PRIVATEKEYMATERIAL" not in out + err


def test_a_symlink_inside_the_queries_folder_is_fine(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "project", apis=("storefront",))
    folder = project / "queries" / "storefront"
    (folder / "sub").mkdir()
    target = folder / "customer.graphql"
    moved = folder / "sub" / "customer.graphql"
    target.rename(moved)
    target.symlink_to(moved)
    assert target in find_operation_files(folder)


@pytest.mark.parametrize("linked", ["queries/storefront", "queries"])
def test_a_symlinked_queries_folder_is_refused(tmp_path: Path, linked: str) -> None:
    """Issue 21 item 20: `queries/<api>` (or `queries/`) linked elsewhere was read
    from there, its files quoted in errors, and `validate` said nothing."""
    import shutil

    project = copy_project(tmp_path / "project", apis=("storefront",))
    outside = tmp_path / "elsewhere"
    shutil.move(project / linked, outside)
    (project / linked).symlink_to(outside)
    (project / "queries" / "storefront" / "stolen.graphql").write_text(
        "PRIVATEKEYMATERIAL and more\n"
    )
    for command in (
        ["validate"],
        ["generate"],
        ["check"],
        ["schema", "diff", "storefront@2024-01", "storefront@2024-10"],
    ):
        code, out, err = run_cli("--root", str(project), *command)
        assert code == 2, (command, out, err)
        assert f"{linked}: is a symlink" in err and "not followed" in err
        assert "PRIVATEKEYMATERIAL" not in out + err and str(outside) not in out + err


def test_every_project_folder_read_names_the_project_root() -> None:
    """Each call of read_operation_folder in the tooling passes root= (a forgotten one
    would read a symlinked queries folder from outside)."""
    import ast

    calls = []
    for path in sorted((ROOT / "shopify_codegen").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name | ast.Attribute)
                and getattr(node.func, "id", getattr(node.func, "attr", ""))
                == "read_operation_folder"
            ):
                calls.append((path.name, node.lineno, {k.arg for k in node.keywords}))
    assert len(calls) >= 6
    assert [c for c in calls if "root" not in c[2]] == []
