"""The errors of a bulk query operation: one class per way it can end without records.

::

    ShopifyError
    └── BulkOperationError            operation_id, status, code, object_count,
        │                             root_object_count, partial_data
        ├── BulkOperationFailedError   FAILED: ``code`` is ACCESS_DENIED,
        │                              INTERNAL_SERVER_ERROR or TIMEOUT
        ├── BulkOperationCanceledError CANCELED (by us, or by Shopify for a stalled job)
        ├── BulkOperationExpiredError  EXPIRED: the result is gone (7 days)
        ├── BulkOperationNotFoundError ``node(id:)`` answered null: no such operation
        ├── BulkResultUnavailableError COMPLETED, but the file cannot be had (no url,
        │                              or the storage host says 403/404/410)
        ├── BulkIncompleteResultError  the file holds fewer objects than Shopify counted,
        │                              or children whose parent is not in it
        ├── BulkDownloadError          the download failed past its resumes, or its cap
        ├── BulkWaitTimeoutError       ``wait(timeout=)`` passed before a terminal status
        ├── BulkInvalidStateError      a poll answered what cannot be: another
        │   │                          operation's id, an unknown status or type, a
        │   │                          count that is not an unsigned 64-bit integer,
        │   │                          a url that is not https
        │   └── BulkOperationTypeError  a bulk mutation's id resumed as a bulk query's,
        │                               or a query's as a mutation's: ``operation_type``
        │                               (Shopify's), ``expected_type``
        ├── BulkStartError             ``bulkOperationRunQuery`` answered userErrors
        └── BulkConcurrencyError       no free slot within ``slot_wait``: ``running``
                                       names the operations in progress

Shopify's statuses and codes: https://shopify.dev/docs/api/admin-graphql/latest/enums/BulkOperationStatus
and .../enums/BulkOperationErrorCode ("ACCESS_DENIED", "INTERNAL_SERVER_ERROR", "TIMEOUT").
``partial_data`` says whether Shopify kept a ``partialDataUrl``: it is read only when
the caller asks (``run.records(partial=True)``).
"""

from __future__ import annotations

from ._exceptions import ShopifyError

__all__ = [
    "BulkConcurrencyError",
    "BulkDownloadError",
    "BulkIncompleteResultError",
    "BulkInvalidStateError",
    "BulkOperationCanceledError",
    "BulkOperationError",
    "BulkOperationExpiredError",
    "BulkOperationFailedError",
    "BulkOperationNotFoundError",
    "BulkOperationTypeError",
    "BulkResultUnavailableError",
    "BulkStartError",
    "BulkWaitTimeoutError",
]


class BulkOperationError(ShopifyError):
    """A bulk operation that ended (or could not go on) without its records."""

    def __init__(
        self,
        message: str,
        *,
        operation_id: str | None,
        status: str | None = None,
        code: str | None = None,
        object_count: int | None = None,
        root_object_count: int | None = None,
        partial_data: bool = False,
    ) -> None:
        super().__init__(message)
        self.operation_id = operation_id
        self.status = status
        self.code = code
        self.object_count = object_count
        self.root_object_count = root_object_count
        self.partial_data = partial_data


class BulkOperationFailedError(BulkOperationError):
    """Shopify reports FAILED; ``code`` says why (ACCESS_DENIED, INTERNAL_SERVER_ERROR,
    TIMEOUT). With ``partial_data``, ``run.records(partial=True)`` reads what was kept."""


class BulkOperationCanceledError(BulkOperationError):
    """CANCELED: by ``cancel()``, or by Shopify (it cancels stalled operations)."""


class BulkOperationExpiredError(BulkOperationError):
    """EXPIRED: results are kept 7 days after completion, then removed."""


class BulkOperationNotFoundError(BulkOperationError):
    """``node(id:)`` knows no bulk operation by this id (another shop, or a typo)."""


class BulkResultUnavailableError(BulkOperationError):
    """COMPLETED, but its file cannot be downloaded: Shopify gave no url for a result
    with objects, or the storage host refused it (its signed URL expired or vanished)."""


class BulkIncompleteResultError(BulkOperationError):
    """The file does not hold what Shopify counted (``rootObjectCount``), or holds
    children whose parent is missing: never returned as a short result."""


class BulkDownloadError(BulkOperationError):
    """The download failed after its resumes, or passed its size cap."""


class BulkInvalidStateError(BulkOperationError):
    """A poll of the operation answered figures that cannot be (another operation's
    id, a status or count outside the schema, a result url that is not https): the
    run stops there rather than wait on, download from, or trust them."""


class BulkOperationTypeError(BulkInvalidStateError):
    """The operation is not of the kind this handle reads: ``operation_type`` is
    Shopify's ``BulkOperation.type`` (MUTATION: started by bulkOperationRunMutation;
    QUERY: by bulkOperationRunQuery), ``expected_type`` the handle's. Raised by the
    first poll, before any download: resume a mutation's ids with the bulk
    mutation's ``resume_`` method, a query's with the bulk query's."""

    def __init__(
        self, message: str, *, operation_id: str, operation_type: str, expected_type: str
    ) -> None:
        super().__init__(message, operation_id=operation_id)
        self.operation_type = operation_type
        self.expected_type = expected_type


class BulkWaitTimeoutError(BulkOperationError):
    """``wait(timeout=)`` passed before the operation reached a terminal status."""


class BulkStartError(BulkOperationError):
    """``bulkOperationRunQuery`` refused the query (its userErrors, in the message)."""


class BulkConcurrencyError(BulkOperationError):
    """Every bulk query slot stayed taken for ``slot_wait`` seconds.

    ``running``: the ids of the operations in progress that Shopify named; ``slots``:
    how many this API version allows (1 before 2026-01, 5 from it)."""

    def __init__(self, message: str, *, running: tuple[str, ...], slots: int) -> None:
        super().__init__(message, operation_id=None)
        self.running = running
        self.slots = slots
