"""Operation files: reading and parsing ``.graphql`` documents with clear errors."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from graphql import DocumentNode, GraphQLSyntaxError, OperationDefinitionNode, parse

from .errors import OperationFileError, read_input_file

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
    size = path.stat().st_size if path.is_file() else 0
    if size > MAX_OPERATION_BYTES:
        limit = f"an operation file is at most {MAX_OPERATION_BYTES:,}"
        raise OperationFileError(shown, f"is {size:,} bytes; {limit}")
    text = read_input_file(path, shown, OperationFileError, "a .graphql file")
    try:
        document = parse(text, max_tokens=50_000)
    except GraphQLSyntaxError as exc:
        loc = exc.locations[0] if exc.locations else None
        where = f"{loc.line}:{loc.column}: " if loc else ""
        raise OperationFileError(shown, f"{where}{exc.message}") from None
    except RecursionError:
        raise OperationFileError(shown, "nested too deeply to parse") from None
    return OperationFile(path=path, display=shown, text=text, document=document)
