"""Idempotency keys of the mutations Shopify applies once per key.

From Admin API 2026-01 a set of mutations (inventory adjustments, moves and sets,
inventory transfers and shipments, ``refundCreate``, location (de)activation)
accept the ``@idempotent(key:)`` directive, and from 2026-04 they require it
(https://shopify.dev/changelog/making-idempotency-mandatory-for-inventory-adjustments-and-refund-mutations);
a few older ones take an ``idempotencyKey`` argument (``appUsageRecordCreate``,
``orderCreateMandatePayment``). The generated method of such a mutation takes
``idempotency_key=`` and passes it through :func:`ensure_idempotency_key`.
"""

from __future__ import annotations

import uuid

__all__ = ["ensure_idempotency_key"]


def ensure_idempotency_key(value: str | None = None) -> str:
    """``value``, checked, or a fresh random key (a UUID4, as Shopify recommends:
    https://shopify.dev/docs/api/usage/implementing-idempotency) when it is None.

    The key is made once per call, before the first attempt: every retry of the
    call resends the same body, so the same key, and Shopify answers a repeated key
    with the first answer. A caller who retries a call itself (a job queue, a
    resubmitted form) passes the key it used the first time.

    Raises :class:`~shopify_client.InvalidVariablesError` for a key that is not a
    string, or is empty or only whitespace (Shopify refuses those, per the
    directive's description in the schema).
    """
    if value is None:
        return str(uuid.uuid4())
    from ._exceptions import InvalidVariablesError

    if not isinstance(value, str):
        raise InvalidVariablesError(
            f"idempotency_key must be a str or None, not {type(value).__name__}",
            variable="idempotencyKey",
        )
    if not value.strip():
        raise InvalidVariablesError(
            "idempotency_key is empty or only whitespace, which Shopify refuses: pass a "
            "unique key (a UUID) or None for a fresh one",
            variable="idempotencyKey",
        )
    return value
