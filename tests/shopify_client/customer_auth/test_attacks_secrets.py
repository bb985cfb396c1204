"""Where the flow's secrets go, and where they never show (issue 25's outside review).

The client secret goes to the token endpoint alone (HTTP Basic, as Shopify's
reference says), the access token to the Customer Account API alone (bare in
``Authorization``); none of the code, verifier, tokens or secret is in a log line
at DEBUG (httpx's and httpcore's included), a repr, or an error message. The logout
URL takes no redirect target that is not an http(s) URL, and the PKCE verifier is
RFC 7636's.
"""

from __future__ import annotations

import base64
import hashlib
import logging
import re
from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from shopify_customer import Client as CustomerClient

from shopify_client import ConfigurationError, ShopifyError
from shopify_client.customer_auth import (
    CustomerAccountAuth,
    CustomerTokens,
    TokenRequestError,
    discover,
    pkce_challenge,
    storefront_customer_access_token,
)
from shopify_client.testing import CUSTOMER_CLIENT_ID, FakeShopify
from tests.shopify_client.customer_auth.helpers import (
    ACCESS,
    REDIRECT,
    SECRET,
    Endpoint,
    json_response,
    token_answer,
)


@pytest.fixture
def fake() -> Iterator[FakeShopify]:
    with FakeShopify() as server:
        yield server


def test_no_secret_reaches_a_log_line_at_debug(
    fake: FakeShopify, caplog: pytest.LogCaptureFixture
) -> None:
    fake.customer.client_secret = SECRET
    auth = CustomerAccountAuth(
        client_id=CUSTOMER_CLIENT_ID,
        endpoints=discover(fake.customer.origin, cache=None),
        redirect_uri=REDIRECT,
        client_secret=SECRET,
    )
    login = auth.begin_login()
    back = httpx.get(login.url, trust_env=False).headers["location"]
    code = parse_qs(urlsplit(back).query)["code"][0]
    # from here on (the test's own browser logged the callback URL, as browsers do)
    caplog.set_level(logging.DEBUG)  # every logger: ours, httpx's, httpcore's
    tokens = auth.complete_login(login, back)
    renewed = auth.refresh(tokens)
    endpoint = auth.endpoints.graphql_endpoint("2026-04")
    with CustomerClient(endpoint=endpoint, access_token=renewed.access_token) as client:
        client.customer_orders(first=1)
        storefront = storefront_customer_access_token(client)
    with pytest.raises(TokenRequestError):
        CustomerAccountAuth(  # the code replayed elsewhere
            client_id=CUSTOMER_CLIENT_ID,
            endpoints=auth.endpoints,
            redirect_uri=REDIRECT,
            client_secret=SECRET,
        ).complete_login(login, back)
    secrets = {
        "code": code,
        "verifier": login.code_verifier,
        "access": tokens.access_token,
        "refresh": tokens.refresh_token,
        "id token": tokens.id_token,
        "renewed": renewed.access_token,
        "renewed refresh": renewed.refresh_token,
        "storefront": storefront,
        "secret": SECRET,
        "basic": base64.b64encode(f"{CUSTOMER_CLIENT_ID}:{SECRET}".encode()).decode(),
    }
    logged = "\n".join(f"{r.getMessage()} {r.args!r}" for r in caplog.records) + caplog.text
    assert caplog.records  # httpx did log its requests
    for name, value in secrets.items():
        assert value and value not in logged, name
        for shown in (repr(tokens), str(renewed), repr(login), repr(auth)):
            assert value not in shown, name


def test_the_client_secret_goes_to_the_token_endpoint_alone() -> None:
    endpoint = Endpoint(lambda request: json_response(b"{}"))
    auth = endpoint.sync_auth(SECRET)
    login = auth.begin_login()
    endpoint.answer = lambda request: json_response(token_answer(login))
    auth.complete_login(login, f"{REDIRECT}?code=c&state={login.state}")
    sent = endpoint.requests[0]
    scheme, _, value = sent.headers["Authorization"].partition(" ")
    assert scheme == "Basic"
    assert base64.b64decode(value).decode() == f"{auth.client_id}:{SECRET}"
    assert SECRET.encode() not in sent.content  # not in the form as well
    assert SECRET not in login.url
    assert SECRET not in auth.logout_url("a.b.c")

    api_seen: list[httpx.Request] = []

    def api(request: httpx.Request) -> httpx.Response:
        api_seen.append(request)
        if request.url.host != "shopify.com":
            return json_response({"data": None})
        return httpx.Response(307, headers={"Location": "https://evil.example/graphql"})

    with (
        CustomerClient(
            endpoint="https://shopify.com/1/account/customer/api/2026-04/graphql",
            access_token=ACCESS,
            http_client=httpx.Client(transport=httpx.MockTransport(api), follow_redirects=True),
            max_retries=0,
        ) as client,
        pytest.raises(ShopifyError),
    ):
        client.customer_orders(first=1)
    assert [r.url.host for r in api_seen] == ["shopify.com"]  # the redirect not followed
    assert api_seen[0].headers["Authorization"] == ACCESS  # bare, as Hydrogen sends it
    assert SECRET not in str(api_seen[0].headers)


@pytest.mark.parametrize(
    "token", [ACCESS + "\r\nX-Injected: 1", ACCESS + "\n", "Bearer " + ACCESS, " " + ACCESS, ""]
)
def test_the_customer_api_refuses_a_token_it_cannot_send_bare(token: str) -> None:
    with pytest.raises(ConfigurationError) as info:
        CustomerClient(
            endpoint="https://shopify.com/1/account/customer/api/2026-04/graphql",
            access_token=token,
        )
    assert ACCESS not in str(info.value)


@pytest.mark.parametrize(
    "target",
    [
        "javascript:alert(document.cookie)",
        "data:text/html,<script>alert(1)</script>",
        "//evil.example/",
        "/account",
        "http://evil.example/",  # plain http off loopback
        "https://user:pw@app.example/",
        "https://app.example/#/logged-out",
        "https://app.example/\r\nLocation: https://evil.example/",
    ],
)
def test_logout_refuses_a_redirect_target_that_is_not_an_http_url(target: str) -> None:
    auth = Endpoint(lambda request: json_response(b"{}")).sync_auth()
    with pytest.raises(ConfigurationError, match="post_logout_redirect_uri"):
        auth.logout_url("a.b.c", post_logout_redirect_uri=target)
    with pytest.raises(ConfigurationError):
        auth.logout_url("a.b.c\r\nSet-Cookie: x=1")
    url = auth.logout_url("a.b.c", post_logout_redirect_uri="https://app.example/bye")
    assert parse_qs(urlsplit(url).query) == {
        "id_token_hint": ["a.b.c"],
        "post_logout_redirect_uri": ["https://app.example/bye"],
    }


def test_the_pkce_verifier_is_rfc_7636s_and_only_s256_is_offered() -> None:
    auth = Endpoint(lambda request: json_response(b"{}")).sync_auth()
    seen = set()
    for _ in range(50):
        login = auth.begin_login()
        assert re.fullmatch(r"[A-Za-z0-9\-._~]{43,128}", login.code_verifier)
        query = parse_qs(urlsplit(login.url).query)
        assert query["code_challenge_method"] == ["S256"]
        assert query["code_challenge"] == [pkce_challenge(login.code_verifier)]
        digest = hashlib.sha256(login.code_verifier.encode("ascii")).digest()
        assert query["code_challenge"] == [base64.urlsafe_b64encode(digest).decode().rstrip("=")]
        assert login.code_verifier not in login.url
        seen.add(login.code_verifier)
    assert len(seen) == 50
    with pytest.raises(ConfigurationError, match="code_challenge_method"):
        auth.begin_login(extra_params={"code_challenge_method": "plain"})


def test_a_stored_token_record_shows_no_secret() -> None:
    tokens = CustomerTokens(
        access_token=ACCESS, expires_at=0, refresh_token="r-secret", id_token="i.d.t"
    )
    for shown in (repr(tokens), str(tokens), f"{tokens}", f"{tokens!r}"):
        assert ACCESS not in shown and "r-secret" not in shown and "i.d.t" not in shown


def test_the_bridge_names_what_it_was_given() -> None:
    with pytest.raises(ConfigurationError, match="not a object"):
        storefront_customer_access_token(object())
