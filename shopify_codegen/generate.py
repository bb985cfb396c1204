"""Generating the typed client packages with ariadne-codegen.

ariadne-codegen writes one client flavour per run, so each package is generated
twice into the same empty folder: first the async client (``async_client.py``,
``AsyncClient``), then the sync one (``client.py``, ``Client``), whose
``__init__`` the plugin extends with ``AsyncClient``. The models, enums and input
types of both runs are the same files.

Why one folder and this order: ariadne-codegen writes a whole package each run
(models, ``__init__``, client), and one ``__init__`` must export both clients; the
sync run comes last so that its ``__init__`` (the one kept) is the one the plugin
extends. Every other file is written byte for byte the same by both runs, whatever
the order: ``tests/shopify_codegen/test_plugin.py`` generates each flavour alone and
holds them to that, so the second run only adds ``client.py`` and the ``__init__``.
The schema is the committed SDL of the
pinned version, pruned to what the operations reach (see :mod:`.prune`) and
built once for both runs.

Generation always starts from an empty folder and replaces the package as a whole,
so a deleted operation leaves no stale module behind. It refuses to replace a folder
holding anything the tool did not write (:mod:`.owned`): hand-written code is never
deleted.
"""

from __future__ import annotations

import contextlib
import dataclasses
import io
import logging
import os
import tempfile
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from graphql import (
    GraphQLError,
    GraphQLSchema,
    assert_valid_schema,
    validate,
    validate_schema,
)

from .config import ApiConfig, ProjectConfig
from .defaults import merge_ariadne_settings
from .errors import GenerationError, SchemaFileError
from .operations import read_operation_folder
from .owned import check_replaceable
from .plugin import PAGINATION, SECTION
from .prune import prune_schema
from .schema_files import load_schema
from .transaction import Transaction
from .validate import RULES

__all__ = ["GeneratedPackage", "check_package_folder", "generate_all", "generate_package"]

logger = logging.getLogger("shopify_codegen")

BASES_DIR = Path(__file__).parent / "bases"
PY_TYPED = ""  # PEP 561 marker: the package is fully typed


@dataclass(frozen=True)
class GeneratedPackage:
    api: str
    version: str
    path: Path
    files: tuple[str, ...]
    #: False when pruning could not cover the operations and the whole schema was
    #: used (same output, slower); the reason is logged and given in --json
    pruned: bool = True
    prune_problem: str | None = None
    #: operation -> its pagination helper (``iter_...``) or why it has none
    #: (only operations with an ``$after`` variable; see shopify_codegen.pagination)
    pagination: tuple[tuple[str, str], ...] = ()


@contextlib.contextmanager
def _in_directory(path: Path) -> Iterator[None]:
    previous = Path.cwd()
    os.chdir(path)
    try:
        yield
    finally:
        os.chdir(previous)


def ariadne_config(
    config: ProjectConfig, api: ApiConfig, target_dir: Path, *, async_client: bool
) -> dict[str, Any]:
    """The config dict handed to ariadne-codegen for one run (paths relative to root)."""
    settings = merge_ariadne_settings(config.ariadne, api.ariadne)
    flavour = "async_base_client" if async_client else "base_client"
    settings.update(
        schema_path=config.rel(config.schema_sdl(api.name, api.pinned_version)),
        queries_path=config.rel(api.queries),
        target_package_name=api.module,
        target_package_path=str(target_dir),
        async_client=async_client,
        client_name="AsyncClient" if async_client else "Client",
        client_file_name="async_client" if async_client else "client",
        base_client_name="AsyncBaseClient" if async_client else "BaseClient",
        base_client_file_path=str(BASES_DIR / api.name / f"{flavour}.py"),
    )
    return {
        "tool": {
            "ariadne-codegen": settings,
            SECTION: {
                "api": api.name,
                "version": api.pinned_version,
                "queries": config.rel(api.queries),
            },
        }
    }


def _run_ariadne(config_dict: dict[str, Any], schema: GraphQLSchema) -> None:
    """ariadne-codegen's client strategy, with the schema parsed by the caller."""
    from ariadne_codegen.client_generators.package import get_package_generator
    from ariadne_codegen.config import get_client_settings
    from ariadne_codegen.plugins.explorer import get_plugins_types
    from ariadne_codegen.plugins.manager import PluginManager
    from ariadne_codegen.schema import (
        add_mixin_directive_to_schema,
        filter_fragments_definitions,
        filter_operations_definitions,
        get_graphql_queries,
    )
    from ariadne_codegen.settings import get_validation_rule

    # ariadne-codegen warns about every deprecated value of every enum an operation
    # reaches (CurrencyCode's BYR...): not the user's business. What the user
    # selects that is deprecated, validate reports once, with Shopify's reason.
    # Set after the imports: importing ariadne_codegen.config turns them on.
    # (The caller restores the filters with catch_warnings.)
    warnings.filterwarnings("ignore", category=DeprecationWarning, module=r"ariadne_codegen\.")
    settings = get_client_settings(config_dict)
    manager = PluginManager(
        schema=schema,
        config_dict=config_dict,
        plugins_types=get_plugins_types(settings.plugins),
    )
    schema = manager.process_schema(add_mixin_directive_to_schema(schema))
    assert_valid_schema(schema)
    definitions = get_graphql_queries(
        settings.queries_path,
        schema,
        [get_validation_rule(rule) for rule in settings.skip_validation_rules],
    )
    generator = get_package_generator(
        schema=schema,
        fragments=filter_fragments_definitions(definitions),
        settings=settings,
        plugin_manager=manager,
    )
    for operation in filter_operations_definitions(definitions):
        generator.add_operation(operation)
    generator.generate()


def _parse_sdl(path: Path) -> GraphQLSchema:
    """The schema exactly as ariadne-codegen's own CLI would read it (no pruning)."""
    from ariadne_codegen.schema import get_graphql_schema_from_path

    if not path.exists():
        raise SchemaFileError(path, "no such file (the SDL is written beside each JSON schema)")
    schema: GraphQLSchema = get_graphql_schema_from_path(str(path))
    return schema


def _generation_schema(
    config: ProjectConfig, api: ApiConfig, prune: bool
) -> tuple[GraphQLSchema, str | None]:
    """The pinned version's schema, pruned to what the operations reach, and why
    not when it could not be (then the whole schema, parsed afresh).

    The introspection JSON is the source (``check`` holds the SDL beside it to be
    its exact print); pruning keeps generated code byte-identical while sparing
    ariadne-codegen the full 1.7 MB Admin schema. ariadne-codegen changes the
    schema it is given (it adds its ``@mixin`` directive), so it never gets a
    schema object that anything else holds.
    """
    sdl = config.schema_sdl(api.name, api.pinned_version)
    if not prune:
        return _parse_sdl(sdl), None
    if not sdl.exists():
        raise SchemaFileError(sdl, "no such file (the SDL is written beside each JSON schema)")
    json_path = config.schema_json(api.name, api.pinned_version)
    schema = load_schema(json_path if json_path.exists() else sdl)
    documents = [
        op_file.document
        for op_file in read_operation_folder(api.queries, config.rel, root=config.root)
    ]
    problem: str
    try:
        pruned = prune_schema(schema, documents)
        schema_errors = validate_schema(pruned)
        errors = [e for d in documents for e in validate(pruned, d, RULES)]
        if not schema_errors and not errors:
            return pruned, None
        first = (schema_errors or errors)[0]
        problem = f"the pruned schema does not validate the operations: {first.message}"
    except (GraphQLError, TypeError, KeyError, ValueError) as exc:
        problem = f"pruning failed: {type(exc).__name__}: {exc}"
    # Something the pruning does not cover: generate from the whole schema (slower,
    # same output). Said aloud: a fallback nobody sees would hide a pruning bug.
    logger.warning(
        "%s: generating from the whole %s schema (%s)", api.name, api.pinned_version, problem
    )
    return _parse_sdl(sdl), problem


def _bulk_operations(
    config: ProjectConfig, api: ApiConfig, *, mutations: bool = False
) -> list[str]:
    """The names of the queries (or ``mutations``) in ``bulk/`` folders of an Admin
    package's queries."""
    if api.name != "admin":
        return []
    from .bulk import is_bulk_file

    return sorted(
        o.name.value
        for f in read_operation_folder(api.queries, config.rel, root=config.root)
        if is_bulk_file(f)
        for o in f.operations
        if o.name and o.operation.value == ("mutation" if mutations else "query")
    )


def _has_group_objects(config: ProjectConfig, api: ApiConfig) -> bool:
    """Whether the pinned version's bulkOperationRunQuery has groupObjects (2025-07 on);
    read from the whole committed schema (the pruned one keeps only what is reached)."""
    from .store import committed_schema

    mutation = committed_schema(config, api.name, api.pinned_version).mutation_type
    run = mutation.fields.get("bulkOperationRunQuery") if mutation is not None else None
    return run is not None and "groupObjects" in run.args


def _check_plugins(config: ProjectConfig, api: ApiConfig) -> None:
    """Each configured plugin imports and is a plugin class, else a GenerationError
    naming the config table and key that list it (not only ariadne-codegen's
    PluginImportError)."""
    from ariadne_codegen.plugins.explorer import get_plugins_types

    settings = merge_ariadne_settings(config.ariadne, api.ariadne)
    for plugin in settings.get("plugins", []):
        if plugin in api.ariadne.get("plugins", []):
            table = f"{config.table_prefix}api.{api.key}.ariadne-codegen"
        else:
            table = f"{config.table_prefix}ariadne-codegen"
        try:
            get_plugins_types([plugin])
        except Exception as exc:  # an import runs the module: anything may be raised
            raise GenerationError(
                f"{config.path} [{table}] plugins: {plugin!r} cannot be loaded "
                f"({type(exc).__name__}: {exc}); give a dotted path to a module or to a "
                "class deriving from ariadne_codegen.plugins.base.Plugin, importable from "
                "the project folder"
            ) from None


def generate_package(
    config: ProjectConfig, api: ApiConfig, target_dir: Path, *, prune: bool = True
) -> GeneratedPackage:
    """Write ``api``'s package into ``target_dir/<module>`` (which must not exist).

    ``<module>`` is the package's last name: ``myapp.shopify_admin`` is written as
    ``target_dir/shopify_admin`` (its generated imports are relative).
    """
    package_dir = target_dir / api.module
    if package_dir.exists():
        raise GenerationError(f"{package_dir} already exists; generation needs an empty target")
    with _in_directory(config.root), contextlib.redirect_stdout(io.StringIO()):
        _check_plugins(config, api)
        schema, prune_problem = _generation_schema(config, api, prune)
        PAGINATION.pop(api.name, None)
        bulk = _bulk_operations(config, api)
        bulk_mutations = _bulk_operations(config, api, mutations=True)
        for async_client in (True, False):
            config_dict = ariadne_config(config, api, target_dir, async_client=async_client)
            if bulk:  # the plugin generates these as bulk queries (see .bulk)
                config_dict["tool"][SECTION]["bulk"] = bulk
                config_dict["tool"][SECTION]["bulk_group_objects"] = _has_group_objects(config, api)
            if bulk_mutations:  # see .bulk_mutation
                config_dict["tool"][SECTION]["bulk_mutations"] = bulk_mutations
            try:
                with warnings.catch_warnings():
                    _run_ariadne(config_dict, schema)
            except SchemaFileError:
                raise
            except Exception as exc:  # ariadne-codegen raises many unrelated types
                raise GenerationError(
                    f"ariadne-codegen failed for {api.name} ({config.rel(api.queries)}): "
                    f"{type(exc).__name__}: {exc}"
                ) from exc
    (package_dir / "py.typed").write_text(PY_TYPED)
    files = tuple(sorted(p.name for p in package_dir.iterdir()))
    return GeneratedPackage(
        api.name,
        api.pinned_version,
        package_dir,
        files,
        pruned=prune and prune_problem is None,
        prune_problem=prune_problem,
        pagination=tuple(sorted(PAGINATION.pop(api.name, {}).items())),
    )


def check_package_folder(config: ProjectConfig, api: ApiConfig) -> None:
    """Refuse (:class:`~shopify_codegen.errors.ForeignFilesError`) to replace ``api``'s
    package folder while it holds files the tool did not write (see :mod:`.owned`)."""
    check_replaceable(
        config.package_dir(api),
        config.root,
        f"{config.path} [{config.table_prefix}api.{api.key}] package = {api.package!r}",
        f"{api.package}.shopify_{api.name}",
    )


def generate_all(config: ProjectConfig, apis: list[str] | None = None) -> list[GeneratedPackage]:
    """Regenerate the packages of ``apis`` (API names or config keys; all by default).

    Every package is generated into a scratch folder first; then all are swapped
    in by one transaction, so on any failure the committed packages stay as
    they were. A package folder holding files the tool did not write is refused
    before anything is generated, and again under the project's lock.
    """
    results = []
    selected = config.select(apis)
    for api in selected:
        check_package_folder(config, api)
    with tempfile.TemporaryDirectory(prefix="shopify-codegen-generate-") as scratch_name:
        scratch = Path(scratch_name)
        staged = []
        for index, api in enumerate(selected):
            (scratch / str(index)).mkdir()
            staged.append((api, generate_package(config, api, scratch / str(index))))
        with Transaction(config.root) as tx:
            for api, package in staged:
                target = config.package_dir(api)
                check_package_folder(config, api)  # under the lock: what is replaced now
                tx.put_dir(target, package.path)
                results.append(dataclasses.replace(package, path=target))
            tx.commit()
    return results
