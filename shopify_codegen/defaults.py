"""What every Shopify project gets without writing it: the ariadne-codegen settings.

A project's config names only its API, version, queries and package; the
settings below make the generated package a Shopify client (the plugin, the
scalar mapping, tolerant enums, lazy loading, pruning, ``iter_`` helpers and
``api_version``). A project's own ``[ariadne-codegen]`` table overrides them key
by key (``scalars`` entry by entry; ``plugins`` are added after the built-in one).
"""

from __future__ import annotations

import copy
from typing import Any, Final

__all__ = ["PLUGIN", "default_ariadne_settings", "merge_ariadne_settings"]

PLUGIN: Final = "shopify_codegen.plugin.ShopifyPlugin"

#: Shopify's custom scalars, mapped to the Python types their descriptions promise.
#: Scalars a schema does not define are ignored by ariadne-codegen.
SCALARS: Final[dict[str, str]] = {
    "DateTime": "datetime.datetime",
    "ISO8601DateTime": "datetime.datetime",
    "Date": "datetime.date",
    "Decimal": "decimal.Decimal",
    "Money": "decimal.Decimal",
    "UnsignedInt64": "int",
    "BigInt": "int",
    "URL": "str",
    "HTML": "str",
    "Color": "str",
    "ARN": "str",
    "FormattedString": "str",
    "StorefrontID": "str",
    "UtcOffset": "str",
    "JSON": "shopify_client.scalars.JSONValue",
}

_SETTINGS: Final[dict[str, Any]] = {
    # Only the input types and enums the operations reach (not Admin's ~2,000 types).
    "include_all_inputs": False,
    "include_all_enums": False,
    "include_comments": "stable",
    "convert_to_snake_case": True,
    # Uploads go through Shopify's staged uploads, not GraphQL multipart requests.
    "multipart_uploads": False,
    # Build each pydantic model on first use, not at import (cold import time).
    "defer_model_build": True,
}


def default_ariadne_settings() -> dict[str, Any]:
    """A fresh copy of the built-in settings (callers may change it)."""
    settings = copy.deepcopy(_SETTINGS)
    settings["plugins"] = [PLUGIN]
    settings["scalars"] = {name: {"type": type_} for name, type_ in SCALARS.items()}
    return settings


def merge_ariadne_settings(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    """``base`` with ``override`` applied: scalars by name, plugins appended, else replaced."""
    merged = copy.deepcopy(base)
    for key, value in override.items():
        if key == "scalars" and isinstance(value, dict):
            scalars = merged.setdefault("scalars", {})
            for name, spec in value.items():
                scalars[name] = copy.deepcopy(spec)
        elif key == "plugins" and isinstance(value, list):
            plugins = merged.setdefault("plugins", [])
            plugins.extend(p for p in value if p not in plugins)
        else:
            merged[key] = copy.deepcopy(value)
    return merged
