"""`schema download`'s error excerpt is scrubbed before it is cut (issue 21, item 4):
a token echoed across the 200th character left its first characters in the message."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.shopify_client.raw_server import Connection, head, raw_server
from tests.shopify_codegen.test_download import download

TOKEN = "shpat_straddles_the_cut_0123456789"


def leaked_prefix(secret: str, text: str) -> int:
    n = 0
    while n < len(secret) and secret[: n + 1] in text:
        n += 1
    return n


@pytest.mark.parametrize(
    ("status", "body"),
    [
        # 18 characters of the token before the cut at 200, as the attack found
        ("401 Unauthorized", "x" * 182 + TOKEN + " is not valid"),
        ("500 Internal Server Error", "e" * 190 + TOKEN),
        # echoed inside JSON, with its own escapes
        ("403 Forbidden", json.dumps({"detail": "y" * 170 + f'token "{TOKEN}" lacks a scope'})),
    ],
)
def test_a_token_across_the_excerpt_cut_leaves_nothing_of_itself(
    storefront_project: Path, monkeypatch: pytest.MonkeyPatch, status: str, body: str
) -> None:
    def echo(conn: Connection) -> None:
        data = body.encode()
        conn.send(head(status, length=len(data)) + data)

    monkeypatch.setenv("MY_TOKEN", TOKEN)
    with raw_server(echo) as server:
        code, out, err = download(
            storefront_project, "2024-10", "--endpoint", server.url(), "--token-env", "MY_TOKEN"
        )
    assert code == 2 and f"HTTP {status.split()[0]}" in err
    assert TOKEN.encode() in server.requests[0]  # it was sent, and echoed
    assert leaked_prefix(TOKEN, out + err) < 4, err


def test_a_redirect_location_across_its_cut_leaves_nothing_of_the_token(
    storefront_project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    location = "https://elsewhere.test/" + "p" * 270 + "?t=" + TOKEN

    def redirect(conn: Connection) -> None:
        conn.send(head("302 Found", length=0, extra=f"Location: {location}"))

    monkeypatch.setenv("MY_TOKEN", TOKEN)
    with raw_server(redirect) as server:
        code, out, err = download(
            storefront_project, "2024-10", "--endpoint", server.url(), "--token-env", "MY_TOKEN"
        )
    assert code == 2 and "redirect" in err
    assert leaked_prefix(TOKEN, out + err) < 4, err
