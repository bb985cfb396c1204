"""Operation files: reading and parsing ``.graphql`` documents with clear errors."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from graphql import (
    DocumentNode,
    GraphQLSyntaxError,
    Node,
    OperationDefinitionNode,
    build_schema,
    parse,
    validate,
)
from graphql.validation import NoFragmentCyclesRule

from .errors import OperationFileError, read_input_file

__all__ = [
    "OperationFile",
    "check_unique_names",
    "find_operation_files",
    "read_operation_file",
]

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
    op_file = OperationFile(path=path, display=shown, text=text, document=document)
    _check_structure(op_file)
    return op_file


def _position(node: Node) -> str:
    if node.loc is None:
        return "1:1"
    where = node.loc.source.get_location(node.loc.start)
    return f"{where.line}:{where.column}"


# Any schema will do: the rule looks only at the document's fragments.
_FRAGMENT_CHECK_SCHEMA = build_schema("type Query { _: String }")


def _check_structure(op_file: OperationFile) -> None:
    """What no schema can fix: the generated client needs named operations, and
    fragments must not spread into themselves."""
    if not op_file.operations:
        raise OperationFileError(op_file.display, "no operation in this file")
    for operation in op_file.operations:
        if operation.name is None:
            raise OperationFileError(
                op_file.display,
                f"{_position(operation)}: anonymous operation: give it a name, "
                "the generated method is named after it",
            )
    for error in validate(_FRAGMENT_CHECK_SCHEMA, op_file.document, [NoFragmentCyclesRule]):
        loc = error.locations[0] if error.locations else None
        where = f"{loc.line}:{loc.column}: " if loc else ""
        raise OperationFileError(op_file.display, f"{where}{error.message}")


def check_unique_names(files: list[OperationFile]) -> None:
    """Each operation name once per API: it names a generated method and module."""
    seen: dict[str, str] = {}
    for op_file in files:
        for operation in op_file.operations:
            name = operation.name.value if operation.name else ""
            if name in seen:
                raise OperationFileError(
                    op_file.display,
                    f"{_position(operation)}: operation name {name!r} is also used in "
                    f"{seen[name]}; each generated method needs its own name",
                )
            seen[name] = op_file.display
