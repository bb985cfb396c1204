"""The bench's servers, each in its own process (so it does not share the GIL with
the client being measured), on 127.0.0.1, stopped when their ``with`` block ends.

* :func:`local_server`: answers every POST at once with the recorded body its
  ``operationName`` selects (per-call, concurrency and cold-start rows);
* :func:`fake_shop`: a :class:`shopify_client.testing.FakeShopify` with a leaky
  bucket, driven over a pipe (pacing rows): reset the bucket, read its counters.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import json
import multiprocessing
import os
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any

from bench.common import ADMIN_FIXTURE, OPERATIONS, ROOT


async def _handle(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, bodies: dict[str, bytes]
) -> None:
    """HTTP/1.1 keep-alive: answer each POST with the body its operationName selects."""
    try:
        while True:
            head = await reader.readuntil(b"\r\n\r\n")
            length = 0
            for line in head.split(b"\r\n")[1:]:
                name, _, value = line.partition(b":")
                if name.strip().lower() == b"content-length":
                    length = int(value)
            payload = await reader.readexactly(length) if length else b""
            try:
                operation = json.loads(payload).get("operationName")
            except ValueError:
                operation = None
            body = bodies.get(operation) if isinstance(operation, str) else None
            status = b"200 OK"
            if body is None:
                status = b"400 Bad Request"
                body = b'{"errors":[{"message":"unknown operationName"}]}'
            writer.write(
                b"HTTP/1.1 %s\r\nContent-Type: application/json; charset=utf-8\r\n"
                b"Content-Length: %d\r\n\r\n%s" % (status, len(body), body)
            )
            await writer.drain()
    except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError):
        pass
    finally:
        writer.close()


async def _serve_async(conn: Connection, bodies: dict[str, bytes]) -> None:
    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await _handle(reader, writer, bodies)

    server = await asyncio.start_server(handle, "127.0.0.1", 0, backlog=1024)
    port = server.sockets[0].getsockname()[1]
    conn.send(port)
    conn.close()
    async with server:
        await server.serve_forever()


def _serve(conn: Connection, bodies: dict[str, bytes]) -> None:
    """The server process's entry point (top level, so that spawn can find it)."""
    asyncio.run(_serve_async(conn, bodies))


@contextlib.contextmanager
def local_server() -> Iterator[str]:
    """A canned-answer GraphQL server in its own process; yields its URL."""
    bodies = {op.name: op.fixture.read_bytes() for op in OPERATIONS}
    bodies[ADMIN_FIXTURE[0]] = ADMIN_FIXTURE[1].read_bytes()
    context = multiprocessing.get_context("spawn")
    parent, child = context.Pipe(duplex=False)
    process = context.Process(target=_serve, args=(child, bodies), daemon=True)
    process.start()
    try:
        child.close()
        if not parent.poll(30):
            raise RuntimeError("the benchmark server did not start within 30 s")
        port = parent.recv()
        yield f"http://127.0.0.1:{port}/api/2024-10/graphql.json"
    finally:
        process.terminate()
        process.join(5)
        if process.is_alive():
            process.kill()
            process.join()


# -- FakeShopify with a leaky bucket ----------------------------------------------------


def _serve_fake(conn: Connection, answers: dict[str, Any], costs: dict[str, float]) -> None:
    """The FakeShopify process: starts the fake, then obeys the pipe until "stop"."""
    from shopify_client.testing import FakeShopify, LeakyBucket

    warnings.simplefilter("ignore")
    with FakeShopify(schema_dir=ROOT / "schema") as fake:
        for operation, data in answers.items():
            fake.answer(operation, data)
        for operation, points in costs.items():
            fake.set_cost(operation, points)
        conn.send(fake.port)
        executed_before = 0
        while True:
            command, *args = conn.recv()
            if command == "bucket":  # a fresh, full bucket: (maximum, restore rate)
                # Each run starts with no garbage left by the last: a full collection
                # of a large heap in the middle of a paced run stalls every call.
                gc.collect()
                fake.bucket = LeakyBucket(maximum=args[0], restore_rate=args[1])
                executed_before = sum(fake.executed.values())
                conn.send(None)
            elif command == "counters":
                executed = sum(fake.executed.values()) - executed_before
                conn.send((fake.bucket.throttled, fake.bucket.spent, executed))
            else:
                conn.send(None)
                return


@dataclass
class FakeShop:
    """The parent's handle on the FakeShopify process."""

    port: int
    _conn: Connection

    def admin_endpoint(self, version: str = "2024-01") -> str:
        return f"http://127.0.0.1:{self.port}/admin/api/{version}/graphql.json"

    def reset_bucket(self, maximum: float, restore_rate: float) -> None:
        self._conn.send(("bucket", maximum, restore_rate))
        self._conn.recv()

    def counters(self) -> tuple[int, float, int]:
        """(THROTTLED answers, points spent, operations executed) since the last reset."""
        self._conn.send(("counters",))
        throttled, spent, executed = self._conn.recv()
        return int(throttled), float(spent), int(executed)


@contextlib.contextmanager
def fake_shop(answers: dict[str, Any], costs: dict[str, float]) -> Iterator[FakeShop]:
    """FakeShopify (the project's own, shopify_client.testing) in its own process."""
    context = multiprocessing.get_context("spawn")
    parent, child = context.Pipe(duplex=True)
    process = context.Process(target=_serve_fake, args=(child, answers, costs), daemon=True)
    process.start()
    try:
        if not parent.poll(60):
            raise RuntimeError("FakeShopify did not start within 60 s")
        yield FakeShop(int(parent.recv()), parent)
        parent.send(("stop",))
        parent.poll(5)
    finally:
        process.join(5)
        if process.is_alive():
            process.terminate()
            process.join(5)
        if process.is_alive():
            process.kill()
            process.join()


# -- a storage host at a set bandwidth ----------------------------------------------------

#: bytes per paced write of the throttled storage host: at 25 MB/s, 2.6 ms of the link
_SLICE = 64 * 1024


def _serve_throttled(conn: Connection, path: str, rate: float) -> None:
    """The throttled storage process: serves ``path`` at ``rate`` bytes a second."""
    import http.server
    import socketserver
    import time

    size = os.path.getsize(path)

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:
            pass

        def do_GET(self) -> None:
            start = 0
            asked = self.headers.get("Range", "")
            if asked.startswith("bytes=") and asked.endswith("-"):
                start = int(asked[6:-1])
            self.send_response(206 if start else 200)
            self.send_header("Content-Type", "application/jsonl")
            self.send_header("Content-Length", str(size - start))
            if start:
                self.send_header("Content-Range", f"bytes {start}-{size - 1}/{size}")
            self.end_headers()
            # paced: slice n leaves no earlier than n slices' worth of time after the
            # first, so the client receives at most ``rate`` (plus one slice) however
            # fast it reads; a late slice does not earn a burst beyond that
            began = time.perf_counter()
            sent = 0
            with open(path, "rb") as file:
                file.seek(start)
                while piece := file.read(_SLICE):
                    due = began + sent / rate
                    now = time.perf_counter()
                    if due > now:
                        time.sleep(due - now)
                    elif now - due > 0.05:  # fell behind: do not catch up in a burst
                        began += now - due
                    self.wfile.write(piece)
                    sent += len(piece)

    class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
        daemon_threads = True

    with Server(("127.0.0.1", 0), Handler) as server:
        conn.send(server.server_address[1])
        conn.close()
        server.serve_forever(poll_interval=0.05)


@contextlib.contextmanager
def throttled_storage(path: os.PathLike[str] | str, rate: float) -> Iterator[str]:
    """A storage host in its own process on 127.0.0.1 that serves the file at ``path``
    (GET, Range ``bytes=<n>-``) at ``rate`` bytes a second, pacing its writes; yields
    its URL."""
    context = multiprocessing.get_context("spawn")
    parent, child = context.Pipe(duplex=False)
    process = context.Process(
        target=_serve_throttled, args=(child, os.fspath(path), rate), daemon=True
    )
    process.start()
    try:
        child.close()
        if not parent.poll(30):
            raise RuntimeError("the throttled storage host did not start within 30 s")
        port = parent.recv()
        yield f"http://127.0.0.1:{port}/results/export.jsonl?X-Goog-Signature=bench"
    finally:
        process.terminate()
        process.join(5)
        if process.is_alive():
            process.kill()
            process.join()
