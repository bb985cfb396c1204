"""The 2026-04 package's idempotent mutation: its key parameter and its document."""

from __future__ import annotations

import inspect
from typing import Any

import pytest
from graphql import build_schema, parse, validate

import shopify_admin_2026_04
from tests.conftest import ROOT


@pytest.mark.parametrize("client", [shopify_admin_2026_04.Client, shopify_admin_2026_04.AsyncClient])
def test_the_generated_2026_04_method_takes_an_optional_key(client: Any) -> None:
    parameter = inspect.signature(client.inventory_adjust_quantities).parameters["idempotency_key"]
    assert parameter.default is None
    assert parameter.annotation == "str | None"
    source = inspect.getsource(client.inventory_adjust_quantities)
    assert "@idempotent(key: $idempotencyKey)" in source
    assert "idempotent=True" in source
    assert "idempotent=True" not in inspect.getsource(client.product_update)
    assert "idempotency_key" not in inspect.getsource(client.product_update)


def test_the_document_it_sends_is_valid_on_2026_04() -> None:
    source = inspect.getsource(shopify_admin_2026_04.Client.inventory_adjust_quantities)
    document = source.split('gql("""', 1)[1].split('""")', 1)[0]
    schema = build_schema((ROOT / "schema" / "admin" / "2026-04.graphql").read_text())
    assert validate(schema, parse(document)) == []
