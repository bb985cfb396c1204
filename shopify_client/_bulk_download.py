"""Downloading a bulk operation's JSONL from the storage host.

The file is not on the shop: Shopify's ``url`` / ``partialDataUrl`` is a signed URL
on a storage host (https://shopify.dev/docs/api/usage/bulk-operations/queries,
"Download result data"; it expires after 7 days). So it is fetched with a client of
its own, a plain ``httpx`` client with no default header, no cookie, no environment
proxy or netrc credentials (``trust_env=False``) and no redirect followed: the storage
host never receives a Shopify token or Shopify header.

- Streamed, chunk by chunk, into ``sink`` (the reassembler's temporary store): never
  read into memory.
- Bounded: ``max_bytes`` (default :data:`DEFAULT_MAX_BULK_BYTES`) on the bytes
  received, and ``read_timeout`` on each read.
- Resumed: a connection dropped mid-file is reopened with ``Range: bytes=<received>-``
  (at most ``max_resumes`` times in a row without progress, ten times that in all); a 206 whose
  Content-Range does not start at that offset is refused, so no byte is missing or
  received twice. A server that ignores Range (200) restarts the download, which the
  sink is told about (``restart``).
- 403 / 404 / 410 from the storage host: the signed URL expired or vanished
  (:class:`BulkResultUnavailableError`).
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import AsyncGenerator, Callable, Generator
from dataclasses import dataclass, field
from typing import Protocol

import httpx

from ._bulk_checks import check_count, check_seconds
from ._bulk_errors import BulkDownloadError, BulkResultUnavailableError
from ._log_hiding import hide_in_httpx_logs

__all__ = [
    "DEFAULT_MAX_BULK_BYTES",
    "DEFAULT_READ_TIMEOUT",
    "DownloadLimits",
    "SignedUrl",
    "download_async",
    "download_steps_async",
    "download_steps_sync",
    "download_sync",
    "signed",
]

#: 20 GiB: far past any shop's export, small enough to stop a runaway stream
DEFAULT_MAX_BULK_BYTES = 20 * 1024**3
#: seconds one read of the stream may take
DEFAULT_READ_TIMEOUT = 60.0
DEFAULT_MAX_RESUMES = 5
#: the bounds of the options: UnsignedInt64 (Shopify's fileSize), an hour per read,
#: a thousand resumes in a row (ten times that in all)
MAX_BULK_BYTES = 2**64 - 1
MAX_READ_TIMEOUT = 3600.0
MAX_RESUMES = 1000
_GONE = {403, 404, 410}
#: the runtime's logger: a download's start, cuts, restarts and end (the host, never
#: the signed URL)
logger = logging.getLogger("shopify_client")
_CONTENT_RANGE = re.compile(r"bytes (\d+)-(\d+)?/?(\d+|\*)?")


class Sink(Protocol):
    def feed(self, chunk: bytes) -> None: ...

    def restart(self) -> None: ...


@dataclass(frozen=True)
class DownloadLimits:
    max_bytes: int = DEFAULT_MAX_BULK_BYTES
    read_timeout: float = DEFAULT_READ_TIMEOUT
    max_resumes: int = DEFAULT_MAX_RESUMES
    #: seconds between a drop and the Range request (doubled each time, max 8 s)
    resume_backoff: float = 0.2

    def __post_init__(self) -> None:
        # named as the caller's options are (max_bulk_bytes=, read_timeout=, max_resumes=)
        check_count("max_bulk_bytes", self.max_bytes, least=1, most=MAX_BULK_BYTES, unit="bytes")
        check_seconds("read_timeout", self.read_timeout, most=MAX_READ_TIMEOUT)
        check_count("max_resumes", self.max_resumes, least=0, most=MAX_RESUMES, unit="resumes")
        check_seconds("resume_backoff", self.resume_backoff, most=8.0, zero=True)

    def timeout(self) -> httpx.Timeout:
        return httpx.Timeout(connect=30.0, read=self.read_timeout, write=30.0, pool=30.0)


_DEFAULT_LIMITS = DownloadLimits()


def _plain_options(limits: DownloadLimits) -> dict[str, object]:
    return {
        "timeout": limits.timeout(),
        "follow_redirects": False,
        "trust_env": False,
        # identity: Range offsets count the bytes as stored, not a re-encoding of them
        "headers": {"Accept": "application/jsonl, */*", "Accept-Encoding": "identity"},
    }


@dataclass(frozen=True)
class SignedUrl:
    """A storage host's signed URL, held where a frame would otherwise keep it as a
    plain string: its repr names the host only, so tracebacks' locals (a reporter
    capturing them), logs and reprs never carry the signature."""

    value: str = field(repr=False)

    @property
    def host(self) -> str:
        return _host(self.value)

    def __repr__(self) -> str:
        return f"SignedUrl(host={self.host!r})"


def signed(url: str | SignedUrl) -> SignedUrl:
    return url if isinstance(url, SignedUrl) else SignedUrl(url)


def _host(url: str) -> str:
    try:
        return httpx.URL(url).host or "the storage host"
    except Exception:
        return "the storage host"


class _State:
    """What the sync and async loops share: offsets, checks, errors."""

    def __init__(
        self,
        url: SignedUrl,
        sink: Sink,
        limits: DownloadLimits,
        operation_id: str | None,
        progress: Callable[[int], None] | None,
    ) -> None:
        self.url = url
        self.sink = sink
        self.limits = limits
        self.operation_id = operation_id
        self.progress = progress
        self.received = 0
        self.total: int | None = None
        self.failures = 0  # in a row, without progress
        self.resumes = 0

    def headers(self) -> dict[str, str]:
        return {"Range": f"bytes={self.received}-"} if self.received else {}

    def error(self, message: str) -> BulkDownloadError:
        return BulkDownloadError(
            f"bulk result of {self.operation_id or 'the operation'}: {message}",
            operation_id=self.operation_id,
            status="COMPLETED",
        )

    def check_response(self, response: httpx.Response) -> None:
        status = response.status_code
        if status in _GONE:
            raise BulkResultUnavailableError(
                f"bulk result of {self.operation_id or 'the operation'}: {self.url.host} "
                f"answered {status}: its signed URL expired or vanished (results are kept "
                "7 days); run the query again",
                operation_id=self.operation_id,
                status="COMPLETED",
            )
        if self.received and status == 200:
            # Range ignored: the whole file again, from its first byte
            logger.warning(
                "bulk result of %s: %s ignored Range; the file comes again from its first byte",
                self.operation_id or "the operation",
                self.url.host,
            )
            self.sink.restart()
            self.received = 0
        elif self.received and status == 206:
            match = _CONTENT_RANGE.match(response.headers.get("Content-Range", ""))
            if match is None or int(match.group(1)) != self.received:
                raise self.error(
                    f"{self.url.host} resumed at the wrong offset "
                    f"(asked {self.received}, got {response.headers.get('Content-Range')!r})"
                )
        elif status not in (200, 206):
            raise self.error(f"{self.url.host} answered HTTP {status}")
        length = response.headers.get("Content-Length")
        if length is not None and length.isdigit():
            self.total = self.received + int(length)
            if self.total > self.limits.max_bytes:
                raise self.too_large()

    def too_large(self) -> BulkDownloadError:
        return self.error(
            f"the file passes max_bulk_bytes ({self.limits.max_bytes} bytes); raise it to read it"
        )

    def take(self, chunk: bytes) -> None:
        if self.received + len(chunk) > self.limits.max_bytes:
            raise self.too_large()
        self.sink.feed(chunk)
        self.received += len(chunk)
        self.failures = 0
        if self.progress is not None:
            self.progress(self.received)

    def complete(self) -> bool:
        return self.total is None or self.received >= self.total

    def dropped(self, exc: Exception) -> float:
        """Seconds to wait before the Range request; raises past ``max_resumes``."""
        self.failures += 1
        self.resumes += 1
        if self.failures > self.limits.max_resumes or self.resumes > 10 * self.limits.max_resumes:
            raise self.error(
                f"the download from {self.url.host} was cut {self.resumes} times "
                f"({self.failures} in a row without progress), last at byte {self.received} "
                f"({type(exc).__name__})"
            ) from None
        wait = float(min(8.0, self.limits.resume_backoff * 2 ** (self.failures - 1)))
        logger.warning(
            "bulk result of %s: the download from %s was cut at byte %d (%s); "
            "asking for the rest (Range) in %.1f s",
            self.operation_id or "the operation",
            self.url.host,
            self.received,
            type(exc).__name__,
            wait,
        )
        return wait

    def started(self) -> None:
        logger.info(
            "bulk result of %s: downloading from %s",
            self.operation_id or "the operation",
            self.url.host,
        )

    def ended(self) -> None:
        logger.info(
            "bulk result of %s: %d bytes received from %s",
            self.operation_id or "the operation",
            self.received,
            self.url.host,
        )


def download_steps_sync(
    url: str | SignedUrl,
    sink: Sink,
    *,
    limits: DownloadLimits = _DEFAULT_LIMITS,
    operation_id: str | None = None,
    progress: Callable[[int], None] | None = None,
    transport: httpx.BaseTransport | None = None,
) -> Generator[int, None, None]:
    """Stream ``url`` into ``sink``, yielding the bytes received after each chunk
    (so that the caller can act between chunks: :meth:`BulkRun.records` with
    ``stream=True`` yields the records completed so far)."""
    state = _State(signed(url), sink, limits, operation_id, progress)
    del url  # no frame keeps the signed URL as a plain string (tracebacks' locals)
    hide_in_httpx_logs(state.url.value)
    state.started()
    with httpx.Client(transport=transport, **_plain_options(limits)) as http:  # type: ignore[arg-type]
        while True:
            try:
                with http.stream("GET", state.url.value, headers=state.headers()) as response:
                    state.check_response(response)
                    for chunk in response.iter_raw():
                        state.take(chunk)
                        yield state.received
                if state.complete():
                    state.ended()
                    return
                raise httpx.RemoteProtocolError("the file ended before its Content-Length")
            except httpx.TransportError as exc:
                wait = state.dropped(exc)
            time.sleep(wait)


def download_sync(
    url: str | SignedUrl,
    sink: Sink,
    *,
    limits: DownloadLimits = _DEFAULT_LIMITS,
    operation_id: str | None = None,
    progress: Callable[[int], None] | None = None,
    transport: httpx.BaseTransport | None = None,
) -> int:
    """Stream ``url`` into ``sink``; returns the bytes received."""
    received, held = 0, signed(url)
    del url
    for step in download_steps_sync(
        held, sink, limits=limits, operation_id=operation_id, progress=progress, transport=transport
    ):
        received = step
    return received


async def download_steps_async(
    url: str | SignedUrl,
    sink: Sink,
    *,
    limits: DownloadLimits = _DEFAULT_LIMITS,
    operation_id: str | None = None,
    progress: Callable[[int], None] | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
) -> AsyncGenerator[int, None]:
    """:func:`download_steps_sync`, async."""
    import asyncio

    state = _State(signed(url), sink, limits, operation_id, progress)
    del url  # no frame keeps the signed URL as a plain string (tracebacks' locals)
    hide_in_httpx_logs(state.url.value)
    state.started()
    async with httpx.AsyncClient(transport=transport, **_plain_options(limits)) as http:  # type: ignore[arg-type]
        while True:
            try:
                async with http.stream("GET", state.url.value, headers=state.headers()) as response:
                    state.check_response(response)
                    async for chunk in response.aiter_raw():
                        state.take(chunk)
                        yield state.received
                if state.complete():
                    state.ended()
                    return
                raise httpx.RemoteProtocolError("the file ended before its Content-Length")
            except httpx.TransportError as exc:
                wait = state.dropped(exc)
            await asyncio.sleep(wait)


async def download_async(
    url: str | SignedUrl,
    sink: Sink,
    *,
    limits: DownloadLimits = _DEFAULT_LIMITS,
    operation_id: str | None = None,
    progress: Callable[[int], None] | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
) -> int:
    """Stream ``url`` into ``sink`` (async); returns the bytes received."""
    received, held = 0, signed(url)
    del url
    steps = download_steps_async(
        held, sink, limits=limits, operation_id=operation_id, progress=progress, transport=transport
    )
    async for step in steps:
        received = step
    return received
