"""Bulk mutation documents that would run a line twice or hide its user errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.shopify_codegen.test_bulk_mutation import findings


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (  # the same mutation twice under two aliases: every line would run it twice
            "mutation A($p: ProductCreateInput!) { "
            "a: productCreate(product: $p) { product { id } } "
            "b: productCreate(product: $p) { product { id } } }",
            "2 mutation fields",
        ),
        (  # an alias: the result's key is not the field's name, its userErrors unseen
            "mutation A($p: ProductCreateInput!) { "
            "created: productCreate(product: $p) { product { id } userErrors { message } } }",
            "alias",
        ),
    ],
)
def test_a_doubled_or_aliased_root_field_is_refused(
    tmp_path: Path, text: str, message: str
) -> None:
    found = findings(tmp_path, text)
    assert any(message in f.message for f in found), found
