"""The exceptions of the tooling (``shopify-codegen``).

::

    CodegenError                 exit code 2 unless said otherwise
    ├── ConfigError              codegen.toml is missing, unreadable or inconsistent
    ├── SchemaFileError          a schema file is unreadable or not a schema
    ├── OperationFileError       a .graphql file is unreadable or not GraphQL
    └── GenerationError          ariadne-codegen failed
"""

from __future__ import annotations

from pathlib import Path

__all__ = [
    "CodegenError",
    "ConfigError",
    "GenerationError",
    "OperationFileError",
    "SchemaFileError",
]


class CodegenError(Exception):
    """Base class of the tooling's errors: bad input, not a finding."""


class ConfigError(CodegenError):
    pass


class _FileError(CodegenError):
    def __init__(self, path: Path | str, problem: str) -> None:
        self.path = Path(path)
        self.problem = problem
        super().__init__(f"{path}: {problem}")


class SchemaFileError(_FileError):
    """A schema file is not an introspection result or SDL that builds a schema."""


class OperationFileError(_FileError):
    """A .graphql operation file cannot be read or parsed."""


class GenerationError(CodegenError):
    pass
