"""The schema commands of ``shopify-codegen``: ``schema download|add|diff``, ``bump``
and ``check --remote``."""

from __future__ import annotations

import argparse
import datetime as _dt
import os
from pathlib import Path

from graphql import GraphQLSchema

from shopify_client import latest_stable_version, version_support
from shopify_client.toolkit import API_NAMES

from .bump import BumpRefused, bump
from .cli_output import EXIT_FINDING, EXIT_OK, Output, write_summary
from .config import ProjectConfig, load_config
from .diff import DiffReport, diff_schemas
from .download import (
    DEFAULT_TOKEN_ENV,
    PROXY_APIS,
    Downloaded,
    check_root_fields,
    download_introspection,
    release_version,
    resolve_source,
)
from .errors import CodegenError, SchemaFileError
from .operations import expand_paths, read_operation_folder, read_operation_set
from .schema_files import ManifestEntry, load_schema, read_manifest
from .schema_kind import api_mismatch
from .store import add_schema, committed_schema, introspection_from_sdl

__all__ = [
    "cmd_bump",
    "cmd_check_remote",
    "cmd_schema_add",
    "cmd_schema_diff",
    "cmd_schema_download",
    "source_args",
    "summary_arg",
]


def summary_arg(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--summary",
        metavar="FILE",
        help="also append the drift report as Markdown to FILE (in GitHub Actions: "
        "$GITHUB_STEP_SUMMARY, the job summary)",
    )


def source_args(p: argparse.ArgumentParser) -> None:
    group = p.add_argument_group("where to download from (one of)")
    group.add_argument(
        "--shop", metavar="DOMAIN", help="the shop's own endpoint (token from --token-env)"
    )
    group.add_argument(
        "--proxy", action="store_true", help="Shopify's public introspection proxy on shopify.dev"
    )
    group.add_argument("--endpoint", metavar="URL", help="any GraphQL endpoint URL")
    p.add_argument(
        "--token-env",
        metavar="NAME",
        help="environment variable holding the access token (default with --shop: "
        "SHOPIFY_ADMIN_TOKEN or SHOPIFY_STOREFRONT_TOKEN)",
    )


def _download(args: argparse.Namespace, api: str, version: str, out: Output) -> Downloaded:
    source = resolve_source(
        api,
        version,
        shop=args.shop,
        endpoint=args.endpoint,
        proxy=args.proxy,
        token_env=args.token_env,
    )
    out.line(f"downloading {api} {version} schema from {source.url}")
    return download_introspection(source, progress=out.err)


def cmd_schema_download(args: argparse.Namespace, out: Output) -> int:
    release_version(args.version)  # before any path or request is built from it
    config = load_config(args.root)
    api_name = _api_name(config, args.api)
    downloaded = _download(args, api_name, args.version, out)
    operations = [
        op
        for api in config.select([api_name])
        for op in read_operation_folder(api.queries, config.rel, root=config.root)
    ]
    check_root_fields(downloaded.schema, operations, downloaded.source.url)
    stored = add_schema(
        config, api_name, args.version, downloaded.body, origin=downloaded.source.origin
    )
    types = len([t for t in downloaded.schema.type_map if not t.startswith("__")])
    out.line(
        f"downloaded {api_name} {args.version}: {len(downloaded.body):,} bytes, {types:,} types "
        f"in {downloaded.seconds:.1f}s -> {config.rel(stored.json_path)}, "
        f"{config.rel(stored.sdl_path)}"
    )
    out.json(
        {
            "ok": True,
            "api": api_name,
            "version": args.version,
            "url": downloaded.source.url,
            "bytes": len(downloaded.body),
            "types": types,
            "files": [
                config.rel(stored.json_path),
                config.rel(stored.sdl_path),
                config.rel(config.manifest_path),
            ],
        }
    )
    return EXIT_OK


def _schema_spec(spec: str, args: argparse.Namespace) -> tuple[GraphQLSchema, str, str | None]:
    """``API@VERSION`` of a committed schema, or a schema file path."""
    if "@" in spec and not Path(spec).exists():
        api, _, version = spec.partition("@")
        config = load_config(args.root)
        api = _api_name(config, api)
        release_version(version)  # a version names a file: nothing else gets through
        return committed_schema(config, api, version), spec, api
    return load_schema(Path(spec)), spec, None


def cmd_schema_diff(args: argparse.Namespace, out: Output) -> int:
    old, old_label, old_api = _schema_spec(args.old, args)
    new, new_label, new_api = _schema_spec(args.new, args)
    if args.operations:
        operations = read_operation_set(expand_paths([Path(p) for p in args.operations]))
    else:
        config = load_config(args.root)
        apis = [a for a in (old_api, new_api) if a] or None
        operations = [
            op_file
            for api in config.select(list(dict.fromkeys(apis)) if apis else None)
            for op_file in read_operation_folder(api.queries, config.rel, root=config.root)
        ]
    report = diff_schemas(old, new, old_label=old_label, new_label=new_label, operations=operations)
    out.line(report.render(limit=None if args.all else 25))
    failing = report.failing(strict=args.strict)
    write_summary(args.summary, report.render_markdown())
    out.json({"ok": not failing, **report.as_json()})
    return EXIT_FINDING if failing else EXIT_OK


def bump_warnings(old: str, new: str, today: _dt.date | None = None) -> list[str]:
    """What to say before moving from ``old`` to ``new``: a downgrade, or a version past
    Shopify's support window (the runtime's own calendar, shopify_client.version_support)."""
    notes = []
    if new < old:  # YYYY-MM strings sort as the versions do
        notes.append(
            f"{new} is older than the pinned {old}: this moves the package back (a "
            "downgrade); fields added since are gone from the regenerated client"
        )
    support = version_support(new, today)
    if not support.is_supported:
        notes.append(
            f"{new} left Shopify's support window on {support.supported_until.isoformat()}: "
            "Shopify answers requests to it with the oldest supported version, and the "
            f"client warns (UnsupportedVersionWarning); the latest is "
            f"{latest_stable_version(today)}"
        )
    return notes


def cmd_bump(args: argparse.Namespace, out: Output) -> int:
    release_version(args.version)  # before any path or request is built from it
    config = load_config(args.root)
    api = config.api(args.api)
    shown = api.key if api.key == api.name else f"{api.key} ({api.name} API)"
    if args.version == api.pinned_version:
        out.line(
            f"bump: {shown} is already on {args.version}, nothing to do (to refresh its "
            "schema: `shopify-codegen schema download`, or `schema add --force`)"
        )
        out.json({"ok": True, "changed": [], "versions": [], "already": args.version})
        return EXIT_OK
    notes = bump_warnings(api.pinned_version, args.version)
    for note in notes:
        out.line(f"warning: {note}")
    committed = config.schema_json(api.name, args.version)
    committed_used = False
    if args.schema_file:
        if args.shop or args.proxy or args.endpoint:
            raise CodegenError("bump: give either --schema-file or a download source, not both")
        body, origin = _schema_file_body(Path(args.schema_file), "bump")
    elif not (args.shop or args.proxy or args.endpoint) and committed.is_file():
        # The schema is already committed (`schema add`, `schema download`): use it.
        committed_schema(config, api.name, args.version)  # checked: regular file, a schema
        body = committed.read_bytes()
        entry = _committed_entry(config, api.name, args.version)
        origin = entry.origin if entry else f"committed {config.rel(committed)}"
        out.line(f"using the committed {api.name} {args.version} schema ({config.rel(committed)})")
        committed_used = True
    elif not (args.shop or args.proxy or args.endpoint):
        raise SchemaFileError(
            config.rel(committed),
            f"no committed {api.name} {args.version} schema to bump to: give a schema file "
            f"you have with `shopify-codegen bump --api {args.api} --version {args.version} "
            "--schema-file PATH` (introspection JSON or SDL), or register it first with "
            f"`shopify-codegen schema add --api {api.name} --version {args.version} --file "
            "PATH`; or download it: choose one source for bump or `shopify-codegen schema "
            "download`: --shop DOMAIN, --proxy or --endpoint URL",
        )
    else:
        downloaded = _download(args, api.name, args.version, out)
        body, origin = downloaded.body, downloaded.source.origin
    try:
        result = bump(config, api.key, args.version, schema_json=body, origin=origin)
    except BumpRefused as refused:
        for finding in refused.findings:
            out.line(str(finding))
        out.line(
            f"bump: refused, {len(refused.findings)} operation error(s) against "
            f"{api.name} {args.version}; nothing changed"
        )
        out.json({"ok": False, "changed": [], "findings": [f.as_json() for f in refused.findings]})
        return EXIT_FINDING
    out.line(result.report.render(limit=10))
    out.line("")
    breaks = result.report.with_verdict("breaks")
    if breaks:
        names = ", ".join(o.operation for o in breaks)
        out.line(
            f"{len(breaks)} operation(s) break against the new version ({names}): the "
            "regenerated client follows the new schema; callers may need changes (see above)"
        )
    out.line(f"bumped {shown} {result.old_version} -> {result.new_version}:")
    for change in result.changes:
        out.line(f"  {change}")
    if result.written:
        out.line("wrote:")
        for written in result.written:
            out.line(f"  {written}")
    if result.unchanged:
        what = "the committed schema was used" if committed_used else "already these bytes"
        out.line(f"unchanged ({what}):")
        for kept in result.unchanged:
            out.line(f"  {kept}")
    out.line("next: `shopify-codegen check`, run your tests, then commit")
    out.json(
        {
            "ok": True,
            "changed": list(result.written),
            "unchanged": list(result.unchanged),
            "versions": list(result.changes),
            "warnings": notes,
            **result.report.as_json(),
        }
    )
    return EXIT_OK


def _api_name(config: ProjectConfig, name: str) -> str:
    """The API of ``name``: an API name, or a package's config key."""
    if name in API_NAMES:
        return name
    return config.api(name).name


def _schema_file_body(path: Path, command: str) -> tuple[bytes, str]:
    """The introspection JSON of a schema file (JSON as it is; SDL converted) and its origin."""
    load_schema(path)  # a clear, typed error for anything that is not a schema
    if path.suffix == ".json":
        return path.read_bytes(), f"file {path.name} given to {command}"
    text = path.read_text(encoding="utf-8-sig")
    return (
        introspection_from_sdl(path, text),
        f"SDL file {path.name} given to {command}, turned into introspection by graphql-core",
    )


def check_api_of(schema: GraphQLSchema, api: str, shown: str, command: str, force: bool) -> None:
    """Refuse a schema that looks like another API's (``--force`` to take it anyway)."""
    problem = api_mismatch(schema, api)
    if problem is not None and not force:
        raise SchemaFileError(
            shown,
            f"{problem}; nothing written (check --api and --file, or give --force to "
            f"{command} it as {api} anyway)",
        )


def _committed_entry(config: ProjectConfig, api: str, version: str) -> ManifestEntry | None:
    for entry in read_manifest(config.manifest_path):
        if entry.api == api and entry.version == version and entry.kind == "introspection":
            return entry
    return None


def cmd_schema_add(args: argparse.Namespace, out: Output) -> int:
    release_version(args.version)  # before any path is built from it
    config = load_config(args.root)
    api_name = _api_name(config, args.api)
    path = Path(args.file)
    body, origin = _schema_file_body(path, "schema add")
    if args.origin:
        origin = args.origin
    check_api_of(load_schema(path), api_name, str(path), "add", args.force)
    json_path = config.schema_json(api_name, args.version)
    replaced = json_path.exists()
    if replaced and not args.force and json_path.read_bytes() == body:
        out.line(
            f"schema add: {api_name} {args.version} is already committed with these bytes "
            f"({config.rel(json_path)}); nothing changed"
        )
        out.json({"ok": True, "api": api_name, "version": args.version, "files": []})
        return EXIT_OK
    if replaced and not args.force:
        entry = _committed_entry(config, api_name, args.version)
        recorded = f", added {entry.date} from {entry.origin}" if entry else ""
        raise CodegenError(
            f"schema add: {api_name} {args.version} is already committed "
            f"({config.rel(json_path)}{recorded}); nothing written. Give --force to "
            "replace it (operations are then validated against the new file)"
        )
    before = json_path.read_bytes() if replaced else None
    stored = add_schema(config, api_name, args.version, body, origin=origin)
    files = [
        config.rel(stored.json_path),
        config.rel(stored.sdl_path),
        config.rel(config.manifest_path),
    ]
    verb = "added"
    if replaced:
        verb = "replaced (same content)" if before == json_path.read_bytes() else "replaced"
    out.line(f"{verb} {api_name} {args.version} from {path} -> {', '.join(files)}")
    unlisted = [a.key for a in config.select([api_name]) if args.version not in a.validate_versions]
    if unlisted:
        out.line(
            f"note: {args.version} is not in validate_versions of {', '.join(unlisted)}; "
            "list it there to validate against it, or `shopify-codegen bump` to move to it"
        )
    out.json(
        {
            "ok": True,
            "api": api_name,
            "version": args.version,
            "files": files,
            "replaced": replaced,
        }
    )
    return EXIT_OK


def cmd_check_remote(args: argparse.Namespace, out: Output) -> int:
    config = load_config(args.root)
    reports: list[DiffReport] = []
    for api in config.apis.values():
        if not (args.shop or args.proxy or args.endpoint):
            shop = os.environ.get("SHOPIFY_SHOP")
            source_args = argparse.Namespace(
                shop=shop, proxy=not shop, endpoint=None, token_env=args.token_env
            )
        else:
            source_args = args
        if api.name not in PROXY_APIS and not args.endpoint:
            # No public proxy, and SHOPIFY_SHOP / --shop name a domain: this API's
            # endpoint is on shopify.com per shop id, read from its own variable.
            shop_id = os.environ.get(f"SHOPIFY_{api.name.upper()}_SHOP_ID")
            if not shop_id:
                message = (
                    f"check --remote: {api.key} ({api.name} {api.pinned_version}) not checked: "
                    f"Shopify has no public introspection proxy for it; set "
                    f"SHOPIFY_{api.name.upper()}_SHOP_ID and {DEFAULT_TOKEN_ENV[api.name]}"
                )
                out.line(message)
                write_summary(
                    args.summary, f"### Schema drift: {api.key} not checked\n\n{message}\n"
                )
                continue
            source_args = argparse.Namespace(
                shop=shop_id, proxy=False, endpoint=None, token_env=args.token_env
            )
        try:
            downloaded = _download(source_args, api.name, api.pinned_version, out)
        except CodegenError as exc:
            message = (
                f"check --remote could not get the live {api.name} {api.pinned_version} schema, "
                f"so it cannot say whether it drifted: {exc}"
            )
            write_summary(args.summary, f"### Schema drift: not checked\n\n{message}\n")
            raise CodegenError(message) from None
        operations = read_operation_folder(api.queries, config.rel, root=config.root)
        report = diff_schemas(
            committed_schema(config, api.name, api.pinned_version),
            downloaded.schema,
            old_label=f"{api.name}@{api.pinned_version} (committed)",
            new_label=f"{api.name}@{api.pinned_version} (live)",
            operations=operations,
        )
        reports.append(report)
        out.line(report.render(limit=25))
        out.line("")
    failing = [o for r in reports for o in r.failing(strict=args.strict)]
    at_risk = sum(len(r.with_verdict("at_risk")) for r in reports)
    if failing:
        what = "break or are at risk (--strict)" if args.strict else "break"
        out.line(f"check --remote: {len(failing)} operation(s) {what} on the live schemas")
    elif at_risk:
        out.line(
            f"check --remote: no operation breaks; {at_risk} at risk "
            "(--strict makes that a failure)"
        )
    else:
        out.line("check --remote: no operation breaks or is at risk on the live schemas")
    write_summary(args.summary, "\n".join(r.render_markdown() for r in reports))
    out.json({"ok": not failing, "reports": [r.as_json() for r in reports]})
    return EXIT_FINDING if failing else EXIT_OK
