"""Tight deadlines under threads: many threads share one sync client (and its pool of
kept-alive connections) while each call's deadline passes around the time its answer
comes in. A call may be cut by its own deadline; none may fail before it, which is
what a deadline shutting another call's connection looked like (issue 21, item 3:
71 of them, 41 mutations the server had already executed).

`make test` runs SOAK_DEADLINE_CALLS=480 calls (default); `make soak` 20,000.
"""

from __future__ import annotations

import json
import os
import random
import threading
import time
from collections import Counter
from dataclasses import dataclass, field

from shopify_client import ShopifyError, TransportError
from shopify_client.testing import STOREFRONT_TOKEN
from shopify_storefront import Client as StorefrontClient
from tests.shopify_client.raw_server import Connection, head, raw_server

CALLS = int(os.environ.get("SOAK_DEADLINE_CALLS", "480"))
THREADS = 16
SEED = int(os.environ.get("SOAK_SEED", "20261203"))
DATA = b'{"data": {"tokenCreate": {"ok": true}}}'
ANSWER = head(length=len(DATA)) + DATA
MUTATION = "mutation TokenCreate($n: Int!) { tokenCreate(n: $n) { ok } }"


class Requests:
    """Reads the requests of one kept-alive connection, one after another."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.buffer = b""

    def next(self) -> bytes | None:
        """The next request's body; None once the client closed the connection."""
        while b"\r\n\r\n" not in self.buffer:
            if not self._more():
                return None
        head_part, _, rest = self.buffer.partition(b"\r\n\r\n")
        length = 0
        for line in head_part.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value)
        self.buffer = rest
        while len(self.buffer) < length:
            if not self._more():
                return None
        body, self.buffer = self.buffer[:length], self.buffer[length:]
        return body

    def _more(self) -> bool:
        try:
            chunk = self.conn.sock.recv(65536)
        except OSError:
            return False
        self.buffer += chunk
        return bool(chunk)


class SlowShop:
    """Answers each request after up to 30 ms; notes which mutations it executed."""

    def __init__(self, seed: int) -> None:
        self.executed: set[int] = set()
        self._rng = random.Random(seed)
        self._lock = threading.Lock()

    def __call__(self, conn: Connection) -> None:
        requests = Requests(conn)
        body: bytes | None = conn.request.partition(b"\r\n\r\n")[2]
        while body is not None:
            try:
                n = json.loads(body)["variables"]["n"]
            except ValueError:  # cut short: the client gave up while sending it
                return
            with self._lock:
                self.executed.add(n)
                delay = self._rng.uniform(0.0, 0.03)
            if conn.stop.wait(delay) or not conn.send(ANSWER):
                return
            body = requests.next()


@dataclass
class Report:
    calls: int = 0
    succeeded: int = 0
    cut_at_deadline: int = 0
    failed_early: list[str] = field(default_factory=list)
    executed_early: int = 0
    other: Counter[str] = field(default_factory=Counter)

    def summary(self) -> str:
        other = ", ".join(f"{name} {n}" for name, n in self.other.most_common()) or "none"
        return (
            f"deadline soak: {self.calls} mutations on {THREADS} threads, one client: "
            f"{self.succeeded} succeeded, {self.cut_at_deadline} cut at their own deadline, "
            f"{len(self.failed_early)} failed before it ({self.executed_early} executed by "
            f"the server); other errors: {other}"
        )


def soak(url: str, shop: SlowShop, calls: int, seed: int) -> Report:
    report = Report(calls=calls)
    lock = threading.Lock()
    numbers = iter(range(calls))

    with StorefrontClient(
        endpoint=url, access_token=STOREFRONT_TOKEN, max_retries=0, timeout=1
    ) as sf:

        def worker(k: int) -> None:
            rng = random.Random(seed + k)
            for n in numbers:  # shared: each call number is taken once
                timeout = rng.uniform(0.005, 0.03)
                started = time.monotonic()
                try:
                    sf.execute(MUTATION, "TokenCreate", {"n": n}, timeout=timeout)
                except TransportError as exc:
                    ended = time.monotonic()
                    with lock:
                        if ended < started + timeout:  # before this call's own deadline
                            report.failed_early.append(str(exc))
                            report.executed_early += n in shop.executed
                        else:
                            report.cut_at_deadline += 1
                    continue
                except ShopifyError as exc:
                    with lock:
                        report.other[type(exc).__name__] += 1
                    continue
                with lock:
                    report.succeeded += 1

        threads = [threading.Thread(target=worker, args=(k,)) for k in range(THREADS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    return report


def test_no_call_fails_before_its_own_deadline() -> None:
    shop = SlowShop(SEED)
    with raw_server(shop, lifetime=max(60.0, CALLS / 20)) as server:
        report = soak(server.url(), shop, CALLS, SEED)
        assert not server.stopped  # the run ended before the server's lifetime
    print("\n" + report.summary())
    assert report.failed_early == [], report.failed_early[:3]
    assert report.other == Counter()
    assert report.succeeded + report.cut_at_deadline == CALLS
    assert report.succeeded > 0 and report.cut_at_deadline > 0  # deadlines did bite
