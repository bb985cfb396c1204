"""What every ``shopify-codegen`` command prints: text, or JSON with ``--json``; exit codes."""

from __future__ import annotations

import json
import re
from typing import Any, TextIO

from .errors import CodegenError, FileInputError
from .validate import Finding

__all__ = [
    "EXIT_BAD_INPUT",
    "EXIT_FINDING",
    "EXIT_OK",
    "Output",
    "error_json",
    "findings_exit",
    "summary",
]

EXIT_OK, EXIT_FINDING, EXIT_BAD_INPUT = 0, 1, 2


class Output:
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


#: "4:23: ..." at the start of a file's problem; "path:4:23: ..." at the start of a message
_POSITION = re.compile(r"^(?P<line>\d+):(?P<column>\d+): ")
_AT = re.compile(r"^(?P<file>[^\s:][^:]*):(?P<line>\d+):(?P<column>\d+): ")


def error_json(exc: BaseException) -> dict[str, Any]:
    """The ``error`` object of ``--json`` output: ``type`` and ``message`` always, and
    ``file``, ``line``, ``column`` (1-based) where the error knows them."""
    payload: dict[str, Any] = {"type": type(exc).__name__, "message": str(exc)}
    if isinstance(exc, FileInputError):
        payload["file"] = str(exc.path)
        found = _POSITION.match(exc.problem)
    else:
        found = _AT.match(str(exc))
        if found is not None:
            payload["file"] = found["file"]
    if found is not None:
        payload["line"] = int(found["line"])
        payload["column"] = int(found["column"])
    return payload


def findings_exit(findings: list[Finding]) -> int:
    return EXIT_FINDING if any(f.severity == "error" for f in findings) else EXIT_OK


def summary(findings: list[Finding]) -> str:
    errors = sum(f.severity == "error" for f in findings)
    warnings = len(findings) - errors
    return f"{errors} error(s), {warnings} warning(s)"


def write_summary(path: str | None, markdown: str) -> None:
    """Append Markdown to ``path`` (GitHub's ``$GITHUB_STEP_SUMMARY`` is appended to)."""
    if not path:
        return
    try:
        with open(path, "a", encoding="utf-8") as summary:
            summary.write(markdown + "\n")
    except OSError as exc:
        raise CodegenError(f"--summary {path}: cannot write: {exc.strerror}") from None
