"""A kept-alive connection is shared by the calls of one client, one after another:
what one call leaves on it (a late deadline, bytes past its answer, a slow server)
must never reach the next call that borrows it.

Servers are raw sockets on 127.0.0.1 that stop by themselves (raw_server.py). No
assertion is about elapsed time: a bound is shown by the call ending with its own
error while the server is still sending.
"""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import Iterator

import httpx
import pytest

from shopify_client import TransportError, _deadlines, _transport
from shopify_client.testing import STOREFRONT_TOKEN
from shopify_storefront import AsyncClient as AsyncStorefrontClient
from shopify_storefront import Client as StorefrontClient
from tests.shopify_client.raw_server import Connection, head, raw_server

DATA = b'{"data": {"customer": null}}'
OTHER = b'{"data": {"customer": {"id": "gid://shopify/Customer/666"}}}'
ANSWER = head(length=len(DATA)) + DATA


def next_request(conn: Connection) -> bytes:
    """The next request's head on a kept-alive connection (b"" once the client left)."""
    data = b""
    while b"\r\n\r\n" not in data:
        try:
            chunk = conn.sock.recv(65536)
        except OSError:
            return b""
        if not chunk:
            return b""
        data += chunk
    return data


@pytest.fixture(params=[False, True], ids=["own-http", "http_client"])
def http_option(request: pytest.FixtureRequest) -> Iterator[dict[str, object]]:
    """No option (the client makes its own httpx client), or a caller's ``http_client=``."""
    if not request.param:
        yield {}
        return
    with httpx.Client() as http:
        yield {"http_client": http}


def client(url: str, **options: object) -> StorefrontClient:
    return StorefrontClient(endpoint=url, access_token=STOREFRONT_TOKEN, max_retries=0, **options)  # type: ignore[arg-type]


def async_client(url: str, **options: object) -> AsyncStorefrontClient:
    return AsyncStorefrontClient(
        endpoint=url,
        access_token=STOREFRONT_TOKEN,
        max_retries=0,
        **options,  # type: ignore[arg-type]
    )


# -- a late deadline (issue 21, item 3) ------------------------------------------------


def test_a_deadline_passing_after_the_body_never_cuts_the_call_that_borrows_the_connection(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The first call's body is read in time, then its deadline passes before it is
    # done with the connection. Meanwhile a second thread borrows a connection for a
    # call with a deadline far off, and the watchdog fires the first call. The
    # shutdown may only land on a socket the first call still holds: the second call,
    # on the kept-alive connection or on a new one, gets its answer.
    watchdog = _deadlines._Watchdog()  # this test's own (the patches below are its)
    monkeypatch.setattr(_deadlines, "_WATCHDOG", watchdog)
    body_read = threading.Event()  # the first call has read its whole body
    second_arrived = threading.Event()  # the second call's request reached the server
    fired = threading.Event()  # the watchdog fired the first call
    real_fire = _deadlines._SyncAttempt.fire
    real_finish = _transport._BodyReader.finish

    def late_fire(self: _deadlines._SyncAttempt) -> None:
        if threading.current_thread().name == "shopify-client-watchdog":
            second_arrived.wait(5)  # fire once the second call is under way
            real_fire(self)
            fired.set()
        else:
            real_fire(self)

    def first_finish(self: _transport._BodyReader) -> bytes:
        if threading.current_thread() is threading.main_thread():
            body_read.set()
            fired.wait(5)  # past the deadline now; the watchdog fires meanwhile
        return real_finish(self)

    monkeypatch.setattr(_deadlines._SyncAttempt, "fire", late_fire)
    monkeypatch.setattr(_transport._BodyReader, "finish", first_finish)

    def script(conn: Connection) -> None:
        conn.send(ANSWER)  # the first request of this connection, at once
        while next_request(conn):  # later ones: answered once the late fire is done
            second_arrived.set()
            fired.wait(5)
            if not conn.send(ANSWER):
                return

    def fresh(conn: Connection) -> None:  # a connection opened for the second call
        second_arrived.set()
        fired.wait(5)
        conn.send(ANSWER)

    first_connection = iter([script])
    outcome: list[object] = []
    with (
        raw_server(lambda conn: next(first_connection, fresh)(conn), lifetime=15) as server,
        client(server.url(), timeout=1) as sf,
    ):

        def second() -> None:
            body_read.wait(5)
            try:
                outcome.append(sf.customer(customer_access_token="t", timeout=30))
            except TransportError as exc:
                outcome.append(exc)

        thread = threading.Thread(target=second)
        thread.start()
        try:
            sf.customer(customer_access_token="t")  # returns: its body was read in time
        finally:
            body_read.set()
            second_arrived.set()
            thread.join(10)
    assert fired.is_set()  # the first call's deadline did pass and its watchdog fired
    assert len(outcome) == 1
    assert not isinstance(outcome[0], TransportError), outcome[0]


# -- a slow server on a reused connection (item 13) ---------------------------------


class HeaderDripOnReuse:
    """Answers the first request at once; drips the next one's headers a byte each
    0.3 s (2 KB: ten minutes). ``done`` is set only if a drip ever finished."""

    def __init__(self) -> None:
        self.done = threading.Event()
        self.dripping = threading.Event()

    def __call__(self, conn: Connection) -> None:
        conn.send(ANSWER)
        if not next_request(conn):
            return
        self.dripping.set()
        slow = head(length=len(DATA), extra="X-Pad: " + "a" * 2000)
        if conn.drip(slow, 0.3) and conn.send(DATA):
            self.done.set()


def test_a_header_drip_on_a_reused_connection_is_cut_at_the_deadline(
    http_option: dict[str, object],
) -> None:
    drip = HeaderDripOnReuse()
    with raw_server(drip, lifetime=10) as server:
        with client(server.url(), timeout=1, **http_option) as sf:
            assert sf.customer(customer_access_token="t").customer is None
            with pytest.raises(TransportError, match="timeout=1s"):
                sf.customer(customer_access_token="t")  # on the same, kept-alive connection
        assert drip.dripping.is_set()  # it was the reused connection that dripped
        assert not server.stopped  # cut by the client, not by the server giving up
        assert not drip.done.is_set()
    assert len(server.requests) == 1  # one connection for both calls


def test_a_header_drip_on_a_reused_connection_is_cut_at_the_deadline_async() -> None:
    drip = HeaderDripOnReuse()

    async def calls(url: str) -> None:
        async with async_client(url, timeout=1) as sf:
            assert (await sf.customer(customer_access_token="t")).customer is None
            with pytest.raises(TransportError, match="timeout=1s"):
                await sf.customer(customer_access_token="t")

    with raw_server(drip, lifetime=10) as server:
        asyncio.run(calls(server.url()))
        assert drip.dripping.is_set()
        assert not server.stopped
        assert not drip.done.is_set()


# -- bytes past the answer (item 10) ------------------------------------------------


class AnswersAhead:
    """On each connection: the first request's answer, then at once (same write, or a
    moment later) an answer no one asked for yet; later requests there get that one.
    A new connection's first answer is the true one (``DATA``)."""

    def __init__(self, extra: bytes, later: bool) -> None:
        self.extra = extra
        self.later = later
        self.connections = 0

    def __call__(self, conn: Connection) -> None:
        self.connections += 1
        if self.later:
            if not conn.send(ANSWER) or conn.stop.wait(0.2) or not conn.send(self.extra):
                return
        elif not conn.send(ANSWER + self.extra):
            return
        while next_request(conn):  # whatever comes next here is answered by the extra
            pass


AHEAD = {
    "a-whole-answer": (head(length=len(OTHER)) + OTHER, False),
    "a-whole-answer-later": (head(length=len(OTHER)) + OTHER, True),
    "junk": (b"HTTP/1.1 200 OK\r\nX-Junk: 1", False),
}


@pytest.mark.parametrize("extra, later", AHEAD.values(), ids=AHEAD.keys())
def test_an_answer_sent_ahead_never_reaches_the_next_call(extra: bytes, later: bool) -> None:
    server_script = AnswersAhead(extra, later)
    with raw_server(server_script, lifetime=10) as server, client(server.url()) as sf:
        first = sf.customer(customer_access_token="t")
        if later:
            time.sleep(0.4)  # the extra bytes are on the socket by now
        second = sf.customer(customer_access_token="t")
    assert first.customer is None
    assert second.customer is None  # its own answer, on a new connection
    assert server_script.connections == 2


@pytest.mark.parametrize("extra, later", AHEAD.values(), ids=AHEAD.keys())
def test_an_answer_sent_ahead_never_reaches_the_next_call_async(extra: bytes, later: bool) -> None:
    server_script = AnswersAhead(extra, later)

    async def calls(url: str) -> list[object]:
        async with async_client(url) as sf:
            first = await sf.customer(customer_access_token="t")
            if later:
                await asyncio.sleep(0.4)
            second = await sf.customer(customer_access_token="t")
        return [first.customer, second.customer]

    with raw_server(server_script, lifetime=10) as server:
        assert asyncio.run(calls(server.url())) == [None, None]
    assert server_script.connections == 2


# -- HTTP/2: one connection, many calls at once ---------------------------------------


class _Tls:
    def __init__(self, protocol: str) -> None:
        self.protocol = protocol

    def selected_alpn_protocol(self) -> str:
        return self.protocol


class _Stream:
    """What the watchdog sees of an httpcore network stream: its socket and TLS object."""

    def __init__(self, sock: socket.socket, protocol: str) -> None:
        self.info = {"socket": sock, "ssl_object": _Tls(protocol)}

    def get_extra_info(self, name: str) -> object:
        return self.info.get(name)


@pytest.mark.parametrize(("protocol", "shut"), [("h2", False), ("http/1.1", True)])
def test_a_deadline_never_shuts_an_http2_connection(protocol: str, shut: bool) -> None:
    # A caller's http2=True client multiplexes calls on one socket: a shutdown for one
    # call's deadline would cut every other call on it. (h2 is not installed here: the
    # stream is the watchdog's view of one, over a real socket pair.)
    ours, theirs = socket.socketpair()
    with ours, theirs:
        _deadlines._SyncAttempt._shutdown(_Stream(ours, protocol))
        if shut:
            with pytest.raises(OSError):  # shut for writing: EPIPE
                ours.sendall(b"x")
        else:
            ours.sendall(b"x")
            theirs.settimeout(5)
            assert theirs.recv(1) == b"x"
