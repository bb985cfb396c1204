"""A hand-made bulk query spec (what the generator writes) for the runtime's tests."""

from __future__ import annotations

from pydantic import BaseModel, Field

from shopify_client import AdminBaseClient, AsyncAdminBaseClient, BulkConnection, BulkQuery
from shopify_client.testing import ADMIN_TOKEN, FakeShopify

DOCUMENT = """query ExportProducts($query: String) {
  products(query: $query) {
    edges { node { id title updatedAt
      variants { edges { node { __typename id sku price } } } } }
  }
}"""


class Variant(BaseModel):
    id: str
    sku: str | None
    price: str


class Product(BaseModel):
    id: str
    title: str
    updated_at: str = Field(alias="updatedAt")
    variants: list[Variant]


SPEC: BulkQuery[Product] = BulkQuery(
    name="ExportProducts",
    document=DOCUMENT,
    connections=(BulkConnection("variants", frozenset({"ProductVariant"})),),
    record=lambda: Product,
    group_objects_argument=True,
)
SPEC_2024: BulkQuery[Product] = BulkQuery(
    name="ExportProducts",
    document=DOCUMENT,
    connections=SPEC.connections,
    record=lambda: Product,
    group_objects_argument=False,
)


class Client(AdminBaseClient):
    api_version = "2026-04"


class AsyncClient(AsyncAdminBaseClient):
    api_version = "2026-04"


class Client2024(AdminBaseClient):
    api_version = "2024-01"


def client_for(fake: FakeShopify, cls: type[AdminBaseClient] = Client) -> AdminBaseClient:
    version = cls.api_version
    return cls(endpoint=fake.endpoint("admin", version), access_token=ADMIN_TOKEN, max_retries=0)
