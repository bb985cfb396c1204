"""The public surface of shopify_client: names, and the exception hierarchy."""

from __future__ import annotations

import inspect

import pytest

import shopify_client
from shopify_client import (
    AuthenticationError,
    ConfigurationError,
    GraphQLError,
    HTTPStatusError,
    InvalidResponseError,
    SecurityRejectionError,
    ServerError,
    ShopifyError,
    ThrottledError,
    TransportError,
    UnsupportedVersionWarning,
    UserErrorsError,
    VersionMismatchWarning,
)

PUBLIC = list(shopify_client.__all__)
ERROR_CLASSES = [
    getattr(shopify_client, name)
    for name in PUBLIC
    if name.endswith("Error") and inspect.isclass(getattr(shopify_client, name))
]


@pytest.mark.parametrize("name", PUBLIC)
def test_every_name_in_all_exists(name: str) -> None:
    assert hasattr(shopify_client, name)


def _isort_style(name: str) -> tuple[int, str]:
    """ruff's RUF022 order: CONSTANTS, then CamelCase classes, then the rest."""
    if name.isupper():
        return 0, name
    return (1 if name[:1].isupper() else 2), name


def test_all_has_no_duplicates_and_is_sorted() -> None:
    assert len(PUBLIC) == len(set(PUBLIC))
    assert sorted(PUBLIC, key=_isort_style) == PUBLIC


def test_the_version_is_a_string() -> None:
    assert isinstance(shopify_client.__version__, str)
    assert shopify_client.__version__.count(".") >= 2


def test_there_are_error_classes() -> None:
    assert len(ERROR_CLASSES) >= 10


@pytest.mark.parametrize("cls", ERROR_CLASSES, ids=lambda cls: cls.__name__)
def test_every_error_is_a_shopify_error(cls: type[BaseException]) -> None:
    assert issubclass(cls, ShopifyError)
    assert issubclass(cls, Exception)


def test_configuration_error_is_also_a_value_error() -> None:
    assert issubclass(ConfigurationError, ValueError)
    assert issubclass(ConfigurationError, ShopifyError)


def test_http_status_errors() -> None:
    for status_cls in (AuthenticationError, SecurityRejectionError, ServerError):
        assert issubclass(status_cls, HTTPStatusError)
    others: tuple[type[ShopifyError], ...] = (
        TransportError,
        ThrottledError,
        GraphQLError,
        InvalidResponseError,
        UserErrorsError,
        ConfigurationError,
    )
    for cls in others:
        assert not issubclass(cls, HTTPStatusError)


def test_warnings_are_user_warnings_not_errors() -> None:
    for cls in (UnsupportedVersionWarning, VersionMismatchWarning):
        assert issubclass(cls, UserWarning)
        assert not issubclass(cls, ShopifyError)


def test_every_exception_in_the_module_is_exported() -> None:
    from shopify_client import _exceptions

    defined = {
        name
        for name, value in vars(_exceptions).items()
        if inspect.isclass(value)
        and issubclass(value, BaseException)
        and value.__module__ == _exceptions.__name__
    }
    assert defined <= set(PUBLIC)


def test_errors_can_be_built_and_caught_as_shopify_error() -> None:
    samples: list[ShopifyError] = [
        ConfigurationError("bad"),
        TransportError("gone", request_sent=False),
        HTTPStatusError("x", status_code=418, request_id=None),
        AuthenticationError("x", status_code=401, request_id="r"),
        SecurityRejectionError("x", status_code=430, request_id=None),
        ServerError("x", status_code=502, request_id=None),
        ThrottledError("x", status_code=429, retry_after=1.0, cost=None, request_id=None),
        GraphQLError([], data=None, request_id=None),
        InvalidResponseError("x", path="a.b"),
        UserErrorsError([]),
    ]
    for error in samples:
        with pytest.raises(ShopifyError):
            raise error


def test_generated_packages_build_on_the_runtime() -> None:
    import shopify_admin
    import shopify_storefront

    assert issubclass(shopify_storefront.Client, shopify_client.StorefrontBaseClient)
    assert issubclass(shopify_storefront.AsyncClient, shopify_client.AsyncStorefrontBaseClient)
    assert issubclass(shopify_admin.Client, shopify_client.AdminBaseClient)
    assert issubclass(shopify_admin.AsyncClient, shopify_client.AsyncAdminBaseClient)
