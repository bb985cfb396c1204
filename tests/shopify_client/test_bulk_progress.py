"""BulkProgress on a terminal and in a log file, and what a bulk run logs."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator

import pytest

from shopify_client import BulkProgress
from shopify_client.testing import FakeShopify

from .bulk_helpers import SPEC, client_for
from .test_bulk_run import FAST, start


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


class Broken(io.StringIO):
    def write(self, text: str) -> int:
        raise OSError("the pipe is gone")


@pytest.fixture
def fake() -> Iterator[FakeShopify]:
    with FakeShopify() as shop:
        shop.bulk.roots = 2000
        shop.bulk.children = 3
        yield shop


def test_a_terminal_gets_one_line_rewritten_in_place_then_a_newline(fake: FakeShopify) -> None:
    run = client_for(fake)._bulk_start(SPEC, {}, True, FAST)
    screen = Terminal()
    records = list(run.records(stream=True, progress=BulkProgress(run, file=screen, interval=0)))
    text = screen.getvalue()
    assert text.startswith("\r") and text.endswith("\n") and text.count("\n") == 1
    last = text.rstrip("\n").split("\r")[-1].rstrip()
    size = fake.bulk.operations[run.id].file_size
    assert size is not None
    assert last.startswith(f"ExportProducts {run.id}: ")
    assert f"of {size / 1e6:.1f} MB (100%)" in last and f"{len(records):,} records" in last
    assert "MB/s" in last
    shown = [part for part in text.split("\r") if part]
    assert len(shown) > 2  # updated as the download went, not only at the end
    assert "Signature" not in text and "http" not in text  # no signed URL


def test_a_log_file_gets_a_line_now_and_then_and_one_at_the_end(fake: FakeShopify) -> None:
    run = start(client_for(fake))
    log = io.StringIO()
    records = list(run.records(progress=BulkProgress(run, file=log, every=3600)))
    lines = log.getvalue().splitlines()
    assert len(lines) == 2  # the first update, and the end
    assert lines[-1].endswith(f"{len(records):,} records, " + lines[-1].split(", ")[-1])
    assert "(100%)" in lines[-1] and "\r" not in log.getvalue()


def test_the_end_is_written_when_the_caller_stops_early(fake: FakeShopify) -> None:
    run = client_for(fake)._bulk_start(SPEC, {}, True, FAST)
    screen = Terminal()
    progress = BulkProgress(run, file=screen, interval=3600)
    for number, _ in enumerate(run.records(stream=True, progress=progress), 1):
        if number == 10:
            break
    assert progress.finished and screen.getvalue().endswith("\n")
    assert "10 records" in screen.getvalue().split("\r")[-1]


def test_a_broken_stream_costs_the_progress_line_not_the_records(fake: FakeShopify) -> None:
    run = start(client_for(fake))
    progress = BulkProgress(run, file=Broken())
    assert len(list(run.records(progress=progress))) == 2000
    assert progress.finished


def test_without_a_run_the_count_given_is_shown() -> None:
    progress = BulkProgress(file=io.StringIO())
    assert progress.line(2_500_000, 1234, 1.0) == "2.5 MB, 1,234 records, 2.5 MB/s"


def test_a_run_logs_its_statuses_and_download_and_no_signed_url(
    fake: FakeShopify, caplog: pytest.LogCaptureFixture
) -> None:
    fake.bulk.running_polls = 2
    fake.bulk.inject("drop")
    caplog.set_level(logging.INFO, logger="shopify_client")
    run = start(client_for(fake))
    list(run)
    messages = [r.getMessage() for r in caplog.records if r.name == "shopify_client"]
    statuses = [m for m in messages if m.startswith(f"bulk operation {run.id}: ")]
    assert any(": RUNNING (" in m for m in statuses)
    assert statuses[-1].startswith(f"bulk operation {run.id}: COMPLETED (8000 objects, 2000")
    assert any("downloading from 127.0.0.1" in m for m in messages)
    cut = [r for r in caplog.records if "was cut at byte" in r.getMessage()]
    assert cut and cut[0].levelno == logging.WARNING
    assert any("bytes received from 127.0.0.1" in m for m in messages)
    everything = caplog.text
    assert "Signature" not in everything and "/results/" not in everything
