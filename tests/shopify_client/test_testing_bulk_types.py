"""``fake.bulk`` and ``fake.bulk.mutations`` are typed for an app's own tests: fault
names and the ``user_errors`` hook are checked by mypy --strict, not ``Any``."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from shopify_client.testing import (
    BulkFault,
    FakeBulk,
    FakeBulkMutations,
    FakeShopify,
    FakeUserError,
    MutationFault,
    UserErrorsHook,
)

APP_TEST = """\
from shopify_client.testing import BulkFault, FakeShopify, MutationFault


def plan(fake: FakeShopify, query_fault: BulkFault, mutation_fault: MutationFault) -> None:
    fake.bulk.inject("short", query_fault)
    fake.bulk.mutations.inject("missing_line", "duplicate_line", mutation_fault)
    fake.bulk.mutations.user_errors = lambda line, variables: (
        [{"field": ["input", "title"], "message": "Title taken", "code": "TAKEN"}]
        if line % 2
        else []
    )


def broken(fake: FakeShopify) -> None:
    fake.bulk.mutations.inject("missing_lines")  # line 15
    fake.bulk.inject("missing_line")  # line 16: a mutation fault
    fake.bulk.mutations.user_errors = lambda line, variables: [{"msg": "x"}]  # line 17
    fake.bulk.mutations.user_errors = "no"  # line 18
"""


def test_an_apps_test_is_type_checked_against_the_fakes_bulk_api(tmp_path: Path) -> None:
    from mypy import api

    (tmp_path / "test_app.py").write_text(APP_TEST)
    out, err, status = api.run(
        ["--strict", "--cache-dir", str(tmp_path / "cache"), str(tmp_path / "test_app.py")]
    )
    assert status == 1, (out, err)
    lines = sorted({int(n) for n in re.findall(r"test_app\.py:(\d+): error", out)})
    assert lines == [15, 16, 17, 18], out


def test_the_classes_are_exported_and_are_what_the_fake_hands_out() -> None:
    with FakeShopify() as fake:
        assert isinstance(fake.bulk, FakeBulk)
        mutations = fake.bulk.mutations
        assert isinstance(mutations, FakeBulkMutations)
        assert mutations.user_errors is None  # an attribute, set by the test

        def hook(line: int, variables: dict[str, object]) -> list[FakeUserError]:
            return [{"field": ["x"], "message": f"line {line}"}]

        typed: UserErrorsHook = hook
        mutations.user_errors = typed
        assert mutations.user_errors is hook
    assert set(BulkFault.__args__) >= {"short", "drop", "stall"}  # type: ignore[attr-defined]
    assert set(MutationFault.__args__) == {  # type: ignore[attr-defined]
        "upload_refused",
        "missing_line",
        "duplicate_line",
    }


@pytest.mark.parametrize("name", ["FakeBulk", "FakeBulkMutations", "BulkFault", "MutationFault"])
def test_listed_in_all(name: str) -> None:
    import shopify_client.testing

    assert name in shopify_client.testing.__all__
