"""A Shopify GraphQL look-alike on 127.0.0.1, for tests, demos and local development.

``FakeShopify`` answers any operation from the project's committed schemas, models
the Admin API's leaky bucket of query cost, plays the login flow of Shopify's
documentation, and injects faults on request. It listens on 127.0.0.1 only, on a
free port, and stops with its ``with`` block. Its pieces:

* ``_server``: the HTTP server, the in-process transport, authentication;
* ``_data``: validation and execution of any document on the committed schema;
* ``_bucket``: Shopify's leaky bucket (plans, THROTTLED answers);
* ``_faults``: the faults :meth:`FakeShopify.enqueue` plans;
* ``_customer``: the Customer Account API and its OAuth server (discovery, PKCE);
* ``_bulk``, ``_bulk_mutation``: bulk queries and mutations (``fake.bulk``,
  ``fake.bulk.mutations``);
* ``_canned``: the stateful login flow and the fake shop's credentials;
* ``_schemas``: finding the app's schemas from its shopify-codegen config;
* ``pytest_plugin``: the ``fake_shopify`` fixture (a ``pytest11`` entry point).

graphql-core (installed with the ``codegen`` extra) is needed to answer from the
schema; it is imported on the first such answer.
"""

from ._bucket import MAX_QUERY_COST, PLANS, LeakyBucket
from ._bulk import BulkFault, FakeBulk, StorageHost
from ._bulk_mutation import FakeBulkMutations, FakeUserError, MutationFault, UserErrorsHook
from ._canned import (
    ADMIN_TOKEN,
    DEMO_EMAIL,
    DEMO_PASSWORD,
    PRIVATE_STOREFRONT_TOKEN,
    STOREFRONT_TOKEN,
)
from ._customer import CUSTOMER_CLIENT_ID, FAKE_SHOP_ID, FakeCustomerAccounts
from ._data import query_cost
from ._faults import THROTTLED_BODY, Fault, FaultKind
from ._schemas import MissingSchemaError, UnreadableSchemaError
from ._server import FakeShopify, RecordedRequest

__all__ = [
    "ADMIN_TOKEN",
    "CUSTOMER_CLIENT_ID",
    "DEMO_EMAIL",
    "DEMO_PASSWORD",
    "FAKE_SHOP_ID",
    "MAX_QUERY_COST",
    "PLANS",
    "PRIVATE_STOREFRONT_TOKEN",
    "STOREFRONT_TOKEN",
    "THROTTLED_BODY",
    "BulkFault",
    "FakeBulk",
    "FakeBulkMutations",
    "FakeCustomerAccounts",
    "FakeShopify",
    "FakeUserError",
    "Fault",
    "FaultKind",
    "LeakyBucket",
    "MissingSchemaError",
    "MutationFault",
    "RecordedRequest",
    "StorageHost",
    "UnreadableSchemaError",
    "UserErrorsHook",
    "query_cost",
]
