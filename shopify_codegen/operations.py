"""Operation files: reading and parsing ``.graphql`` documents with clear errors."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from graphql import DocumentNode, GraphQLSyntaxError, OperationDefinitionNode, parse

from .errors import OperationFileError

__all__ = ["OperationFile", "find_operation_files", "read_operation_file"]

OPERATION_SUFFIXES = (".graphql", ".gql")
MAX_OPERATION_BYTES = 1_000_000


@dataclass(frozen=True)
class OperationFile:
    path: Path
    display: str  # the path as shown in messages
    text: str
    document: DocumentNode

    @property
    def operations(self) -> list[OperationDefinitionNode]:
        return [d for d in self.document.definitions if isinstance(d, OperationDefinitionNode)]


def find_operation_files(folder: Path) -> list[Path]:
    if not folder.is_dir():
        raise OperationFileError(folder, "operations folder does not exist")
    return sorted(p for p in folder.rglob("*") if p.suffix in OPERATION_SUFFIXES and p.is_file())


def read_operation_file(path: Path, display: str | None = None) -> OperationFile:
    shown = display or str(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise OperationFileError(shown, "no such file") from None
    except IsADirectoryError:
        raise OperationFileError(shown, "is a directory, not a .graphql file") from None
    except OSError as exc:
        raise OperationFileError(shown, f"cannot read: {exc.strerror}") from None
    if len(data) > MAX_OPERATION_BYTES:
        raise OperationFileError(
            shown, f"is {len(data):,} bytes; an operation file is at most {MAX_OPERATION_BYTES:,}"
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise OperationFileError(
            shown, f"is not UTF-8 text (invalid byte at offset {exc.start})"
        ) from None
    if not text.strip():
        raise OperationFileError(shown, "is empty")
    try:
        document = parse(text, max_tokens=50_000)
    except GraphQLSyntaxError as exc:
        loc = exc.locations[0] if exc.locations else None
        where = f"{loc.line}:{loc.column}: " if loc else ""
        raise OperationFileError(shown, f"{where}{exc.message}") from None
    except RecursionError:
        raise OperationFileError(shown, "nested too deeply to parse") from None
    return OperationFile(path=path, display=shown, text=text, document=document)
