"""The public surface of shopify_client: names, and the exception hierarchy."""

from __future__ import annotations
import __future__

import importlib.metadata
import inspect
from types import ModuleType

import pytest

import shopify_admin
import shopify_client
import shopify_storefront
from shopify_client import (
    AuthenticationError,
    ConfigurationError,
    GraphQLError,
    HTTPStatusError,
    InvalidResponseError,
    PacingTimeoutError,
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


def public_names(module: ModuleType) -> list[str]:
    """What ``from module import *`` should give: every name not private, not a submodule,
    and the names a generated package loads on first access (its ``_LAZY``)."""
    present = {
        name
        for name, value in vars(module).items()
        if not name.startswith("_")
        and not inspect.ismodule(value)
        and not isinstance(value, __future__._Feature)
    }
    return sorted(present | set(getattr(module, "_LAZY", {})))


@pytest.mark.parametrize("module", [shopify_client, shopify_storefront, shopify_admin])
def test_all_is_exactly_the_public_names(module: ModuleType) -> None:
    """Both ways, as httpx's test_api does: nothing public is missing from __all__, and
    __all__ names nothing that is not there (``__version__`` is the one dunder)."""
    dunders = [name for name in module.__all__ if name.startswith("__")]
    assert dunders in ([], ["__version__"])
    assert sorted(set(module.__all__) - set(dunders)) == public_names(module)
    for name in module.__all__:
        assert hasattr(module, name)  # lazy names load on access


def test_public_names_come_from_the_package() -> None:
    """Nothing re-exported by accident from a dependency (an httpx or pydantic name)."""
    for name in PUBLIC:
        value = getattr(shopify_client, name)
        if inspect.isclass(value) or inspect.isfunction(value):
            assert value.__module__.startswith("shopify_client."), name


def _isort_style(name: str) -> tuple[int, str]:
    """ruff's RUF022 order: CONSTANTS, then CamelCase classes, then the rest."""
    if name.isupper():
        return 0, name
    return (1 if name[:1].isupper() else 2), name


def test_all_has_no_duplicates_and_is_sorted() -> None:
    assert len(PUBLIC) == len(set(PUBLIC))
    assert sorted(PUBLIC, key=_isort_style) == PUBLIC


def test_the_version_is_the_installed_distributions() -> None:
    assert shopify_client.__version__ == importlib.metadata.version("shopify-graphql-typed")


# The documented hierarchy (README "Errors"): each public error and its direct bases.
HIERARCHY = {
    "ShopifyError": ("Exception",),
    "ConfigurationError": ("ShopifyError", "ValueError"),
    "InvalidVariablesError": ("ShopifyError", "TypeError"),
    "TransportError": ("ShopifyError",),
    "HTTPStatusError": ("ShopifyError",),
    "AuthenticationError": ("HTTPStatusError",),
    "ShopUnavailableError": ("HTTPStatusError",),
    "SecurityRejectionError": ("HTTPStatusError",),
    "ServerError": ("HTTPStatusError",),
    "ThrottledError": ("ShopifyError",),
    "PacingTimeoutError": ("ShopifyError",),
    "GraphQLError": ("ShopifyError",),
    "InvalidResponseError": ("ShopifyError",),
    "ResponseTooLargeError": ("InvalidResponseError",),
    "UserErrorsError": ("ShopifyError",),
    "BulkOperationError": ("ShopifyError",),
    **{
        name: ("BulkOperationError",)
        for name in (
            "BulkConcurrencyError",
            "BulkDownloadError",
            "BulkIncompleteResultError",
            "BulkInvalidStateError",
            "BulkOperationCanceledError",
            "BulkOperationExpiredError",
            "BulkOperationFailedError",
            "BulkOperationNotFoundError",
            "BulkResultUnavailableError",
            "BulkStartError",
            "BulkWaitTimeoutError",
        )
    },
    # bulk mutations (shopify_client._bulk_mutation_errors)
    "BulkUploadError": ("BulkOperationError",),
    "BulkOperationTypeError": ("BulkInvalidStateError",),
    "BulkMutationLinesError": ("BulkIncompleteResultError",),
    "BulkMutationInputError": ("ConfigurationError",),
}


def test_the_error_classes_are_the_documented_hierarchy() -> None:
    actual = {cls.__name__: tuple(b.__name__ for b in cls.__bases__) for cls in ERROR_CLASSES}
    assert actual == HIERARCHY


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
        PacingTimeoutError("x", operation="Q", waited=60.0, limit=60.0, needed=None),
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
