"""Generated packages load an operation's models when they are first needed.

A package holds one module per operation (its result models), the fragments, the
input types and the enums: with many operations, importing all of them is most
of a package's import time (pydantic builds each model class; a 170-member enum
alone costs ~1.5 ms). Issue 11 asks a package to cost next to nothing over
pydantic itself, so:

* the clients (``client.py``, ``async_client.py``) import the operation modules for
  type checkers only; a method finds its result model on its first call (one
  cached look-up afterwards) -- see :func:`defer_client_imports`;
* the package ``__init__`` imports the sync client and the base classes, and every
  other name on first access (PEP 562 ``__getattr__``), ``AsyncClient`` too: a
  program uses one flavour, and the other's two modules cost ~0.4 ms -- see
  :func:`defer_init_imports`.

What a program imports, and when, is unchanged for type checkers: the names are
imported under ``if TYPE_CHECKING:``, annotations are postponed
(``from __future__ import annotations``), and results are ``cast`` to the type the
method declares.
"""

from __future__ import annotations

import ast

__all__ = ["EAGER_MODULES", "INIT_EAGER_MODULES", "defer_client_imports", "defer_init_imports"]

#: the package's modules a client module imports as they are: what every call needs
EAGER_MODULES = frozenset(
    {"base_client", "async_base_client", "base_model", "client", "async_client", "exceptions"}
)
#: the modules the package ``__init__`` imports as they are (the async client, and
#: with it its base module, load when ``AsyncClient`` is first read)
INIT_EAGER_MODULES = EAGER_MODULES - {"async_client", "async_base_client"}

_MODEL_LOOKUP = '''
@cache
def _model(module: str, name: str) -> Any:
    """A model of this package, its module imported on the first call that needs
    it: importing the package costs its clients, not every operation's models."""
    return getattr(import_module(f".{module}", __package__), name)
'''

# Hidden from type checkers: a module-level __getattr__ makes mypy accept any name
# of the package (``from pkg import Custmer`` would type-check as Any); they see
# the names imported under TYPE_CHECKING instead.
_INIT_LOOKUP = '''
if not _typing.TYPE_CHECKING:

    def __getattr__(name: str) -> _typing.Any:
        """Models, inputs and enums load on first use (the package's import costs its
        clients only); each is then a plain attribute of the package."""
        module = _LAZY.get(name)
        if module is None:
            raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
        value = getattr(_importlib.import_module(f".{module}", __name__), name)
        globals()[name] = value
        return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
'''


def _split(
    module: ast.Module, eager: frozenset[str] = EAGER_MODULES
) -> tuple[list[ast.stmt], list[ast.ImportFrom], list[ast.stmt]]:
    """(the leading imports kept, the relative imports to defer, the rest)."""
    kept: list[ast.stmt] = []
    deferred: list[ast.ImportFrom] = []
    rest: list[ast.stmt] = []
    for node in module.body:
        if rest or not isinstance(node, ast.Import | ast.ImportFrom):
            rest.append(node)
        elif isinstance(node, ast.ImportFrom) and node.level == 1 and node.module not in eager:
            deferred.append(node)
        else:
            kept.append(node)
    return kept, deferred, rest


def _import(module: str, *names: str) -> ast.ImportFrom:
    return ast.ImportFrom(module=module, names=[ast.alias(name=n) for n in names], level=0)


def _type_checking(deferred: list[ast.ImportFrom], test: ast.expr | None = None) -> ast.If:
    condition = test if test is not None else ast.Name(id="TYPE_CHECKING", ctx=ast.Load())
    return ast.If(test=condition, body=list(deferred), orelse=[])


def _typing_attr(name: str) -> ast.Attribute:
    return ast.Attribute(value=ast.Name(id="_typing", ctx=ast.Load()), attr=name, ctx=ast.Load())


class _LazyResults(ast.NodeTransformer):
    """``self.parse_result(Model, data)`` -> ``cast("Model", self.parse_result(
    _model("module", "Model"), data))`` for the models whose import is deferred."""

    def __init__(self, where: dict[str, str]) -> None:
        self.where = where

    def visit_Call(self, node: ast.Call) -> ast.AST:
        self.generic_visit(node)
        func = node.func
        if not (
            isinstance(func, ast.Attribute)
            and func.attr == "parse_result"
            and isinstance(func.value, ast.Name)
            and func.value.id == "self"
            and node.args
            and isinstance(node.args[0], ast.Name)
            and node.args[0].id in self.where
        ):
            return node
        name = node.args[0].id
        lookup = ast.Call(
            func=ast.Name(id="_model", ctx=ast.Load()),
            args=[ast.Constant(value=self.where[name]), ast.Constant(value=name)],
            keywords=[],
        )
        node.args[0] = lookup
        return ast.Call(
            func=ast.Name(id="cast", ctx=ast.Load()),
            args=[ast.Constant(value=name), node],
            keywords=[],
        )


def _names(deferred: list[ast.ImportFrom]) -> dict[str, str]:
    return {
        alias.asname or alias.name: str(node.module) for node in deferred for alias in node.names
    }


def defer_client_imports(module: ast.Module) -> ast.Module:
    """A client module whose operation modules load on the first call that needs them.

    Every name they provide is only used in annotations (postponed) or as the model
    ``parse_result`` validates into (looked up by ``_model`` instead); a name used
    any other way keeps its import, so the rewrite can never leave a name undefined.
    """
    kept, deferred, rest = _split(module)
    if not deferred:
        return module
    where = _names(deferred)
    body = ast.Module(body=rest, type_ignores=[])
    _LazyResults(where).visit(body)
    used = _runtime_names(body, set(where))
    if used:  # not expected from ariadne-codegen's output; kept correct regardless
        still = [n for n in deferred if any((a.asname or a.name) in used for a in n.names)]
        kept += still
        deferred = [n for n in deferred if n not in still]
    module.body = [
        _import("__future__", "annotations"),
        *kept,
        _import("functools", "cache"),
        _import("importlib", "import_module"),
        _import("typing", "TYPE_CHECKING", "Any", "cast"),
        _type_checking(deferred),
        *ast.parse(_MODEL_LOOKUP).body,
        *body.body,
    ]
    ast.fix_missing_locations(module)
    return module


def _runtime_names(body: ast.Module, candidates: set[str]) -> set[str]:
    """The candidates a module reads at run time: outside annotations (postponed by
    ``from __future__ import annotations``, and never evaluated in a function)."""
    found: set[str] = set()

    class Reads(ast.NodeVisitor):
        def visit_arg(self, node: ast.arg) -> None:  # a parameter's annotation
            return

        def visit_AnnAssign(self, node: ast.AnnAssign) -> None:
            if node.value is not None:
                self.visit(node.value)

        def visit_FunctionDef(self, node: ast.FunctionDef) -> None:
            self._function(node)

        def visit_AsyncFunctionDef(self, node: ast.AsyncFunctionDef) -> None:
            self._function(node)

        def _function(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
            for default in [*node.args.defaults, *node.args.kw_defaults]:
                if default is not None:
                    self.visit(default)
            for decorator in node.decorator_list:
                self.visit(decorator)
            for statement in node.body:
                self.visit(statement)

        def visit_Name(self, node: ast.Name) -> None:
            if node.id in candidates:
                found.add(node.id)

    Reads().visit(body)
    return found


def defer_init_imports(module: ast.Module) -> ast.Module:
    """A package ``__init__`` that imports its sync client and base classes, and
    every other exported name on first access."""
    kept, deferred, rest = _split(module, INIT_EAGER_MODULES)
    if not deferred:
        return module
    where = _names(deferred)
    lazy = ast.Assign(
        targets=[ast.Name(id="_LAZY", ctx=ast.Store())],
        value=ast.Dict(
            keys=[ast.Constant(value=name) for name in sorted(where)],
            values=[ast.Constant(value=where[name]) for name in sorted(where)],
        ),
        lineno=0,
    )
    # Private aliases: the package's public names are exactly its __all__.
    module.body = [
        *kept,
        ast.Import(names=[ast.alias(name="importlib", asname="_importlib")]),
        ast.Import(names=[ast.alias(name="typing", asname="_typing")]),
        _type_checking(deferred, test=_typing_attr("TYPE_CHECKING")),
        lazy,
        *rest,
        *ast.parse(_INIT_LOOKUP).body,
    ]
    ast.fix_missing_locations(module)
    return module
