"""A bulk query's definition and settings: what a start, a resume and a run share.

- :class:`BulkQuery`: what shopify-codegen generates from a ``bulk/*.graphql`` file;
- :class:`BulkCallOptions` (the keyword options of a generated bulk method), turned
  into :class:`BulkOptions` by :func:`bulk_options`, with their defaults and checks;
- the GraphQL texts: ``bulkOperationRunQuery`` (with ``groupObjects`` only where the
  schema has it: 2025-07 on), ``bulkOperationCancel`` and the ``node(id:)`` poll;
- the slots a version allows (1 before 2026-01, 5 from it) and the reading of
  ``userErrors`` (printable, capped) and of "already in progress" answers.

The handles are in :mod:`._bulk_handles`, starting and resuming in :mod:`._bulk_run`.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any, Generic, TypedDict, TypeVar

from ._bulk_checks import check_directory, check_seconds
from ._bulk_download import (
    DEFAULT_MAX_BULK_BYTES,
    DEFAULT_MAX_RESUMES,
    DEFAULT_READ_TIMEOUT,
    DownloadLimits,
)
from ._bulk_errors import BulkConcurrencyError, BulkStartError
from ._bulk_reassembly import BulkConnection
from ._exceptions import ConfigurationError
from ._redact import printable

__all__ = [
    "CANCEL_MUTATION",
    "DEFAULT_MAX_POLL_INTERVAL",
    "DEFAULT_POLL_INTERVAL",
    "DEFAULT_SLOT_WAIT",
    "MAX_OPERATION_SECONDS",
    "MAX_POLL_SECONDS",
    "POLL_QUERY",
    "RUN_MUTATION",
    "RUN_MUTATION_GROUPED",
    "BulkCallOptions",
    "BulkOptions",
    "BulkQuery",
    "bulk_options",
    "bulk_query_slots",
]

RecordT = TypeVar("RecordT")

DEFAULT_POLL_INTERVAL = 1.0
DEFAULT_MAX_POLL_INTERVAL = 30.0
#: seconds a start waits for a free slot before BulkConcurrencyError
DEFAULT_SLOT_WAIT = 600.0
#: Shopify's limit on a bulk query's run: 10 days (plus an hour of slack)
MAX_OPERATION_SECONDS = 10 * 24 * 3600 + 3600
#: the longest poll interval taken: a day
MAX_POLL_SECONDS = 24 * 3600.0
_GID = re.compile(r"gid://shopify/BulkOperation/\d+")

POLL_QUERY = """query BulkOperationStatus($id: ID!) {
  node(id: $id) {
    __typename
    ... on BulkOperation {
      id type status errorCode objectCount rootObjectCount fileSize url partialDataUrl
    }
  }
}"""
_RUN = """mutation BulkOperationRunQuery($query: String!{defs}) {{
  bulkOperationRunQuery(query: $query{args}) {{
    bulkOperation {{ id status }}
    userErrors {{ field message }}
  }}
}}"""
RUN_MUTATION = _RUN.format(defs="", args="")
RUN_MUTATION_GROUPED = _RUN.format(
    defs=", $groupObjects: Boolean!", args=", groupObjects: $groupObjects"
)
CANCEL_MUTATION = """mutation BulkOperationCancel($id: ID!) {
  bulkOperationCancel(id: $id) {
    bulkOperation { id status }
    userErrors { field message }
  }
}"""


def bulk_query_slots(api_version: str) -> int:
    """Bulk queries one app may run at once on a shop: 1 before 2026-01, 5 from it."""
    return 1 if api_version < "2026-01" else 5


@dataclass(frozen=True)
class BulkQuery(Generic[RecordT]):
    """A generated bulk query: its text, variables and the shape of its records."""

    name: str
    document: str
    connections: tuple[BulkConnection, ...]
    record: Callable[[], type[RecordT]]
    #: the schema's bulkOperationRunQuery has groupObjects (2025-07 on)
    group_objects_argument: bool
    enums: frozenset[str] = field(default=frozenset())


@dataclass(frozen=True)
class BulkOptions:
    poll_interval: float = DEFAULT_POLL_INTERVAL
    max_poll_interval: float = DEFAULT_MAX_POLL_INTERVAL
    slot_wait: float = DEFAULT_SLOT_WAIT
    download: DownloadLimits = field(default_factory=DownloadLimits)
    #: a temporary folder for the reassembly store (default: the system's)
    directory: str | None = None

    def __post_init__(self) -> None:
        check_seconds("poll_interval", self.poll_interval, most=MAX_POLL_SECONDS)
        check_seconds("max_poll_interval", self.max_poll_interval, most=MAX_POLL_SECONDS)
        # a wait for a slot past an operation's own limit would outlive the one it waits on
        check_seconds("slot_wait", self.slot_wait, most=MAX_OPERATION_SECONDS)
        if self.max_poll_interval < self.poll_interval:
            raise ConfigurationError(
                f"max_poll_interval ({self.max_poll_interval:g}) must not be below "
                f"poll_interval ({self.poll_interval:g})"
            )


def _backoff(interval: float, options: BulkOptions) -> float:
    return min(options.max_poll_interval, interval * 2)


def _user_errors(payload: object) -> list[str]:
    """A bulk operation's ``userErrors`` (run, cancel), as at most 10 printable messages
    of 300 characters: a hostile answer cannot forge log lines, grow the error, or
    turn a non-list into a bare TypeError."""
    errors = payload.get("userErrors") if isinstance(payload, dict) else None
    if not errors:
        return []
    listed = errors if isinstance(errors, list) else [errors]
    messages = [
        printable(str(e.get("message") if isinstance(e, dict) else e))[:300] for e in listed[:10]
    ]
    if len(listed) > 10:
        messages.append(f"and {len(listed) - 10} more")
    return messages


def _in_progress(messages: list[str]) -> bool:
    # "A bulk query operation for this app and shop is already in progress: <ids>"
    return any("already in progress" in m.lower() for m in messages)


def _started(payload: object, messages: list[str], name: str) -> str:
    if messages:
        raise BulkStartError(
            f"bulkOperationRunQuery refused {name}: " + "; ".join(messages), operation_id=None
        )
    operation = payload.get("bulkOperation") if isinstance(payload, dict) else None
    if not isinstance(operation, dict) or not isinstance(operation.get("id"), str):
        raise BulkStartError(
            f"bulkOperationRunQuery answered no operation for {name}", operation_id=None
        )
    return str(operation["id"])


def _concurrency_error(
    messages: list[str], api_version: str, waited: float
) -> BulkConcurrencyError:
    running = tuple(dict.fromkeys(m for text in messages for m in _GID.findall(text)))
    slots = bulk_query_slots(api_version)
    names = ", ".join(running) or "unnamed"
    return BulkConcurrencyError(
        f"no free bulk query slot ({slots} on {api_version}) after {waited:.0f} s; "
        f"in progress: {names}",
        running=running,
        slots=slots,
    )


def _run_variables(
    query: BulkQuery[Any], text: str, group_objects: bool
) -> tuple[str, dict[str, object]]:
    if query.group_objects_argument:
        return RUN_MUTATION_GROUPED, {"query": text, "groupObjects": group_objects}
    if group_objects:
        raise ConfigurationError(
            "this API version has no groupObjects argument (2025-07 on): its files are grouped"
        )
    return RUN_MUTATION, {"query": text}


class BulkCallOptions(TypedDict, total=False):
    """The options of a generated bulk method (``export_products(poll_interval=5)``).

    ``poll_interval`` (first poll interval, s, doubled up to ``max_poll_interval``),
    ``slot_wait`` (s to wait for a free slot), ``max_bulk_bytes`` (cap on the file),
    ``read_timeout`` (s per read of it), ``max_resumes`` (Range resumes in a row),
    ``directory`` (where the temporary store goes: an existing, writable directory).

    Each is checked before anything is sent (:mod:`._bulk_checks`): a number of
    seconds is finite, above 0 and at most a day (``slot_wait``: Shopify's 10-day
    limit on an operation; ``read_timeout``: an hour); ``max_bulk_bytes`` an int from
    1 to 2**64 - 1, ``max_resumes`` an int from 0 to 1000; a bool is neither."""

    poll_interval: float
    max_poll_interval: float
    slot_wait: float
    max_bulk_bytes: int
    read_timeout: float
    max_resumes: int
    directory: str | os.PathLike[str]


def bulk_options(options: BulkCallOptions) -> BulkOptions:
    """The checked options (ConfigurationError naming the option and its value)."""
    unknown = set(options) - set(BulkCallOptions.__annotations__)
    if unknown:
        raise ConfigurationError(f"unknown bulk option(s): {', '.join(sorted(unknown))}")
    poll = check_seconds(
        "poll_interval",
        options.get("poll_interval", DEFAULT_POLL_INTERVAL),
        most=MAX_POLL_SECONDS,
    )
    limits = DownloadLimits(
        max_bytes=options.get("max_bulk_bytes", DEFAULT_MAX_BULK_BYTES),
        read_timeout=options.get("read_timeout", DEFAULT_READ_TIMEOUT),
        max_resumes=options.get("max_resumes", DEFAULT_MAX_RESUMES),
    )
    settings = BulkOptions(
        poll_interval=options.get("poll_interval", DEFAULT_POLL_INTERVAL),
        max_poll_interval=options.get("max_poll_interval", max(DEFAULT_MAX_POLL_INTERVAL, poll)),
        slot_wait=options.get("slot_wait", DEFAULT_SLOT_WAIT),
        download=limits,
    )
    directory = options.get("directory")
    if directory is None:
        return settings
    # last: it creates (and removes) a file there, once every other option is right
    return replace(settings, directory=check_directory("directory", directory))


def _check_id(operation_id: object) -> str:
    if not isinstance(operation_id, str) or not _GID.fullmatch(operation_id):
        raise ConfigurationError("operation_id must be a gid://shopify/BulkOperation/<n> id")
    return operation_id
