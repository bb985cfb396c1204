"""Which Shopify API a schema is of, from its root fields.

``schema add --api admin --file storefront.json`` used to commit the Storefront
schema as Admin's; every operation then failed validation with "Cannot query
field" far from the cause. The discriminators were chosen from the committed
schemas of every version (admin 2024-01..2026-04, storefront 2024-01..2026-04,
customer 2026-04):

* Admin: the query root has ``shop`` and ``currentAppInstallation``, or the
  mutation root has ``bulkOperationRunQuery`` or ``productCreate``;
* Storefront: the query root has ``cart`` and the mutation root ``cartCreate``;
* Customer Account: the query root has ``customer`` but neither ``products``
  nor ``cart`` (it has ``shop`` too, so ``shop`` tells nothing).
"""

from __future__ import annotations

from graphql import GraphQLSchema

__all__ = ["api_mismatch", "apis_of"]


def apis_of(schema: GraphQLSchema) -> list[str]:
    """The APIs ``schema`` looks like (usually one; none for a schema of none of them)."""
    query = set(schema.query_type.fields) if schema.query_type else set()
    mutation = set(schema.mutation_type.fields) if schema.mutation_type else set()
    found = []
    if ("shop" in query and "currentAppInstallation" in query) or mutation & {
        "bulkOperationRunQuery",
        "productCreate",
    }:
        found.append("admin")
    if "cart" in query and "cartCreate" in mutation:
        found.append("storefront")
    if "customer" in query and not query & {"products", "cart", "currentAppInstallation"}:
        found.append("customer")
    return found


_WHAT = {
    "admin": "the Admin API (query shop + currentAppInstallation, or mutation "
    "bulkOperationRunQuery / productCreate)",
    "storefront": "the Storefront API (query cart, mutation cartCreate)",
    "customer": "the Customer Account API (query customer, no products or cart)",
}


def api_mismatch(schema: GraphQLSchema, api: str) -> str | None:
    """Why ``schema`` does not look like ``api``'s, or None when it does."""
    looks = apis_of(schema)
    if api in looks:
        return None
    if looks:
        return (
            f"looks like a schema of {' and '.join(_WHAT[a] for a in looks)}, not of the {api} API"
        )
    return f"does not look like a schema of {_WHAT.get(api, api)}"
