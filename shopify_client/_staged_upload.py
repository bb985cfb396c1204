"""Staging and uploading a bulk mutation's file (sync and async).

From Shopify's bulk import guide (https://shopify.dev/docs/api/usage/bulk-operations/imports,
"Upload the file"; https://shopify.dev/docs/api/admin-graphql/latest/mutations/stagedUploadsCreate):

1. ``stagedUploadsCreate(input: [{resource: BULK_MUTATION_VARIABLES, filename,
   mimeType: "text/jsonl", httpMethod: POST}])`` answers a target: a storage ``url``
   and signed ``parameters``;
2. a multipart POST of every parameter, in the order given, then the ``file`` field
   last (the storage host reads the policy before the file);
3. the ``key`` parameter is the ``stagedUploadPath`` of ``bulkOperationRunMutation``.

The POST goes to a storage host, not to the shop: it is sent by a plain ``httpx``
client of its own (as :mod:`._bulk_download`'s download): no Shopify token or
header, no cookie, no environment proxy or netrc credentials, no redirect followed.
The file is streamed from its temporary file, never read into memory. The upload
is bounded: each read and write by ``upload_timeout``, the whole by
``upload_deadline`` (the file's reads check it). A refusal (any status but 2xx)
is :class:`~shopify_client.BulkUploadError` naming the part; a dropped connection
is tried again (at most ``UPLOAD_ATTEMPTS`` times), since a POST of the same
file to the same signed key replaces it.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from ._bulk_errors import BulkStartError
from ._bulk_mutation_errors import BulkUploadError

__all__ = ["STAGE_MUTATION", "StagedTarget", "stage_variables", "upload_async", "upload_sync"]

UPLOAD_ATTEMPTS = 3
_CHUNK = 256 * 1024

STAGE_MUTATION = """mutation StagedUploadsCreate($input: [StagedUploadInput!]!) {
  stagedUploadsCreate(input: $input) {
    stagedTargets { url resourceUrl parameters { name value } }
    userErrors { field message }
  }
}"""


@dataclass(frozen=True)
class StagedTarget:
    """Where one part goes: the signed form (never logged: ``repr`` hides it)."""

    url: str = field(repr=False)
    parameters: tuple[tuple[str, str], ...] = field(repr=False)

    @property
    def key(self) -> str | None:
        return next((v for k, v in self.parameters if k == "key"), None)


def stage_variables(filename: str) -> dict[str, object]:
    return {
        "input": [
            {
                "resource": "BULK_MUTATION_VARIABLES",
                "filename": filename,
                "mimeType": "text/jsonl",
                "httpMethod": "POST",
            }
        ]
    }


def read_target(data: dict[str, Any], part: int, started: tuple[str, ...]) -> StagedTarget:
    payload = data.get("stagedUploadsCreate")
    errors = payload.get("userErrors") if isinstance(payload, dict) else None
    if errors:
        messages = "; ".join(str(e.get("message")) for e in errors if isinstance(e, dict))
        raise BulkStartError(
            f"stagedUploadsCreate refused part {part}: {messages}", operation_id=None
        )
    targets = payload.get("stagedTargets") if isinstance(payload, dict) else None
    target = targets[0] if isinstance(targets, list) and targets else None
    if not isinstance(target, dict) or not isinstance(target.get("url"), str):
        raise BulkUploadError(
            f"stagedUploadsCreate gave no target for part {part}",
            part=part,
            status_code=None,
            operation_ids=started,
        )
    parameters = tuple(
        (str(p.get("name")), str(p.get("value")))
        for p in target.get("parameters") or ()
        if isinstance(p, dict)
    )
    staged = StagedTarget(url=str(target["url"]), parameters=parameters)
    if staged.key is None:
        raise BulkUploadError(
            f"stagedUploadsCreate gave part {part} no 'key' parameter (its stagedUploadPath)",
            part=part,
            status_code=None,
            operation_ids=started,
        )
    return staged


def _host(url: str) -> str:
    try:
        return httpx.URL(url).host or "the storage host"
    except Exception:
        return "the storage host"


class _Deadline:
    def __init__(self, seconds: float, part: int, started: tuple[str, ...], url: str):
        self.end = time.monotonic() + seconds
        self.seconds = seconds
        self.part = part
        self.started = started
        self.url = url

    def check(self) -> None:
        if time.monotonic() > self.end:
            raise BulkUploadError(
                f"the upload of part {self.part} to {_host(self.url)} passed its "
                f"{self.seconds:g} s limit (upload_deadline)",
                part=self.part,
                status_code=None,
                operation_ids=self.started,
            )


def _boundary() -> bytes:
    import secrets

    return b"shopify-bulk-" + secrets.token_hex(16).encode()


def _quote(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\r", "").replace("\n", "")


class _Form:
    """The multipart body, written by hand so that its order is the guide's: every
    parameter as given, then ``file``. Its length is known (Content-Length), the
    file is read chunk by chunk."""

    def __init__(self, target: StagedTarget, path: Path, filename: str) -> None:
        self.boundary = _boundary()
        self.path = path
        head = b"".join(
            b'--%s\r\nContent-Disposition: form-data; name="%s"\r\n\r\n%s\r\n'
            % (self.boundary, _quote(name).encode(), value.encode())
            for name, value in target.parameters
        )
        head += (
            b'--%s\r\nContent-Disposition: form-data; name="file"; filename="%s"\r\n'
            b"Content-Type: text/jsonl\r\n\r\n" % (self.boundary, _quote(filename).encode())
        )
        self.head = head
        self.tail = b"\r\n--%s--\r\n" % self.boundary
        self.length = len(head) + path.stat().st_size + len(self.tail)

    def headers(self) -> dict[str, str]:
        return {
            "Content-Type": f"multipart/form-data; boundary={self.boundary.decode()}",
            "Content-Length": str(self.length),
        }

    def chunks(self, deadline: _Deadline) -> Iterator[bytes]:
        yield self.head
        with self.path.open("rb") as file:
            while chunk := file.read(_CHUNK):
                deadline.check()
                yield chunk
        yield self.tail

    async def achunks(self, deadline: _Deadline) -> AsyncIterator[bytes]:
        for chunk in self.chunks(deadline):
            yield chunk


def _options(timeout: float) -> dict[str, Any]:
    return {
        "timeout": httpx.Timeout(timeout),
        "follow_redirects": False,
        "trust_env": False,
        "headers": {"Accept": "*/*"},
    }


def _refused(
    response: httpx.Response, part: int, url: str, started: tuple[str, ...]
) -> BulkUploadError:
    from ._redact import printable

    excerpt = printable(response.text[:200]) if response.text else ""
    return BulkUploadError(
        f"{_host(url)} refused the upload of part {part}: HTTP {response.status_code}"
        + (f" ({excerpt})" if excerpt else ""),
        part=part,
        status_code=response.status_code,
        operation_ids=started,
    )


def _dropped(exc: Exception, part: int, url: str, started: tuple[str, ...]) -> BulkUploadError:
    return BulkUploadError(
        f"the upload of part {part} to {_host(url)} failed {UPLOAD_ATTEMPTS} times "
        f"({type(exc).__name__})",
        part=part,
        status_code=None,
        operation_ids=started,
    )


def upload_sync(
    target: StagedTarget,
    path: Path,
    filename: str,
    *,
    part: int,
    started: tuple[str, ...],
    timeout: float,
    deadline_seconds: float,
    transport: httpx.BaseTransport | None = None,
) -> None:
    deadline = _Deadline(deadline_seconds, part, started, target.url)
    with httpx.Client(transport=transport, **_options(timeout)) as http:
        for attempt in range(UPLOAD_ATTEMPTS):
            form = _Form(target, path, filename)
            try:
                response = http.post(
                    target.url, content=form.chunks(deadline), headers=form.headers()
                )
            except httpx.TransportError as exc:
                deadline.check()
                if attempt + 1 == UPLOAD_ATTEMPTS:
                    raise _dropped(exc, part, target.url, started) from None
                time.sleep(0.2 * 2**attempt)
                continue
            if not 200 <= response.status_code < 300:
                raise _refused(response, part, target.url, started)
            return


async def upload_async(
    target: StagedTarget,
    path: Path,
    filename: str,
    *,
    part: int,
    started: tuple[str, ...],
    timeout: float,
    deadline_seconds: float,
    transport: httpx.AsyncBaseTransport | None = None,
) -> None:
    deadline = _Deadline(deadline_seconds, part, started, target.url)
    async with httpx.AsyncClient(transport=transport, **_options(timeout)) as http:
        for attempt in range(UPLOAD_ATTEMPTS):
            form = _Form(target, path, filename)
            try:
                response = await http.post(
                    target.url, content=form.achunks(deadline), headers=form.headers()
                )
            except httpx.TransportError as exc:
                deadline.check()
                if attempt + 1 == UPLOAD_ATTEMPTS:
                    raise _dropped(exc, part, target.url, started) from None
                await asyncio.sleep(0.2 * 2**attempt)
                continue
            if not 200 <= response.status_code < 300:
                raise _refused(response, part, target.url, started)
            return
