"""Tooling for the typed Shopify clients: validate, generate, check (``shopify-codegen``)."""

from .check import CheckReport, Drift, run_check
from .config import ApiConfig, ProjectConfig, load_config
from .errors import CodegenError, ConfigError, GenerationError, OperationFileError, SchemaFileError
from .generate import generate_all, generate_package
from .schema_files import load_schema, schema_to_sdl
from .validate import Finding, validate_project

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
