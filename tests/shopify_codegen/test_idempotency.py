"""The generator's idempotent mutations: which take a key (from the schema of the
package's version), and what their generated method becomes."""

from __future__ import annotations

import ast
import functools
from pathlib import Path

import pytest
from graphql import (
    GraphQLSchema,
    OperationDefinitionNode,
    build_schema,
    parse,
    print_ast,
    validate,
)

from shopify_codegen.errors import GenerationError
from shopify_codegen.idempotency import Support, make_idempotent, support_of

SCHEMAS = Path(__file__).resolve().parents[2] / "schema" / "admin"


@functools.cache
def schema(version: str) -> GraphQLSchema:
    return build_schema((SCHEMAS / f"{version}.graphql").read_text())


def method(document: str, params: str = "", variables: str = "{}") -> ast.FunctionDef:
    """A method shaped as ariadne-codegen writes it: gql() of a list of lines."""
    source = (
        f"def op(self, {params}**kwargs):\n"
        "    query = gql('')\n"
        f"    variables: dict[str, object] = {variables}\n"
        "    response = self.execute(query=query, operation_name='Op', variables=variables,"
        " operation_type='mutation', **kwargs)\n"
    )
    function = ast.parse(source).body[0]
    assert isinstance(function, ast.FunctionDef)
    call = function.body[0].value  # type: ignore[attr-defined]
    call.args = [[ast.Constant(value=line + "\n") for line in document.splitlines()]]
    return function


def rewrite(document: str, version: str = "2026-04", **kwargs: str) -> tuple[bool, ast.FunctionDef]:
    function = method(document, **kwargs)
    (operation,) = parse(document).definitions
    assert isinstance(operation, OperationDefinitionNode)
    return make_idempotent(function, operation, schema(version)), function


def document_of(function: ast.FunctionDef) -> str:
    call = function.body[0].value  # type: ignore[attr-defined]
    (lines,) = call.args
    return "".join(c.value for c in lines)


def execute_keywords(function: ast.FunctionDef) -> dict[str | None, object]:
    for node in ast.walk(function):
        if isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "execute":
            return {k.arg: getattr(k.value, "value", None) for k in node.keywords}
    raise AssertionError("no execute call")


ADJUST = """mutation Op($input: InventoryAdjustQuantitiesInput!) {
  inventoryAdjustQuantities(input: $input) { userErrors { field message } }
}"""


def test_the_schema_says_which_mutations_take_a_key() -> None:
    fields = schema("2026-04").mutation_type.fields  # type: ignore[union-attr]
    assert support_of(schema("2026-04"), fields["inventoryAdjustQuantities"]) == Support(
        "directive"
    )
    assert support_of(schema("2026-04"), fields["refundCreate"]) == Support("directive")
    assert support_of(schema("2026-04"), fields["locationActivate"]) == Support("directive")
    assert support_of(schema("2026-04"), fields["appUsageRecordCreate"]) == Support("argument")
    assert support_of(schema("2026-04"), fields["subscriptionBillingAttemptCreate"]) == Support(
        "input", input="subscriptionBillingAttemptInput"
    )
    assert support_of(schema("2026-04"), fields["productUpdate"]) is None
    directive_fields = [
        name
        for name, field in fields.items()
        if support_of(schema("2026-04"), field) == Support("directive")
    ]
    # the changelog's 17 inventory and refund mutations
    # (community.shopify.dev/t/new-concurrency-protection-to-inventory-mutations/31647)
    assert len(directive_fields) == 17


def test_2024_01_has_no_directive_so_its_inventory_mutations_get_none() -> None:
    fields = schema("2024-01").mutation_type.fields  # type: ignore[union-attr]
    assert support_of(schema("2024-01"), fields["inventoryAdjustQuantities"]) is None
    changed, function = rewrite(ADJUST, "2024-01", params="input, ")
    assert not changed
    assert document_of(function) == ADJUST + "\n"
    assert "idempotent" not in execute_keywords(function)


def test_a_directive_mutation_gets_the_directive_a_variable_and_a_parameter() -> None:
    changed, function = rewrite(ADJUST, params="input, ", variables="{'input': input}")
    assert changed
    document = parse(document_of(function))
    assert validate(schema("2026-04"), document) == []
    printed = print_ast(document)
    assert "$idempotencyKey: String!" in printed
    assert "inventoryAdjustQuantities(input: $input) @idempotent(key: $idempotencyKey)" in printed
    source = ast.unparse(function)
    assert "idempotency_key: str | None=None" in source
    assert "idempotency_key = ensure_idempotency_key(idempotency_key)" in source
    assert "'idempotencyKey': idempotency_key" in source
    assert execute_keywords(function)["idempotent"] is True


def test_an_idempotency_key_argument_is_added_when_the_operation_leaves_it_out() -> None:
    changed, function = rewrite(
        """mutation Op($id: ID!, $price: MoneyInput!) {
  appUsageRecordCreate(subscriptionLineItemId: $id, price: $price, description: "x") {
    appUsageRecord { id }
  }
}""",
        params="id, price, ",
        variables="{'id': id, 'price': price}",
    )
    assert changed
    document = parse(document_of(function))
    assert validate(schema("2026-04"), document) == []
    assert "idempotencyKey: $idempotencyKey" in print_ast(document)
    assert execute_keywords(function)["idempotent"] is True


def test_a_key_variable_of_the_operation_becomes_idempotency_key() -> None:
    document = """mutation Op($input: InventoryAdjustQuantitiesInput!, $key: String!) {
  inventoryAdjustQuantities(input: $input) @idempotent(key: $key) { userErrors { message } }
}"""
    changed, function = rewrite(
        document, params="input, key, ", variables="{'input': input, 'key': key}"
    )
    assert changed
    assert document_of(function) == document + "\n"  # its own key, untouched
    source = ast.unparse(function)
    assert "def op(self, input, idempotency_key: str | None=None, **kwargs)" in source
    assert "'key': idempotency_key" in source


def test_a_literal_key_is_refused_naming_the_operation() -> None:
    with pytest.raises(GenerationError, match=r"Op: inventoryAdjustQuantities has a literal"):
        rewrite(
            """mutation Op($input: InventoryAdjustQuantitiesInput!) {
  inventoryAdjustQuantities(input: $input) @idempotent(key: "fixed") { userErrors { message } }
}""",
            params="input, ",
        )


def test_two_keyed_mutations_in_one_operation_are_refused() -> None:
    with pytest.raises(GenerationError, match="one key per call"):
        rewrite(
            """mutation Op($input: InventoryAdjustQuantitiesInput!) {
  a: inventoryAdjustQuantities(input: $input) { userErrors { message } }
  b: inventoryAdjustQuantities(input: $input) { userErrors { message } }
}""",
            params="input, ",
        )


def test_a_key_inside_the_callers_input_makes_the_call_idempotent_as_it_is() -> None:
    document = """mutation Op($id: ID!, $input: SubscriptionBillingAttemptInput!) {
  subscriptionBillingAttemptCreate(
    subscriptionContractId: $id
    subscriptionBillingAttemptInput: $input
  ) {
    subscriptionBillingAttempt { id }
  }
}"""
    changed, function = rewrite(document, params="id, input, ")
    assert changed
    assert document_of(function) == document + "\n"
    assert "idempotency_key" not in ast.unparse(function)
    assert execute_keywords(function)["idempotent"] is True


# -- what validate reports of it (file, line, column) -----------------------------------

LITERAL = """mutation LitKey($input: InventoryAdjustQuantitiesInput!) {
  inventoryAdjustQuantities(input: $input) @idempotent(key: "abc") { userErrors { message } }
}"""


def _problems(document: str, version: str = "2026-04") -> list[tuple[int, int, str]]:
    from shopify_codegen.idempotency import key_problems
    from shopify_codegen.operations import line_column

    (operation,) = parse(document).definitions
    assert isinstance(operation, OperationDefinitionNode)
    return [(*line_column(p.node), p.message) for p in key_problems(operation, schema(version))]


def test_key_problems_name_what_generation_refuses_at_its_node() -> None:
    ((line, column, message),) = _problems(LITERAL)
    assert (line, column) == (2, 61)  # the literal
    with pytest.raises(GenerationError) as refused:
        rewrite(LITERAL, params="input, ")
    assert message == str(refused.value)
    (two,) = _problems(
        """mutation Op($input: InventoryAdjustQuantitiesInput!) {
  a: inventoryAdjustQuantities(input: $input) { userErrors { message } }
  b: inventoryAdjustQuantities(input: $input) { userErrors { message } }
}"""
    )
    assert two[:2] == (3, 3) and "one key per call" in two[2]
    taken_key = """mutation Op($input: InventoryAdjustQuantitiesInput!, $idempotency_key: String) {
  inventoryAdjustQuantities(input: $input) { userErrors { message } }
}"""
    (taken,) = _problems(taken_key)
    assert taken[:2] == (1, 54) and "'idempotency_key'" in taken[2]
    with pytest.raises(GenerationError) as refused:
        rewrite(taken_key, params="input, idempotency_key, ")
    assert taken[2] == str(refused.value)
    argument = """mutation Op($id: ID!, $price: MoneyInput!) {
  appUsageRecordCreate(subscriptionLineItemId: $id, price: $price, description: "x",
    idempotencyKey: "k") { appUsageRecord { id } }
}"""
    ((_, _, literal_argument),) = _problems(argument)
    assert "has a literal idempotencyKey: key" in literal_argument


def test_a_variable_key_or_none_is_no_problem() -> None:
    assert _problems(ADJUST) == []
    assert (
        _problems(
            """mutation Op($input: InventoryAdjustQuantitiesInput!, $key: String!) {
  inventoryAdjustQuantities(input: $input) @idempotent(key: $key) { userErrors { message } }
}"""
        )
        == []
    )
    assert _problems("query Q { shop { name } }") == []


def test_validate_reports_a_literal_key_at_file_line_column(tmp_path: Path) -> None:
    from tests.conftest import run_cli

    path = tmp_path / "lit_key.graphql"
    path.write_text(LITERAL + "\n")
    code, out, err = run_cli("validate", "--schema", str(SCHEMAS / "2026-04.json"), str(path))
    assert code == 1, out + err
    assert (
        "lit_key.graphql:2:61: error [" in out
        and "LitKey: inventoryAdjustQuantities has a literal @idempotent(key:) key" in out
    )


def test_generate_refuses_a_literal_key_before_generating(tmp_path: Path) -> None:
    from tests.conftest import copy_project, run_cli

    root = copy_project(tmp_path / "p", apis=("admin",))
    text = (
        (root / "codegen.toml")
        .read_text()
        .replace('pinned_version = "2024-01"', 'pinned_version = "2026-04"')
    )
    (root / "codegen.toml").write_text(
        text.replace('required_versions = ["2024-01", "2024-10"]\n', "")
    )
    (root / "queries" / "admin" / "lit_key.graphql").write_text(LITERAL + "\n")
    code, out, err = run_cli("--root", str(root), "generate")
    assert code == 1, out + err
    assert "queries/admin/lit_key.graphql:2:61: error [admin 2026-04] LitKey:" in out
    assert "GenerationError" not in out + err
