"""Scrubbing happens before anything is cut, and matches a secret in the spellings a
server echoes it in (issue 21, items 4 and 5).

Each secret here is one a real customer or app may have: a password with two spaces,
with letters outside ASCII, with quotes and backslashes; a token a server echoes
just before an excerpt's cut.
"""

from __future__ import annotations

import html
import json
import pickle
import re
import sys
from urllib.parse import quote

import pytest

from shopify_client import (
    GraphQLError,
    HTTPStatusError,
    InvalidResponseError,
    ServerError,
    ShopifyError,
)
from shopify_client._redact import _WHITESPACE, REDACTED, Scrubber, excerpt, scrub
from shopify_client._response import interpret
from shopify_client.testing import FakeShopify, Fault
from shopify_storefront import Client as StorefrontClient
from tests.shopify_client.conftest import STOREFRONT_VERSION

TWO_SPACES = "correct  horse  battery"
NON_ASCII = "pässwörd-Ünïcødé"
QUOTES = 'say "pa\\ss" <&> it\'s'
ASTRAL = "emoji-😀-pass"
BACKSLASHES = 'C:\\\\share\\"quoted\\é'
TOKEN = "shpat_0123456789abcdef0123456789ab"
PASSWORDS = [TWO_SPACES, NON_ASCII, QUOTES, ASTRAL]
PLAIN = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~")


def spellings(secret: str) -> dict[str, str]:
    """How servers write ``secret`` back: each is a leak if it reaches a message."""
    dumped = json.dumps(secret)[1:-1]
    return {
        "as written": secret,
        "JSON": dumped,
        "JSON, not ASCII-only": json.dumps(secret, ensure_ascii=False)[1:-1],
        "JSON, upper-case hex": dumped.replace("\\u00e4", "\\u00E4").replace("\\ud83d", "\\uD83D"),
        "JSON in JSON": json.dumps(dumped)[1:-1],
        "JSON, / escaped": dumped.replace("/", "\\/"),
        "Rails JSON (< > & escaped)": dumped.replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026"),
        "whitespace folded": " ".join(secret.split()),
        "whitespace as newlines": "\n".join(secret.split(" ")),
        "HTML": html.escape(secret),
        "HTML numeric": "".join(c if c in PLAIN else f"&#{ord(c)};" for c in secret),
        "URL": quote(secret, safe=""),
        "Python repr": repr(secret)[1:-1],
    }


def leaked_prefix(secret: str, text: str) -> int:
    """The length of the longest start of ``secret`` that ``text`` shows (under 4 is
    chance: "sh" of "shpat_" is in "shop")."""
    n = 0
    while n < len(secret) and secret[: n + 1] in text:
        n += 1
    return n


def raised(status: int, body: str | bytes, secrets: list[str], **headers: str) -> ShopifyError:
    raw = body.encode() if isinstance(body, str) else body
    fields = {"content-type": "application/json", **{k.lower(): v for k, v in headers.items()}}
    with pytest.raises(ShopifyError) as info:
        interpret(status, fields, raw, secrets=secrets)
    return info.value


# -- the scrubber itself ---------------------------------------------------------------


@pytest.mark.parametrize("secret", [*PASSWORDS, BACKSLASHES, TOKEN])
def test_every_spelling_of_a_secret_is_replaced(secret: str) -> None:
    scrubber = Scrubber([secret])
    for how, spelled in spellings(secret).items():
        text = f"before {spelled} after"
        out = scrubber.text(text)
        assert out == f"before {REDACTED} after", how


def char_spellings(char: str) -> set[str]:
    code = ord(char)
    out = {
        json.dumps(char)[1:-1],
        f"\\u{code:04x}" if code < 0x10000 else json.dumps(char)[1:-1],
        f"\\u{code:04X}" if code < 0x10000 else json.dumps(char)[1:-1].upper(),
        quote(char, safe=""),
        f"&#{code};",
        f"&#x{code:x};",
        f"&#X{code:X};",
        f"&#00{code};",
        json.dumps(json.dumps(char)[1:-1])[1:-1],  # JSON in JSON
        f"\\u0026#{code};",
    }
    if code < 0x100:
        out.add(f"\\x{code:02x}")
    return out - {char}


def test_the_whitespace_pattern_takes_every_spelling_of_whitespace_and_nothing_else() -> None:
    pattern = re.compile(_WHITESPACE)
    whitespace = [chr(c) for c in range(sys.maxunicode + 1) if chr(c).isspace()]
    for char in whitespace:
        assert pattern.fullmatch(char)
        for spelled in char_spellings(char):
            assert pattern.fullmatch(spelled), (hex(ord(char)), spelled)
    others = [chr(c) for c in range(0x3100) if not chr(c).isspace()] + ["😀"]
    for char in others:
        for spelled in char_spellings(char):
            assert not pattern.fullmatch(spelled), (hex(ord(char)), spelled)


def test_whitespace_at_the_ends_of_a_secret_does_not_hide_it() -> None:
    assert (
        scrub("the value was hunter22 here", ["  hunter22\n"]) == f"the value was {REDACTED} here"
    )


def test_short_values_are_left_alone() -> None:
    assert scrub("a bc def", ["bc", "def", " a "]) == "a bc def"


def test_a_secret_inside_another_is_replaced_whole() -> None:
    out = scrub("x abcd-efgh y", ["abcd", "abcd-efgh"])
    assert out == f"x {REDACTED} y"


def test_the_scrubber_repr_shows_no_secret() -> None:
    assert TOKEN not in repr(Scrubber([TOKEN]))


def test_json_values_are_scrubbed_at_every_depth_keys_included() -> None:
    value = {"a": [{"b": f"x {TOKEN}"}, TOKEN, 3], TOKEN: None, "c": {"d": {"e": [TOKEN]}}}
    out = Scrubber([TOKEN]).json(value)
    assert TOKEN not in json.dumps(out)
    assert out["a"][2] == 3 and REDACTED in out


@pytest.mark.parametrize("offset", range(150, 215, 3))
@pytest.mark.parametrize("secret", [TOKEN, TWO_SPACES, QUOTES])
def test_an_excerpt_never_shows_the_start_of_a_secret_across_its_cut(
    offset: int, secret: str
) -> None:
    text = "w " * (offset // 2) + "x" * (offset % 2) + secret + " tail" * 100
    shown = excerpt(text, [secret], 200)
    assert leaked_prefix(secret, shown) < 4, shown[-40:]
    assert shown.endswith("...")


@pytest.mark.parametrize("size", [0, 10, 199, 200, 201, 5_000, 300_000])
def test_an_excerpt_of_a_long_text_is_the_excerpt_of_the_whole(size: int) -> None:
    """Only part of a long text is read: the result is the same as reading it all."""
    secrets = [TOKEN, TWO_SPACES, "abcd"]
    text = ("abcd " + TOKEN + "\n\t" + TWO_SPACES + " x  ") * (size // 40 + 1)
    text = text[:size]
    scrubbed = " ".join(scrub(text, secrets).split())
    expected = scrubbed[:200] + ("..." if len(scrubbed) > 200 else "")
    assert excerpt(text, secrets, 200) == expected
    assert excerpt(text.encode(), secrets, 200) == expected


def test_an_excerpt_of_mostly_whitespace_still_finds_its_text() -> None:
    text = " " * 1_000_000 + "the end " + TOKEN
    assert excerpt(text, [TOKEN], 200) == f"the end {REDACTED}"


# -- interpret: what reaches str(exc), excerpts first -------------------------------------


@pytest.mark.parametrize("secret", PASSWORDS)
@pytest.mark.parametrize(
    ("status", "content_type"),
    [(404, "text/plain"), (500, "application/json"), (200, "text/html")],
)
def test_an_echoed_password_reaches_no_message(secret: str, status: int, content_type: str) -> None:
    # A body that is not Shopify's {"errors": ...}: the message shows an excerpt of it.
    body = json.dumps({"error": f"invalid password {secret} for this shop"})
    if content_type == "text/html":
        body = f"<html><body><p>invalid password {html.escape(secret)}</p></body></html>"
    elif content_type == "text/plain":
        # (past the first 50 characters, where a "<" would make it an "HTML page")
        body = f"the customer could not be logged in with the password {secret} given"
    error = raised(status, body, [secret], content_type=content_type)
    message = str(error)
    for how, spelled in spellings(secret).items():
        assert spelled not in message, how
    assert REDACTED in message


@pytest.mark.parametrize("offset", [185, 190, 195])
def test_a_token_across_the_excerpt_cut_leaves_no_prefix(offset: int) -> None:
    error = raised(401, "x" * offset + TOKEN + " more", [TOKEN], content_type="text/plain")
    assert isinstance(error, HTTPStatusError)
    assert leaked_prefix(TOKEN, str(error)) < 4


def test_a_token_across_the_message_cut_leaves_no_prefix() -> None:
    body = json.dumps({"errors": [{"message": "m" * 1990 + TOKEN}]})
    error = raised(200, body, [TOKEN])
    assert isinstance(error, GraphQLError)
    assert leaked_prefix(TOKEN, str(error)) < 4
    assert leaked_prefix(TOKEN, repr(error.errors)) < 4


def test_a_token_across_the_location_cut_leaves_no_prefix() -> None:
    error = raised(302, b"", [TOKEN], location="https://x.test/" + "p" * 480 + TOKEN)
    assert isinstance(error, HTTPStatusError) and error.location is not None
    assert leaked_prefix(TOKEN, str(error)) < 4
    assert leaked_prefix(TOKEN, error.location) < 4


def test_an_html_page_that_escapes_the_token_is_scrubbed() -> None:
    error = raised(200, f"<html>token=&quot;{TOKEN}&quot;</html>", [TOKEN])
    assert isinstance(error, InvalidResponseError)
    assert TOKEN not in str(error) and REDACTED in str(error)


# -- item 5: every string of an error entry --------------------------------------------

CUSTOMER_TOKEN = "0f1e2d3c4b5a69788796a5b4c3d2e1f0"


def invalid_variable_answer(value: str) -> str:
    """Shopify's answer to a variable it rejects: the value is echoed in extensions."""
    return json.dumps(
        {
            "errors": [
                {
                    "message": "Variable $customerAccessToken of type String! was provided "
                    "invalid value",
                    "locations": [{"line": 1, "column": 16}],
                    "path": ["customer", value],
                    "extensions": {
                        "code": "INVALID_VARIABLE",
                        "value": value,
                        "problems": [{"path": [], "explanation": f"Could not coerce {value}"}],
                        "nested": {"deeper": [[{"echo": f"({value})"}]]},
                    },
                }
            ]
        }
    )


@pytest.mark.parametrize("status", [200, 400])
def test_error_extensions_keep_no_secret_of_the_call(status: int) -> None:
    error = raised(status, invalid_variable_answer(CUSTOMER_TOKEN), [CUSTOMER_TOKEN])
    assert isinstance(error, GraphQLError | HTTPStatusError)
    texts = [str(error), repr(error.errors), repr(error.__dict__), str(pickle.dumps(error))]
    for text in texts:
        assert CUSTOMER_TOKEN not in text
    assert error.errors[0].extensions["value"] == REDACTED
    assert error.errors[0].code == "INVALID_VARIABLE"
    assert error.errors[0].path == ("customer", REDACTED)
    restored = pickle.loads(pickle.dumps(error))
    assert CUSTOMER_TOKEN not in repr(restored.errors)


def test_an_echoed_json_escaped_password_in_extensions_is_scrubbed() -> None:
    body = json.dumps({"errors": [{"message": "bad", "extensions": {"value": {"p": NON_ASCII}}}]})
    error = raised(200, body, [NON_ASCII])
    assert isinstance(error, GraphQLError)
    assert NON_ASCII not in repr(error.errors)
    assert json.dumps(NON_ASCII)[1:-1] not in repr(error.errors)


def test_the_customer_token_sent_by_a_call_is_scrubbed_from_its_error() -> None:
    with FakeShopify() as shop:
        shop.enqueue(Fault.http(200, invalid_variable_answer(CUSTOMER_TOKEN)))
        with (
            StorefrontClient(
                endpoint=shop.endpoint("storefront", STOREFRONT_VERSION),
                access_token=shop.storefront_token,
                max_retries=0,
            ) as client,
            pytest.raises(GraphQLError) as info,
        ):
            client.customer(customer_access_token=CUSTOMER_TOKEN)
    error = info.value
    assert CUSTOMER_TOKEN not in repr(error.errors)
    assert CUSTOMER_TOKEN.encode() not in pickle.dumps(error)
    assert error.errors[0].extensions["value"] == REDACTED


@pytest.mark.parametrize("secret", PASSWORDS)
def test_a_password_echoed_by_a_server_error_is_scrubbed_end_to_end(secret: str) -> None:
    query = (
        "mutation login($input: CustomerAccessTokenCreateInput!) "
        "{ customerAccessTokenCreate(input: $input) { customerUserErrors { message } } }"
    )
    with FakeShopify() as shop:
        shop.enqueue(
            Fault.http(500, json.dumps({"trace": f"password={secret}"}), Content_Type="text/json")
        )
        with (
            StorefrontClient(
                endpoint=shop.endpoint("storefront", STOREFRONT_VERSION),
                access_token=shop.storefront_token,
                max_retries=0,
            ) as client,
            pytest.raises(ServerError) as info,
        ):
            client.execute(query, "login", {"input": {"email": "a@b.test", "password": secret}})
    message = str(info.value)
    for how, spelled in spellings(secret).items():
        assert spelled not in message, how
