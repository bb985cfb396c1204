"""Hostile answers to a bulk mutation: stagedUploadsCreate, the storage host, the
run mutation, the result file and the caller's iterable (an attacker's view)."""

from __future__ import annotations

import asyncio
import traceback
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from shopify_client import BulkMutationInputError, BulkStartError, BulkUploadError
from shopify_client._staged_upload import StagedTarget, read_target, upload_async, upload_sync

SIGNATURE = "c2lnbmF0dXJlLXNlY3JldC0xMjM0NQ"
GOOD_PARAMETERS = [
    {"name": "Content-Type", "value": "text/jsonl"},
    {"name": "key", "value": "tmp/1/bulk/part.jsonl"},
    {"name": "x-goog-signature", "value": SIGNATURE},
]


def answer(url: object = "https://storage.example/upload", parameters: object = None) -> Any:
    return {
        "stagedUploadsCreate": {
            "stagedTargets": [
                {
                    "url": url,
                    "resourceUrl": None,
                    "parameters": GOOD_PARAMETERS if parameters is None else parameters,
                }
            ],
            "userErrors": [],
        }
    }


# -- stagedUploadsCreate's target ----------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "http://storage.example/upload",  # the signed form in clear text
        "https://user:pass@storage.example/upload",
        "ftp://storage.example/upload",
        "not a url",
        "https:///nohost",
        "https://169.254.169.254/latest/meta-data/",
        "https://[fe80::1]/x",
        "https://metadata.google.internal/computeMetadata/v1/",
        "https://storage.example/" + "a" * 10_000,
        "",
    ],
)
def test_a_target_url_that_is_not_plain_https_is_refused(url: str) -> None:
    with pytest.raises(BulkUploadError, match="part 2") as caught:
        read_target(answer(url), 2, ())
    assert caught.value.part == 2
    assert SIGNATURE not in str(caught.value)


def test_http_to_loopback_is_allowed_for_local_fakes() -> None:
    assert read_target(answer("http://127.0.0.1:9/u"), 0, ()).url == "http://127.0.0.1:9/u"


@pytest.mark.parametrize(
    "parameters",
    [
        [*GOOD_PARAMETERS, {"name": "file", "value": "x"}],  # a second file field
        [*GOOD_PARAMETERS, {"name": "key", "value": "other"}],  # two keys: which one?
        [*GOOD_PARAMETERS, {"name": "a\r\nb", "value": "x"}],
        [*GOOD_PARAMETERS, {"name": "a\x00b", "value": "x"}],
        [*GOOD_PARAMETERS, {"name": "ok", "value": "x\r\n--boundary"}],
        [*GOOD_PARAMETERS, {"name": None, "value": "x"}],
        [*GOOD_PARAMETERS, {"name": "n", "value": None}],
        [*GOOD_PARAMETERS, {"name": "n", "value": 5}],
        [*GOOD_PARAMETERS, "not an object"],
        [*GOOD_PARAMETERS] + [{"name": f"p{i}", "value": "v"} for i in range(5000)],
        "parameters",
        7,
    ],
)
def test_hostile_parameters_are_a_typed_error(parameters: object) -> None:
    with pytest.raises(BulkUploadError, match="part 1") as caught:
        read_target(answer(parameters=parameters), 1, ())
    assert SIGNATURE not in str(caught.value)


@pytest.mark.parametrize(
    "payload",
    [
        {"stagedTargets": 7, "userErrors": []},
        {"stagedTargets": [], "userErrors": 7},
        {"stagedTargets": [], "userErrors": "boom"},
        {"stagedTargets": [{"url": 5, "parameters": []}], "userErrors": []},
        [],
        None,
    ],
)
def test_hostile_shapes_are_typed_errors(payload: object) -> None:
    with pytest.raises((BulkUploadError, BulkStartError)):
        read_target({"stagedUploadsCreate": payload}, 0, ())


# -- the storage host's answer -------------------------------------------------------

TARGET = StagedTarget(
    url="https://storage.example/upload",
    parameters=(("key", "tmp/1/part.jsonl"), ("x-goog-signature", SIGNATURE)),
)


def file_part(tmp_path: Path) -> Path:
    path = tmp_path / "part.jsonl"
    path.write_text('{"a":1}\n')
    return path


def upload(tmp_path: Path, handler: Any, **kw: Any) -> None:
    upload_sync(
        TARGET,
        file_part(tmp_path),
        "part.jsonl",
        part=0,
        started=(),
        timeout=kw.get("timeout", 5),
        deadline_seconds=kw.get("deadline", 5),
        transport=httpx.MockTransport(handler),
    )


def test_a_refusal_that_echoes_the_signed_form_does_not_leak_it(tmp_path: Path) -> None:
    body = f"<Error><Code>SignatureDoesNotMatch</Code><StringToSign>{SIGNATURE}</StringToSign>"
    with pytest.raises(BulkUploadError) as caught:
        upload(tmp_path, lambda r: httpx.Response(403, text=body))
    assert caught.value.status_code == 403
    assert SIGNATURE not in str(caught.value)
    assert "SignatureDoesNotMatch" in str(caught.value)


def test_a_redirect_is_not_followed(tmp_path: Path) -> None:
    seen: list[str] = []

    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(str(request.url))
        return httpx.Response(307, headers={"Location": "https://evil.example/"})

    with pytest.raises(BulkUploadError) as caught:
        upload(tmp_path, handle)
    assert caught.value.status_code == 307
    assert seen == ["https://storage.example/upload"]


class Endless(httpx.SyncByteStream):
    """A body that never ends (counted, so the test can see how much was read)."""

    def __init__(self) -> None:
        self.read = 0

    def __iter__(self) -> Iterator[bytes]:
        while True:
            self.read += 1 << 16
            yield b"x" * (1 << 16)


def test_a_huge_answer_body_is_not_read_whole(tmp_path: Path) -> None:
    for status in (201, 403):
        stream = Endless()
        try:
            upload(tmp_path, lambda r, s=stream, c=status: httpx.Response(c, stream=s))
        except BulkUploadError as exc:
            assert exc.status_code == 403
        assert stream.read <= 1 << 20


class Drip(httpx.SyncByteStream):
    """One byte per read, forever, each read well inside the read timeout."""

    def __init__(self) -> None:
        self.reads = 0

    def __iter__(self) -> Iterator[bytes]:
        import time

        while True:
            self.reads += 1
            time.sleep(0.01)
            yield b"x"


def test_a_drip_fed_answer_is_bounded_by_the_deadline(tmp_path: Path) -> None:
    stream = Drip()
    with pytest.raises(BulkUploadError, match="upload_deadline"):
        upload(tmp_path, lambda r: httpx.Response(403, stream=stream), deadline=0.3)
    assert stream.reads < 10_000


def test_async_huge_answer_body_is_not_read_whole(tmp_path: Path) -> None:
    class AsyncEndless(httpx.AsyncByteStream):
        read = 0

        async def __aiter__(self) -> Any:
            while True:
                AsyncEndless.read += 1 << 16
                yield b"x" * (1 << 16)

    async def go() -> None:
        await upload_async(
            TARGET,
            file_part(tmp_path),
            "part.jsonl",
            part=0,
            started=(),
            timeout=5,
            deadline_seconds=5,
            transport=httpx.MockTransport(lambda r: httpx.Response(201, stream=AsyncEndless())),
        )

    asyncio.run(go())
    assert AsyncEndless.read <= 1 << 20


def test_the_signed_form_is_not_in_the_upload_frames_locals(tmp_path: Path) -> None:
    with pytest.raises(BulkUploadError) as caught:
        upload(tmp_path, lambda r: httpx.Response(500, text="no"))
    shown = "".join(
        traceback.TracebackException.from_exception(caught.value, capture_locals=True).format()
    )
    assert SIGNATURE not in shown


_ = BulkMutationInputError


# -- end to end against FakeShopify ----------------------------------------------------

from shopify_client.testing import ADMIN_TOKEN, FakeShopify  # noqa: E402

from .bulk_helpers import client_for  # noqa: E402
from .bulk_mutation_helpers import SPEC, lines, respond  # noqa: E402

FAST: Any = {"poll_interval": 0.001, "max_poll_interval": 0.002}


@pytest.fixture
def fake() -> Iterator[FakeShopify]:
    with FakeShopify() as shop:
        shop.bulk.mutations.responder = respond
        yield shop


def signed_values(fake: FakeShopify) -> list[str]:
    return [
        value
        for upload in fake.bulk.mutations.uploads.values()
        for name, value in upload.parameters
        if name in ("x-goog-signature", "policy")
    ]


def test_a_refused_upload_keeps_the_signed_form_out_of_traceback_locals(
    fake: FakeShopify,
) -> None:
    fake.bulk.mutations.inject("upload_refused")
    with pytest.raises(BulkUploadError) as caught:
        client_for(fake)._bulk_mutate(SPEC, lines(3), None, FAST)
    shown = "".join(
        traceback.TracebackException.from_exception(caught.value, capture_locals=True).format()
    )
    secrets = signed_values(fake)
    assert secrets and [s for s in secrets if s in shown] == []


# -- the result file -------------------------------------------------------------------

from shopify_client import (  # noqa: E402
    BulkMutationLinesError,
    BulkOperationTypeError,
    InvalidResponseError,
)
from shopify_client import _bulk_mutation_results as results_module  # noqa: E402
from shopify_client._bulk_mutation_results import ResultStore  # noqa: E402


def stored(text: bytes, expected: int) -> ResultStore:
    store = ResultStore()
    for i in range(0, len(text), 7):  # any chunking
        store.feed(text[i : i + 7])
    store.finish()
    try:
        store.check(expected=expected, first_line=10, part=0, operation_id="gid://x/1")
    except BaseException:
        store.close()
        raise
    return store


@pytest.mark.parametrize(
    "number", ["true", "false", "1.0", '"1"', "-1", "10" * 15, "null", "[1]", "1e0"]
)
def test_a_line_number_that_is_not_an_integer_in_range_is_never_attributed(number: str) -> None:
    body = b'{"__lineNumber":0,"data":{}}\n{"__lineNumber":%s,"data":{}}\n' % number.encode()
    with pytest.raises(BulkMutationLinesError) as caught:
        stored(body, 2)
    assert caught.value.missing == (11,)
    assert caught.value.unexpected


def test_an_overlong_result_line_is_bounded_and_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(results_module, "MAX_RESULT_LINE_BYTES", 64 * 1024)
    store = ResultStore()
    try:
        store.feed(b'{"__lineNumber":0,"data":{}}\n{"__lineNumber":1,"data":"')
        for _ in range(100):  # 6.4 MB, one line
            store.feed(b"x" * 65536)
            assert len(store._pending) <= 64 * 1024
        store.feed(b'"}\n{"__lineNumber":2,"data":{}}\n')
        store.finish()
        with pytest.raises(BulkMutationLinesError) as caught:
            store.check(expected=3, first_line=0, part=4, operation_id="gid://x/1")
        assert caught.value.missing == (1,)
        assert any("longer than" in u for u in caught.value.unexpected)
    finally:
        store.close()


def test_an_html_page_as_the_result_file_is_a_lines_error() -> None:
    with pytest.raises(BulkMutationLinesError) as caught:
        stored(b"<html>\n<body>Service Unavailable</body>\n</html>\n", 2)
    assert caught.value.missing == (10, 11)


def test_an_empty_file_for_lines_is_a_lines_error() -> None:
    with pytest.raises(BulkMutationLinesError) as caught:
        stored(b"", 3)
    assert caught.value.missing == (10, 11, 12)


def test_a_payload_that_does_not_fit_names_the_line_and_operation(fake: FakeShopify) -> None:
    def wrong(variables: dict[str, Any]) -> dict[str, Any]:
        return {"productCreate": {"product": {"id": 5}, "userErrors": []}}

    fake.bulk.mutations.responder = wrong
    run = client_for(fake)._bulk_mutate(SPEC, lines(3), None, FAST)
    with pytest.raises(InvalidResponseError) as caught:
        list(run)
    assert "input line 0" in str(caught.value) and run.ids[0] in str(caught.value)


@pytest.mark.parametrize("count", [-5, 10**30])
def test_a_hostile_object_count_is_a_typed_error(count: int) -> None:
    """A resumed run without part_lines takes each part's size from objectCount:
    -5 would shift every later part's lines, 10**30 fill a partial read with that
    many NO_RESULT lines."""
    from shopify_client._bulk_mutation import _Core, _PartRun
    from shopify_client._bulk_run import BulkOperationState

    class Client:
        api_version = "2026-04"

    class Operation:
        id = "gid://shopify/BulkOperation/7"

    store = ResultStore()
    try:
        store.feed(b'{"__lineNumber":0,"data":{}}\n{"__lineNumber":1,"data":{}}\n')
        store.finish()
        core: _Core[Any] = _Core(Client(), SPEC, [], None)  # type: ignore[arg-type]
        part = _PartRun(3, Operation(), 0, None)
        state = BulkOperationState(id=Operation.id, status="COMPLETED", object_count=count)
        with pytest.raises(InvalidResponseError, match=r"part 3.*objectCount"):
            core._expected(part, state, store)
    finally:
        store.close()


# -- bulkOperationRunMutation's answer --------------------------------------------------


@pytest.mark.parametrize(
    "operation",
    [
        {"id": "gid://shopify/Product/1", "status": "CREATED"},
        {"id": "", "status": "CREATED"},
        {"id": "gid://shopify/BulkOperation/1\r\nX", "status": "CREATED"},
    ],
)
def test_a_run_answer_with_an_id_of_another_type_is_a_start_error(
    fake: FakeShopify, operation: dict[str, str]
) -> None:
    real = fake.bulk.mutations.run

    def run(version: str, variables: dict[str, Any]) -> dict[str, Any]:
        answer: dict[str, Any] = real(version, variables)
        answer["data"]["bulkOperationRunMutation"]["bulkOperation"] = operation
        return answer

    fake.bulk.mutations.run = run  # type: ignore[method-assign]
    with pytest.raises(BulkStartError, match="part 0"):
        client_for(fake)._bulk_mutate(SPEC, lines(2), None, FAST)


# -- the caller's iterable ------------------------------------------------------------


def test_an_iterable_that_raises_in_a_later_part_names_the_parts_started(
    fake: FakeShopify,
) -> None:
    def items() -> Iterator[Any]:
        yield from lines(20)
        raise ValueError("the caller's database went away")

    with pytest.raises(BulkMutationInputError) as caught:
        options: Any = {**FAST, "max_file_bytes": 300}
        client_for(fake)._bulk_mutate(SPEC, items(), None, options)
    started = tuple(o.id for o in fake.bulk.mutations.operations)
    assert started and caught.value.operation_ids == started
    assert caught.value.line == 20
    assert isinstance(caught.value.__cause__, ValueError)


# -- resuming --------------------------------------------------------------------------


def test_resuming_a_bulk_querys_id_as_an_import_is_a_typed_error(fake: FakeShopify) -> None:
    from .bulk_helpers import SPEC as QUERY

    client = client_for(fake)
    query = client._bulk_start(QUERY, {"query": "status:active"}, False, FAST)
    query.wait()
    resumed = client._bulk_mutate_resume(SPEC, query.id, None, FAST)
    gets = len(fake.bulk.storage.requests)
    # the first poll says type QUERY: a clear error, before any download (it was a
    # BulkMutationLinesError about lines without __lineNumber, after the download)
    with pytest.raises(BulkOperationTypeError, match="is a QUERY bulk operation") as caught:
        list(resumed)
    assert (caught.value.operation_type, caught.value.expected_type) == ("QUERY", "MUTATION")
    assert caught.value.operation_id == query.id
    assert len(fake.bulk.storage.requests) == gets


def test_wrong_part_lines_are_a_typed_error_not_a_shifted_result(fake: FakeShopify) -> None:
    options: Any = {**FAST, "max_file_bytes": 300}
    run = client_for(fake)._bulk_mutate(SPEC, lines(20), None, options)
    assert run.part_lines is not None and len(run.part_lines) >= 2
    first, second, *rest = run.part_lines
    shifted = [first - 1, second + 1, *rest]  # the same total, one line moved
    resumed = client_for(fake)._bulk_mutate_resume(SPEC, run.ids, shifted, FAST)
    with pytest.raises(BulkMutationLinesError) as caught:
        list(resumed)
    assert caught.value.part == 0


# -- the upload, end to end --------------------------------------------------------------


class DropOnce(httpx.BaseTransport):
    """The storage host's connection drops during the first upload, then works."""

    def __init__(self) -> None:
        self.real = httpx.HTTPTransport()
        self.attempts = 0

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.attempts += 1
        if self.attempts == 1:
            request.read()
            raise httpx.RemoteProtocolError("peer closed connection mid-upload")
        return self.real.handle_request(request)


def test_a_dropped_upload_is_retried_and_starts_one_operation(fake: FakeShopify) -> None:
    transport = DropOnce()
    client = client_for(fake)
    from shopify_client._bulk_mutation_start import start_sync

    run = start_sync(client, SPEC, lines(3), None, FAST, transport=transport)
    assert transport.attempts == 2
    assert len(fake.bulk.mutations.operations) == 1
    assert [r.line for r in run] == [0, 1, 2]
    assert fake.bulk.storage.leaked_headers() == []


@pytest.mark.parametrize(
    "url",
    [
        "https://fake-shop.myshopify.com/admin/api/2026-04/graphql.json",
        "https://169.254.169.254.nip.io/latest/meta-data/",
    ],
)
def test_the_upload_never_carries_a_shopify_header_whatever_the_host(
    tmp_path: Path, url: str
) -> None:
    seen: list[httpx.Request] = []

    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(201)

    target = StagedTarget(url=url, parameters=(("key", "k"),))
    upload_sync(
        target,
        file_part(tmp_path),
        "p.jsonl",
        part=0,
        started=(),
        timeout=5,
        deadline_seconds=5,
        transport=httpx.MockTransport(handle),
    )
    (request,) = seen
    assert not [h for h in request.headers if h.lower().startswith("x-shopify")]
    assert "authorization" not in request.headers and "cookie" not in request.headers


@pytest.mark.parametrize(
    "item",
    [None, 5, "title", ["product"], b"{}", {"product": {"title": 5}}, {"nope": 1}],
)
def test_a_wrong_item_is_a_typed_error_naming_its_line(fake: FakeShopify, item: object) -> None:
    with pytest.raises(BulkMutationInputError) as caught:
        client_for(fake)._bulk_mutate(SPEC, [*lines(2), item], None, FAST)
    assert caught.value.line == 2 and "line 2" in str(caught.value)
    assert fake.bulk.mutations.operations == []


def test_a_model_of_another_operation_is_refused(fake: FakeShopify) -> None:
    from .bulk_mutation_helpers import ProductInput

    with pytest.raises(BulkMutationInputError, match="line 0"):
        client_for(fake)._bulk_mutate(SPEC, [ProductInput(title="x")], None, FAST)


def test_values_are_escaped_exactly(fake: FakeShopify) -> None:
    import json

    from shopify_client._bulk_mutation_parts import encode_line

    from .bulk_mutation_helpers import ProductInput, Variables

    title = 'a\nb\r"""\u2028\x00é😀\\'
    line = encode_line(Variables, Variables(product=ProductInput(title=title)), 0, "Import")
    assert line.count(b"\n") == 1 and line.endswith(b"\n")
    assert json.loads(line) == {"product": {"title": title}}
    run = client_for(fake)._bulk_mutate(
        SPEC, [Variables(product=ProductInput(title=title))], None, FAST
    )
    (result,) = list(run)
    assert result.data is not None and result.data.product_create is not None
    assert result.data.product_create.product is not None
    assert result.data.product_create.product.title == title


def test_no_signed_value_in_debug_logs(fake: FakeShopify, caplog: pytest.LogCaptureFixture) -> None:
    import logging

    caplog.set_level(logging.DEBUG)
    run = client_for(fake)._bulk_mutate(SPEC, lines(3), None, FAST)
    assert [r.line for r in run] == [0, 1, 2]
    secrets = signed_values(fake)
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert secrets and [s for s in secrets if s in logged] == []
    assert ADMIN_TOKEN not in logged


def test_async_refusal_and_raising_iterable(fake: FakeShopify) -> None:
    from .bulk_helpers import AsyncClient

    def items() -> Iterator[Any]:
        yield from lines(20)
        raise ValueError("gone")

    async def main() -> tuple[str, BulkMutationInputError]:
        async with AsyncClient(
            endpoint=fake.endpoint("admin", "2026-04"), access_token=ADMIN_TOKEN
        ) as client:
            fake.bulk.mutations.inject("upload_refused")
            with pytest.raises(BulkUploadError) as refused:
                await client._bulk_mutate(SPEC, lines(1), None, FAST)
            shown = "".join(
                traceback.TracebackException.from_exception(
                    refused.value, capture_locals=True
                ).format()
            )
            options: Any = {**FAST, "max_file_bytes": 300}
            with pytest.raises(BulkMutationInputError) as raised:
                await client._bulk_mutate(SPEC, items(), None, options)
            return shown, raised.value

    shown, error = asyncio.run(main())
    secrets = signed_values(fake)
    assert secrets and [s for s in secrets if s in shown] == []
    started = tuple(o.id for o in fake.bulk.mutations.operations)
    assert started and error.operation_ids == started and error.line == 20


@pytest.mark.parametrize(
    "user_errors",
    [
        [{"field": None, "message": "bad path\r\nINFO forged log line\x1b[2J"}],
        [{"field": None, "message": "x" * 1000}] * 2_000,
    ],
)
def test_hostile_run_user_errors_are_a_bounded_printable_start_error(
    fake: FakeShopify, user_errors: object
) -> None:
    real = fake.bulk.mutations.run

    def run(version: str, variables: dict[str, Any]) -> dict[str, Any]:
        answer: dict[str, Any] = real(version, variables)
        payload = answer["data"]["bulkOperationRunMutation"]
        payload["bulkOperation"], payload["userErrors"] = None, user_errors
        return answer

    fake.bulk.mutations.run = run  # type: ignore[method-assign]
    with pytest.raises(BulkStartError, match="part 0") as caught:
        client_for(fake)._bulk_mutate(SPEC, lines(2), None, FAST)
    message = str(caught.value)
    assert "\r" not in message and "\n" not in message and "\x1b" not in message
    assert len(message) < 5000


@pytest.mark.parametrize("user_errors", [7, "boom", [None, 5], {"message": "x"}])
def test_run_user_errors_of_any_shape_are_messages(user_errors: object) -> None:
    from shopify_client._bulk_run import _user_errors

    assert _user_errors({"userErrors": user_errors, "bulkOperation": None})


def test_user_errors_are_read_under_the_one_root_key_whatever_its_name(
    fake: FakeShopify,
) -> None:
    """A document written before the generator refused aliases: the line's one root
    key is the alias; its userErrors must still be seen (result.ok False)."""
    from dataclasses import replace

    from pydantic import BaseModel, ConfigDict, Field

    from .bulk_mutation_helpers import Payload

    class Aliased(BaseModel):
        model_config = ConfigDict(populate_by_name=True)
        created: Payload | None = Field(alias="created")

    base: Any = SPEC
    spec: Any = replace(
        base,
        document=SPEC.document.replace("productCreate(", "created: productCreate("),
        result=lambda: Aliased,
    )

    def refuse(variables: dict[str, Any]) -> dict[str, Any]:
        return {"created": {"product": None, "userErrors": [{"field": None, "message": "no"}]}}

    fake.bulk.mutations.responder = refuse
    (result,) = list(client_for(fake)._bulk_mutate(spec, lines(1), None, FAST))
    assert [e.message for e in result.user_errors] == ["no"] and not result.ok


def test_a_result_line_nested_too_deep_for_python_is_a_typed_error() -> None:
    """sqlite's JSON takes 1,000 levels, Python's json.loads fewer from inside a
    generator: 995 levels was a bare RecursionError in the middle of iteration."""
    from shopify_client._bulk_mutation import _Core, _PartRun

    class Client:
        api_version = "2026-04"

    class Operation:
        id = "gid://shopify/BulkOperation/9"

    depth = 995
    body = b'{"__lineNumber":0,"data":{"x":' + b"[" * depth + b"]" * depth + b"}}\n"
    store = ResultStore()
    try:
        store.feed(body)
        store.finish()
        core: _Core[Any] = _Core(Client(), SPEC, [], None)  # type: ignore[arg-type]
        part = _PartRun(0, Operation(), 0, 1)

        def deep(n: int) -> list[Any]:  # as deep in the stack as a caller may be
            return deep(n - 1) if n else list(core._emit(part, store))

        with pytest.raises(InvalidResponseError, match="input line 0"):
            deep(100)
    finally:
        store.close()


@pytest.mark.parametrize("count", [10**30, 2**63, -1, True, 1.5])
def test_impossible_part_lines_are_a_configuration_error(fake: FakeShopify, count: object) -> None:
    from shopify_client import ConfigurationError

    run = client_for(fake)._bulk_mutate(SPEC, lines(2), None, FAST)
    given: Any = [count]
    with pytest.raises(ConfigurationError, match="part_lines"):
        list(client_for(fake)._bulk_mutate_resume(SPEC, run.ids, given, FAST))


def test_a_2xx_error_body_that_stored_nothing_ends_in_a_start_error(fake: FakeShopify) -> None:
    """GCS answers a successful POST 201 (success_action_status) or 204; a 200 with an
    XML <Error> is taken as success, and Shopify's NO_SUCH_FILE answer then names the
    part: no operation runs on a file that is not there."""
    from shopify_client._bulk_mutation_start import start_sync

    xml = "<?xml version='1.0'?><Error><Code>InternalError</Code></Error>"
    transport = httpx.MockTransport(lambda r: httpx.Response(200, text=xml))
    with pytest.raises(BulkStartError, match=r"part 0.*could not be found"):
        start_sync(client_for(fake), SPEC, lines(2), None, FAST, transport=transport)
    assert fake.bulk.mutations.operations == []


def test_a_line_larger_than_max_file_bytes_names_it_and_the_started_parts(
    fake: FakeShopify,
) -> None:
    from .bulk_mutation_helpers import ProductInput, Variables

    items = [*lines(20), Variables(product=ProductInput(title="x" * 400))]
    options: Any = {**FAST, "max_file_bytes": 300}
    with pytest.raises(BulkMutationInputError, match="line 20 takes") as caught:
        client_for(fake)._bulk_mutate(SPEC, items, None, options)
    started = tuple(o.id for o in fake.bulk.mutations.operations)
    assert started and caught.value.operation_ids == started
