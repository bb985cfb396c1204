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
  in ``__init__`` silently replaces the other (and mypy refuses it).

:func:`module_name_problem` names the first for one operation;
:func:`class_name_clashes` finds the second for a set, given the schema.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any

from graphql import (
    FragmentDefinitionNode,
    GraphQLSchema,
    OperationDefinitionNode,
)

__all__ = [
    "EXPORTED_NAMES",
    "GENERATED_MODULES",
    "NameClash",
    "class_name_clashes",
    "module_name",
    "module_name_problem",
]

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


def class_name_clashes(
    operations: list[OperationDefinitionNode],
    fragments: list[FragmentDefinitionNode],
    schema: GraphQLSchema,
    settings: dict[str, Any] | None = None,
) -> list[NameClash]:
    """Class names that two modules of the package would both define.

    Computed with ariadne-codegen's own result-type generator, so the names are the
    ones it writes. Call it only for operations that validate against ``schema``.
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
    for node, module in defined:
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
        for class_name in generator.get_generated_public_names():
            if class_name in owner:
                other_module, other, other_node = owner[class_name]
                if other_module != module:
                    clashes.append(NameClash(class_name, node, module, other, other_node))
                continue
            owner[class_name] = (module, _describe(node, module), node)
    return clashes
