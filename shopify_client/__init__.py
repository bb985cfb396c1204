"""Runtime of the typed Shopify GraphQL clients.

The generated packages ``shopify_storefront``, ``shopify_admin`` and
``shopify_customer`` build on this package; import their ``Client`` /
``AsyncClient``. Import exceptions, the retry policy and helpers from here.
"""

import importlib as _importlib
import typing as _typing

from ._base import (
    AdminBaseClient,
    AsyncAdminBaseClient,
    AsyncCustomerBaseClient,
    AsyncStorefrontBaseClient,
    CustomerBaseClient,
    StorefrontBaseClient,
)
from ._exceptions import (
    AuthenticationError,
    ConfigurationError,
    GraphQLError,
    HTTPStatusError,
    InvalidResponseError,
    InvalidVariablesError,
    PacingTimeoutError,
    ResponseTooLargeError,
    SecurityRejectionError,
    ServerError,
    ShopifyError,
    ShopUnavailableError,
    ThrottledError,
    TransportError,
    UserErrorsError,
)
from ._options import CallOptions
from ._unions import typename_discriminator
from ._variables import UNSET, UnsetType
from ._version import __version__

if _typing.TYPE_CHECKING:
    from ._arguments import RedactedDict
    from ._bulk_errors import (
        BulkConcurrencyError,
        BulkDownloadError,
        BulkIncompleteResultError,
        BulkInvalidStateError,
        BulkOperationCanceledError,
        BulkOperationError,
        BulkOperationExpiredError,
        BulkOperationFailedError,
        BulkOperationNotFoundError,
        BulkOperationTypeError,
        BulkResultUnavailableError,
        BulkStartError,
        BulkWaitTimeoutError,
    )
    from ._bulk_mutation import (
        AsyncBulkMutationRun,
        BulkLineMessage,
        BulkMutation,
        BulkMutationCallOptions,
        BulkMutationResult,
        BulkMutationRun,
        bulk_mutation_file_limit,
        bulk_mutation_slots,
    )
    from ._bulk_mutation_errors import (
        BulkMutationInputError,
        BulkMutationLinesError,
        BulkUploadError,
    )
    from ._bulk_progress import BulkProgress
    from ._bulk_reassembly import BulkConnection
    from ._bulk_run import (
        AsyncBulkRun,
        BulkCallOptions,
        BulkOperationState,
        BulkQuery,
        BulkRun,
        bulk_query_slots,
    )
    from ._endpoint import endpoint_for, normalize_shop
    from ._enums import ShopifyEnum
    from ._idempotency import ensure_idempotency_key
    from ._pacing import QueryCostLimiter
    from ._per_call import CallResult, with_response, with_response_async
    from ._records import GraphQLErrorDetail, GraphQLResponse, QueryCost
    from ._redis_pacing import RedisClient, RedisQueryCostLimiter
    from ._retry import RetryPolicy, parse_retry_after
    from ._user_errors import UserErrorItem, raise_for_user_errors
    from ._versions import (
        UnsupportedVersionWarning,
        VersionMismatchWarning,
        VersionSupport,
        latest_stable_version,
        version_support,
    )

# Public names whose modules load on first use: each is needed at a client's
# construction, on an error, or by a helper, not to import the clients (several
# are dataclasses, which @dataclass builds with exec() at import). A name, once
# loaded, is a plain attribute of this package.
_LAZY = {
    "AsyncBulkMutationRun": "_bulk_mutation",
    "BulkLineMessage": "_bulk_mutation",
    "BulkMutation": "_bulk_mutation",
    "BulkMutationCallOptions": "_bulk_mutation",
    "BulkMutationResult": "_bulk_mutation",
    "BulkMutationRun": "_bulk_mutation",
    "bulk_mutation_file_limit": "_bulk_mutation",
    "bulk_mutation_slots": "_bulk_mutation",
    "BulkMutationInputError": "_bulk_mutation_errors",
    "BulkMutationLinesError": "_bulk_mutation_errors",
    "BulkUploadError": "_bulk_mutation_errors",
    "AsyncBulkRun": "_bulk_run",
    "BulkCallOptions": "_bulk_run",
    "BulkConcurrencyError": "_bulk_errors",
    "BulkConnection": "_bulk_reassembly",
    "BulkDownloadError": "_bulk_errors",
    "BulkIncompleteResultError": "_bulk_errors",
    "BulkInvalidStateError": "_bulk_errors",
    "BulkOperationCanceledError": "_bulk_errors",
    "BulkOperationError": "_bulk_errors",
    "BulkOperationExpiredError": "_bulk_errors",
    "BulkOperationFailedError": "_bulk_errors",
    "BulkOperationNotFoundError": "_bulk_errors",
    "BulkOperationTypeError": "_bulk_errors",
    "BulkProgress": "_bulk_progress",
    "BulkOperationState": "_bulk_run",
    "BulkQuery": "_bulk_run",
    "BulkResultUnavailableError": "_bulk_errors",
    "BulkRun": "_bulk_run",
    "BulkStartError": "_bulk_errors",
    "BulkWaitTimeoutError": "_bulk_errors",
    "bulk_query_slots": "_bulk_run",
    "CallResult": "_per_call",
    "GraphQLErrorDetail": "_records",
    "GraphQLResponse": "_records",
    "QueryCost": "_records",
    "QueryCostLimiter": "_pacing",
    "RedactedDict": "_arguments",
    "RedisClient": "_redis_pacing",
    "RedisQueryCostLimiter": "_redis_pacing",
    "RetryPolicy": "_retry",
    "ShopifyEnum": "_enums",
    "UnsupportedVersionWarning": "_versions",
    "UserErrorItem": "_user_errors",
    "VersionMismatchWarning": "_versions",
    "VersionSupport": "_versions",
    "endpoint_for": "_endpoint",
    "ensure_idempotency_key": "_idempotency",
    "latest_stable_version": "_versions",
    "normalize_shop": "_endpoint",
    "parse_retry_after": "_retry",
    "raise_for_user_errors": "_user_errors",
    "version_support": "_versions",
    "with_response": "_per_call",
    "with_response_async": "_per_call",
}

__all__ = [
    "UNSET",
    "AdminBaseClient",
    "AsyncAdminBaseClient",
    "AsyncBulkMutationRun",
    "AsyncBulkRun",
    "AsyncCustomerBaseClient",
    "AsyncStorefrontBaseClient",
    "AuthenticationError",
    "BulkCallOptions",
    "BulkConcurrencyError",
    "BulkConnection",
    "BulkDownloadError",
    "BulkIncompleteResultError",
    "BulkInvalidStateError",
    "BulkLineMessage",
    "BulkMutation",
    "BulkMutationCallOptions",
    "BulkMutationInputError",
    "BulkMutationLinesError",
    "BulkMutationResult",
    "BulkMutationRun",
    "BulkOperationCanceledError",
    "BulkOperationError",
    "BulkOperationExpiredError",
    "BulkOperationFailedError",
    "BulkOperationNotFoundError",
    "BulkOperationState",
    "BulkOperationTypeError",
    "BulkProgress",
    "BulkQuery",
    "BulkResultUnavailableError",
    "BulkRun",
    "BulkStartError",
    "BulkUploadError",
    "BulkWaitTimeoutError",
    "CallOptions",
    "CallResult",
    "ConfigurationError",
    "CustomerBaseClient",
    "GraphQLError",
    "GraphQLErrorDetail",
    "GraphQLResponse",
    "HTTPStatusError",
    "InvalidResponseError",
    "InvalidVariablesError",
    "PacingTimeoutError",
    "QueryCost",
    "QueryCostLimiter",
    "RedactedDict",
    "RedisClient",
    "RedisQueryCostLimiter",
    "ResponseTooLargeError",
    "RetryPolicy",
    "SecurityRejectionError",
    "ServerError",
    "ShopUnavailableError",
    "ShopifyEnum",
    "ShopifyError",
    "StorefrontBaseClient",
    "ThrottledError",
    "TransportError",
    "UnsetType",
    "UnsupportedVersionWarning",
    "UserErrorItem",
    "UserErrorsError",
    "VersionMismatchWarning",
    "VersionSupport",
    "__version__",
    "bulk_mutation_file_limit",
    "bulk_mutation_slots",
    "bulk_query_slots",
    "endpoint_for",
    "ensure_idempotency_key",
    "latest_stable_version",
    "normalize_shop",
    "parse_retry_after",
    "raise_for_user_errors",
    "typename_discriminator",
    "version_support",
    "with_response",
    "with_response_async",
]


# Hidden from type checkers, which see the names imported under TYPE_CHECKING (a
# visible module __getattr__ would make any misspelt name type-check as Any).
if not _typing.TYPE_CHECKING:

    def __getattr__(name: str) -> _typing.Any:
        module = _LAZY.get(name)
        if module is None:
            raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
        value = getattr(_importlib.import_module(f".{module}", __name__), name)
        globals()[name] = value
        return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
