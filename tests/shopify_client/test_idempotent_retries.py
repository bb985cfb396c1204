"""Idempotent mutations: retried like a query, every attempt with the call's one key;
FakeShopify applies a repeated key once. Mutations without a key keep their rule."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import pytest

from shopify_admin_2026_04 import AsyncClient, Client, ProductUpdateInput
from shopify_admin_2026_04.input_types import (
    InventoryAdjustQuantitiesInput,
    InventoryChangeInput,
)
from shopify_client import (
    ConfigurationError,
    GraphQLError,
    InvalidVariablesError,
    TransportError,
    ensure_idempotency_key,
)
from shopify_client.testing import ADMIN_TOKEN, FakeShopify, Fault
from tests.shopify_client.conftest import fast_policy

VERSION = Client.api_version
ADJUST = "InventoryAdjustQuantities"


def adjustment(delta: int = 5) -> InventoryAdjustQuantitiesInput:
    return InventoryAdjustQuantitiesInput(
        name="available",
        reason="restock",
        changes=[
            InventoryChangeInput(
                delta=delta,
                inventory_item_id="gid://shopify/InventoryItem/1",
                location_id="gid://shopify/Location/1",
            )
        ],
    )


def client(fake: FakeShopify, **options: Any) -> Client:
    return Client(
        endpoint=fake.endpoint("admin", VERSION),
        access_token=ADMIN_TOKEN,
        retry_policy=fast_policy(),
        **options,
    )


def keys(fake: FakeShopify) -> list[str]:
    return [r.body["variables"]["idempotencyKey"] for r in fake.requests if r.body]


@pytest.mark.parametrize("fault", [Fault("drop_after_read"), Fault("slow", delay=0.5)])
def test_an_idempotent_mutation_is_retried_after_it_ran_with_the_same_key(
    fake: FakeShopify, fault: Fault
) -> None:
    with client(fake, timeout=0.25) as admin:
        admin.products(first=1, timeout=30.0)  # the fake reads its schema: not timed
        fake.requests.clear()
        fake.enqueue(fault)
        result = admin.inventory_adjust_quantities(input=adjustment())
    assert result.inventory_adjust_quantities is not None
    sent = keys(fake)  # two, or more if a loaded machine is slower than the timeout
    assert len(sent) >= 2 and len(set(sent)) == 1 and uuid.UUID(sent[0]).version == 4
    assert fake.executed[ADJUST] == 1  # ran once, the retries answered from its key
    assert fake.idempotency.replayed[ADJUST] == len(sent) - 1


def test_the_callers_key_is_sent_and_resent(fake: FakeShopify) -> None:
    fake.enqueue(Fault.html_error(503))
    with client(fake) as admin:
        admin.inventory_adjust_quantities(input=adjustment(), idempotency_key="restock-42")
    assert keys(fake) == ["restock-42", "restock-42"]


def test_each_call_gets_its_own_key(fake: FakeShopify) -> None:
    with client(fake) as admin:
        admin.inventory_adjust_quantities(input=adjustment())
        admin.inventory_adjust_quantities(input=adjustment())
    assert len(set(keys(fake))) == 2
    assert fake.executed[ADJUST] == 2


def test_a_repeated_key_answers_as_the_first_call_did(fake: FakeShopify) -> None:
    with client(fake) as admin:
        first = admin.inventory_adjust_quantities(input=adjustment(), idempotency_key="k1")
        again = admin.inventory_adjust_quantities(input=adjustment(), idempotency_key="k1")
        with pytest.raises(GraphQLError, match="IDEMPOTENCY_KEY_PARAMETER_MISMATCH"):
            admin.inventory_adjust_quantities(input=adjustment(delta=6), idempotency_key="k1")
    assert again == first
    assert fake.executed[ADJUST] == 1


def test_a_mutation_without_a_key_is_still_never_resent_once_it_may_have_run(
    fake: FakeShopify,
) -> None:
    fake.enqueue(Fault("drop_after_read"))
    with client(fake) as admin, pytest.raises(TransportError) as info:
        admin.product_update(product=ProductUpdateInput(id="gid://shopify/Product/1", title="x"))
    assert info.value.request_sent
    assert len(fake.requests) == 1


def test_the_async_client_retries_with_the_same_key(fake: FakeShopify) -> None:
    async def main() -> None:
        async with AsyncClient(
            endpoint=fake.endpoint("admin", VERSION),
            access_token=ADMIN_TOKEN,
            retry_policy=fast_policy(),
        ) as admin:
            await admin.inventory_adjust_quantities(input=adjustment())

    fake.enqueue(Fault("drop_after_read"))
    asyncio.run(main())
    sent = keys(fake)
    assert len(sent) >= 2 and len(set(sent)) == 1 and fake.executed[ADJUST] == 1


def test_2026_04_refuses_a_required_key_left_out(fake: FakeShopify) -> None:
    document = (
        "mutation Bare($input: InventoryAdjustQuantitiesInput!) {"
        " inventoryAdjustQuantities(input: $input) { userErrors { message } } }"
    )
    with client(fake) as admin, pytest.raises(GraphQLError, match="idempotency key is required"):
        admin.execute(document, "Bare", {"input": adjustment()})
    assert fake.executed["Bare"] == 0


def test_idempotent_true_needs_a_document_with_a_key(fake: FakeShopify) -> None:
    document = "mutation M($id: ID!) { productDelete(input: {id: $id}) { deletedProductId } }"
    with client(fake) as admin:
        with pytest.raises(ConfigurationError, match="no @idempotent"):
            admin.execute(document, "M", {"id": "gid://shopify/Product/1"}, idempotent=True)
        with pytest.raises(ConfigurationError, match="True or False"):
            admin.execute(document, "M", {"id": "1"}, idempotent="yes")  # type: ignore[arg-type]
    assert fake.requests == []


@pytest.mark.parametrize("bad", ["", "   ", 42])
def test_an_empty_or_non_string_key_is_refused_before_sending(fake: FakeShopify, bad: Any) -> None:
    with client(fake) as admin, pytest.raises(InvalidVariablesError) as info:
        admin.inventory_adjust_quantities(input=adjustment(), idempotency_key=bad)
    assert info.value.variable == "idempotencyKey"
    assert fake.requests == []


def test_ensure_idempotency_key_makes_a_fresh_uuid4_or_keeps_the_given_one() -> None:
    made = {ensure_idempotency_key() for _ in range(3)}
    assert len(made) == 3 and all(uuid.UUID(k).version == 4 for k in made)
    assert ensure_idempotency_key("mine") == "mine"
