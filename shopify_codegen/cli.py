"""``shopify-codegen``: validate operations, generate clients, check for drift.

Exit codes: 0 all good; 1 a finding (invalid operation, drift); 2 bad usage or
unreadable input (a message names the file and the problem).
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TextIO

from shopify_client.toolkit import API_NAMES

from .check import run_check
from .cli_output import (
    EXIT_BAD_INPUT,
    EXIT_FINDING,
    EXIT_OK,
    Output,
    error_json,
    findings_exit,
    summary,
)
from .cli_schema import (
    cmd_bump,
    cmd_check_remote,
    cmd_schema_add,
    cmd_schema_diff,
    cmd_schema_download,
    source_args,
    summary_arg,
)
from .config import find_root, load_config
from .errors import CodegenError, ConfigError
from .generate import generate_all
from .init import init_project
from .operations import expand_paths
from .schema_files import load_schema
from .transaction import recover
from .validate import validate_files, validate_project

__all__ = ["main"]


def cmd_validate(args: argparse.Namespace, out: Output) -> int:
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
    out.line(f"validate: {summary(findings)}")
    code = findings_exit(findings)
    out.json({"ok": code == EXIT_OK, "findings": [f.as_json() for f in findings]})
    return code


def cmd_generate(args: argparse.Namespace, out: Output) -> int:
    config = load_config(args.root)
    findings = validate_project(config, apis=args.api, strict=args.strict)
    errors = [f for f in findings if f.severity == "error"]
    for finding in findings:
        out.line(str(finding))
    if errors:
        out.line(f"generate: nothing written, {summary(findings)}")
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


def cmd_check(args: argparse.Namespace, out: Output) -> int:
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
        out.line(f"check: OK ({summary(report.findings)}, no drift) in {elapsed:.1f}s")
    else:
        advice = []
        if report.errors:
            advice.append("fix the operation errors above (nothing was regenerated)")
        if any(d.kind == "generated" for d in report.drift):
            advice.append("run `shopify-codegen generate` and commit the result")
        if any(d.kind != "generated" for d in report.drift):
            advice.append("schema files: see each line's advice")
        out.line(
            f"check: FAILED ({summary(report.findings)}, {len(report.drift)} drifted file(s)); "
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


def cmd_init(args: argparse.Namespace, out: Output) -> int:
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

    p = sub.add_parser(
        "generate",
        help="regenerate each configured package (its `package`, under `generated_dir`)",
    )
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
    summary_arg(p)
    source_args(p)
    p.set_defaults(handler=cmd_check)

    schema = sub.add_parser(
        "schema", help="download a schema, add a file you have, or compare two schemas"
    )
    schema_sub = schema.add_subparsers(dest="schema_command", required=True, metavar="SUBCOMMAND")
    p = schema_sub.add_parser("download", help="download a schema into schema/ (checked, atomic)")
    p.add_argument("--json", action="store_true", help="machine-readable output on stdout")
    p.add_argument("--api", required=True, metavar="API|KEY")
    p.add_argument("--version", required=True, metavar="YYYY-MM")
    source_args(p)
    p.set_defaults(handler=cmd_schema_download)

    p = schema_sub.add_parser(
        "add", help="register a schema file you have (JSON or SDL): offline, checked, atomic"
    )
    p.add_argument("--json", action="store_true", help="machine-readable output on stdout")
    p.add_argument("--api", required=True, metavar="API|KEY")
    p.add_argument("--version", required=True, metavar="YYYY-MM")
    p.add_argument("--file", required=True, metavar="PATH", help="introspection JSON or SDL")
    p.add_argument("--origin", help="where the file came from, for the manifest")
    p.add_argument(
        "--force",
        action="store_true",
        help="replace a version already committed; take a schema that looks like another API's",
    )
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
    summary_arg(p)
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
    source_args(p)
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
    output = Output(getattr(args, "json", False), stdout, stderr)
    handler: Callable[[argparse.Namespace, Output], int] = args.handler
    try:
        _recover(args.root, stderr)
        return handler(args, output)
    except CodegenError as exc:
        if output.as_json:
            output.json({"ok": False, "error": error_json(exc)})
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
