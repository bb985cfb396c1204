"""The time and byte bounds of one call, against hostile local servers.

Prints, for the generated Storefront ``Client``: how long a call with ``timeout=2`` is
held by a server dripping its body a byte each 0.5 s, and the peak memory (RSS) of a
process making one call that receives a 600 MB body or a 400 MB gzip bomb (~400 KB on
the wire). Each measurement runs in a fresh process, its server in another one, on
127.0.0.1. Run: ``.venv/bin/python bench/security_bounds.py`` (about 10 s). The README's
Security section quotes these figures; nothing asserts on them.
"""

from __future__ import annotations

import gzip
import resource
import subprocess
import sys
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BODY = b'{"data": {"customer": null}}'


def serve(mode: str) -> None:
    """The server process: prints its port, serves until stdin closes."""
    sys.path.insert(0, str(ROOT))
    from tests.shopify_client.raw_server import Connection, RawServer, head

    bomb = b""
    if mode == "gzip":
        bomb = gzip.compress(b'{"data": null' + b" " * (400 * 1024 * 1024) + b"}", 9)

    def script(conn: Connection) -> None:
        if mode == "big":
            size = 600 * 1024 * 1024
            if conn.send(head(length=size)):
                piece = b" " * (1024 * 1024)
                for _ in range(600):
                    if not conn.send(piece):
                        return
        elif mode == "gzip":
            conn.send(head(extra="Content-Encoding: gzip", length=len(bomb)) + bomb)
        else:
            conn.send(head(length=len(BODY)))
            conn.drip(BODY, 0.5)

    with RawServer(script, lifetime=120) as server:
        print(server.port, flush=True)
        sys.stdin.read()


def measure(mode: str) -> None:
    """The client process: one call, then one line of figures."""
    warnings.simplefilter("ignore")
    server = subprocess.Popen(
        [sys.executable, __file__, "serve", mode],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert server.stdout is not None and server.stdin is not None
    port = int(server.stdout.readline())
    from shopify_storefront import Client

    client = Client(
        endpoint=f"http://127.0.0.1:{port}/api/2024-10/graphql.json",
        access_token="bench-token",
        max_retries=0,
        timeout=2 if mode == "drip" else 120,
    )
    started = time.monotonic()
    try:
        client.customer(customer_access_token="x")
        outcome = "returned"
    except Exception as exc:  # reported, whatever it is
        outcome = type(exc).__name__
    held = time.monotonic() - started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"| {mode} | {held:.1f} s | {peak_mb:,.0f} MB | {outcome} |", flush=True)
    server.stdin.close()
    server.wait(timeout=10)


def main() -> None:
    print("| server sends | call held | peak RSS | outcome |")
    print("| --- | --- | --- | --- |")
    for mode in ("drip", "big", "gzip"):
        subprocess.run([sys.executable, __file__, "measure", mode], check=True)


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "serve":
        serve(sys.argv[2])
    elif len(sys.argv) == 3 and sys.argv[1] == "measure":
        measure(sys.argv[2])
    else:
        main()
