"""What a server sends reaches no message, repr or log line with its control characters
(issue 21, item 21): an escape sequence would rewrite the caller's terminal (clear it,
retitle it, hide text), a line break would forge a log line, a bidi override would
reverse what is read. They are escaped the way ``repr`` escapes them; values keep
what was sent."""

from __future__ import annotations

import json
import logging
import pickle
import warnings
from collections.abc import Iterator
from types import SimpleNamespace

import pytest

from shopify_client import (
    HTTPStatusError,
    ShopifyEnum,
    ShopifyError,
    TransportError,
    UserErrorsError,
    VersionMismatchWarning,
)
from shopify_client._redact import printable
from shopify_client._response import interpret
from shopify_client.testing import FakeShopify
from shopify_storefront import Client as StorefrontClient
from shopify_storefront import CustomerErrorCode
from tests.shopify_client.conftest import STOREFRONT_VERSION
from tests.shopify_client.raw_server import Connection, head, raw_server

# Clear the screen, set the terminal's title, forge a log line, C1 CSI (which Latin-1
# header values can carry), a right-to-left override, a NUL and a bell.
HOSTILE = "A\x1b[2J\x1b]0;owned\x07\r\nINFO forged line\x9b31m\u202eB\x00"


def controls(text: str) -> list[str]:
    return [hex(ord(c)) for c in text if not c.isprintable()]


class Color(ShopifyEnum):
    RED = "RED"


def raised(status: int, body: str, **headers: str) -> ShopifyError:
    fields = {"content-type": "application/json", **{k.lower(): v for k, v in headers.items()}}
    with pytest.raises(ShopifyError) as info:
        interpret(status, fields, body.encode(), secrets=[])
    return info.value


def test_printable_escapes_as_repr_does_and_keeps_the_rest() -> None:
    assert printable("plain é 😀 text") == "plain é 😀 text"
    assert printable("a\x1bb\nc\u202ed") == "a\\x1bb\\nc\\u202ed"
    assert controls(printable(HOSTILE)) == []


def test_an_unknown_enum_value_is_kept_and_shown_escaped() -> None:
    member = Color(HOSTILE)
    assert member.value == HOSTILE and member == HOSTILE  # what Shopify sent
    assert not member.is_known
    for shown in (repr(member), str(member), f"{member!r}", member.name):
        assert controls(shown) == [], shown
    assert pickle.loads(pickle.dumps(member)).value == HOSTILE
    assert Color("RED") is Color.RED and Color("NEW_VALUE").name == "NEW_VALUE"


def test_an_unknown_generated_enum_value_is_shown_escaped() -> None:
    code = CustomerErrorCode(HOSTILE)
    assert controls(repr(code)) == [] and controls(str(code)) == []


@pytest.mark.parametrize(
    ("status", "body", "headers"),
    [
        (200, json.dumps({"errors": [{"message": HOSTILE, "path": [HOSTILE]}]}), {}),
        (200, json.dumps({"errors": [{"message": "x", "extensions": {"code": HOSTILE}}]}), {}),
        (500, json.dumps({"errors": HOSTILE}), {}),
        (401, json.dumps({"errors": [{"message": HOSTILE}]}), {}),
        (404, "not found: " + HOSTILE, {"content_type": "text/plain"}),
        (200, "<html>" + HOSTILE + "</html>", {"content_type": "text/html"}),
        (302, "", {"location": "https://x.test/" + HOSTILE.replace("\r\n", "")}),
        (500, "boom", {"x_request_id": "req\x9b\x1b[31m"}),
        (429, "", {"x_request_id": "req\x85\x1b]0;t\x07"}),
    ],
    ids=[
        "graphql-message-and-path",
        "graphql-code",
        "500-errors-string",
        "401-errors",
        "404-text",
        "html-page",
        "redirect-location",
        "request-id",
        "429-request-id",
    ],
)
def test_no_error_message_carries_a_control_character(
    status: int, body: str, headers: dict[str, str]
) -> None:
    error = raised(status, body, **{k.replace("_", "-"): v for k, v in headers.items()})
    assert controls(str(error)) == [], str(error)
    assert controls(repr(getattr(error, "errors", []))) == []


def test_the_redirect_location_keeps_what_was_sent_and_the_message_escapes_it() -> None:
    error = raised(302, "", location="https://x.test/\x9bpath")
    assert isinstance(error, HTTPStatusError)
    assert error.location == "https://x.test/\x9bpath"
    assert "\\x9bpath" in str(error)


def test_user_error_messages_are_escaped() -> None:
    item = SimpleNamespace(message=HOSTILE, code=SimpleNamespace(value=HOSTILE), field=[HOSTILE])
    error = UserErrorsError([item])
    assert controls(str(error)) == []
    assert error.user_errors[0].message == HOSTILE


@pytest.fixture
def hostile_headers_shop() -> Iterator[FakeShopify]:
    with FakeShopify(served_version="2099-01\x9b2J", deprecated_reason="old\x9b2J\x85forged") as s:
        yield s


def test_header_values_reach_no_log_line_or_warning_unescaped(
    hostile_headers_shop: FakeShopify, caplog: pytest.LogCaptureFixture
) -> None:
    shop = hostile_headers_shop
    caplog.set_level(logging.WARNING, logger="shopify_client")
    with (
        StorefrontClient(
            endpoint=shop.endpoint("storefront", STOREFRONT_VERSION),
            access_token=shop.storefront_token,
        ) as client,
        warnings.catch_warnings(record=True) as caught,
    ):
        warnings.simplefilter("always", VersionMismatchWarning)
        client.products(first=1)
    logged = [r.getMessage() for r in caplog.records]
    assert any("deprecated" in m for m in logged) and any("2099-01" in m for m in logged)
    for message in logged + [str(w.message) for w in caught]:
        assert controls(message) == [], message


def test_a_transport_error_message_carries_no_control_character() -> None:
    def cut_short(conn: Connection) -> None:
        # the request id of an answer whose body then stops: the message names it
        conn.send(head("200 OK", extra="X-Request-Id: id\x9b2J\x1b", length=100) + b'{"da')

    with (
        raw_server(cut_short) as server,
        StorefrontClient(
            endpoint=server.url(), access_token="sf-token-0123456789", max_retries=0
        ) as client,
        pytest.raises(TransportError) as info,
    ):
        client.products(first=1)
    assert "request id" in str(info.value)
    assert controls(str(info.value)) == [], str(info.value)
