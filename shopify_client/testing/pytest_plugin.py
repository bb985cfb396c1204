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
config, found from the working folder up, else from pytest's rootdir up, else from
the test file's folder up (so ``pytest /path/to/app/tests`` run from elsewhere finds
it too). At set-up it checks that there is a config (a broken one is its
``ConfigError``), and that every configured package's pinned schema is there and
builds; after the test, that no request asked for a version it had no schema for.
Each is a :class:`~shopify_client.testing.MissingSchemaError` naming the API, the
version and the folder (:class:`~shopify_client.testing.UnreadableSchemaError` and
the file for a file that is not an introspection result), never a GraphQL error
from the fake.

Its Admin API bucket is Shopify's Standard plan (2,000 points, restoring 100 a
second), so pacing and throttling behave as on a real shop. For fast tests of
code that makes many calls, pick a larger bucket with a marker::

    @pytest.mark.fake_shopify(bucket=LeakyBucket.for_plan("plus"))

Every keyword of the marker goes to ``FakeShopify(...)`` (``schema_dir=``,
``served_version=``, tokens, ``bucket=``).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from ._schemas import MissingSchemaError
from ._server import FakeShopify

if TYPE_CHECKING:
    from shopify_codegen.config import ProjectConfig

__all__ = ["fake_shopify"]

MARKER = "fake_shopify"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        f"{MARKER}(**kwargs): keyword arguments for the fake_shopify fixture's FakeShopify",
    )


def _app_config(request: pytest.FixtureRequest) -> ProjectConfig:
    """The app's shopify-codegen config: the first found at or above the working
    folder, pytest's rootdir, then the test file's folder. A config that is there but
    broken raises its ``ConfigError``; none at all, :class:`MissingSchemaError`."""
    from shopify_codegen.config import find_root, load_config
    from shopify_codegen.errors import ConfigError

    starts: list[Path] = [Path.cwd(), request.config.rootpath, request.path.parent]
    for start in starts:
        try:
            root = find_root(start)
        except ConfigError:
            continue
        return load_config(root)
    raise MissingSchemaError.no_config(starts)


@pytest.fixture
def fake_shopify(request: pytest.FixtureRequest) -> Iterator[FakeShopify]:
    """A started FakeShopify on 127.0.0.1 answering from the app's schemas."""
    marker = request.node.get_closest_marker(MARKER)
    kwargs: dict[str, Any] = dict(marker.kwargs) if marker is not None else {}
    config = None
    if "schema_dir" not in kwargs:
        config = _app_config(request)
        kwargs["schema_dir"] = config.schema_dir
    fake = FakeShopify(**kwargs)
    if config is not None:
        for api, version in sorted({(a.name, a.pinned_version) for a in config.apis.values()}):
            fake.require_schema(api, version)
    with fake:
        yield fake
    missing = fake.missing_schemas()
    if missing:
        raise missing[0]
