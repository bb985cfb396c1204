"""The errors of a bulk mutation (an import), beside the bulk query ones.

::

    ShopifyError
    ├── ConfigurationError
    │   └── BulkMutationInputError   an input line that cannot be written (``line``,
    │                                ``operation_ids``: the parts already started)
    └── BulkOperationError
        ├── BulkUploadError          the storage host refused (or never took) a part's
        │                            file: ``part``, ``status_code``, ``operation_ids``
        │                            (the parts already started)
        └── BulkIncompleteResultError
            └── BulkMutationLinesError a part's result file misses lines, or has some
                                       twice: ``part``, ``missing``, ``duplicated``
                                       (indexes in the caller's iterable)

A bulk mutation's other endings (FAILED, CANCELED, EXPIRED, a result file gone, a
start refused, no free slot) raise the bulk query errors of :mod:`._bulk_errors`;
raised while a later part starts, they carry ``operation_ids`` too.
"""

from __future__ import annotations

from ._bulk_errors import BulkIncompleteResultError, BulkOperationError
from ._exceptions import ConfigurationError

__all__ = ["BulkMutationInputError", "BulkMutationLinesError", "BulkUploadError"]


class BulkMutationInputError(ConfigurationError):
    """An item of the caller's iterable cannot be a line: not the operation's
    variables model (nor a mapping of its fields), or larger than a whole file may be;
    or the iterable itself raised (its exception is ``__cause__``). ``line`` is the
    item's index in the iterable. Nothing of this part was uploaded."""

    def __init__(self, message: str, *, line: int) -> None:
        super().__init__(message)
        self.line = line
        #: the parts started before this line's part (cancel or resume them)
        self.operation_ids: tuple[str, ...] = ()


class BulkUploadError(BulkOperationError):
    """A part's file did not reach the storage host: it answered ``status_code``
    (None: the connection failed, or the upload passed its time limit), or
    ``stagedUploadsCreate`` gave no target. ``part`` is its index (0 for the first);
    ``operation_ids`` names the parts started before it (cancel or resume them)."""

    def __init__(
        self,
        message: str,
        *,
        part: int,
        status_code: int | None,
        operation_ids: tuple[str, ...] = (),
    ) -> None:
        super().__init__(message, operation_id=None)
        self.part = part
        self.status_code = status_code
        self.operation_ids = operation_ids


class BulkMutationLinesError(BulkIncompleteResultError):
    """A part's result file does not hold exactly one line per input line:
    ``missing`` and ``duplicated`` are indexes in the caller's iterable (the first
    100 of each), ``part`` the part's index. Raised before any result of the part is
    yielded."""

    def __init__(
        self,
        message: str,
        *,
        operation_id: str,
        part: int,
        missing: tuple[int, ...],
        duplicated: tuple[int, ...],
        unexpected: tuple[str, ...] = (),
    ) -> None:
        super().__init__(message, operation_id=operation_id, status="COMPLETED")
        self.part = part
        self.missing = missing
        self.duplicated = duplicated
        self.unexpected = unexpected
