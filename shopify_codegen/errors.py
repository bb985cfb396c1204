"""The exceptions of the tooling (``shopify-codegen``).

::

    CodegenError                 exit code 2 unless said otherwise
    ├── ConfigError              codegen.toml is missing, unreadable or inconsistent
    ├── SchemaFileError          a schema file is unreadable or not a schema
    ├── OperationFileError       a .graphql file is unreadable or not GraphQL
    ├── GenerationError          ariadne-codegen failed
    │   └── ForeignFilesError    a package folder holds files the tool did not write
    └── TransactionError         a journal or lock that is not ours (transaction.py)
"""

from __future__ import annotations

import os
import re
import stat
from pathlib import Path

__all__ = [
    "CodegenError",
    "ConfigError",
    "FileInputError",
    "ForeignFilesError",
    "GenerationError",
    "OperationFileError",
    "SchemaFileError",
]


class CodegenError(Exception):
    """Base class of the tooling's errors: bad input, not a finding."""


class ConfigError(CodegenError):
    pass


#: a problem that starts with where in the file it is ("4:23: Syntax Error ...")
_AT_POSITION = re.compile(r"^\d+:\d+: ")


class FileInputError(CodegenError):
    def __init__(self, path: Path | str, problem: str) -> None:
        self.path = Path(path)
        self.problem = problem
        # file:line:col: message, as compilers print it (editors jump to it)
        joint = ":" if _AT_POSITION.match(problem) else ": "
        super().__init__(f"{path}{joint}{problem}")


class SchemaFileError(FileInputError):
    """A schema file is not an introspection result or SDL that builds a schema."""


class OperationFileError(FileInputError):
    """A .graphql operation file cannot be read or parsed."""


class GenerationError(CodegenError):
    pass


class ForeignFilesError(GenerationError):
    """A package folder generation would replace holds files the tool did not write
    (see :mod:`shopify_codegen.owned`); nothing was written."""

    def __init__(self, folder: str, files: list[str], message: str) -> None:
        #: the folder and its foreign entries, relative to the project
        self.folder = folder
        self.files = tuple(files)
        super().__init__(message)


#: The most an input file may hold: the largest Admin introspection is ~7 MB, and
#: ``schema download`` caps an answer at 100 MB.
MAX_INPUT_BYTES = 100 * 1024 * 1024


def _read_regular(path: Path, limit: int) -> bytes:
    """The bytes of a regular file, at most ``limit`` + 1 of them.

    Opened without blocking and checked before reading: a FIFO or a device
    (``/dev/zero``) would otherwise block or never end.
    """
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    fd = os.open(path, flags)
    try:
        mode = os.fstat(fd).st_mode
        if stat.S_ISDIR(mode):
            raise IsADirectoryError(str(path))
        if not stat.S_ISREG(mode):
            raise _NotRegular
        with os.fdopen(fd, "rb", closefd=False) as handle:
            return handle.read(limit + 1)
    finally:
        os.close(fd)


class _NotRegular(Exception):
    pass


def read_input_file(
    path: Path,
    shown: Path | str,
    error: type[FileInputError],
    kind: str,
    *,
    max_bytes: int = MAX_INPUT_BYTES,
) -> str:
    """The UTF-8 text of an input file, or ``error`` naming the file and the problem."""
    try:
        data = _read_regular(path, max_bytes)
    except FileNotFoundError:
        raise error(shown, "no such file") from None
    except IsADirectoryError:
        raise error(shown, f"is a directory, not {kind}") from None
    except _NotRegular:
        raise error(shown, f"is not a regular file (a FIFO or a device?), not {kind}") from None
    except OSError as exc:
        raise error(shown, f"cannot read: {exc.strerror}") from None
    if len(data) > max_bytes:
        raise error(shown, f"is larger than {max_bytes // (1024 * 1024)} MB, not {kind}")
    if not data.strip():
        raise error(shown, "is empty")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise error(shown, f"is not UTF-8 text (invalid byte at offset {exc.start})") from None
