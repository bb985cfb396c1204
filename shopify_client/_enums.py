"""Base class of the generated enums: tolerant of values added by Shopify later."""

from __future__ import annotations

from enum import Enum

__all__ = ["ShopifyEnum"]


class ShopifyEnum(str, Enum):  # noqa: UP042 (same base as ariadne-codegen enums)
    """A ``str`` enum that accepts values it does not know yet.

    Shopify adds enum values inside published API versions. A value the generated
    enum lacks becomes a pseudo-member (``UNKNOWN_VALUE``-style: name and value are
    the string Shopify sent) instead of failing validation; ``is_known`` tells them
    apart. The value is kept as sent; the name has its control characters escaped
    (``repr`` and ``str`` show the name as it is), so that a value cannot rewrite a
    terminal or a log line.
    """

    @classmethod
    def _missing_(cls, value: object) -> ShopifyEnum | None:
        if not isinstance(value, str):
            return None
        member = str.__new__(cls, value)
        if value.isprintable():
            member._name_ = value
        else:
            from ._redact import printable  # only for a value that needs it

            member._name_ = printable(value)
        member._value_ = value
        return member

    @property
    def is_known(self) -> bool:
        return self._name_ in type(self).__members__
