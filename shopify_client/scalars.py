"""Python types for Shopify scalars that have no standard-library counterpart."""

from __future__ import annotations

from pydantic import JsonValue

__all__ = ["JSONValue"]

#: Shopify's ``JSON`` scalar: any JSON value. pydantic's own recursive alias: a
#: hand-written ``dict[str, "JSONValue"] | list[...]`` alias sent pydantic into
#: infinite recursion when it built a model with a JSON field.
JSONValue = JsonValue
