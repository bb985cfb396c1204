"""A hand-made bulk mutation spec (what the generator writes) for the runtime's tests."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from shopify_client import BulkMutation

DOCUMENT = """mutation ImportProducts($product: ProductCreateInput!) {
  productCreate(product: $product) {
    product { id title handle }
    userErrors { field message }
  }
}"""


class _Model(BaseModel):
    model_config = ConfigDict(populate_by_name=True, ser_json_inf_nan="constants")


class ProductInput(_Model):
    title: str | None = None
    product_type: str | None = Field(
        default=None, validation_alias="productType", serialization_alias="productType"
    )


class Variables(_Model):
    product: ProductInput


class Product(_Model):
    id: str
    title: str
    handle: str


class UserError(_Model):
    field: list[str] | None
    message: str


class Payload(_Model):
    product: Product | None
    user_errors: list[UserError] = Field(alias="userErrors")


class Result(_Model):
    product_create: Payload | None = Field(alias="productCreate")


SPEC: BulkMutation[Result, Variables] = BulkMutation(
    name="ImportProducts",
    document=DOCUMENT,
    field="productCreate",
    result=lambda: Result,
    variables=lambda: Variables,
)


def echo(variables: dict[str, Any]) -> dict[str, Any]:
    """FakeShopify's answer: the product made from the line's own title."""
    title = variables["product"].get("title") or "untitled"
    return {"productCreate": {"product": {"title": title, "handle": title.lower()}}}


def respond(variables: dict[str, Any]) -> dict[str, Any]:
    """FakeShopify's fast path (no schema): the whole payload, made from the line."""
    title = variables["product"].get("title") or "untitled"
    product = {"id": f"gid://shopify/Product/{len(title)}", "title": title, "handle": title.lower()}
    return {"productCreate": {"product": product, "userErrors": []}}


def lines(count: int, prefix: str = "Board") -> list[Variables]:
    return [Variables(product=ProductInput(title=f"{prefix} {i}")) for i in range(count)]


#: 2024-01 has no ProductCreateInput: productCreate takes ProductInput there
SPEC_2024: BulkMutation[Result, Variables] = BulkMutation(
    name="ImportProducts",
    document=DOCUMENT.replace("ProductCreateInput", "ProductInput").replace(
        "productCreate(product:", "productCreate(input:"
    ),
    field="productCreate",
    result=lambda: Result,
    variables=lambda: Variables,
)
