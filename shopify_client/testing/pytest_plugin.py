"""The ``fake_shopify`` pytest fixture, registered as a ``pytest11`` entry point.

Installed with the runtime, so an app's tests can use it with no conftest.py::

    from myapp.shopify_admin import Client

    def test_shop_name(fake_shopify):
        with Client(
            endpoint=fake_shopify.endpoint("admin", Client.api_version),
            access_token=fake_shopify.admin_token,
        ) as client:
            assert client.shop_info().shop.name

The fixture is a started :class:`~shopify_client.testing.FakeShopify` on 127.0.0.1,
stopped after the test. It answers from the schemas of the app's shopify-codegen
config (found from the working folder up). At set-up it checks that every
configured package's pinned schema is there, and after the test that no request
asked for a version it had no schema for: either is a
:class:`~shopify_client.testing.MissingSchemaError` naming the API, the version and
the folder, never a GraphQL error from the fake.

Its Admin API bucket is Shopify's Standard plan (2,000 points, restoring 100 a
second), so pacing and throttling behave as on a real shop. For fast tests of
code that makes many calls, pick a larger bucket with a marker::

    @pytest.mark.fake_shopify(bucket=LeakyBucket.for_plan("plus"))

Every keyword of the marker goes to ``FakeShopify(...)`` (``schema_dir=``,
``served_version=``, tokens, ``bucket=``).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from ._schemas import app_config
from ._server import FakeShopify

__all__ = ["fake_shopify"]

MARKER = "fake_shopify"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        f"{MARKER}(**kwargs): keyword arguments for the fake_shopify fixture's FakeShopify",
    )


def _pinned_versions() -> list[tuple[str, str]]:
    """(api, pinned version) of each package of the app's config; none without one."""
    config = app_config()
    if config is None:
        return []
    return sorted({(api.name, api.pinned_version) for api in config.apis.values()})


@pytest.fixture
def fake_shopify(request: pytest.FixtureRequest) -> Iterator[FakeShopify]:
    """A started FakeShopify on 127.0.0.1 answering from the app's schemas."""
    marker = request.node.get_closest_marker(MARKER)
    kwargs: dict[str, Any] = dict(marker.kwargs) if marker is not None else {}
    fake = FakeShopify(**kwargs)
    if "schema_dir" not in kwargs:
        for api, version in _pinned_versions():
            fake.require_schema(api, version)
    with fake:
        yield fake
    missing = fake.missing_schemas()
    if missing:
        raise missing[0]
