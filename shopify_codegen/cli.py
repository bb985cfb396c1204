"""``shopify-codegen``: validate operations, generate clients, check for drift.

Exit codes: 0 all good; 1 a finding (invalid operation, drift); 2 bad usage or
unreadable input (a message names the file and the problem).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TextIO

from graphql import GraphQLSchema

from shopify_client.toolkit import API_NAMES

from .bump import BumpRefused, bump
from .check import run_check
from .config import ProjectConfig, find_root, load_config
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
from .errors import CodegenError, ConfigError
from .generate import generate_all
from .init import init_project
from .operations import expand_paths, read_operation_folder, read_operation_set
from .schema_files import load_schema
from .store import add_schema, committed_schema, introspection_from_sdl
from .transaction import recover
from .validate import Finding, validate_files, validate_project

__all__ = ["main"]

EXIT_OK, EXIT_FINDING, EXIT_BAD_INPUT = 0, 1, 2


class _Output:
    def __init__(self, as_json: bool, out: TextIO, err: TextIO) -> None:
        self.as_json = as_json
        self.out = out
        self.err = err

    def line(self, text: str = "") -> None:
        if not self.as_json:
            print(text, file=self.out)

    def json(self, payload: dict[str, Any]) -> None:
        if self.as_json:
            json.dump(payload, self.out, indent=2)
            self.out.write("\n")


def _findings_exit(findings: list[Finding]) -> int:
    return EXIT_FINDING if any(f.severity == "error" for f in findings) else EXIT_OK


def _summary(findings: list[Finding]) -> str:
    errors = sum(f.severity == "error" for f in findings)
    warnings = len(findings) - errors
    return f"{errors} error(s), {warnings} warning(s)"


def cmd_validate(args: argparse.Namespace, out: _Output) -> int:
    if args.files or args.schema:
        if not (args.files and args.schema):
            raise CodegenError("validate: --schema FILE and operation files go together")
        schema = load_schema(Path(args.schema))
        findings = validate_files(
            expand_paths([Path(f) for f in args.files]), schema, args.schema, strict=args.strict
        )
    else:
        config = load_config(args.root)
        findings = validate_project(config, apis=args.api, strict=args.strict)
    for finding in findings:
        out.line(str(finding))
    out.line(f"validate: {_summary(findings)}")
    code = _findings_exit(findings)
    out.json({"ok": code == EXIT_OK, "findings": [f.as_json() for f in findings]})
    return code


def cmd_generate(args: argparse.Namespace, out: _Output) -> int:
    config = load_config(args.root)
    findings = validate_project(config, apis=args.api, strict=args.strict)
    errors = [f for f in findings if f.severity == "error"]
    for finding in findings:
        out.line(str(finding))
    if errors:
        out.line(f"generate: nothing written, {_summary(findings)}")
        out.json({"ok": False, "findings": [f.as_json() for f in findings], "packages": []})
        return EXIT_FINDING
    started = time.perf_counter()
    packages = generate_all(config, args.api)
    for package in packages:
        out.line(
            f"generated {config.rel(package.path)} ({package.api} API {package.version}): "
            f"{len(package.files)} files"
        )
        if package.prune_problem:
            out.line(f"  note: from the whole schema, slower ({package.prune_problem})")
    out.line(f"generate: done in {time.perf_counter() - started:.1f}s")
    out.json(
        {
            "ok": True,
            "findings": [f.as_json() for f in findings],
            "packages": [
                {
                    "api": p.api,
                    "version": p.version,
                    "path": config.rel(p.path),
                    "files": list(p.files),
                    "pruned": p.pruned,
                    "prune_problem": p.prune_problem,
                    "pagination": dict(p.pagination),
                }
                for p in packages
            ],
        }
    )
    return EXIT_OK


def cmd_check(args: argparse.Namespace, out: _Output) -> int:
    if args.remote:
        return cmd_check_remote(args, out)
    config = load_config(args.root)
    started = time.perf_counter()
    report = run_check(config, strict=args.strict, use_stamps=not args.full)
    for finding in report.findings:
        out.line(str(finding))
    for drift in report.drift:
        out.line(f"DRIFT {drift.kind}: {drift.path}: {drift.message}")
        if drift.diff:
            out.line(drift.diff.rstrip("\n"))
    elapsed = time.perf_counter() - started
    if report.ok:
        out.line(f"check: OK ({_summary(report.findings)}, no drift) in {elapsed:.1f}s")
    else:
        advice = []
        if report.errors:
            advice.append("fix the operation errors above (nothing was regenerated)")
        if any(d.kind == "generated" for d in report.drift):
            advice.append("run `shopify-codegen generate` and commit the result")
        if any(d.kind != "generated" for d in report.drift):
            advice.append("schema files: see each line's advice")
        out.line(
            f"check: FAILED ({_summary(report.findings)}, {len(report.drift)} drifted file(s)); "
            + "; ".join(advice)
        )
    out.json(
        {
            "ok": report.ok,
            "findings": [f.as_json() for f in report.findings],
            "drift": [d.as_json() for d in report.drift],
            "seconds": round(elapsed, 3),
        }
    )
    return EXIT_OK if report.ok else EXIT_FINDING


def _summary_arg(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--summary",
        metavar="FILE",
        help="also append the drift report as Markdown to FILE (in GitHub Actions: "
        "$GITHUB_STEP_SUMMARY, the job summary)",
    )


def _source_args(p: argparse.ArgumentParser) -> None:
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


def _download(args: argparse.Namespace, api: str, version: str, out: _Output) -> Downloaded:
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


def cmd_schema_download(args: argparse.Namespace, out: _Output) -> int:
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


def cmd_schema_diff(args: argparse.Namespace, out: _Output) -> int:
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
    _write_summary(args.summary, report.render_markdown())
    out.json({"ok": not failing, **report.as_json()})
    return EXIT_FINDING if failing else EXIT_OK


def _write_summary(path: str | None, markdown: str) -> None:
    """Append Markdown to ``path`` (GitHub's ``$GITHUB_STEP_SUMMARY`` is appended to)."""
    if not path:
        return
    try:
        with open(path, "a", encoding="utf-8") as summary:
            summary.write(markdown + "\n")
    except OSError as exc:
        raise CodegenError(f"--summary {path}: cannot write: {exc.strerror}") from None


def cmd_bump(args: argparse.Namespace, out: _Output) -> int:
    release_version(args.version)  # before any path or request is built from it
    config = load_config(args.root)
    api = config.api(args.api)
    if args.schema_file:
        if args.shop or args.proxy or args.endpoint:
            raise CodegenError("bump: give either --schema-file or a download source, not both")
        body, origin = _schema_file_body(Path(args.schema_file), "bump")
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
    shown = api.key if api.key == api.name else f"{api.key} ({api.name} API)"
    out.line(f"bumped {shown} {result.old_version} -> {result.new_version}:")
    for change in result.changes:
        out.line(f"  {change}")
    out.line("wrote:")
    for written in result.written:
        out.line(f"  {written}")
    out.line("next: `shopify-codegen check`, run your tests, then commit")
    out.json(
        {
            "ok": True,
            "changed": list(result.written),
            "versions": list(result.changes),
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


def cmd_init(args: argparse.Namespace, out: _Output) -> int:
    root = args.root or Path.cwd()
    result = init_project(
        root,
        api=args.api,
        version=args.version,
        package=args.package,
        key=args.key,
        queries=args.queries,
        schema_dir=args.schema_dir,
    )
    shown = [str(p.relative_to(root.resolve())) for p in result.written]
    out.line(f"init: wrote {', '.join(shown)}")
    out.line("next:")
    out.line(
        f"  shopify-codegen schema add --api {args.api} --version {args.version} --file PATH"
        "   (a schema you have; or `schema download`)"
    )
    out.line("  shopify-codegen generate")
    out.json({"ok": True, "config": shown[0], "key": result.key, "written": shown})
    return EXIT_OK


def cmd_schema_add(args: argparse.Namespace, out: _Output) -> int:
    release_version(args.version)  # before any path is built from it
    config = load_config(args.root)
    api_name = _api_name(config, args.api)
    path = Path(args.file)
    body, origin = _schema_file_body(path, "schema add")
    if args.origin:
        origin = args.origin
    stored = add_schema(config, api_name, args.version, body, origin=origin)
    files = [
        config.rel(stored.json_path),
        config.rel(stored.sdl_path),
        config.rel(config.manifest_path),
    ]
    out.line(f"added {api_name} {args.version} from {path} -> {', '.join(files)}")
    unlisted = [a.key for a in config.select([api_name]) if args.version not in a.validate_versions]
    if unlisted:
        out.line(
            f"note: {args.version} is not in validate_versions of {', '.join(unlisted)}; "
            "list it there to validate against it, or `shopify-codegen bump` to move to it"
        )
    out.json({"ok": True, "api": api_name, "version": args.version, "files": files})
    return EXIT_OK


def cmd_check_remote(args: argparse.Namespace, out: _Output) -> int:
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
                _write_summary(
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
            _write_summary(args.summary, f"### Schema drift: not checked\n\n{message}\n")
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
    _write_summary(args.summary, "\n".join(r.render_markdown() for r in reports))
    out.json({"ok": not failing, "reports": [r.as_json() for r in reports]})
    return EXIT_FINDING if failing else EXIT_OK


def _recover(root: Path | None, err: TextIO) -> None:
    """Undo what a killed bump/download/generate left half-done, before anything else."""
    try:
        project = find_root(root)
    except ConfigError:
        return
    if recover(project):
        print(
            "shopify-codegen: rolled back an update that was interrupted (killed?) "
            "before it completed; the project is as it was before it",
            file=err,
        )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="shopify-codegen",
        description="Validate Shopify GraphQL operations, generate typed clients, check drift.",
        epilog="Exit codes: 0 all good, 1 a finding (invalid operation, drift), 2 bad input.",
    )
    parser.add_argument(
        "--root",
        type=Path,
        default=None,
        help="project folder (default: the nearest with codegen.toml or a pyproject.toml "
        "holding [tool.shopify-codegen]; for init, the current folder)",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def common(p: argparse.ArgumentParser, *, api: bool = True) -> None:
        p.add_argument("--json", action="store_true", help="machine-readable output on stdout")
        p.add_argument(
            "--strict",
            action="store_true",
            help="deprecated selections are errors (check --remote: at-risk operations fail)",
        )
        if api:
            p.add_argument(
                "--api",
                action="append",
                metavar="API|KEY",
                help="limit to this API or [api.KEY] package (repeatable; default: all)",
            )

    p = sub.add_parser("init", help="start the config, a queries folder and .gitignore lines")
    p.add_argument("--json", action="store_true", help="machine-readable output on stdout")
    p.add_argument("--api", required=True, choices=API_NAMES)
    p.add_argument("--version", required=True, metavar="YYYY-MM", help="the version to pin")
    p.add_argument(
        "--package",
        required=True,
        metavar="DOTTED",
        help="the package to generate (myapp.shopify_admin)",
    )
    p.add_argument("--key", help="the [api.KEY] table's name (default: the API)")
    p.add_argument(
        "--queries", metavar="DIR", help="operations folder (default: shopify/queries/KEY)"
    )
    p.add_argument(
        "--schema-dir", default="shopify/schema", metavar="DIR", help="schemas folder (new configs)"
    )
    p.set_defaults(handler=cmd_init)

    p = sub.add_parser(
        "validate", help="validate operations against every committed schema version"
    )
    common(p)
    p.add_argument(
        "--schema", metavar="FILE", help="validate FILES against this schema file instead"
    )
    p.add_argument("files", nargs="*", metavar="FILES", help="operation files (with --schema)")
    p.set_defaults(handler=cmd_validate)

    p = sub.add_parser("generate", help="regenerate the client packages in generated/")
    common(p)
    p.set_defaults(handler=cmd_generate)

    p = sub.add_parser("check", help="validate + regenerate into a scratch folder + diff")
    common(p, api=False)
    p.add_argument(
        "--full",
        action="store_true",
        help="regenerate every package, even one whose recorded hashes say nothing changed",
    )
    p.add_argument(
        "--remote",
        action="store_true",
        help="instead: download each pinned version live and diff it against the committed one "
        "(source: --shop/--proxy/--endpoint; default $SHOPIFY_SHOP, else the public proxy)",
    )
    _summary_arg(p)
    _source_args(p)
    p.set_defaults(handler=cmd_check)

    schema = sub.add_parser("schema", help="download or compare schemas")
    schema_sub = schema.add_subparsers(dest="schema_command", required=True, metavar="SUBCOMMAND")
    p = schema_sub.add_parser("download", help="download a schema into schema/ (checked, atomic)")
    p.add_argument("--json", action="store_true", help="machine-readable output on stdout")
    p.add_argument("--api", required=True, metavar="API|KEY")
    p.add_argument("--version", required=True, metavar="YYYY-MM")
    _source_args(p)
    p.set_defaults(handler=cmd_schema_download)

    p = schema_sub.add_parser(
        "add", help="register a schema file you have (JSON or SDL): offline, checked, atomic"
    )
    p.add_argument("--json", action="store_true", help="machine-readable output on stdout")
    p.add_argument("--api", required=True, metavar="API|KEY")
    p.add_argument("--version", required=True, metavar="YYYY-MM")
    p.add_argument("--file", required=True, metavar="PATH", help="introspection JSON or SDL")
    p.add_argument("--origin", help="where the file came from, for the manifest")
    p.set_defaults(handler=cmd_schema_add)

    p = schema_sub.add_parser(
        "diff", help="changes between two schemas and the operations they affect"
    )
    p.add_argument("--json", action="store_true", help="machine-readable output on stdout")
    p.add_argument("old", metavar="OLD", help="schema file (JSON or SDL) or API@VERSION")
    p.add_argument("new", metavar="NEW", help="schema file (JSON or SDL) or API@VERSION")
    p.add_argument("--operations", nargs="+", metavar="PATH", help="operation files or folders")
    p.add_argument(
        "--all", action="store_true", help="list every change (default: 25 per severity)"
    )
    p.add_argument(
        "--strict", action="store_true", help="exit 1 for operations at risk too, not only breaks"
    )
    _summary_arg(p)
    p.set_defaults(handler=cmd_schema_diff)

    p = sub.add_parser(
        "bump", help="move a package to a new version: validate, diff, pin, regenerate"
    )
    p.add_argument("--json", action="store_true", help="machine-readable output on stdout")
    p.add_argument(
        "--api",
        required=True,
        metavar="API|KEY",
        help="an API with one package, or a package's KEY",
    )
    p.add_argument("--version", required=True, metavar="YYYY-MM")
    p.add_argument(
        "--schema-file", metavar="FILE", help="introspection JSON to use instead of downloading"
    )
    _source_args(p)
    p.set_defaults(handler=cmd_bump)
    return parser


def main(
    argv: Sequence[str] | None = None, out: TextIO | None = None, err: TextIO | None = None
) -> int:
    stdout = out or sys.stdout
    stderr = err or sys.stderr
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:
        return int(exc.code or 0)
    output = _Output(getattr(args, "json", False), stdout, stderr)
    handler: Callable[[argparse.Namespace, _Output], int] = args.handler
    try:
        _recover(args.root, stderr)
        return handler(args, output)
    except CodegenError as exc:
        if output.as_json:
            output.json({"ok": False, "error": {"type": type(exc).__name__, "message": str(exc)}})
        print(f"shopify-codegen: error: {exc}", file=stderr)
        return EXIT_BAD_INPUT
    except RecursionError:
        # A hostile input (introspection nested hundreds of levels deep) is bad input.
        message = "input nested too deeply to read; nothing written"
        if output.as_json:
            output.json({"ok": False, "error": {"type": "RecursionError", "message": message}})
        print(f"shopify-codegen: error: {message}", file=stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        print("shopify-codegen: interrupted; committed files are unchanged", file=stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
