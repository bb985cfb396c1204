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

__all__ = [
    "ARIADNE_SETTINGS",
    "PLUGIN",
    "STRICT_INPUTS_PLUGIN",
    "default_ariadne_settings",
    "merge_ariadne_settings",
]

PLUGIN: Final = "shopify_codegen.plugin.ShopifyPlugin"
#: Input types forbid unknown fields (a misspelt field is an error, not dropped).
STRICT_INPUTS_PLUGIN: Final = "shopify_codegen.strict_inputs.StrictInputsPlugin"

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

#: Every setting ariadne-codegen 0.19's client strategy reads (the fields of
#: ``ariadne_codegen.settings.ClientSettings``; tests/shopify_codegen/test_config_keys.py
#: holds the two together). An ``[ariadne-codegen]`` key outside it is a typo.
ARIADNE_SETTINGS: Final = frozenset(
    {
        "async_client",
        "base_client_file_path",
        "base_client_module_name",
        "base_client_name",
        "client_file_name",
        "client_name",
        "convert_to_snake_case",
        "default_optional_fields_to_none",
        "defer_model_build",
        "enable_custom_operations",
        "enums_module_name",
        "files_to_include",
        "fragments_module_name",
        "ignore_extra_fields",
        "include_all_enums",
        "include_all_inputs",
        "include_comments",
        "include_typename",
        "input_types_module_name",
        "introspection_descriptions",
        "introspection_directive_is_repeatable",
        "introspection_input_object_one_of",
        "introspection_input_value_deprecation",
        "introspection_schema_description",
        "introspection_specified_by_url",
        "lazy_imports",
        "multipart_uploads",
        "opentelemetry_client",
        "plugins",
        "queries_path",
        "remote_schema_headers",
        "remote_schema_http_client_path",
        "remote_schema_timeout",
        "remote_schema_url",
        "remote_schema_verify_ssl",
        "scalars",
        "schema_path",
        "schema_paths",
        "show_deprecation_warnings",
        "skip_validation_rules",
        "target_package_name",
        "target_package_path",
        "use_alias_generator",
    }
)

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
    settings["plugins"] = [PLUGIN, STRICT_INPUTS_PLUGIN]
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
