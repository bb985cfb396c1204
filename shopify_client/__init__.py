"""Runtime of the typed Shopify GraphQL clients.

The generated packages ``shopify_storefront`` and ``shopify_admin`` build on this
package; import their ``Client`` / ``AsyncClient``. Import exceptions, the retry
policy and helpers from here.
"""

from ._base import (
    AdminBaseClient,
    AsyncAdminBaseClient,
    AsyncStorefrontBaseClient,
    StorefrontBaseClient,
)
from ._endpoint import endpoint_for, normalize_shop
from ._enums import ShopifyEnum
from ._exceptions import (
    AuthenticationError,
    ConfigurationError,
    GraphQLError,
    GraphQLErrorDetail,
    HTTPStatusError,
    InvalidResponseError,
    InvalidVariablesError,
    QueryCost,
    ResponseTooLargeError,
    SecurityRejectionError,
    ServerError,
    ShopifyError,
    ShopUnavailableError,
    ThrottledError,
    TransportError,
    UserErrorItem,
    UserErrorsError,
)
from ._options import CallOptions
from ._pacing import QueryCostLimiter
from ._per_call import CallResult, with_response, with_response_async
from ._response import GraphQLResponse
from ._retry import RetryPolicy, parse_retry_after
from ._unions import typename_discriminator
from ._user_errors import raise_for_user_errors
from ._variables import UNSET, UnsetType
from ._version import __version__
from ._versions import (
    UnsupportedVersionWarning,
    VersionMismatchWarning,
    VersionSupport,
    latest_stable_version,
    version_support,
)

__all__ = [
    "UNSET",
    "AdminBaseClient",
    "AsyncAdminBaseClient",
    "AsyncStorefrontBaseClient",
    "AuthenticationError",
    "CallOptions",
    "CallResult",
    "ConfigurationError",
    "GraphQLError",
    "GraphQLErrorDetail",
    "GraphQLResponse",
    "HTTPStatusError",
    "InvalidResponseError",
    "InvalidVariablesError",
    "QueryCost",
    "QueryCostLimiter",
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
    "endpoint_for",
    "latest_stable_version",
    "normalize_shop",
    "parse_retry_after",
    "raise_for_user_errors",
    "typename_discriminator",
    "version_support",
    "with_response",
    "with_response_async",
]
