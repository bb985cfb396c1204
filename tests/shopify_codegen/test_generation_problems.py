"""What ``validate`` refuses so that ariadne-codegen's generators never see it.

The class-name check (and ``generate``) run ariadne-codegen's result-type generator:
a subscription made it raise a bare ``NotSupported`` (a traceback out of
``validate``), and fragments spreading fragments made it take exponential time (a
1 KB file of 20 fragments: 55 s; 25: minutes). Both are now errors at the definition.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from graphql import FragmentDefinitionNode, parse

from shopify_codegen.names import (
    MAX_EXPANDED_SELECTIONS,
    expanded_selections,
    generation_problems,
)
from shopify_codegen.schema_files import load_schema
from tests.conftest import ROOT, run_cli

ADMIN = ROOT / "schema" / "admin" / "2026-04.json"


def fan_out(n: int) -> str:
    """An operation and ``n`` fragments, each spreading the next one twice (through
    two inline fragments ariadne-codegen resolves): 2**n selections once inlined."""
    parts = ['query Fan {\n  product(id: "gid://shopify/Product/1") { ...F0 }\n}']
    for i in range(n):
        spread = f"...F{i + 1}" if i + 1 < n else "id"
        parts.append(
            f"fragment F{i} on Product {{ id ... on Product {{ {spread} }} "
            f"... on Product {{ {spread} }} }}"
        )
    return "\n".join(parts) + "\n"


def _validate(path: Path, text: str) -> tuple[int, str]:
    path.write_text(text)
    code, out, err = run_cli("validate", "--schema", str(ADMIN), str(path))
    return code, out + err


def test_a_subscription_is_an_error_at_the_operation_not_a_traceback(tmp_path: Path) -> None:
    code, out = _validate(tmp_path / "sub.graphql", "subscription S { x }\n")
    assert code == 1, out
    assert (
        "sub.graphql:1:1: error [" in out
        and "subscriptions are not supported (Shopify's GraphQL APIs have no subscriptions)" in out
    )
    assert "Traceback" not in out and "NotSupported" not in out


def test_a_subscription_in_a_project_is_an_error(tmp_path: Path) -> None:
    from tests.conftest import copy_project

    root = copy_project(tmp_path / "p", apis=("storefront",))
    (root / "queries" / "storefront" / "sub.graphql").write_text("subscription S { x }\n")
    for command in ("validate", "generate"):
        code, out, err = run_cli("--root", str(root), command)
        assert code == 1, out + err
        assert "queries/storefront/sub.graphql:1:1: error [storefront 2024-10] subscriptions" in out


def test_an_operation_type_the_schema_lacks_is_an_error() -> None:
    from graphql import build_schema

    schema = build_schema("type Query { a: Int }")
    document = parse("mutation M { a }")
    (problem,) = generation_problems(document.definitions, {}, schema)
    assert problem.message == "this schema has no mutation type, so a mutation cannot be sent to it"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("query A { shop { name } }\nquery B { shop { id } }\n", None),
        (
            "query Dup { shop { ...Dup } }\nfragment Dup on Shop { name }\n",
            "would generate the class Dup",
        ),
        ("query { shop { name } }\n", "anonymous operation"),
        ("query A { shop { name } }\nquery A { shop { id } }\n", "operation name 'A' is also used"),
        ("fragment F on Shop { ...F }\nquery Q { shop { ...F } }\n", "Cannot spread fragment"),
    ],
)
def test_unusual_documents_give_findings_not_tracebacks(
    tmp_path: Path, text: str, expected: str | None
) -> None:
    code, out = _validate(tmp_path / "odd.graphql", text)
    assert "Traceback" not in out
    if expected is None:
        assert code == 0, out
    else:
        assert code != 0 and expected in out, out


class _CountingFragments(dict[str, FragmentDefinitionNode]):
    """The fragments by name, counting how often one is read."""

    reads = 0

    def get(self, key: str, default: object = None) -> FragmentDefinitionNode | None:  # type: ignore[override]
        self.reads += 1
        return super().get(key)


def test_fragment_fan_out_is_counted_once_per_fragment() -> None:
    document = parse(fan_out(30))
    fragments = _CountingFragments(
        (d.name.value, d) for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    )
    (operation, *_) = document.definitions
    assert expanded_selections(fragments["F29"].selection_set, fragments) == 3
    # each fragment: its id, then twice the next one's count (F29: 3), so F0: 2**31 - 1,
    # computed with each fragment it spreads read once
    fragments.reads = 0
    assert expanded_selections(fragments["F0"].selection_set, fragments, limit=10**12) == 2**31 - 1
    assert fragments.reads == 29  # F1 to F29 (F0 is given)
    # with the bound: the count stops past it
    fragments.reads = 0
    count = expanded_selections(operation.selection_set, fragments)  # type: ignore[attr-defined]
    assert count == MAX_EXPANDED_SELECTIONS + 1 and fragments.reads <= 30


def test_a_small_fan_out_passes(tmp_path: Path) -> None:
    code, out = _validate(tmp_path / "fan.graphql", fan_out(4))
    assert code == 0, out


def test_a_fan_out_past_the_bound_is_refused_at_the_definition(tmp_path: Path) -> None:
    code, out = _validate(tmp_path / "fan.graphql", fan_out(30))
    assert code == 1, out
    assert (
        "fan.graphql:1:1: error [" in out
        and f"operation 'Fan' holds more than {MAX_EXPANDED_SELECTIONS:,} selections once "
        "the fragments it spreads are inlined"
        in out
    )
    # the last fragments are small: only those past the bound are named
    assert "fragment 'F0' holds more than" in out and "fragment 'F29' holds" not in out


def test_the_class_name_check_leaves_refused_definitions_out() -> None:
    """Given one anyway, it does not run ariadne-codegen's generator on it."""
    from shopify_codegen.names import class_name_clashes

    document = parse(fan_out(30) + "subscription S { x }\n")
    operations = [d for d in document.definitions if not isinstance(d, FragmentDefinitionNode)]
    fragments = [d for d in document.definitions if isinstance(d, FragmentDefinitionNode)]
    schema = load_schema(ADMIN)
    assert class_name_clashes(operations, fragments, schema) == []  # type: ignore[arg-type]
