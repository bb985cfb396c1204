"""Python types for Shopify scalars that have no standard-library counterpart."""

from __future__ import annotations

from typing import TypeAlias

__all__ = ["JSONValue"]

#: Shopify's ``JSON`` scalar: any JSON value.
JSONValue: TypeAlias = dict[str, "JSONValue"] | list["JSONValue"] | str | int | float | bool | None
