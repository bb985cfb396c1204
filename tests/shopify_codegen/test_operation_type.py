"""Every generated method tells the runtime its operation's type (issue 21, item 19).

The runtime scanned each document for a mutation on every call (a regex that was
quadratic on hostile input); the generated methods know what their document is
and pass ``operation_type=`` to ``execute``. Checked here on every client the
project and the conformance corpus generate: each ``execute`` call carries the
type of the operation its own document defines. (The project here is the tool tests'
fixture project, generated once per session: see tests/conftest.py.)
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from graphql import OperationDefinitionNode, parse

from tests.conftest import ROOT, fixture_project

FOLDERS = {
    "fixture project": fixture_project() / "generated",
    "corpus": ROOT / "tests" / "conformance" / "expected",
}
CLIENTS = sorted(
    (name, path)
    for name, folder in FOLDERS.items()
    for pattern in ("*/client.py", "*/async_client.py")
    for path in folder.glob(pattern)
)


def _calls(path: Path) -> list[tuple[str, str, object]]:
    """(method, the operation type its document defines, the operation_type passed)."""
    out: list[tuple[str, str, object]] = []
    for node in ast.walk(ast.parse(path.read_text())):
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        documents: list[str] = [
            call.args[0].value
            for call in ast.walk(node)
            if isinstance(call, ast.Call)
            and isinstance(call.func, ast.Name)
            and call.func.id == "gql"
            and isinstance(call.args[0], ast.Constant)
            and isinstance(call.args[0].value, str)
        ]
        executes = [
            call
            for call in ast.walk(node)
            if isinstance(call, ast.Call)
            and isinstance(call.func, ast.Attribute)
            and call.func.attr == "execute"
        ]
        if not documents:
            continue
        (document,) = documents
        (execute,) = executes
        (operation,) = [
            d for d in parse(document).definitions if isinstance(d, OperationDefinitionNode)
        ]
        passed = [k.value for k in execute.keywords if k.arg == "operation_type"]
        given = passed[0].value if passed and isinstance(passed[0], ast.Constant) else None
        out.append((node.name, operation.operation.value, given))
    return out


@pytest.mark.parametrize(
    "path",
    [path for _, path in CLIENTS],
    ids=[f"{name}: {path.relative_to(FOLDERS[name])}" for name, path in CLIENTS],
)
def test_every_execute_call_passes_its_own_operation_type(path: Path) -> None:
    calls = _calls(path)
    assert calls
    wrong = [(name, kind, given) for name, kind, given in calls if given != kind]
    assert wrong == []


def test_the_corpus_holds_both_queries_and_mutations() -> None:
    kinds = {kind for _, path in CLIENTS for _, kind, _ in _calls(path)}
    assert {"query", "mutation"} <= kinds
