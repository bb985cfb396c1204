"""The checks of a bulk operation's options, before anything is sent.

Every option of a bulk query or a bulk mutation (start or resume, sync or async) is
checked here first: its type (a bool is not a number), that it is finite, and its
range; ``directory`` must name an existing directory this process can create a file
in. A value that fails is a :class:`ConfigurationError` naming the option and the
value, raised before ``bulkOperationRunQuery`` / ``stagedUploadsCreate`` is sent:
never an operation started at Shopify whose result cannot then be read.
"""

from __future__ import annotations

import math
import os
import sqlite3
import tempfile
from typing import TYPE_CHECKING

from ._bulk_errors import BulkDownloadError
from ._exceptions import ConfigurationError
from ._redact import printable

if TYPE_CHECKING:
    from ._bulk_state import BulkOperationState

__all__ = [
    "check_count",
    "check_directory",
    "check_read_options",
    "check_seconds",
    "check_timeout",
    "shown",
    "store_error",
    "store_failure",
]


def shown(value: object, limit: int = 60) -> str:
    """The value as a message quotes it: its repr, printable, at most ``limit``
    characters (a path: 500, so that it is named whole)."""
    text = repr(value)
    return printable(text if len(text) <= limit else text[: limit - 3] + "...")


def check_seconds(name: str, value: object, *, most: float, zero: bool = False) -> float:
    """A number of seconds (int or float, not bool), finite, above 0 (or 0 itself
    with ``zero``) and at most ``most``."""
    number: float | None = None
    if isinstance(value, float) or (isinstance(value, int) and not isinstance(value, bool)):
        # an int too large for a float is past ``most`` anyway (no OverflowError)
        number = float(value) if abs(value) <= most else math.inf
    if (
        number is None
        or not math.isfinite(number)
        or number > most
        or (number < 0 if zero else number <= 0)
    ):
        floor = "0 or above" if zero else "above 0"
        raise ConfigurationError(
            f"{name} must be a finite number of seconds {floor} and at most {most:g} "
            f"(got {shown(value)})"
        )
    return number


def check_timeout(timeout: object, default: float, most: float) -> float:
    """A ``wait(timeout=)`` / ``records(timeout=)``: None (``default``), or seconds
    from 0 (one poll) to ``most`` (Shopify's limit on an operation, with slack)."""
    if timeout is None:
        return default
    return check_seconds("timeout", timeout, most=most, zero=True)


def check_count(name: str, value: object, *, least: int, most: int, unit: str) -> int:
    """An int (not a bool) from ``least`` to ``most``."""
    if isinstance(value, bool) or not isinstance(value, int) or not least <= value <= most:
        raise ConfigurationError(
            f"{name} must be an int from {least} to {most} ({unit}; got {shown(value)})"
        )
    return value


def check_directory(name: str, value: object) -> str:
    """An existing directory this process can create (and remove) a file in, as a
    str; the check creates and removes one empty file there (permission bits alone
    say nothing for root, nor for a read-only mount)."""
    if isinstance(value, os.PathLike):
        value = os.fspath(value)
    if not isinstance(value, str) or not value or "\x00" in value:
        raise ConfigurationError(f"{name} must be the path of a directory (got {shown(value)})")
    if not os.path.isdir(value):
        what = "is not a directory" if os.path.exists(value) else "does not exist"
        raise ConfigurationError(f"{name} {shown(value, 500)} {what}")
    try:
        fd, probe = tempfile.mkstemp(prefix="shopify-bulk-probe-", dir=value)
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise ConfigurationError(
            f"{name} {shown(value, 500)} is not writable here ({reason})"
        ) from None
    os.close(fd)
    os.unlink(probe)
    return value


def store_failure(exc: OSError | sqlite3.Error) -> str:
    """Why a temporary store could not be made, in a few words (its OS reason)."""
    if isinstance(exc, OSError):
        return exc.strerror or type(exc).__name__
    return printable(str(exc))[:200] or type(exc).__name__


def store_error(
    operation_id: str,
    state: BulkOperationState | None,
    directory: str | None,
    reason: str,
) -> BulkDownloadError:
    """The error of a result store that cannot be made now: it names the directory
    and keeps the operation's id (still at Shopify: its ``resume_`` method reads it)."""
    where = directory if directory is not None else tempfile.gettempdir()
    return BulkDownloadError(
        f"bulk result of {operation_id}: its temporary store cannot be created in "
        f"directory {shown(where, 500)} ({reason}); the operation is kept at Shopify: free room "
        "there or pass another directory=, then read it with the resume_ method and this id",
        operation_id=operation_id,
        status=state.status if state is not None else None,
        object_count=state.object_count if state is not None else None,
        root_object_count=state.root_object_count if state is not None else None,
    )


def check_read_options(stream: object, skip: object) -> tuple[bool, int]:
    """``records(stream=, skip=)``: a bool, and an int from 0 (ConfigurationError)."""
    if not isinstance(stream, bool):
        raise ConfigurationError(f"stream must be True or False (got {shown(stream)})")
    return stream, check_count("skip", skip, least=0, most=2**63 - 1, unit="records")
