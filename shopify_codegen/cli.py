"""``shopify-codegen``: validate operations, generate clients, check for drift.

Exit codes: 0 all good; 1 a finding (invalid operation, drift); 2 bad usage or
unreadable input (a message names the file and the problem).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TextIO

from .check import run_check
from .config import load_config
from .errors import CodegenError
from .generate import generate_all
from .schema_files import load_schema
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
            [Path(f) for f in args.files], schema, args.schema, strict=args.strict
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
                }
                for p in packages
            ],
        }
    )
    return EXIT_OK


def cmd_check(args: argparse.Namespace, out: _Output) -> int:
    config = load_config(args.root)
    started = time.perf_counter()
    report = run_check(config, strict=args.strict)
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
        out.line(
            f"check: FAILED ({_summary(report.findings)}, {len(report.drift)} drifted file(s)); "
            "run `shopify-codegen generate` after changing operations or codegen.toml"
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
        help="project folder (default: nearest with codegen.toml)",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def common(p: argparse.ArgumentParser, *, api: bool = True) -> None:
        p.add_argument("--json", action="store_true", help="machine-readable output on stdout")
        p.add_argument("--strict", action="store_true", help="deprecated selections are errors")
        if api:
            p.add_argument(
                "--api",
                action="append",
                choices=["storefront", "admin"],
                help="limit to this API (repeatable; default: all)",
            )

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
    p.set_defaults(handler=cmd_check)
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
        return handler(args, output)
    except CodegenError as exc:
        if output.as_json:
            output.json({"ok": False, "error": {"type": type(exc).__name__, "message": str(exc)}})
        print(f"shopify-codegen: error: {exc}", file=stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        print("shopify-codegen: interrupted; committed files are unchanged", file=stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
