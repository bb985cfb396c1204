"""Bad input to every tool command: exit 2, a message naming the file and the problem,
bounded time and memory, and no committed file changed."""

from __future__ import annotations

import resource
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT, copy_project
from tests.shopify_codegen.test_download import tree_digest

MEMORY_LIMIT = 2 * 1024**3  # bytes of address space for the child
TIME_LIMIT = 60  # seconds


def limited() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


def run(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "shopify_codegen.cli", "--root", str(project), *args],
        capture_output=True,
        text=True,
        timeout=TIME_LIMIT,
        preexec_fn=limited,
        check=False,
    )


OPERATION_FILES: list[tuple[str, bytes, str]] = [
    (
        "syntax.graphql",
        b"query q { customer(customerAccessToken: $t) { id }",
        "Syntax Error: Expected Name, found <EOF>.",
    ),
    ("utf16.graphql", "query q { shop { name } }".encode("utf-16"), "is not UTF-8 text"),
    ("latin1.graphql", "query caf\xe9 { shop { name } }".encode("latin-1"), "is not UTF-8 text"),
    ("empty.graphql", b"", "is empty"),
    ("binary.graphql", bytes(range(256)) * 4, "is not UTF-8 text"),
    (
        "huge.graphql",
        b"query q { shop { name } }\n" + b"# padding\n" * 200_000,
        "an operation file is at most",
    ),
    ("deep.graphql", b"query q " + b"{ a " * 100_000 + b"}" * 100_000, "nested too deeply"),
    ("anonymous.graphql", b"{ shop { name } }", "1:1: anonymous operation"),
    ("type_definitions.graphql", b"type Shop { name: String }", "only operations and fragments"),
    ("shadows_execute.graphql", b"query execute { shop { name } }", "shadows the client's own"),
    ("shadows_close.graphql", b"query Close { shop { name } }", "shadows the client's own"),
    ("shadows_get_data.graphql", b"query getData { shop { name } }", "shadows the client's own"),
    (
        "cycle.graphql",
        b"query c { shop { ...A } }\nfragment A on Shop { ...B }\nfragment B on Shop { ...A }",
        "Cannot spread fragment 'A' within itself via 'B'.",
    ),
    (
        "customer_again.graphql",
        b"query customer { shop { name } }",
        "operation name 'customer' is also used in",
    ),
]


@pytest.mark.parametrize(
    ("name", "content", "problem"), OPERATION_FILES, ids=[o[0] for o in OPERATION_FILES]
)
def test_bad_operation_files(tmp_path: Path, name: str, content: bytes, problem: str) -> None:
    project = copy_project(tmp_path / "project", apis=("storefront",))
    bad = project / "queries" / "storefront" / name
    bad.write_bytes(content)
    before = tree_digest(project)
    for command in (["validate"], ["generate"], ["check"]):
        result = run(project, *command)
        assert result.returncode == 2, (command, result.stdout[-500:], result.stderr[-500:])
        assert f"queries/storefront/{name}" in result.stderr and problem in result.stderr, (
            result.stderr
        )
    assert tree_digest(project) == before


def _deep_json(megabytes: int) -> bytes:
    half = megabytes * 1024 * 1024 // 2
    return b'{"__schema": ' + b"[" * half + b"]" * half + b"}"


SCHEMA_FILES: list[tuple[str, bytes, str]] = [
    ("empty.json", b"", "is empty"),
    (
        "truncated.json",
        (ROOT / "schema" / "storefront" / "2024-10.json").read_bytes()[:100_000],
        "truncated JSON (ends early)",
    ),
    (
        "sdl_error.graphql",
        b"type Query {\n  shop: Shop\n",
        "sdl_error.graphql:3:1: SDL syntax error",
    ),
    (
        "sdl_unknown.graphql",
        b"type Query { shop: Shop }\n",
        "SDL does not build a schema: Unknown type 'Shop'.",
    ),
    ("nested_50mb.json", _deep_json(50), "nested too deeply"),
    (
        "nested_50mb.graphql",
        b"type Query { a: " + b"[" * 25_000_000 + b"String" + b"]" * 25_000_000 + b" }",
        "nested too deeply",
    ),
    (
        "not_a_schema.json",
        b'{"data": {"shop": {"name": "x"}}}',
        "is JSON but not an introspection result",
    ),
]


@pytest.mark.parametrize(
    ("name", "content", "problem"), SCHEMA_FILES, ids=[s[0] for s in SCHEMA_FILES]
)
def test_bad_schema_files(tmp_path: Path, name: str, content: bytes, problem: str) -> None:
    project = copy_project(tmp_path / "project", apis=("storefront",))
    bad = tmp_path / name
    bad.write_bytes(content)
    before = tree_digest(project)
    query = str(project / "queries" / "storefront" / "customer.graphql")
    commands = [
        ["validate", "--schema", str(bad), query],
        ["schema", "diff", "storefront@2024-10", str(bad)],
        ["schema", "diff", str(bad), "storefront@2024-10"],
    ]
    if name.endswith(".json"):
        commands.append(
            ["bump", "--api", "storefront", "--version", "2025-01", "--schema-file", str(bad)]
        )
    for command in commands:
        result = run(project, *command)
        assert result.returncode == 2, (command, result.stderr[-500:])
        assert str(bad) in result.stderr and problem in result.stderr, (
            command,
            result.stderr[-500:],
        )
    assert tree_digest(project) == before


def test_committed_schema_damaged_is_bad_input_for_validate(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "project", apis=("storefront",))
    (project / "schema" / "storefront" / "2024-01.json").write_bytes(b'{"__schema": {"types": []}}')
    before = tree_digest(project)
    result = run(project, "validate")
    assert result.returncode == 2
    assert "schema/storefront/2024-01.json: invalid introspection result" in result.stderr
    assert tree_digest(project) == before
