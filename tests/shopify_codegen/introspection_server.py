"""A local introspection server on 127.0.0.1, answering from a committed schema.

graphql-core executes the introspection query against a schema built from the
file, so a download round-trips through real HTTP. ``mode`` makes it misbehave.
"""

from __future__ import annotations

import contextlib
import json
import socket
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Literal

from graphql import graphql_sync

from shopify_codegen.schema_files import load_schema

Mode = Literal["ok", "html", "truncated", "errors", "not_introspection", "unauthorized", "drop"]


class IntrospectionServer:
    def __init__(self, schema_file: Path, mode: Mode = "ok", token: str | None = None) -> None:
        self.schema = load_schema(schema_file)
        self.mode: Mode = mode
        self.token = token
        self.seen_headers: list[dict[str, str]] = []
        self._answer: bytes | None = None
        self._server: ThreadingHTTPServer | None = None

    def answer(self) -> bytes:
        if self._answer is None:
            from graphql import get_introspection_query

            result = graphql_sync(
                self.schema,
                get_introspection_query(descriptions=True, input_value_deprecation=True),
            )
            assert not result.errors, result.errors
            self._answer = json.dumps({"data": result.data}).encode()
        return self._answer

    @property
    def url(self) -> str:
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.server_address[1]}/graphql.json"

    @contextlib.contextmanager
    def running(self) -> Iterator[IntrospectionServer]:
        outer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                return

            def do_POST(self) -> None:
                outer.seen_headers.append(dict(self.headers.items()))
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                query = json.loads(body).get("query", "")
                mode = outer.mode
                if mode == "drop":
                    self.close_connection = True
                    with contextlib.suppress(OSError):
                        self.connection.shutdown(socket.SHUT_RDWR)
                    return
                if (
                    outer.token is not None
                    and self.headers.get("X-Shopify-Access-Token") != outer.token
                ):
                    mode = "unauthorized"
                status, content_type, data = 200, "application/json", b""
                if mode == "ok":
                    assert "__schema" in query
                    data = outer.answer()
                elif mode == "html":
                    content_type, data = (
                        "text/html",
                        b"<!DOCTYPE html><html><body>Maintenance</body></html>",
                    )
                elif mode == "truncated":
                    data = outer.answer()[:5000]
                elif mode == "errors":
                    data = b'{"errors": "Not Found"}'
                elif mode == "not_introspection":
                    data = b'{"data": {"shop": {"name": "Example"}}}'
                elif mode == "unauthorized":
                    status = 401
                    data = b'{"errors": "[API] Invalid API key or access token"}'
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        class Server(ThreadingHTTPServer):
            daemon_threads = True

            def handle_error(self, request: Any, client_address: Any) -> None:
                if not isinstance(sys.exc_info()[1], ConnectionError):  # a killed client
                    super().handle_error(request, client_address)

        server = Server(("127.0.0.1", 0), Handler)
        self._server = server
        thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        thread.start()
        try:
            yield self
        finally:
            server.shutdown()
            server.server_close()
