"""The login flow's refusals: each a typed error, and no secret sent where it should not go.

A wrong ``state``, a replayed code, a verifier that does not match, an expired or
revoked token, an ID token with another nonce, and discovery documents that point
off Shopify's hosts.
"""

from __future__ import annotations

import base64
import json
import traceback
from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from shopify_customer import Client as CustomerClient

from shopify_client import AuthenticationError, ConfigurationError
from shopify_client.customer_auth import (
    AuthorizationDeniedError,
    CustomerAccountAuth,
    CustomerAuthError,
    DiscoveryError,
    LoginRequest,
    NonceMismatchError,
    ShopEndpoints,
    StateMismatchError,
    TokenRequestError,
    discover,
)
from shopify_client.testing import CUSTOMER_CLIENT_ID, FakeShopify

REDIRECT = "https://app.example/account/authorize"


@pytest.fixture
def fake() -> Iterator[FakeShopify]:
    with FakeShopify() as server:
        yield server


def log_in(url: str) -> str:
    return httpx.get(url, follow_redirects=False, trust_env=False).headers["location"]


def auth_for(fake: FakeShopify) -> CustomerAccountAuth:
    return CustomerAccountAuth(
        client_id=CUSTOMER_CLIENT_ID,
        endpoints=discover(fake.customer.origin, cache=None),
        redirect_uri=REDIRECT,
    )


def test_a_wrong_state_exchanges_no_code(fake: FakeShopify) -> None:
    auth = auth_for(fake)
    login = auth.begin_login()
    callback = log_in(login.url)
    other = auth.begin_login()  # the callback of one login handed to another
    with pytest.raises(StateMismatchError):
        auth.complete_login(other, callback)
    code = parse_qs(urlsplit(callback).query)["code"][0]
    forgeries: list[str | dict[str, str]] = [
        f"{REDIRECT}?code={code}",
        f"{REDIRECT}?code={code}&state=forged",
        {"code": code},
    ]
    for forged in forgeries:
        with pytest.raises(StateMismatchError):
            auth.complete_login(login, forged)
    assert fake.customer.token_requests == []  # nothing was sent to the token endpoint
    assert auth.complete_login(login, callback).access_token  # the right one still works


def test_a_replayed_code_is_refused_and_revokes_its_tokens(fake: FakeShopify) -> None:
    auth = auth_for(fake)
    login = auth.begin_login()
    callback = log_in(login.url)
    tokens = auth.complete_login(login, callback)
    with pytest.raises(StateMismatchError, match="completed already"):
        auth.complete_login(login, callback)  # this process remembers the login
    assert fake.customer.token_requests == ["authorization_code"]
    with pytest.raises(TokenRequestError) as info:
        auth_for(fake).complete_login(login, callback)  # another process: Shopify refuses
    assert info.value.error == "invalid_grant"
    code = parse_qs(urlsplit(callback).query)["code"][0]
    assert code not in str(info.value)
    client = CustomerClient(
        endpoint=fake.customer.graphql_endpoint("2026-04"), access_token=tokens.access_token
    )
    with pytest.raises(AuthenticationError) as refused:
        client.customer_orders(first=1)
    assert tokens.access_token not in str(refused.value)


def test_a_verifier_that_does_not_match_gets_no_token(fake: FakeShopify) -> None:
    auth = auth_for(fake)
    login = auth.begin_login()
    callback = log_in(login.url)
    tampered = LoginRequest(
        url=login.url,
        state=login.state,
        nonce=login.nonce,
        code_verifier="x" * 64,  # an attacker who stole the code lacks the verifier
        redirect_uri=login.redirect_uri,
    )
    with pytest.raises(TokenRequestError) as info:
        auth.complete_login(tampered, callback)
    assert info.value.error == "invalid_grant"
    assert "x" * 64 not in str(info.value)
    assert fake.customer.active_access_tokens() == 0


def test_an_expired_or_revoked_token_is_an_authentication_error(fake: FakeShopify) -> None:
    auth = auth_for(fake)
    login = auth.begin_login()
    tokens = auth.complete_login(login, log_in(login.url))
    client = CustomerClient(
        endpoint=fake.customer.graphql_endpoint("2026-04"), access_token=tokens.access_token
    )
    client.customer_orders(first=1)
    fake.customer.expire_access_tokens()
    with pytest.raises(AuthenticationError):
        client.customer_orders(first=1)
    fresh = auth.refresh(tokens)  # what ensure_fresh does ahead of expiry
    client = CustomerClient(
        endpoint=fake.customer.graphql_endpoint("2026-04"), access_token=fresh.access_token
    )
    client.customer_orders(first=1)
    fake.customer.revoke_all()
    with pytest.raises(AuthenticationError) as info:
        client.customer_orders(first=1)
    assert fresh.access_token not in str(info.value)


def test_an_id_token_with_another_nonce_is_not_accepted(fake: FakeShopify) -> None:
    auth = auth_for(fake)
    login = auth.begin_login()
    callback = log_in(login.url)
    other_nonce = LoginRequest(
        url=login.url,
        state=login.state,
        nonce="some-other-nonce",
        code_verifier=login.code_verifier,
        redirect_uri=login.redirect_uri,
    )
    with pytest.raises(NonceMismatchError):
        auth.complete_login(other_nonce, callback)


def test_an_oauth_error_in_the_callback_is_typed(fake: FakeShopify) -> None:
    fake.customer.deny_next = "access_denied"
    auth = auth_for(fake)
    login = auth.begin_login()
    with pytest.raises(AuthorizationDeniedError) as info:
        auth.complete_login(login, log_in(login.url))
    assert info.value.error == "access_denied"


@pytest.mark.parametrize(
    "key", ["token_endpoint", "authorization_endpoint", "end_session_endpoint"]
)
@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/oauth/token",
        "https://shopify.com.evil.example/oauth/token",
        "https://evilshopify.com/oauth/token",
        "http://shopify.com/authentication/1/oauth/token",  # plain http
        "https://user:pw@shopify.com/oauth/token",
        "javascript:alert(1)",
    ],
)
def test_discovery_pointing_off_shopify_is_refused(
    fake: FakeShopify, key: str, target: str
) -> None:
    fake.customer.discovery_overrides[key] = target
    with pytest.raises(DiscoveryError) as info:
        discover(fake.customer.origin, cache=None)
    assert isinstance(info.value, CustomerAuthError)
    assert fake.customer.token_requests == []


def test_discovery_on_shopify_hosts_is_taken(fake: FakeShopify) -> None:
    fake.customer.discovery_overrides["token_endpoint"] = (
        "https://shopify.com/authentication/1/oauth/token"
    )
    endpoints = discover(fake.customer.origin, cache=None)
    assert endpoints.token_endpoint.startswith("https://shopify.com/")


def test_no_token_reaches_a_host_the_flow_did_not_name(fake: FakeShopify) -> None:
    """Even a transport that would answer any host sees only the named token endpoint."""
    seen: list[str] = []

    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(str(request.url.host))
        body = json.dumps({"error": "invalid_grant"}).encode()
        return httpx.Response(400, stream=httpx.ByteStream(body))

    endpoints = ShopEndpoints(
        authorization_endpoint="https://shopify.com/authentication/1/oauth/authorize",
        token_endpoint="https://shopify.com/authentication/1/oauth/token",
        end_session_endpoint="https://shopify.com/authentication/1/logout",
    )
    auth = CustomerAccountAuth(
        client_id=CUSTOMER_CLIENT_ID,
        endpoints=endpoints,
        redirect_uri=REDIRECT,
        http_client=httpx.Client(transport=httpx.MockTransport(handle)),
    )
    login = auth.begin_login()
    with pytest.raises(TokenRequestError):
        auth.complete_login(login, f"{REDIRECT}?code=abc&state={login.state}")
    assert seen == ["shopify.com"]


def test_errors_hold_no_secret_in_their_traceback(fake: FakeShopify) -> None:
    auth = auth_for(fake)
    login = auth.begin_login()
    callback = log_in(login.url)
    auth.complete_login(login, callback)
    with pytest.raises(TokenRequestError) as info:
        auth_for(fake).complete_login(login, callback)  # replayed in another process
    shown = traceback.TracebackException.from_exception(info.value, capture_locals=True)
    ours = [
        f for f in shown.stack if "/shopify_client/" in f.filename and "/tests/" not in f.filename
    ]
    text = "".join(repr(f.locals) for f in ours) + "".join(shown.format())
    code = parse_qs(urlsplit(callback).query)["code"][0]
    assert info.value.__cause__ is None and info.value.__context__ is None
    assert ours  # the frames of the flow itself were looked at
    assert login.code_verifier not in text
    assert code not in "".join(repr(f.locals) for f in ours)


def test_bad_configuration_is_refused() -> None:
    endpoints = ShopEndpoints(
        "https://shopify.com/a", "https://shopify.com/t", "https://shopify.com/l"
    )
    with pytest.raises(ConfigurationError, match="redirect_uri"):
        CustomerAccountAuth(client_id="c", endpoints=endpoints, redirect_uri="not a uri")
    with pytest.raises(ConfigurationError, match="openid"):
        CustomerAccountAuth(
            client_id="c", endpoints=endpoints, redirect_uri=REDIRECT, scope="email"
        )
    with pytest.raises(ConfigurationError, match="client_id"):
        CustomerAccountAuth(client_id="c\n", endpoints=endpoints, redirect_uri=REDIRECT)
    auth = CustomerAccountAuth(client_id="c", endpoints=endpoints, redirect_uri=REDIRECT)
    with pytest.raises(ConfigurationError, match="may not set state"):
        auth.begin_login(extra_params={"state": "mine"})


@pytest.mark.parametrize("streamed", [True, False])
def test_a_discovery_answer_past_the_byte_cap_is_refused(streamed: bool) -> None:
    big = json.dumps({"issuer": "x" * 300_000}).encode()

    def handle(request: httpx.Request) -> httpx.Response:
        if streamed:
            return httpx.Response(200, stream=httpx.ByteStream(big))
        return httpx.Response(200, content=big)  # a body read already (in-process)

    http = httpx.Client(transport=httpx.MockTransport(handle))
    with pytest.raises(DiscoveryError, match="larger than"):
        discover("your-store.myshopify.com", http_client=http, cache=None)


def test_id_tokens_claims_decode_only_from_a_jwt(fake: FakeShopify) -> None:
    from shopify_client.customer_auth._answers import jwt_claims as _jwt_claims

    payload = base64.urlsafe_b64encode(json.dumps({"nonce": "n"}).encode()).rstrip(b"=")
    assert _jwt_claims(f"h.{payload.decode()}.s") == {"nonce": "n"}
    assert _jwt_claims("not-a-jwt") is None
    assert _jwt_claims("a.!!!.c") is None
