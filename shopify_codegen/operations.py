"""Operation files: reading and parsing ``.graphql`` documents with clear errors.

The operation files of one API form one set: a file may hold operations,
fragments, or both, and every fragment is shared by all files of the set (the
usual ``fragment ProductCard on Product`` in a file of its own). Each
:class:`OperationFile` read through :func:`read_operation_set` therefore carries
its own definitions plus the fragments of other files it spreads, so it can be
validated, pruned or diffed on its own. Every node keeps the name of the file it
came from (``node.loc.source.name``), so messages point into the right file.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from pathlib import Path

from graphql import (
    DefinitionNode,
    DocumentNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLSyntaxError,
    Node,
    OperationDefinitionNode,
    Source,
    build_schema,
    parse,
    validate,
    visit,
)
from graphql.language import Visitor
from graphql.validation import NoFragmentCyclesRule

from .errors import OperationFileError, read_input_file
from .names import module_name, module_name_problem
from .paths import link_on_the_way
from .paths import shown as shown_path

__all__ = [
    "OperationFile",
    "check_unique_names",
    "expand_paths",
    "find_operation_files",
    "line_column",
    "read_operation_file",
    "read_operation_folder",
    "read_operation_set",
    "unused_fragments",
]

OPERATION_SUFFIXES = (".graphql", ".gql")
MAX_OPERATION_BYTES = 1_000_000


@dataclass(frozen=True)
class OperationFile:
    path: Path
    display: str  # the path as shown in messages
    text: str
    #: the file's own definitions, plus (once read as part of a set) the fragments
    #: of other files that they spread, directly or through other fragments
    document: DocumentNode
    #: the file's own definitions only
    own: tuple[DefinitionNode, ...] = ()

    @property
    def operations(self) -> list[OperationDefinitionNode]:
        return [d for d in self.own if isinstance(d, OperationDefinitionNode)]

    @property
    def fragments(self) -> list[FragmentDefinitionNode]:
        return [d for d in self.own if isinstance(d, FragmentDefinitionNode)]


def find_operation_files(folder: Path, *, root: Path | None = None) -> list[Path]:
    """The operation files under ``folder``, each resolving inside it.

    With ``root`` (the project's folder, for a folder codegen.toml names), a folder
    in the project must be reached through no symlink: ``queries/admin`` linked to
    another checkout would be read (and its text quoted in errors) from outside.
    (codegen.toml names only folders in the project; a config built in code may
    name one elsewhere, which is then read as given.)
    """
    if root is not None and folder.parts[: len(root.parts)] == root.parts:
        link = link_on_the_way(root, folder)
        if link is not None:
            raise OperationFileError(
                shown_path(root, link),
                "is a symlink (or leads outside the project): the operations folder "
                "must be a real folder inside the project; not followed",
            )
    if not folder.is_dir():
        raise OperationFileError(folder, "operations folder does not exist")
    found = sorted(p for p in folder.rglob("*") if p.suffix in OPERATION_SUFFIXES and p.is_file())
    # A symlink may point anywhere (~/.ssh/...): every operation file must resolve
    # inside this folder, so nothing outside it is ever read (or quoted in an error).
    inside = folder.resolve()
    for path in found:
        if not path.resolve().is_relative_to(inside):
            raise OperationFileError(
                path, f"leads outside {folder} (a symlink?): operation files must live there"
            )
    return found


def expand_paths(paths: Iterable[Path]) -> list[Path]:
    """Files as given, folders as the operation files under them."""
    out: list[Path] = []
    for path in paths:
        out.extend(find_operation_files(path) if path.is_dir() else [path])
    return out


def read_operation_file(path: Path, display: str | None = None) -> OperationFile:
    shown = display or str(path)
    size = path.stat().st_size if path.is_file() else 0
    if size > MAX_OPERATION_BYTES:
        limit = f"an operation file is at most {MAX_OPERATION_BYTES:,}"
        raise OperationFileError(shown, f"is {size:,} bytes; {limit}")
    text = read_input_file(path, shown, OperationFileError, "a .graphql file")
    try:
        document = parse(Source(text, shown), max_tokens=50_000)
    except GraphQLSyntaxError as exc:
        loc = exc.locations[0] if exc.locations else None
        where = f"{loc.line}:{loc.column}: " if loc else ""
        raise OperationFileError(shown, f"{where}{exc.message}") from None
    except RecursionError:
        raise OperationFileError(shown, "nested too deeply to parse") from None
    op_file = OperationFile(
        path=path, display=shown, text=text, document=document, own=tuple(document.definitions)
    )
    _check_structure(op_file)
    return op_file


def line_column(node: Node) -> tuple[int, int]:
    """Where ``node`` starts in its own file (1, 1 when it has no location)."""
    if node.loc is None:
        return 1, 1
    where = node.loc.source.get_location(node.loc.start)
    return where.line, where.column


def _position(node: Node) -> str:
    line, column = line_column(node)
    return f"{line}:{column}"


# Any schema will do: the rule looks only at the document's fragments.
_FRAGMENT_CHECK_SCHEMA = build_schema("type Query { _: String }")


def _check_structure(op_file: OperationFile) -> None:
    """What no schema can fix: the generated client needs named operations, and
    fragments must not spread into themselves."""
    for definition in op_file.own:
        if not isinstance(definition, OperationDefinitionNode | FragmentDefinitionNode):
            raise OperationFileError(
                op_file.display,
                f"{_position(definition)}: only operations and fragments belong in an "
                f"operation file, not a {definition.kind.replace('_', ' ')}",
            )
    for operation in op_file.operations:
        if operation.name is None:
            raise OperationFileError(
                op_file.display,
                f"{_position(operation)}: anonymous operation: give it a name, "
                "the generated method is named after it",
            )
        method = _method_name(operation.name.value)
        if method in _reserved_names():
            raise OperationFileError(
                op_file.display,
                f"{_position(operation)}: operation {operation.name.value!r} would be the "
                f"method {method!r}, which shadows the client's own; rename the operation",
            )
        clash = module_name_problem(operation.name.value)
        if clash is not None:
            raise OperationFileError(op_file.display, f"{_position(operation)}: {clash}")
    _check_cycles(op_file.document, op_file.display)


def _method_name(operation_name: str) -> str:
    """The generated method's name (ariadne-codegen's ``convert_to_snake_case``)."""
    from ariadne_codegen.utils import str_to_snake_case

    return str(str_to_snake_case(operation_name))


@functools.cache
def _reserved_names() -> frozenset[str]:
    """What the generated clients inherit: a method of that name would replace it."""
    import shopify_client

    bases = (
        shopify_client.StorefrontBaseClient,
        shopify_client.AsyncStorefrontBaseClient,
        shopify_client.AdminBaseClient,
        shopify_client.AsyncAdminBaseClient,
    )
    names = {name for base in bases for name in dir(base) if not name.startswith("__")}
    instance = {"api_version", "last_response", "close", "aclose", "execute", "get_data"}
    return frozenset(names | instance | {"parse_result"})


def _check_cycles(document: DocumentNode, fallback: str) -> None:
    for error in validate(_FRAGMENT_CHECK_SCHEMA, document, [NoFragmentCyclesRule]):
        loc = error.locations[0] if error.locations else None
        where = f"{loc.line}:{loc.column}: " if loc else ""
        shown = error.source.name if error.source is not None else fallback
        raise OperationFileError(shown, f"{where}{error.message}")


def check_unique_names(files: list[OperationFile]) -> None:
    """Each operation name once per API (it names a generated method and module),
    and each fragment name once (fragments are shared by all files of the API)."""
    seen: dict[str, str] = {}
    modules: dict[str, str] = {}
    fragments: dict[str, str] = {}
    for op_file in files:
        for operation in op_file.operations:
            name = operation.name.value if operation.name else ""
            if name in seen:
                raise OperationFileError(
                    op_file.display,
                    f"{_position(operation)}: operation name {name!r} is also used in "
                    f"{seen[name]}; each generated method needs its own name",
                )
            seen[name] = f"{op_file.display}:{_position(operation)}"
            module = module_name(name)
            if module in modules:
                raise OperationFileError(
                    op_file.display,
                    f"{_position(operation)}: operation {name!r} would be generated as "
                    f"{module}.py, as would {modules[module]}; rename one of them",
                )
            modules[module] = f"{name!r} in {seen[name]}"
        for fragment in op_file.fragments:
            name = fragment.name.value
            if name in fragments:
                raise OperationFileError(
                    op_file.display,
                    f"{_position(fragment)}: fragment {name!r} is also defined in "
                    f"{fragments[name]}; fragments are shared by all operation files "
                    "of an API, so each name is defined once",
                )
            fragments[name] = f"{op_file.display}:{_position(fragment)}"


class _Spreads(Visitor):
    def __init__(self) -> None:
        super().__init__()
        self.names: list[str] = []

    def enter_fragment_spread(self, node: FragmentSpreadNode, *_: object) -> None:
        self.names.append(node.name.value)


def _spreads(nodes: Iterable[Node]) -> list[str]:
    collector = _Spreads()
    for node in nodes:
        visit(node, collector)
    return collector.names


def _reachable(nodes: Iterable[Node], fragments: dict[str, FragmentDefinitionNode]) -> list[str]:
    """The fragment names ``nodes`` spread, directly or through other fragments, in the
    order first met (a name with no definition is kept: validation names it)."""
    seen: dict[str, None] = {}
    pending = _spreads(nodes)
    while pending:
        name = pending.pop(0)
        if name not in seen:
            seen[name] = None
            if name in fragments:
                pending.extend(_spreads([fragments[name]]))
    return list(seen)


def _with_fragments(
    op_file: OperationFile, fragments: dict[str, FragmentDefinitionNode]
) -> OperationFile:
    """``op_file`` whose document also holds the other files' fragments it reaches."""
    own_names = {f.name.value for f in op_file.fragments}
    added = {
        name: fragments[name]
        for name in _reachable(op_file.own, fragments)
        if name in fragments and name not in own_names
    }
    if not added:
        return op_file
    document = DocumentNode(definitions=(*op_file.own, *added.values()), loc=op_file.document.loc)
    return replace(op_file, document=document)


def read_operation_set(
    paths: Iterable[Path], display: dict[Path, str] | None = None
) -> list[OperationFile]:
    """The operation files of one API, read and checked together.

    Bad input (exit 2), each naming the file: anything :func:`read_operation_file`
    refuses, an operation or fragment name defined twice (naming both files), and
    fragments that spread into each other across files.
    """
    shown = display or {}
    files = [read_operation_file(p, shown.get(p)) for p in paths]
    check_unique_names(files)
    fragments = {f.name.value: f for op_file in files for f in op_file.fragments}
    combined = DocumentNode(definitions=tuple(d for op_file in files for d in op_file.own))
    _check_cycles(combined, files[0].display if files else "")
    return [_with_fragments(op_file, fragments) for op_file in files]


def unused_fragments(
    files: list[OperationFile],
) -> list[tuple[OperationFile, FragmentDefinitionNode]]:
    """Fragments that no operation of the set spreads, directly or indirectly."""
    definitions = {f.name.value: f for op_file in files for f in op_file.fragments}
    operations = [o for op_file in files for o in op_file.operations]
    used = set(_reachable(operations, definitions))
    return [
        (op_file, f) for op_file in files for f in op_file.fragments if f.name.value not in used
    ]


def read_operation_folder(
    folder: Path, shown: Callable[[Path], str] | None = None, *, root: Path | None = None
) -> list[OperationFile]:
    """Every operation file under ``folder``, read as one set (see :func:`read_operation_set`).

    ``root`` is the project's folder when ``folder`` is one that codegen.toml names
    (then no symlink may lead to it, see :func:`find_operation_files`), None for a
    folder given on its own (every call in the tooling names it: test_operations.py).
    """
    paths = find_operation_files(folder, root=root)
    return read_operation_set(paths, {p: shown(p) for p in paths} if shown else None)
