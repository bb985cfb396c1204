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

The target is checked before anything is sent (:func:`read_target`): an https url
(http only to a loopback host) with a host, no user info, not a link-local or cloud
metadata address; at most ``MAX_PARAMETERS`` string parameters, none with a line
break, NUL or quote, none named ``file``, no name twice. The storage host's answer
is never read whole: a 2xx body not at all, a refusal's first
``MAX_REFUSAL_BYTES`` (under ``upload_deadline``), with each signed value cut out of
the excerpt the error shows. No local of these frames holds the raw answer.
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
from ._log_hiding import hide_in_httpx_logs
from ._redact import printable

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


#: what a target may hold: Shopify's has about ten parameters, each a few kB at most
MAX_PARAMETERS = 100
MAX_VALUE_CHARS = 64 * 1024
MAX_URL_CHARS = 4096
#: how much of a refusal's body is read (and at most 200 characters of it shown)
MAX_REFUSAL_BYTES = 16 * 1024
_LOOPBACK = frozenset({"127.0.0.1", "::1", "localhost"})
_METADATA_HOSTS = frozenset({"metadata.google.internal", "metadata", "instance-data"})


def _bad_target(part: int, started: tuple[str, ...], why: str) -> BulkUploadError:
    return BulkUploadError(
        f"stagedUploadsCreate gave part {part} an unusable target: {why}",
        part=part,
        status_code=None,
        operation_ids=started,
    )


def _url_problem(url: object) -> str | None:
    """Why ``url`` may not receive the signed form (None: it may). Only https
    (plain http to a loopback host, for a local fake), a host, no user info, not a
    link-local or cloud metadata address."""
    import ipaddress

    if not isinstance(url, str) or not url:
        return "its url is not a string"
    if len(url) > MAX_URL_CHARS:
        return f"its url is {len(url)} characters long (at most {MAX_URL_CHARS})"
    try:
        parsed = httpx.URL(url)
    except Exception:
        return "its url is not a URL"
    host = parsed.host.lower()
    if not host:
        return "its url has no host"
    if parsed.userinfo:
        return "its url carries user info"
    if parsed.scheme != "https" and not (parsed.scheme == "http" and host in _LOOPBACK):
        return f"its url is {parsed.scheme or 'not'} https"
    if host in _METADATA_HOSTS:
        return f"its host {host} is a cloud metadata service"
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return None
    if address.is_link_local or address.is_multicast or address.is_unspecified:
        return f"its host {host} is not a storage host's address"
    return None


def _parameters(raw: object) -> tuple[tuple[str, str], ...] | str:
    """The form's fields, or why they cannot be sent as a form: each a string name
    and value, no line break or NUL (they would rewrite the form), no ``file`` (the
    file is ours, last), no name twice, at most ``MAX_PARAMETERS``."""
    if not isinstance(raw, list):
        return "its parameters are not a list"
    if len(raw) > MAX_PARAMETERS:
        return f"it has {len(raw)} parameters (at most {MAX_PARAMETERS})"
    out: list[tuple[str, str]] = []
    seen: set[str] = set()
    for index, entry in enumerate(raw):
        name = entry.get("name") if isinstance(entry, dict) else None
        value = entry.get("value") if isinstance(entry, dict) else None
        if not isinstance(name, str) or not isinstance(value, str) or not name:
            return f"parameter {index} is not a name and a value, both strings"
        if any(c in text for text in (name, value) for c in "\r\n\x00") or '"' in name:
            return f"parameter {index} holds a line break, a NUL or a quote"
        if len(name) > 256 or len(value) > MAX_VALUE_CHARS:
            return f"parameter {index} is too long"
        folded = name.lower()
        if folded == "file":
            return "a parameter is named 'file' (the file field is the client's own)"
        if folded in seen:
            return f"parameter {index} repeats a name given before"
        seen.add(folded)
        out.append((name, value))
    return tuple(out)


def read_target(data: dict[str, Any], part: int, started: tuple[str, ...]) -> StagedTarget:
    """The target of ``stagedUploadsCreate``'s answer ``data``, checked (see
    :func:`_url_problem`, :func:`_parameters`). Errors never quote the url or a
    parameter (they are signed)."""
    payload = data.get("stagedUploadsCreate") if isinstance(data, dict) else None
    errors = payload.get("userErrors") if isinstance(payload, dict) else None
    if errors:
        listed = errors if isinstance(errors, list) else [errors]
        messages = "; ".join(
            printable(str(e.get("message")))[:300] for e in listed[:10] if isinstance(e, dict)
        )
        raise BulkStartError(
            f"stagedUploadsCreate refused part {part}: {messages or 'user errors'}",
            operation_id=None,
        )
    targets = payload.get("stagedTargets") if isinstance(payload, dict) else None
    target = targets[0] if isinstance(targets, list) and targets else None
    if not isinstance(target, dict):
        raise BulkUploadError(
            f"stagedUploadsCreate gave no target for part {part}",
            part=part,
            status_code=None,
            operation_ids=started,
        )
    problem = _url_problem(target.get("url"))
    parameters = _parameters(target.get("parameters"))
    if problem is None and isinstance(parameters, str):
        problem = parameters
    if problem is not None or isinstance(parameters, str):
        del data, payload, targets, target  # signed: not in a traceback's locals
        raise _bad_target(part, started, problem or "")
    staged = StagedTarget(url=str(target["url"]), parameters=parameters)
    del data, payload, targets, target
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
    status: int, body: bytes, target: StagedTarget, part: int, started: tuple[str, ...]
) -> BulkUploadError:
    """A refusal naming the part and status, with the start of the host's body
    (an S3 or GCS error echoes the string it signed: each signed value is cut out)."""
    text = body.decode("utf-8", errors="replace")
    for name, value in target.parameters:
        if name != "key" and len(value) >= 8:
            text = text.replace(value, "[signed value]")
    excerpt = printable(text[:200])
    return BulkUploadError(
        f"{_host(target.url)} refused the upload of part {part}: HTTP {status}"
        + (f" ({excerpt})" if excerpt else ""),
        part=part,
        status_code=status,
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
    hide_in_httpx_logs(target.url)
    with httpx.Client(transport=transport, **_options(timeout)) as http:
        for attempt in range(UPLOAD_ATTEMPTS):
            form = _Form(target, path, filename)
            try:
                request = http.build_request(
                    "POST", target.url, content=form.chunks(deadline), headers=form.headers()
                )
                response = http.send(request, stream=True)
                try:
                    status = response.status_code
                    body = b""
                    if not 200 <= status < 300:  # a 2xx body is never read: any length
                        if response.is_stream_consumed:  # already in memory (a mock)
                            body = response.content[:MAX_REFUSAL_BYTES]
                        else:
                            for chunk in response.iter_raw():
                                deadline.check()
                                body += chunk
                                if len(body) >= MAX_REFUSAL_BYTES:
                                    break
                finally:
                    response.close()
            except httpx.TransportError as exc:
                deadline.check()
                if attempt + 1 == UPLOAD_ATTEMPTS:
                    raise _dropped(exc, part, target.url, started) from None
                time.sleep(0.2 * 2**attempt)
                continue
            if not 200 <= status < 300:
                raise _refused(status, body, target, part, started) from None
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
    hide_in_httpx_logs(target.url)
    async with httpx.AsyncClient(transport=transport, **_options(timeout)) as http:
        for attempt in range(UPLOAD_ATTEMPTS):
            form = _Form(target, path, filename)
            try:
                request = http.build_request(
                    "POST", target.url, content=form.achunks(deadline), headers=form.headers()
                )
                response = await http.send(request, stream=True)
                try:
                    status = response.status_code
                    body = b""
                    if not 200 <= status < 300:
                        if response.is_stream_consumed:
                            body = response.content[:MAX_REFUSAL_BYTES]
                        else:
                            async for chunk in response.aiter_raw():
                                deadline.check()
                                body += chunk
                                if len(body) >= MAX_REFUSAL_BYTES:
                                    break
                finally:
                    await response.aclose()
            except httpx.TransportError as exc:
                deadline.check()
                if attempt + 1 == UPLOAD_ATTEMPTS:
                    raise _dropped(exc, part, target.url, started) from None
                await asyncio.sleep(0.2 * 2**attempt)
                continue
            if not 200 <= status < 300:
                raise _refused(status, body, target, part, started) from None
            return
