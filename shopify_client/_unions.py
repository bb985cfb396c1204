"""Tolerating union and interface members that the generated code does not know.

Shopify adds members to unions and interfaces inside published versions (between
Storefront 2024-10 and 2026-04, ``Article`` joined ``MetafieldReference``). The
generated models of an abstract field are a union discriminated on
``__typename``: :func:`typename_discriminator` picks the model of a known type
and sends every other ``__typename`` to the fallback model, the one named after
the abstract type itself, which carries ``__typename`` (a plain ``str``) and the
fields selected on the abstract type directly. So a new member parses, the way a
new enum value does (see :class:`shopify_client.ShopifyEnum`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

__all__ = ["typename_discriminator"]


def typename_discriminator(tags: Mapping[str, str], fallback: str) -> Callable[[Any], str]:
    """A pydantic ``Discriminator`` callable: ``__typename`` -> the tag of its model.

    ``tags`` maps each ``__typename`` that has a model of its own to that model's
    tag; anything else (a type added to the schema later, or one without a model
    of its own) gets ``fallback``.
    """
    known = dict(tags)

    def discriminate(value: Any) -> str:
        if isinstance(value, dict):
            name = value.get("__typename")
        else:
            name = getattr(value, "typename__", None)
        return known.get(name, fallback) if isinstance(name, str) else fallback

    return discriminate
