"""Raising a mutation's user errors as an exception, for callers who prefer that."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, TypeVar

import pydantic

from ._exceptions import UserErrorsError

__all__ = ["UserErrorItem", "raise_for_user_errors"]

PayloadT = TypeVar("PayloadT")


class UserErrorItem(Protocol):
    """What every Shopify user error has: a ``message`` (generated models also carry
    ``field`` and, for most payloads, ``code``)."""

    @property
    def message(self) -> str: ...


# For objects that are not generated models (no field types to read).
_FIELDS = ("customer_user_errors", "user_errors", "checkout_user_errors")


def _is_user_error(item: object) -> bool:
    """An item of Shopify's ``UserError`` family (``UserError``, ``CustomerUserError``,
    ``CheckoutUserError``...): a generated model with ``message`` and ``field``."""
    if not isinstance(item, pydantic.BaseModel):
        return False
    fields = type(item).model_fields
    return "message" in fields and "field" in fields


def raise_for_user_errors(payload: PayloadT) -> PayloadT:
    """Return ``payload`` unchanged, or raise :class:`UserErrorsError` if it carries
    any user errors.

    On a generated model, the user errors are the fields whose items are a type with
    ``message`` and ``field`` (select both, as Shopify's examples do): found by type,
    not by name, so ``checkoutUserErrors`` or an alias are found too. On any other
    object, the attributes ``customer_user_errors``, ``user_errors`` and
    ``checkout_user_errors`` are read. ``None`` (a mutation field that came back
    null) is returned as is.
    """
    if payload is None:
        return payload
    found: list[UserErrorItem] = []
    if isinstance(payload, pydantic.BaseModel):
        # By type, not by name: every list field whose items are user errors.
        for name in type(payload).model_fields:
            value = getattr(payload, name, None)
            if isinstance(value, list) and value and all(_is_user_error(v) for v in value):
                found.extend(value)
    else:
        for name in _FIELDS:
            errors = getattr(payload, name, None)
            if isinstance(errors, Sequence) and not isinstance(errors, str | bytes):
                found.extend(errors)
    if found:
        raise UserErrorsError(found)
    return payload
