"""Tooling for the typed Shopify clients: validate, generate, check (``shopify-codegen``).

The names below are loaded on first use, not at import: the ``shopify-codegen``
script (``shopify_codegen._script``) must be importable without the ``codegen``
extra (graphql-core, ariadne-codegen), so that it can say which extra is missing.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .check import CheckReport, Drift, run_check
    from .config import ApiConfig, ProjectConfig, load_config
    from .errors import (
        CodegenError,
        ConfigError,
        GenerationError,
        OperationFileError,
        SchemaFileError,
    )
    from .generate import generate_all, generate_package
    from .schema_files import load_schema, schema_to_sdl
    from .validate import Finding, validate_project

_WHERE = {
    "CheckReport": "check",
    "Drift": "check",
    "run_check": "check",
    "ApiConfig": "config",
    "ProjectConfig": "config",
    "load_config": "config",
    "CodegenError": "errors",
    "ConfigError": "errors",
    "GenerationError": "errors",
    "OperationFileError": "errors",
    "SchemaFileError": "errors",
    "generate_all": "generate",
    "generate_package": "generate",
    "load_schema": "schema_files",
    "schema_to_sdl": "schema_files",
    "Finding": "validate",
    "validate_project": "validate",
}

__all__ = [
    "ApiConfig",
    "CheckReport",
    "CodegenError",
    "ConfigError",
    "Drift",
    "Finding",
    "GenerationError",
    "OperationFileError",
    "ProjectConfig",
    "SchemaFileError",
    "generate_all",
    "generate_package",
    "load_config",
    "load_schema",
    "run_check",
    "schema_to_sdl",
    "validate_project",
]


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'shopify_codegen' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
