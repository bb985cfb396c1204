"""Names the generated package gives operations and fragments, and their collisions.

ariadne-codegen names an operation's module after it (``ShopInfo`` -> ``shop_info.py``)
and its model classes after the operation and the fields selected
(``ShopInfo`` selecting ``shop`` -> ``ShopInfoShop``); a fragment's classes are named
after the fragment (``fragment ShopInfoShop`` -> ``ShopInfoShop`` in ``fragments.py``).
The package's ``__init__`` exports them all by name. Two things then go wrong only
late, far from the operation that caused them:

* an operation whose module is a file ariadne-codegen writes itself
  (``query Client`` -> ``client.py``): generation stops with a bare
  "Duplicated file names: client.py";
* two classes of one name from two modules (``fragment ShopInfoShop`` beside the
  operation ``ShopInfo`` selecting ``shop``): the package generates, then one import
  in ``__init__`` silently replaces the other (and mypy refuses it). The classes the
  plugin adds count too: a bulk query's ``<Op>Record`` (and one record class per
  node with nested connections), a bulk mutation's ``<Op>Variables``.

:func:`module_name_problem` names the first for one operation;
:func:`class_name_clashes` finds the second for a set, given the schema.

The class names are ariadne-codegen's own, from its result-type generator, which
can only be given what it can generate: :func:`generation_problems` names what it
cannot (a subscription; an operation type the schema has no root type for; a
definition too large once its fragments are inlined, see
:data:`MAX_EXPANDED_SELECTIONS`), and ``validate`` reports those as errors, so the
generator never sees them.
"""

from __future__ import annotations

import warnings
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from typing import Any

from graphql import (
    DefinitionNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLSchema,
    InlineFragmentNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
)

__all__ = [
    "EXPORTED_NAMES",
    "GENERATED_MODULES",
    "MAX_EXPANDED_SELECTIONS",
    "NameClash",
    "NameProblem",
    "class_name_clashes",
    "expanded_selections",
    "generation_problems",
    "module_name",
    "module_name_problem",
]

#: The most selections a definition may hold once every fragment it spreads is
#: inlined where it is spread (a field counts once, with its own selections).
#: ariadne-codegen's result-type generator inlines a fragment that holds inline
#: fragments (or is spread on another type) at each place it is spread, so its work
#: grows with this count, which fragments spreading fragments make exponential in the
#: file's size (a 1 KB file of 25 fragments, each spreading the next twice: 2**25).
#: The largest definition of this project's and its tests' operations counts 144
#: (tests/conformance/operations/storefront/product_by_handle.graphql); past this
#: bound ``validate`` (and so ``generate``) refuses the definition rather than spend
#: minutes generating it.
MAX_EXPANDED_SELECTIONS = 10_000

#: The modules ariadne-codegen (and this project's two-flavour generation) writes in
#: every package, and what each holds.
GENERATED_MODULES: dict[str, str] = {
    "__init__": "the package's exports",
    "client": "the sync client",
    "async_client": "the async client",
    "base_client": "the sync base client",
    "async_base_client": "the async base client",
    "base_model": "the models' base class",
    "enums": "the enums",
    "input_types": "the input types",
    "fragments": "the fragments' models",
    "exceptions": "the client exceptions",
}

#: Names the package's ``__init__`` exports besides the models, enums and inputs
#: (tests/shopify_codegen/test_name_clashes.py reads them from a generated one).
EXPORTED_NAMES: dict[str, str] = {
    "API": "__init__.py",
    "API_VERSION": "__init__.py",
    "Client": "client.py",
    "AsyncClient": "async_client.py",
    "BaseClient": "base_client.py",
    "BaseModel": "base_model.py",
}


def module_name(operation_name: str) -> str:
    """The generated module of an operation (ariadne-codegen's ``convert_to_snake_case``)."""
    from ariadne_codegen.utils import str_to_snake_case

    return str(str_to_snake_case(operation_name))


def module_name_problem(operation_name: str, settings: dict[str, Any] | None = None) -> str | None:
    """Why ``operation_name``'s module would collide with a generated file, or None."""
    modules = dict(GENERATED_MODULES)
    for key, default in (
        ("enums_module_name", "enums"),
        ("input_types_module_name", "input_types"),
        ("fragments_module_name", "fragments"),
    ):
        name = (settings or {}).get(key)
        if isinstance(name, str) and name != default:
            modules[name] = modules.pop(default)
    module = module_name(operation_name)
    if module not in modules:
        return None
    return (
        f"operation {operation_name!r} would be generated as {module}.py, the file that "
        f"holds {modules[module]} (ariadne-codegen writes it in every package); "
        "rename the operation"
    )


@dataclass(frozen=True)
class NameProblem:
    """A definition ariadne-codegen's generators cannot be given, and why."""

    node: OperationDefinitionNode | FragmentDefinitionNode
    message: str


def expanded_selections(
    selection_set: SelectionSetNode,
    fragments: dict[str, FragmentDefinitionNode],
    *,
    limit: int = MAX_EXPANDED_SELECTIONS,
    sizes: dict[str, int] | None = None,
) -> int:
    """How many selections ``selection_set`` holds with every fragment spread inlined,
    counted up to ``limit + 1`` (past it, the count stops growing).

    Each fragment's count is computed once (``sizes`` keeps them, by name), so the
    work is linear in the document's size however often fragments spread each other.
    A spread of an unknown fragment, or one back into a fragment being counted (a
    cycle, which graphql-core's validation reports), counts nothing.
    """
    sizes = {} if sizes is None else sizes
    counting: set[str] = set()

    def count(selections: SelectionSetNode) -> int:
        total = 0
        for selection in selections.selections:
            if isinstance(selection, FieldNode):
                total += 1
                if selection.selection_set is not None:
                    total += count(selection.selection_set)
            elif isinstance(selection, InlineFragmentNode):
                total += count(selection.selection_set)
            elif isinstance(selection, FragmentSpreadNode):
                total += fragment(selection.name.value)
            if total > limit:
                return limit + 1
        return total

    def fragment(name: str) -> int:
        if name in sizes:
            return sizes[name]
        definition = fragments.get(name)
        if definition is None or name in counting:
            return 0
        counting.add(name)
        sizes[name] = count(definition.selection_set)
        counting.discard(name)
        return sizes[name]

    return count(selection_set)


def _root_type_problem(operation: OperationDefinitionNode, schema: GraphQLSchema) -> str | None:
    if operation.operation == OperationType.SUBSCRIPTION:
        return (
            "subscriptions are not supported (Shopify's GraphQL APIs have no "
            "subscriptions); use a query, or a webhook for events"
        )
    if schema.get_root_type(operation.operation) is None:
        kind = operation.operation.value
        return f"this schema has no {kind} type, so a {kind} cannot be sent to it"
    return None


def generation_problems(
    definitions: Iterable[DefinitionNode],
    fragments: dict[str, FragmentDefinitionNode],
    schema: GraphQLSchema,
) -> list[NameProblem]:
    """What of ``definitions`` ariadne-codegen's generators cannot be given (see the
    module docstring); ``fragments``: every fragment they may spread, by name."""
    problems = []
    sizes: dict[str, int] = {}
    for node in definitions:
        if not isinstance(node, OperationDefinitionNode | FragmentDefinitionNode):
            continue
        kind = "fragment" if isinstance(node, FragmentDefinitionNode) else "operation"
        if isinstance(node, OperationDefinitionNode):
            problem = _root_type_problem(node, schema)
            if problem is not None:
                problems.append(NameProblem(node, problem))
                continue
        if expanded_selections(node.selection_set, fragments, sizes=sizes) > (
            MAX_EXPANDED_SELECTIONS
        ):
            name = node.name.value if node.name else "?"
            problems.append(
                NameProblem(
                    node,
                    f"{kind} {name!r} holds more than {MAX_EXPANDED_SELECTIONS:,} selections "
                    "once the fragments it spreads are inlined (fragments spreading "
                    "fragments multiply); the generator inlines them, so it is refused "
                    "rather than generated: spread fewer fragments in fragments, or "
                    "select the fields once",
                )
            )
    return problems


@dataclass(frozen=True)
class NameClash:
    """A class name two definitions of a set would both export."""

    class_name: str
    #: the definition reported (the later of the two)
    node: OperationDefinitionNode | FragmentDefinitionNode
    module: str  # the module the reported definition's class lives in
    #: what else defines it: "fragment 'ShopInfoShop' (fragments.py)"
    other: str
    #: that other definition (None for the package's own names, such as Client)
    other_node: OperationDefinitionNode | FragmentDefinitionNode | None = None


_Definition = OperationDefinitionNode | FragmentDefinitionNode


def _describe(node: _Definition, module: str) -> str:
    kind = "fragment" if isinstance(node, FragmentDefinitionNode) else "operation"
    name = node.name.value if node.name else "?"
    return f"{kind} {name!r} ({module}.py)"


def _bulk_class_names(
    operation: OperationDefinitionNode,
    fragments: dict[str, FragmentDefinitionNode],
    schema: GraphQLSchema,
) -> list[str]:
    """The classes the plugin appends to the module of ``operation``, an operation of
    a ``bulk/`` folder: a bulk mutation's ``<Op>Variables``
    (:func:`.bulk_mutation.variables_name`); a bulk query's ``<Op>Record`` and, for
    each node with nested connections below it, ``<parent record><Key>`` (named as
    :func:`.bulk_records.record_classes` names them)."""
    from .bulk import plan_bulk, record_name
    from .bulk_mutation import variables_name

    if operation.operation == OperationType.MUTATION:
        return [variables_name(operation)]
    if operation.operation != OperationType.QUERY:
        return []
    plan, _ = plan_bulk(operation, fragments, schema)
    if plan is None:
        return []
    names = [record_name(operation)]
    pending = [(plan, names[0])]
    while pending:
        parent, name = pending.pop()
        for child in parent.children:
            if child.children:
                child_name = f"{name}{child.key[0].upper()}{child.key[1:]}"
                names.append(child_name)
                pending.append((child, child_name))
    return names


def class_name_clashes(
    operations: list[OperationDefinitionNode],
    fragments: list[FragmentDefinitionNode],
    schema: GraphQLSchema,
    settings: dict[str, Any] | None = None,
    *,
    bulk: Collection[str] = (),
) -> list[NameClash]:
    """Class names that two modules of the package would both define.

    Computed with ariadne-codegen's own result-type generator, so the names are the
    ones it writes; ``bulk`` names the operations of ``bulk/`` folders, whose modules
    get the plugin's classes too. Call it only for operations that validate against
    ``schema``; a definition :func:`generation_problems` names is left out (it is an
    error of its own).
    """
    from ariadne_codegen.client_generators.result_types import ResultTypesGenerator

    options = settings or {}
    snake = bool(options.get("convert_to_snake_case", True))
    fragments_module = str(options.get("fragments_module_name", "fragments"))
    definitions = {f.name.value: f for f in fragments}
    owner: dict[str, tuple[str, str, _Definition | None]] = {
        name: ("", f"the package's own {name} ({module})", None)
        for name, module in EXPORTED_NAMES.items()
    }
    clashes: list[NameClash] = []
    defined: list[tuple[OperationDefinitionNode | FragmentDefinitionNode, str]] = [
        *((o, module_name(o.name.value)) for o in operations if o.name),
        *((f, fragments_module) for f in fragments),
    ]
    refused = {
        id(p.node) for p in generation_problems((d for d, _ in defined), definitions, schema)
    }
    for node, module in defined:
        if id(node) in refused:
            continue
        with warnings.catch_warnings():
            # its deprecation warnings are validate's to report (with the reason)
            warnings.simplefilter("ignore")
            generator = ResultTypesGenerator(
                schema=schema,
                operation_definition=node,
                enums_module_name="enums",
                fragments_module_name=fragments_module,
                fragments_definitions=definitions,
                convert_to_snake_case=snake,
            )
        own = list(generator.get_generated_public_names())
        for class_name in own:
            if class_name in owner:
                other_module, other, other_node = owner[class_name]
                if other_module != module:
                    clashes.append(NameClash(class_name, node, module, other, other_node))
                continue
            owner[class_name] = (module, _describe(node, module), node)
        if not (
            isinstance(node, OperationDefinitionNode) and node.name and node.name.value in bulk
        ):
            continue
        for class_name in _bulk_class_names(node, definitions, schema):
            if class_name in own:  # the plugin's class would replace the model
                clashes.append(
                    NameClash(
                        class_name,
                        node,
                        module,
                        "the bulk class of that name the plugin appends to the same module",
                        None,
                    )
                )
            elif class_name in owner:
                _, other, other_node = owner[class_name]
                clashes.append(NameClash(class_name, node, module, other, other_node))
            else:
                owner[class_name] = (module, _describe(node, module), node)
    return clashes
