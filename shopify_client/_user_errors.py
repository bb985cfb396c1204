"""Raising a mutation's user errors as an exception, for callers who prefer that."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVar

from ._exceptions import UserErrorsError

__all__ = ["raise_for_user_errors"]

PayloadT = TypeVar("PayloadT")

_FIELDS = ("customer_user_errors", "user_errors")


def raise_for_user_errors(payload: PayloadT) -> PayloadT:
    """Return ``payload`` unchanged, or raise :class:`UserErrorsError` if it carries
    any ``customer_user_errors`` / ``user_errors``.

    ``None`` (a mutation field that came back null) is returned as is.
    """
    if payload is None:
        return payload
    found: list[Any] = []
    for name in _FIELDS:
        errors = getattr(payload, name, None)
        if isinstance(errors, Sequence) and not isinstance(errors, str):
            found.extend(errors)
    if found:
        raise UserErrorsError(found)
    return payload
