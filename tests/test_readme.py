"""The README's Python examples run, as written, against FakeShopify on 127.0.0.1.

Requests to the documentation's shop (``your-development-store.myshopify.com``) are
routed to the local fake at the transport level, over real sockets; the examples
read their tokens from the environment variables they name (see tests/doc_blocks.py).
Its performance figures are rows of the committed bench run.
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Iterator
from typing import Any

import pytest

from shopify_client.testing import ADMIN_TOKEN, STOREFRONT_TOKEN, FakeShopify
from tests.conftest import ROOT
from tests.doc_blocks import blocks, routed_fake

README = ROOT / "README.md"
BLOCKS = [block.text for block in blocks(README, "python")]


@pytest.fixture
def readme_fake(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeShopify]:
    monkeypatch.chdir(ROOT)  # FakeShopify finds schema/ through codegen.toml
    with routed_fake(monkeypatch) as fake:
        yield fake


def test_readme_has_examples_for_both_apis_sync_and_async() -> None:
    text = "\n".join(BLOCKS)
    assert len(BLOCKS) >= 4
    for needle in (
        "from shopify_storefront import Client",
        "AsyncClient",
        "from shopify_admin import Client",
        "except AuthenticationError",
    ):
        assert needle in text, needle


@pytest.mark.parametrize("index", range(len(BLOCKS)))
def test_readme_example_runs(
    index: int, readme_fake: FakeShopify, capsys: pytest.CaptureFixture[str]
) -> None:
    namespace: dict[str, Any] = {"__name__": f"readme_example_{index}"}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        exec(compile(BLOCKS[index], f"README.md example {index + 1}", "exec"), namespace)
    out = capsys.readouterr().out
    assert out.strip(), "every example prints what it got"
    assert readme_fake.requests, "the example reached the fake shop"
    assert "Traceback" not in out
    for secret in (STOREFRONT_TOKEN, ADMIN_TOKEN, "7dx2gx2Z"):
        assert secret not in out


def _between(text: str, marker: str) -> str:
    return text.split(f"<!-- {marker} -->\n", 1)[1].split(f"\n<!-- /{marker} -->", 1)[0]


def _rows(table: str) -> list[dict[str, str]]:
    """A Markdown table's rows as {header: cell}, cells stripped."""
    lines = [line for line in table.strip().splitlines() if line.startswith("|")]
    cells = [[cell.strip() for cell in line.strip().strip("|").split("|")] for line in lines]
    header, body = cells[0], cells[2:]
    return [dict(zip(header, row, strict=True)) for row in body]


COMMITTED_TABLE = json.loads((ROOT / "bench" / "results" / "latest.json").read_text())["table"]


def test_bench_readme_shows_the_committed_bench_table() -> None:
    shown = _between((ROOT / "bench" / "README.md").read_text(), "bench-table")
    assert shown == COMMITTED_TABLE.rstrip("\n")


def test_readme_performance_rows_are_rows_of_the_committed_bench_run() -> None:
    """The README's short table: each row, cell for cell, a row of the committed run."""
    committed = {row["figure"]: row for row in _rows(COMMITTED_TABLE)}
    shown = _rows(_between(README.read_text(), "bench-summary"))
    assert len(shown) >= 5
    for row in shown:
        assert row["figure"] in committed, row["figure"]
        full = committed[row["figure"]]
        for header, cell in row.items():
            assert cell == full[header], (row["figure"], header)
