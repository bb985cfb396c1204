"""A raw HTTP/1.1 server on 127.0.0.1 that answers with scripted bytes: slow drips,
endless or huge bodies, gzip bombs, redirects. It stops with its ``with`` block, and
by itself after ``lifetime`` seconds whatever the test does."""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Callable, Iterator
from types import TracebackType
from typing import Self

Script = Callable[["Connection"], None]


class Connection:
    """One accepted connection: ``send`` writes unless the server is stopping."""

    def __init__(self, sock: socket.socket, stop: threading.Event, request: bytes) -> None:
        self.sock = sock
        self.stop = stop
        self.request = request

    def send(self, data: bytes) -> bool:
        if self.stop.is_set():
            return False
        try:
            self.sock.sendall(data)
        except OSError:
            return False
        return True

    def drip(self, data: bytes, every: float) -> bool:
        """Send ``data`` one byte each ``every`` seconds; False once the peer is gone."""
        for i in range(len(data)):
            if not self.send(data[i : i + 1]) or self.stop.wait(every):
                return False
        return True


def _read_request(sock: socket.socket) -> bytes:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            return data
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip())
    while len(body) < length:
        chunk = sock.recv(65536)
        if not chunk:
            break
        body += chunk
    return head + b"\r\n\r\n" + body


class RawServer:
    def __init__(self, script: Script, lifetime: float = 30.0) -> None:
        self._script = script
        self._lifetime = lifetime
        self._stop = threading.Event()
        self._listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._listener.bind(("127.0.0.1", 0))
        self._listener.listen(16)
        self._listener.settimeout(0.05)
        self.port: int = self._listener.getsockname()[1]
        self.requests: list[bytes] = []
        self._threads: list[threading.Thread] = []
        self._thread = threading.Thread(target=self._serve, daemon=True)

    @property
    def stopped(self) -> bool:
        """True once the server stopped (its ``with`` block ended or its lifetime ran out)."""
        return self._stop.is_set()

    def url(self, path: str = "/api/2024-10/graphql.json") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        for thread in self._threads:
            thread.join(timeout=5)

    def _serve(self) -> None:
        ends = time.monotonic() + self._lifetime
        try:
            while not self._stop.is_set():
                if time.monotonic() > ends:
                    self._stop.set()
                    break
                try:
                    sock, _ = self._listener.accept()
                except TimeoutError:
                    continue
                except OSError:
                    break
                thread = threading.Thread(target=self._handle, args=(sock,), daemon=True)
                self._threads.append(thread)
                thread.start()
        finally:
            self._listener.close()

    def _handle(self, sock: socket.socket) -> None:
        with contextlib.closing(sock):
            sock.settimeout(5.0)
            try:
                request = _read_request(sock)
            except OSError:
                return
            self.requests.append(request)
            with contextlib.suppress(OSError):
                self._script(Connection(sock, self._stop, request))


@contextlib.contextmanager
def raw_server(script: Script, lifetime: float = 30.0) -> Iterator[RawServer]:
    with RawServer(script, lifetime) as server:
        yield server


def head(status: str = "200 OK", extra: str = "", length: int | None = None) -> bytes:
    """Response headers; ``length=None`` means chunked is not used: the body ends
    when the connection closes (or never, for a drip)."""
    lines = [f"HTTP/1.1 {status}", "Content-Type: application/json"]
    if length is not None:
        lines.append(f"Content-Length: {length}")
    if extra:
        lines.append(extra)
    return ("\r\n".join(lines) + "\r\n\r\n").encode()
