"""Generated methods delete their sensitive arguments and hold variables and call
options in RedactedDicts (the traceback side is tests/shopify_client/test_traceback_locals).
Read from the conformance corpus's generated clients."""

from __future__ import annotations

import ast
import inspect
from typing import Any

import pytest

from tests.conformance.expected.corpus_admin.client import Client as CorpusAdmin
from tests.conformance.expected.corpus_storefront.async_client import (
    AsyncClient as AsyncCorpusStorefront,
)
from tests.conformance.expected.corpus_storefront.client import Client as CorpusStorefront


def body_of(method: Any) -> str:
    return ast.unparse(ast.parse(inspect.cleandoc("\n" + inspect.getsource(method))))


@pytest.mark.parametrize("client", [CorpusStorefront, AsyncCorpusStorefront])
def test_a_token_argument_is_deleted_once_in_the_variables(client: Any) -> None:
    source = body_of(client.customer_orders)
    assert "variables: dict[str, object] = RedactedDict({'customerAccessToken'" in source
    assert source.index("del customer_access_token") < source.index("self.execute(")
    assert "_call_options = RedactedDict(kwargs)\n    del kwargs" in source
    assert "**_call_options)" in source


def test_a_password_argument_is_deleted_too() -> None:
    source = body_of(CorpusStorefront.customer_activate_by_url)
    assert "del password" in source


def test_plain_arguments_stay_and_only_kwargs_is_wrapped() -> None:
    source = body_of(CorpusAdmin.products)
    assert "del first" not in source and "del query" not in source
    assert "RedactedDict({'first': first" in source
    assert "del kwargs" in source


def test_a_page_helper_hands_its_token_to_the_closure_in_a_redacted_dict() -> None:
    source = body_of(CorpusStorefront.iter_customer_orders)
    assert "_call_arguments = RedactedDict({'customer_access_token': customer_access_token})" in (
        source
    )
    assert "del customer_access_token" in source
    assert "**_call_arguments, **_call_options)" in source
