"""The exceptions of the tooling (``shopify-codegen``).

::

    CodegenError                 exit code 2 unless said otherwise
    ├── ConfigError              codegen.toml is missing, unreadable or inconsistent
    ├── SchemaFileError          a schema file is unreadable or not a schema
    ├── OperationFileError       a .graphql file is unreadable or not GraphQL
    ├── GenerationError          ariadne-codegen failed
    └── TransactionError         a journal or lock that is not ours (transaction.py)
"""

from __future__ import annotations

from pathlib import Path

__all__ = [
    "CodegenError",
    "ConfigError",
    "FileInputError",
    "GenerationError",
    "OperationFileError",
    "SchemaFileError",
]


class CodegenError(Exception):
    """Base class of the tooling's errors: bad input, not a finding."""


class ConfigError(CodegenError):
    pass


class FileInputError(CodegenError):
    def __init__(self, path: Path | str, problem: str) -> None:
        self.path = Path(path)
        self.problem = problem
        super().__init__(f"{path}: {problem}")


class SchemaFileError(FileInputError):
    """A schema file is not an introspection result or SDL that builds a schema."""


class OperationFileError(FileInputError):
    """A .graphql operation file cannot be read or parsed."""


class GenerationError(CodegenError):
    pass


def read_input_file(path: Path, shown: Path | str, error: type[FileInputError], kind: str) -> str:
    """The UTF-8 text of an input file, or ``error`` naming the file and the problem."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise error(shown, "no such file") from None
    except IsADirectoryError:
        raise error(shown, f"is a directory, not {kind}") from None
    except OSError as exc:
        raise error(shown, f"cannot read: {exc.strerror}") from None
    if not data.strip():
        raise error(shown, "is empty")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise error(shown, f"is not UTF-8 text (invalid byte at offset {exc.start})") from None
