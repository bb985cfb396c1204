"""Python types for Shopify scalars that have no standard-library counterpart."""

from __future__ import annotations

from typing import TypeAlias, Union

__all__ = ["JSONValue"]

#: Shopify's ``JSON`` scalar: any JSON value.
JSONValue: TypeAlias = Union[
    dict[str, "JSONValue"], list["JSONValue"], str, int, float, bool, None
]
