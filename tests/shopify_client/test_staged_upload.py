"""The staged upload: the form's order, the plain client, refusals, time bounds."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
import pytest

from shopify_client import BulkStartError, BulkUploadError
from shopify_client._staged_upload import StagedTarget, read_target, upload_async, upload_sync

TARGET = StagedTarget(
    url="https://storage.example/upload",
    parameters=(("Content-Type", "text/jsonl"), ("key", "tmp/1/part.jsonl"), ("policy", "p")),
)


def fields(request: httpx.Request) -> list[str]:
    boundary = request.headers["Content-Type"].split("boundary=")[1].encode()
    body = request.read()
    names = []
    for chunk in body.split(b"--" + boundary)[1:-1]:
        head = chunk.split(b"\r\n\r\n", 1)[0].decode()
        names.append(head.split('name="')[1].split('"')[0])
    return names


def file_part(tmp_path: Path, text: str = '{"a":1}\n') -> Path:
    path = tmp_path / "part.jsonl"
    path.write_text(text)
    return path


def test_every_parameter_in_order_then_the_file_and_no_shopify_header(tmp_path: Path) -> None:
    seen: list[httpx.Request] = []

    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(201)

    upload_sync(
        TARGET,
        file_part(tmp_path),
        "part.jsonl",
        part=0,
        started=(),
        timeout=5,
        deadline_seconds=5,
        transport=httpx.MockTransport(handle),
    )
    (request,) = seen
    assert fields(request) == ["Content-Type", "key", "policy", "file"]
    assert b'{"a":1}\n' in request.read()
    assert int(request.headers["Content-Length"]) == len(request.read())
    leaked = [
        h for h in request.headers if h.lower().startswith("x-shopify") or h == "authorization"
    ]
    assert leaked == []


def test_a_refusal_is_a_typed_error_naming_the_part(tmp_path: Path) -> None:
    transport = httpx.MockTransport(
        lambda request: httpx.Response(403, text="<Error><Code>AccessDenied</Code></Error>")
    )
    with pytest.raises(BulkUploadError) as caught:
        upload_sync(
            TARGET,
            file_part(tmp_path),
            "part.jsonl",
            part=3,
            started=("gid://shopify/BulkOperation/1",),
            timeout=5,
            deadline_seconds=5,
            transport=transport,
        )
    error = caught.value
    assert (error.part, error.status_code) == (3, 403)
    assert error.operation_ids == ("gid://shopify/BulkOperation/1",)
    assert "part 3" in str(error) and "AccessDenied" in str(error)
    assert "policy" not in str(error)


def test_a_dropped_connection_is_tried_again_then_given_up(tmp_path: Path) -> None:
    calls = 0

    def handle(request: httpx.Request) -> httpx.Response:
        nonlocal calls
        calls += 1
        request.read()
        if calls < 3:
            raise httpx.RemoteProtocolError("dropped")
        return httpx.Response(204)

    path = file_part(tmp_path)
    upload_sync(
        TARGET,
        path,
        "p",
        part=0,
        started=(),
        timeout=5,
        deadline_seconds=30,
        transport=httpx.MockTransport(handle),
    )
    assert calls == 3

    def always(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("down")

    with pytest.raises(BulkUploadError, match="failed 3 times"):
        upload_sync(
            TARGET,
            path,
            "p",
            part=1,
            started=(),
            timeout=5,
            deadline_seconds=30,
            transport=httpx.MockTransport(always),
        )


def test_the_whole_upload_is_bounded_in_time(tmp_path: Path) -> None:
    def handle(request: httpx.Request) -> httpx.Response:
        request.read()
        return httpx.Response(201)

    big = file_part(tmp_path, "x" * (3 * 256 * 1024))
    with pytest.raises(BulkUploadError, match="upload_deadline") as caught:
        upload_sync(
            TARGET,
            big,
            "p",
            part=2,
            started=(),
            timeout=5,
            deadline_seconds=0,
            transport=httpx.MockTransport(handle),
        )
    assert caught.value.status_code is None and caught.value.part == 2


def test_async_upload(tmp_path: Path) -> None:
    seen: list[list[str]] = []

    async def handle(request: httpx.Request) -> httpx.Response:
        await request.aread()
        seen.append(fields(request))
        return httpx.Response(201)

    asyncio.run(
        upload_async(
            TARGET,
            file_part(tmp_path),
            "p",
            part=0,
            started=(),
            timeout=5,
            deadline_seconds=5,
            transport=httpx.MockTransport(handle),
        )
    )
    assert seen == [["Content-Type", "key", "policy", "file"]]


def test_a_target_without_key_or_with_user_errors_is_refused() -> None:
    with pytest.raises(BulkUploadError, match="no 'key'"):
        read_target(
            {
                "stagedUploadsCreate": {
                    "stagedTargets": [{"url": "https://s", "parameters": []}],
                    "userErrors": [],
                }
            },
            0,
            (),
        )
    with pytest.raises(BulkStartError, match="refused part 1"):
        read_target(
            {
                "stagedUploadsCreate": {
                    "stagedTargets": None,
                    "userErrors": [{"message": "bad mimeType"}],
                }
            },
            1,
            (),
        )
