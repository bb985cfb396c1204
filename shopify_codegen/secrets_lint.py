"""Secrets written into operation text: a warning from ``validate``.

An operation file is committed, shown in logs and error reports, and sent verbatim in
every request: a password or token typed into it as a literal
(``customer(customerAccessToken: "...")``,
``customerAccessTokenCreate(input: {email: "...", password: "..."})``, or a variable's
default ``$token: String = "..."``) leaks there. Such a value belongs in a variable the
caller passes, which the runtime keeps out of logs and reprs.

A name is secret when it contains ``token``, ``password``, ``secret`` or ``passphrase``
(in any case): argument names, input-object field names and variable names. Only a
string literal (or a list of them) is reported; a variable, an enum value or an object
is not. The finding never repeats the literal it found.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

from graphql import (
    ArgumentNode,
    ListValueNode,
    Node,
    ObjectFieldNode,
    StringValueNode,
    ValueNode,
    VariableDefinitionNode,
)
from graphql.language import Visitor, visit

from .operations import OperationFile

if TYPE_CHECKING:
    from .validate import Finding

__all__ = ["SECRET_NAME", "is_secret_name", "secret_literal_findings", "secret_literals"]

#: What makes a name secret (matched anywhere in it, ignoring case).
SECRET_NAME = re.compile(r"token|password|secret|passphrase", re.IGNORECASE)


def is_secret_name(name: str) -> bool:
    return SECRET_NAME.search(name) is not None


def _holds_a_string(value: ValueNode | None) -> bool:
    if isinstance(value, StringValueNode):
        return value.value != ""
    if isinstance(value, ListValueNode):
        return any(_holds_a_string(item) for item in value.values)
    return False


class _SecretLiterals(Visitor):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[Node, str]] = []

    def enter_argument(self, node: ArgumentNode, *_: object) -> None:
        if is_secret_name(node.name.value) and _holds_a_string(node.value):
            self.found.append((node, f'Argument "{node.name.value}" is given'))

    def enter_object_field(self, node: ObjectFieldNode, *_: object) -> None:
        if is_secret_name(node.name.value) and _holds_a_string(node.value):
            self.found.append((node, f'Input field "{node.name.value}" is given'))

    def enter_variable_definition(self, node: VariableDefinitionNode, *_: object) -> None:
        name = node.variable.name.value
        if is_secret_name(name) and _holds_a_string(node.default_value):
            self.found.append((node, f'Variable "${name}" has as its default'))


def _located(node: Node, fallback: str) -> tuple[str, int, int]:
    loc = node.loc
    if loc is None:
        return fallback, 1, 1
    location = loc.source.get_location(loc.start)
    return loc.source.name or fallback, location.line, location.column


def secret_literals(op_file: OperationFile) -> Iterator[tuple[str, int, int, str]]:
    """(file, line, column, message) for each secret written inline in ``op_file``'s
    document: its own definitions and the shared fragments it spreads (a finding in a
    fragment of another file names that file)."""
    visitor = _SecretLiterals()
    visit(op_file.document, visitor)
    for node, what in visitor.found:
        file, line, column = _located(node, op_file.display)
        yield file, line, column, f"{what} {MESSAGE}"


MESSAGE = (
    "an inline string literal: a password or token written into an operation is "
    "committed, logged and sent with every request. Pass it as a variable instead."
)


def secret_literal_findings(
    op_file: OperationFile, schema_label: str, *, strict: bool = False
) -> list[Finding]:
    """Findings for ``op_file``: warnings, or errors under ``strict``."""
    from .validate import Finding  # validate.py imports this module

    return [
        Finding(
            "error" if strict else "warning",
            file,
            line,
            column,
            message + ("" if strict else " (--strict makes this an error)"),
            schema_label,
        )
        for file, line, column, message in secret_literals(op_file)
    ]
