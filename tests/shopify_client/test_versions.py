"""API version calendar, the once-per-process unsupported-version warning, served-version
mismatches and deprecation headers."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import warnings

import pytest

from shopify_admin import AsyncClient as AsyncAdminClient
from shopify_admin import Client as AdminClient
from shopify_client import (
    UnsupportedVersionWarning,
    VersionMismatchWarning,
    latest_stable_version,
    version_support,
)
from shopify_client._versions import warn_if_unsupported
from shopify_client.testing import ADMIN_TOKEN, STOREFRONT_TOKEN, FakeShopify
from shopify_storefront import AsyncClient as AsyncStorefrontClient
from shopify_storefront import Client as StorefrontClient
from tests.shopify_client.conftest import STOREFRONT_VERSION

TODAY = dt.date(2026, 11, 26)
SHOP = "your-store.myshopify.com"


def shopify_warnings(caplog: pytest.LogCaptureFixture, text: str) -> list[str]:
    return [
        r.getMessage()
        for r in caplog.records
        if r.name == "shopify_client" and r.levelno == logging.WARNING and text in r.getMessage()
    ]


# -- the calendar --------------------------------------------------------------------------


def test_2024_10_is_unsupported_on_2026_11_26() -> None:
    support = version_support("2024-10", today=TODAY)
    assert support.version == "2024-10"
    assert support.released == dt.date(2024, 10, 1)
    assert support.supported_until == dt.date(2025, 10, 1)
    assert support.today == TODAY
    assert not support.is_supported


def test_recent_version_is_supported() -> None:
    support = version_support("2026-07", today=TODAY)
    assert support.is_supported
    assert support.supported_until == dt.date(2027, 7, 1)


def test_support_ends_on_the_first_day_twelve_months_later() -> None:
    assert version_support("2025-10", today=dt.date(2026, 9, 30)).is_supported
    assert not version_support("2025-10", today=dt.date(2026, 10, 1)).is_supported


def test_support_window_crosses_the_year() -> None:
    assert version_support("2025-01", today=TODAY).supported_until == dt.date(2026, 1, 1)


def test_version_support_defaults_to_today() -> None:
    before = dt.date.today()
    today = version_support("2024-10").today
    assert before <= today <= dt.date.today()


@pytest.mark.parametrize(
    ("today", "latest"),
    [
        (TODAY, "2026-10"),
        (dt.date(2026, 10, 1), "2026-10"),
        (dt.date(2026, 9, 30), "2026-07"),
        (dt.date(2026, 1, 1), "2026-01"),
        (dt.date(2026, 3, 31), "2026-01"),
        (dt.date(2026, 4, 1), "2026-04"),
        (dt.date(2026, 12, 31), "2026-10"),
    ],
)
def test_latest_stable_version(today: dt.date, latest: str) -> None:
    assert latest_stable_version(today) == latest


def test_latest_stable_version_is_supported() -> None:
    assert version_support(latest_stable_version(TODAY), today=TODAY).is_supported


# -- UnsupportedVersionWarning -------------------------------------------------------------


def test_warn_if_unsupported_with_a_date() -> None:
    with pytest.warns(UnsupportedVersionWarning, match="2025-10-01") as record:
        assert warn_if_unsupported("storefront", "2024-10", today=TODAY) is True
    assert len(record) == 1
    message = str(record[0].message)
    assert "storefront" in message and "2024-10" in message
    assert "shopify-codegen bump --api storefront --version 2026-10" in message
    with warnings.catch_warnings(record=True) as again:
        warnings.simplefilter("always")
        assert warn_if_unsupported("storefront", "2024-10", today=TODAY) is True
    assert again == []


def test_supported_and_unstable_versions_do_not_warn() -> None:
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        assert warn_if_unsupported("admin", "2026-10", today=TODAY) is False
        assert warn_if_unsupported("admin", "unstable", today=TODAY) is False
    assert record == []


def test_constructing_a_client_warns_once_per_process(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, logger="shopify_client")
    with pytest.warns(UnsupportedVersionWarning) as record:
        StorefrontClient(shop=SHOP, access_token=STOREFRONT_TOKEN).close()
    assert len(record) == 1
    assert record[0].filename == __file__  # points at the caller's line
    assert "Shopify storefront API 2024-10" in str(record[0].message)
    assert len(shopify_warnings(caplog, "support window")) == 1

    with warnings.catch_warnings(record=True) as again:
        warnings.simplefilter("always")
        StorefrontClient(shop=SHOP, access_token=STOREFRONT_TOKEN).close()
        asyncio.run(AsyncStorefrontClient(shop=SHOP, access_token=STOREFRONT_TOKEN).aclose())
    assert [w for w in again if issubclass(w.category, UnsupportedVersionWarning)] == []
    assert len(shopify_warnings(caplog, "support window")) == 1


def test_each_api_warns_separately(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, logger="shopify_client")
    with pytest.warns(UnsupportedVersionWarning) as record:
        StorefrontClient(shop=SHOP, access_token=STOREFRONT_TOKEN).close()
        AdminClient(shop=SHOP, access_token=ADMIN_TOKEN).close()
        asyncio.run(AsyncAdminClient(shop=SHOP, access_token=ADMIN_TOKEN).aclose())
    messages = [str(w.message) for w in record if w.category is UnsupportedVersionWarning]
    assert len(messages) == 2
    assert "storefront API 2024-10" in messages[0]
    assert "admin API 2024-01" in messages[1]
    assert len(shopify_warnings(caplog, "support window")) == 2


def test_already_warned_set_is_process_wide() -> None:
    from shopify_client import _versions

    StorefrontClient(shop=SHOP, access_token=STOREFRONT_TOKEN).close()
    assert ("storefront", STOREFRONT_VERSION) in _versions._warned
    _versions._warned.clear()
    with pytest.warns(UnsupportedVersionWarning):
        StorefrontClient(shop=SHOP, access_token=STOREFRONT_TOKEN).close()


# -- VersionMismatchWarning ----------------------------------------------------------------


def test_served_version_mismatch_warns_once_per_client(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, logger="shopify_client")
    with FakeShopify(served_version="2025-01") as fake:
        endpoint = fake.endpoint("storefront", STOREFRONT_VERSION)
        with StorefrontClient(endpoint=endpoint, access_token=STOREFRONT_TOKEN) as client:
            with pytest.warns(VersionMismatchWarning) as record:
                client.customer(customer_access_token="nobody")
            assert len(record) == 1
            assert record[0].filename == __file__
            message = str(record[0].message)
            assert "2024-10" in message and "2025-01" in message
            assert client.last_response is not None
            assert client.last_response.api_version == "2025-01"
            with warnings.catch_warnings(record=True) as again:
                warnings.simplefilter("always")
                client.customer(customer_access_token="nobody")
            assert again == []
        assert len(shopify_warnings(caplog, "Shopify served 2025-01")) == 1

        with (
            StorefrontClient(endpoint=endpoint, access_token=STOREFRONT_TOKEN) as other,
            pytest.warns(VersionMismatchWarning),
        ):
            other.customer(customer_access_token="nobody")
    assert len(shopify_warnings(caplog, "Shopify served 2025-01")) == 2


def test_async_client_warns_on_mismatch_too() -> None:
    with FakeShopify(served_version="2025-01") as fake:

        async def main() -> None:
            async with AsyncStorefrontClient(
                endpoint=fake.endpoint("storefront", STOREFRONT_VERSION),
                access_token=STOREFRONT_TOKEN,
            ) as client:
                await client.customer(customer_access_token="a")
                await client.customer(customer_access_token="b")

        with pytest.warns(VersionMismatchWarning) as record:
            asyncio.run(main())
    assert len([w for w in record if w.category is VersionMismatchWarning]) == 1


def test_matching_served_version_does_not_warn() -> None:
    with FakeShopify() as fake, warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        warnings.simplefilter("ignore", UnsupportedVersionWarning)
        with StorefrontClient(
            endpoint=fake.endpoint("storefront", STOREFRONT_VERSION),
            access_token=STOREFRONT_TOKEN,
        ) as client:
            client.customer(customer_access_token="nobody")
            assert client.last_response is not None
            assert client.last_response.api_version == STOREFRONT_VERSION
    assert record == []


# -- X-Shopify-API-Deprecated-Reason -------------------------------------------------------


def test_deprecated_reason_is_logged(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, logger="shopify_client")
    reason = "https://shopify.dev/changelog/customer-accepts-marketing-is-deprecated"
    with (
        FakeShopify(deprecated_reason=reason) as fake,
        StorefrontClient(
            endpoint=fake.endpoint("storefront", STOREFRONT_VERSION), access_token=STOREFRONT_TOKEN
        ) as client,
    ):
        client.customer(customer_access_token="nobody")
        client.customer(customer_access_token="nobody")
    logged = shopify_warnings(caplog, "deprecated")
    assert len(logged) == 1, "logged once per client and reason"
    assert reason in logged[0]
    assert "storefront" in logged[0] and STOREFRONT_VERSION in logged[0]


def test_no_deprecated_reason_logs_nothing(
    fake: FakeShopify, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="shopify_client")
    with StorefrontClient(
        endpoint=fake.endpoint("storefront", STOREFRONT_VERSION), access_token=STOREFRONT_TOKEN
    ) as client:
        client.customer(customer_access_token="nobody")
    assert shopify_warnings(caplog, "deprecated") == []
