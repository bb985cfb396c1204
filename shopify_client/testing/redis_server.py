"""A throwaway ``redis-server`` on 127.0.0.1, for the tests and benchmarks of
``pacing="redis://..."``.

It runs the real server (Debian's package ``redis-server``; ``.ci/run`` installs it)
on a free port, in a temporary directory, saving nothing (``--save "" --appendonly
no``), and stops with its ``with`` block. :meth:`RedisServer.stop` and
:meth:`RedisServer.start` again on the same port play a Redis that dies and comes
back with its state lost.
"""

from __future__ import annotations

import shutil
import signal
import socket
import subprocess
import tempfile
import time
from types import TracebackType
from typing import Self

from .._exceptions import ShopifyError

__all__ = ["RedisServer", "RedisServerMissingError"]

#: seconds to wait for the server to listen, and to stop, before giving up
START_TIMEOUT = 10.0
STOP_TIMEOUT = 10.0


class RedisServerMissingError(ShopifyError):
    """No ``redis-server`` binary on PATH."""


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


def _listening(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.2) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


class RedisServer:
    """A ``redis-server`` child process on 127.0.0.1:``port`` (free by default)."""

    def __init__(self, port: int | None = None, *, binary: str = "redis-server") -> None:
        found = shutil.which(binary)
        if found is None:
            raise RedisServerMissingError(
                f"{binary!r} is not on PATH: install the Debian package redis-server "
                "(apt-get install -y redis-server; .ci/run does it) to run the Redis "
                "pacing tests"
            )
        self._binary = found
        self.port = port if port is not None else _free_port()
        self._dir = tempfile.TemporaryDirectory(prefix="shopify-redis-")
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def start(self) -> None:
        """Start the server (again, on the same port, with nothing in it)."""
        if self.running:
            return
        # fmt: off
        command = [
            self._binary, "--port", str(self.port), "--bind", "127.0.0.1",
            "--save", "", "--appendonly", "no", "--dir", self._dir.name,
            "--daemonize", "no", "--protected-mode", "yes", "--loglevel", "warning",
        ]
        # fmt: on
        self._process = subprocess.Popen(
            command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
        )
        deadline = time.monotonic() + START_TIMEOUT
        while not _listening(self.port):
            if self._process.poll() is not None:
                error = (
                    self._process.stderr.read().decode(errors="replace")
                    if self._process.stderr
                    else ""
                )
                self._process = None
                raise RuntimeError(f"redis-server exited at start: {error.strip()[:500]}")
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"redis-server did not listen on port {self.port} in time")
            time.sleep(0.02)

    def stop(self) -> None:
        """Kill the server (its state is lost: nothing is saved)."""
        process, self._process = self._process, None
        if process is None:
            return
        process.kill()
        try:
            process.wait(STOP_TIMEOUT)
        finally:
            if process.stderr is not None:
                process.stderr.close()

    def pause(self) -> None:
        """Freeze the server (SIGSTOP): connections open, nothing answers (a slow Redis)."""
        if self._process is not None:
            self._process.send_signal(signal.SIGSTOP)

    def resume(self) -> None:
        if self._process is not None:
            self._process.send_signal(signal.SIGCONT)

    def close(self) -> None:
        self.resume()
        self.stop()
        self._dir.cleanup()

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
