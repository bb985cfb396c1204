"""One poll's view of a bulk operation, checked: :class:`BulkOperationState`.

A poll answers ``node(id:) { ... on BulkOperation { id type status errorCode
objectCount rootObjectCount fileSize url partialDataUrl } }``. What it says is checked
before the run trusts it (the schema, 2024-01 to 2026-04: BulkOperation.id ``ID!``,
type ``BulkOperationType!`` (QUERY or MUTATION), status ``BulkOperationStatus!``,
objectCount and rootObjectCount ``UnsignedInt64!``, fileSize ``UnsignedInt64``, url
and partialDataUrl ``URL``): another operation's id, an unknown status, a count that
is not an unsigned 64-bit integer, a url that is not https are a
:class:`BulkInvalidStateError` at once, never a wait on a status that cannot end, a
download from elsewhere, or a crash on a 5,000-digit number.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from ._bulk_errors import (
    BulkInvalidStateError,
    BulkOperationCanceledError,
    BulkOperationError,
    BulkOperationExpiredError,
    BulkOperationFailedError,
    BulkOperationNotFoundError,
)

__all__ = ["ERROR_CODES", "STATUSES", "TERMINAL", "TYPES", "BulkOperationState"]

TERMINAL = frozenset({"COMPLETED", "FAILED", "CANCELED", "EXPIRED"})
#: BulkOperationStatus and BulkOperationErrorCode, the same in every pinned version
STATUSES = frozenset(
    {"CREATED", "RUNNING", "COMPLETED", "FAILED", "CANCELING", "CANCELED", "EXPIRED"}
)
ERROR_CODES = frozenset({"ACCESS_DENIED", "INTERNAL_SERVER_ERROR", "TIMEOUT"})
#: BulkOperationType: what started the operation (bulkOperationRunQuery / ...RunMutation)
TYPES = frozenset({"QUERY", "MUTATION"})
#: UnsignedInt64, as Shopify writes it (a string of ASCII digits; ints are taken too)
_UINT64 = re.compile(r"[0-9]{1,20}")
#: an enum value's name, as GraphQL spells one (and short)
_ENUM_NAME = re.compile(r"[A-Z][A-Z0-9_]{0,63}")
_MAX_UINT64 = 2**64 - 1
#: the longest result url taken (signed storage URLs run to ~2,000 characters)
_MAX_URL = 16_384
_LOOPBACK = frozenset({"127.0.0.1", "::1", "localhost"})


def _shown(value: object) -> str:
    """A hostile value, quoted for a message: short, printable."""
    from ._redact import printable

    text = repr(value)
    return printable(text if len(text) <= 40 else text[:37] + "...")


def _invalid(operation_id: str, message: str) -> BulkInvalidStateError:
    return BulkInvalidStateError(
        f"bulk operation {operation_id}: the poll answered {message}", operation_id=operation_id
    )


def _count(operation_id: str, node: dict[str, Any], name: str, required: bool) -> int | None:
    value = node.get(name)
    if value is None and not required:
        return None
    number: int | None = None
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif isinstance(value, str) and _UINT64.fullmatch(value):
        number = int(value)
    if number is None or not 0 <= number <= _MAX_UINT64:
        raise _invalid(operation_id, f"{name} {_shown(value)}, not an unsigned 64-bit count")
    return number


def _url(operation_id: str, node: dict[str, Any], name: str) -> str | None:
    """A result url: https (http only to this machine's loopback: tests), a host, no
    credentials in it; the download sends nothing else there and follows no redirect."""
    value = node.get(name)
    if value is None:
        return None
    if not isinstance(value, str) or len(value) > _MAX_URL:
        raise _invalid(operation_id, f"a {name} that is not a URL ({_shown(value)[:20]}...)")
    import httpx

    try:
        parsed = httpx.URL(value)
    except (httpx.InvalidURL, TypeError, ValueError):
        parsed = None
    scheme = parsed.scheme if parsed is not None else ""
    host = parsed.host if parsed is not None else ""
    ok = parsed is not None and host and not parsed.userinfo
    ok = ok and (scheme == "https" or (scheme == "http" and host in _LOOPBACK))
    if not ok:
        # the url is signed: its scheme and host are shown, never the rest
        where = f"{scheme or '?'}://{host or '?'}" if parsed is not None else "unparseable"
        raise _invalid(
            operation_id, f"a {name} the client will not fetch ({_shown(where)}): https only"
        )
    return value


@dataclass(frozen=True)
class BulkOperationState:
    """One poll's view of the operation (``url``s are signed: never logged)."""

    id: str
    status: str
    error_code: str | None = None
    object_count: int | None = None
    root_object_count: int | None = None
    file_size: int | None = None
    url: str | None = field(default=None, repr=False)
    partial_data_url: str | None = field(default=None, repr=False)
    #: QUERY or MUTATION (None only for a state not read from a poll)
    type: str | None = None

    @classmethod
    def from_node(cls, operation_id: str, node: object) -> BulkOperationState:
        """The poll's answer, checked: its id is the one asked for, its type QUERY or
        MUTATION, its status one of the schema's, its counts unsigned 64-bit integers
        (``rootObjectCount`` at most
        ``objectCount``), its urls https. Else BulkInvalidStateError, at once (never a
        wait on a status that cannot end, nor a download from another operation)."""
        if not isinstance(node, dict) or node.get("__typename") != "BulkOperation":
            raise BulkOperationNotFoundError(
                f"no bulk operation {operation_id} on this shop (node(id:) answered "
                f"{'null' if node is None else 'another type'})",
                operation_id=operation_id,
            )
        if node.get("id") != operation_id:
            raise _invalid(operation_id, f"another operation's state (id {_shown(node.get('id'))})")
        kind = node.get("type")
        if not isinstance(kind, str) or kind not in TYPES:  # a list is unhashable
            raise _invalid(operation_id, f"type {_shown(kind)}, not QUERY or MUTATION")
        status = node.get("status")
        if not isinstance(status, str) or status not in STATUSES:
            raise _invalid(operation_id, f"status {_shown(status)}, not one of Shopify's")
        code = node.get("errorCode")
        if code is not None and (not isinstance(code, str) or not _ENUM_NAME.fullmatch(code)):
            raise _invalid(operation_id, f"errorCode {_shown(code)}, not an enum value")
        objects = _count(operation_id, node, "objectCount", True)
        roots = _count(operation_id, node, "rootObjectCount", True)
        # No order between the two is enforced: Shopify documents none, and a bulk
        # mutation's figures count lines, not objects with their children.
        return cls(
            id=operation_id,
            status=str(status),
            # a code newer than this client's list is kept (FAILED says it), as given
            error_code=code,
            object_count=objects,
            root_object_count=roots,
            file_size=_count(operation_id, node, "fileSize", False),
            url=_url(operation_id, node, "url"),
            partial_data_url=_url(operation_id, node, "partialDataUrl"),
            type=str(kind),
        )

    @property
    def terminal(self) -> bool:
        return self.status in TERMINAL

    def error(self) -> BulkOperationError | None:
        """The typed error of a terminal status other than COMPLETED."""
        kinds: dict[str, tuple[type[BulkOperationError], str]] = {
            "FAILED": (BulkOperationFailedError, f"failed ({self.error_code or 'no code'})"),
            "CANCELED": (BulkOperationCanceledError, "was canceled (by us, or by Shopify)"),
            "EXPIRED": (BulkOperationExpiredError, "expired: its results are gone (7 days)"),
        }
        if self.status not in kinds:
            return None
        cls, what = kinds[self.status]
        partial = self.partial_data_url is not None
        hint = "; partial data exists: records(partial=True) reads it" if partial else ""
        return cls(
            f"bulk operation {self.id} {what}, {self.object_count or 0} objects{hint}",
            operation_id=self.id,
            status=self.status,
            code=self.error_code,
            object_count=self.object_count,
            root_object_count=self.root_object_count,
            partial_data=partial,
        )
