"""Hostile token-endpoint answers (issue 25's outside review).

Each answer is one a broken or hostile endpoint (or a proxy on the way) could send:
an ``expires_in`` that is not a sane number of seconds, a token type the Customer
Account API cannot take, an ID token for another client, issuer or time, HTML, and
a redirect that would carry the code and the PKCE verifier to another host. Each
is a typed :class:`TokenRequestError` (or :class:`NonceMismatchError`), never a
token that never refreshes, an ``OverflowError``, or a request to the other host.
"""

from __future__ import annotations

import asyncio
import json
import math
import traceback
from typing import Any

import httpx
import pytest

from shopify_client.customer_auth import (
    CustomerTokens,
    NonceMismatchError,
    RefreshError,
    TokenRequestError,
)
from tests.shopify_client.customer_auth.helpers import (
    ACCESS,
    CODE,
    REFRESH,
    SECRET,
    Endpoint,
    callback,
    good_claims,
    id_token,
    json_response,
    token_answer,
)


def exchange(body: Any, status: int = 200, **id_claims: Any) -> CustomerTokens:
    """One login whose code exchange is answered with ``body`` (a callable of the login,
    a dict, or raw bytes)."""
    endpoint = Endpoint(lambda request: json_response(b"{}"))
    auth = endpoint.sync_auth()
    login = auth.begin_login()
    answer = body(login) if callable(body) else body
    endpoint.answer = lambda request: json_response(answer, status)
    return auth.complete_login(login, callback(login))


@pytest.mark.parametrize(
    "raw",
    [
        "NaN",  # json.loads takes it: a token that never needs refreshing
        "Infinity",
        "-Infinity",
        "1e400",  # a float that overflows to inf
        "1" + "0" * 400,  # an int that float() cannot convert (OverflowError)
        "true",
        '"3600"',
        "-1",
        "315360000",  # ten years: no Shopify access token lives that long
    ],
)
def test_a_hostile_expires_in_is_a_token_request_error(raw: str) -> None:
    def body(login: Any) -> bytes:
        text = json.dumps(token_answer(login, expires_in=424242))
        return text.replace('"expires_in": 424242', f'"expires_in": {raw}').encode()

    with pytest.raises(TokenRequestError, match="expires_in") as info:
        exchange(body)
    assert ACCESS not in str(info.value) and REFRESH not in str(info.value)


def test_a_sane_expires_in_is_kept_as_a_finite_expiry() -> None:
    tokens = exchange(lambda login: token_answer(login, expires_in=7200.5))
    assert math.isfinite(tokens.expires_at)
    assert 7100 < tokens.expires_in() <= 7200.5


def test_a_token_that_is_not_a_bearer_token_is_refused() -> None:
    # RFC 6749 7.1: a client must not use a token whose type it does not understand
    with pytest.raises(TokenRequestError, match="token_type"):
        exchange(lambda login: token_answer(login, token_type="mac"))
    tokens = exchange(lambda login: token_answer(login, token_type="bearer"))
    assert tokens.access_token == ACCESS


@pytest.mark.parametrize(
    ("change", "why"),
    [
        ({"aud": None}, "audience"),  # OIDC Core 2: aud is REQUIRED
        ({"aud": "shp_someone-else"}, "another client"),
        ({"aud": ["shp_someone-else"]}, "another client"),
        ({"iss": "https://evil.example/authentication/1"}, "issuer"),
        ({"iss": None}, "issuer"),
        ({"exp": 1_000}, "expired"),
        ({"exp": "soon"}, "expired"),
        ({"nonce": None}, "nonce"),
    ],
)
def test_an_id_token_for_another_client_issuer_or_time_is_refused(
    change: dict[str, Any], why: str
) -> None:
    def body(login: Any) -> dict[str, Any]:
        claims = {**good_claims(login), **change}
        kept = {k: v for k, v in claims.items() if v is not None}
        return token_answer(login, id_token=id_token(**kept))

    with pytest.raises(NonceMismatchError, match=why):
        exchange(body)


def test_html_from_the_token_endpoint_says_so() -> None:
    with pytest.raises(TokenRequestError, match="not JSON") as info:
        exchange(b"<html><body>Sign in</body></html>")
    assert info.value.status_code == 200


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
@pytest.mark.parametrize("secret", [None, SECRET])
def test_a_redirect_from_the_token_endpoint_is_not_followed(
    status: int, secret: str | None
) -> None:
    """Even through a caller's client built with ``follow_redirects=True``: a 307
    would carry the form (code, verifier, refresh token) to the other host."""

    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.host == "shopify.com":
            return httpx.Response(status, headers={"Location": "https://evil.example/t"})
        return json_response(token_answer(None))

    endpoint = Endpoint(answer)
    auth = endpoint.sync_auth(secret, follow_redirects=True)
    login = auth.begin_login()
    with pytest.raises(TokenRequestError) as info:
        auth.complete_login(login, callback(login))
    assert info.value.status_code == status
    tokens = CustomerTokens(access_token=ACCESS, expires_at=0, refresh_token=REFRESH)
    with pytest.raises(RefreshError):
        auth.refresh(tokens)
    assert endpoint.hosts == ["shopify.com", "shopify.com"]

    async def flow() -> None:
        async_endpoint = Endpoint(answer)
        async_auth = async_endpoint.async_auth(secret, follow_redirects=True)
        login = async_auth.begin_login()
        with pytest.raises(TokenRequestError):
            await async_auth.complete_login(login, callback(login))
        with pytest.raises(RefreshError):
            await async_auth.refresh(tokens)
        assert async_endpoint.hosts == ["shopify.com", "shopify.com"]
        await async_auth.aclose()

    asyncio.run(flow())


def test_an_unexpected_failure_keeps_the_code_out_of_the_traceback() -> None:
    """Whatever fails while the answer is read, the frames an error tracker shows hold
    neither the code, the verifier nor the tokens of the answer."""
    endpoint = Endpoint(lambda request: json_response(b"{}"))
    auth = endpoint.sync_auth()
    login = auth.begin_login()
    raw = json.dumps(token_answer(login, expires_in=424242)).replace("424242", "1" + "0" * 400)
    endpoint.answer = lambda request: json_response(raw.encode())
    with pytest.raises(TokenRequestError) as info:
        auth.complete_login(login, callback(login))
    shown = traceback.TracebackException.from_exception(info.value, capture_locals=True)
    ours = [f for f in shown.stack if "/tests/" not in f.filename]  # the test's hold them
    text = "".join(repr(f.locals) for f in ours) + "".join(shown.format_exception_only())
    assert ours and info.value.__cause__ is None and info.value.__context__ is None
    for secret in (CODE, login.code_verifier, ACCESS, REFRESH):
        assert secret not in text
