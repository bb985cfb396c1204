"""Hostile poll answers: counts, sizes, urls, statuses, codes and ids that cannot be.

Each gives a typed error at once (or a documented, safe behaviour): never a wait on a
status that cannot end, a download from another operation or another scheme, an
untyped crash, or a short result. ``timeout=`` bounds every run here, so a missing
check fails the test (BulkWaitTimeoutError) instead of hanging it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from shopify_client import (
    BulkCallOptions,
    BulkDownloadError,
    BulkIncompleteResultError,
    BulkInvalidStateError,
    BulkOperationFailedError,
    BulkOperationState,
    BulkRun,
)
from shopify_client._bulk_run import BulkOptions
from shopify_client.testing import FakeShopify
from shopify_client.testing._bulk import _Operation

from .bulk_helpers import SPEC, Product, client_for

FAST: BulkCallOptions = {"poll_interval": 0.001, "max_poll_interval": 0.002}
OP = "gid://shopify/BulkOperation/7"


@pytest.fixture
def fake() -> Iterator[FakeShopify]:
    with FakeShopify() as shop:
        shop.bulk.roots = 4
        shop.bulk.children = 2
        yield shop


def start(fake: FakeShopify, **options: Any) -> BulkRun[Product]:
    settings: BulkCallOptions = {**FAST, **options}  # type: ignore[typeddict-item]
    return client_for(fake)._bulk_start(SPEC, {"query": ""}, False, settings)


def tamper(monkeypatch: pytest.MonkeyPatch, change: Callable[[dict[str, Any]], None]) -> None:
    """Every poll answer of the fake, changed by ``change`` once it is COMPLETED."""
    original = _Operation.node

    def node(self: _Operation) -> dict[str, Any]:
        answer = original(self)
        if answer["status"] == "COMPLETED":
            change(answer)
        return answer

    monkeypatch.setattr(_Operation, "node", node)


def good(**changes: object) -> dict[str, object]:
    node: dict[str, object] = {
        "__typename": "BulkOperation",
        "id": OP,
        "type": "QUERY",
        "status": "COMPLETED",
        "errorCode": None,
        "objectCount": "12",
        "rootObjectCount": "4",
        "fileSize": "900",
        "url": "https://storage.googleapis.com/bulk/x.jsonl?X-Goog-Signature=abc",
        "partialDataUrl": None,
    }
    node.update(changes)
    return node


@pytest.mark.parametrize(
    ("changes", "complaint"),
    [
        ({"objectCount": "9" * 5000}, "objectCount '9999"),  # int() refuses 4,300+ digits
        ({"objectCount": str(2**64)}, "not an unsigned 64-bit count"),
        ({"objectCount": -5}, "objectCount -5"),
        ({"objectCount": "-5"}, "objectCount '-5'"),
        ({"objectCount": "12.5"}, "objectCount '12.5'"),
        ({"objectCount": 12.0}, "objectCount 12.0"),
        ({"objectCount": "\u0661\u0662"}, "objectCount"),  # Arabic-Indic digits: isdigit()
        ({"objectCount": True}, "objectCount True"),
        ({"objectCount": None}, "objectCount None"),
        ({"rootObjectCount": [4]}, "rootObjectCount"),
        ({"fileSize": "lots"}, "fileSize 'lots'"),
        ({"fileSize": -1}, "fileSize -1"),
        ({"status": "PAUSED"}, "status 'PAUSED', not one of Shopify's"),
        ({"status": None}, "status None"),
        ({"status": "completed"}, "status 'completed'"),
        ({"type": None}, "type None, not QUERY or MUTATION"),
        ({"type": "query"}, "type 'query'"),
        ({"type": ["QUERY"]}, r"type \['QUERY'\]"),  # unhashable: no TypeError
        ({"status": {"COMPLETED": 1}}, "status {'COMPLETED': 1}"),
        ({"errorCode": "TIMEOUT\u202e\n" + "A" * 500}, "errorCode"),
        ({"errorCode": 3}, "errorCode 3"),
        ({"id": "gid://shopify/BulkOperation/8"}, "another operation's state"),
        ({"id": None}, "another operation's state"),
        ({"url": "file:///etc/passwd"}, r"'file://\?'\): https only"),
        ({"url": "http://metadata.internal/latest"}, r"'http://metadata.internal'\): https only"),
        ({"url": "ftp://storage.example/x"}, "https only"),
        ({"url": "https://user:secret@storage.example/x"}, "https only"),
        ({"url": "https:///no-host"}, "https only"),
        ({"url": 42}, "not a URL"),
        ({"url": "https://x.example/" + "a" * 20_000}, "not a URL"),
        ({"partialDataUrl": "javascript:alert(1)"}, "partialDataUrl"),
    ],
)
def test_a_figure_that_cannot_be_is_a_typed_error(
    changes: dict[str, object], complaint: str
) -> None:
    with pytest.raises(BulkInvalidStateError, match=complaint) as caught:
        BulkOperationState.from_node(OP, good(**changes))
    message = str(caught.value)
    assert "secret" not in message and "X-Goog-Signature" not in message
    assert len(message) < 300 and message.isprintable()
    assert caught.value.operation_id == OP


def test_figures_as_shopify_writes_them_are_read() -> None:
    state = BulkOperationState.from_node(OP, good(objectCount=str(2**64 - 1), fileSize=None))
    assert state.object_count == 2**64 - 1 and state.root_object_count == 4
    assert state.file_size is None and state.url is not None
    # ints are taken too, and http to this machine's loopback (the test storage host)
    state = BulkOperationState.from_node(
        OP, good(objectCount=12, rootObjectCount=0, url="http://127.0.0.1:9/x")
    )
    assert (state.object_count, state.root_object_count) == (12, 0)


def test_an_error_code_newer_than_this_client_is_kept_as_failed() -> None:
    state = BulkOperationState.from_node(OP, good(status="FAILED", errorCode="QUOTA_EXCEEDED"))
    error = state.error()
    assert isinstance(error, BulkOperationFailedError) and error.code == "QUOTA_EXCEEDED"


class _Polls:
    """A client whose every poll answers ``node`` (FakeShopify's schema would refuse an
    unknown status before it left the fake)."""

    def __init__(self, node: dict[str, object]) -> None:
        self.node = node
        self.polls = 0

    def execute(self, *args: object, **kwargs: object) -> object:
        self.polls += 1
        return None

    def get_data(self, response: object) -> dict[str, object]:
        return {"node": self.node}


@pytest.mark.parametrize("status", ["PAUSED", None, "RUNNING\n"])
def test_an_unknown_status_stops_the_run_at_its_first_poll(status: object) -> None:
    client = _Polls(good(status=status))
    run = BulkRun(client, SPEC, OP, BulkOptions(poll_interval=0.001))
    with pytest.raises(BulkInvalidStateError, match="not one of Shopify's"):
        list(run.records(timeout=2))
    assert client.polls == 1


def test_another_operations_answer_is_not_downloaded(
    fake: FakeShopify, monkeypatch: pytest.MonkeyPatch
) -> None:
    other = start(fake)
    other.wait(timeout=5)
    assert other.state is not None
    theirs = (other.id, other.state.url)

    def swap(node: dict[str, Any]) -> None:
        if node["id"] != theirs[0]:
            node["id"], node["url"] = theirs

    tamper(monkeypatch, swap)
    mine = start(fake)
    requests = len(fake.bulk.storage.requests)
    with pytest.raises(BulkInvalidStateError, match="another operation's state"):
        list(mine.records(timeout=5))
    assert len(fake.bulk.storage.requests) == requests


def test_a_url_of_another_scheme_is_refused_before_any_request(
    fake: FakeShopify, monkeypatch: pytest.MonkeyPatch
) -> None:
    tamper(monkeypatch, lambda node: node.update(url="file:///etc/passwd"))
    with pytest.raises(BulkInvalidStateError, match="https only"):
        list(start(fake).records(timeout=5))
    assert fake.bulk.storage.requests == []


def test_a_file_size_past_the_cap_is_refused_before_the_download(
    fake: FakeShopify, monkeypatch: pytest.MonkeyPatch
) -> None:
    tamper(monkeypatch, lambda node: node.update(fileSize=str(2**63)))
    with pytest.raises(BulkDownloadError, match="past max_bulk_bytes"):
        list(start(fake, max_bulk_bytes=10_000).records(timeout=5))
    assert fake.bulk.storage.requests == []


def test_a_huge_count_over_a_small_file_is_a_short_result_error(
    fake: FakeShopify, monkeypatch: pytest.MonkeyPatch
) -> None:
    tamper(
        monkeypatch,
        lambda node: node.update(objectCount=str(2**64 - 1), rootObjectCount=str(2**63)),
    )
    with pytest.raises(BulkIncompleteResultError, match="Shopify counted"):
        list(start(fake).records(timeout=5))


@pytest.mark.parametrize(
    "user_errors",
    [
        [{"message": "bad\r\nINFO forged log line\x1b[31m", "field": None}],
        [{"message": "x" * 1_000, "field": None}] * 2_000,
    ],
)
def test_a_hostile_start_answer_is_a_start_error_of_bounded_printable_text(
    user_errors: object,
) -> None:
    """The start answer's user errors reach the error as at most 10 escaped messages
    of 300 characters (the shapes the schema would refuse: test_bulk_mutation_attack)."""
    from shopify_client import BulkStartError

    from .test_bulk_run import FAST

    with FakeShopify() as fake:
        fake.answer(
            "BulkOperationRunQuery",
            {"bulkOperationRunQuery": {"bulkOperation": None, "userErrors": user_errors}},
        )
        with pytest.raises(BulkStartError) as caught:
            client_for(fake)._bulk_start(SPEC, {}, False, FAST)
    message = str(caught.value)
    assert "\r" not in message and "\n" not in message and "\x1b" not in message
    assert len(message) < 5_000
