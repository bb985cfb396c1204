"""A scripted token endpoint for the attack tests: every answer written by the test.

``Endpoint`` is an httpx transport that plays Shopify's token endpoint (and any other
host a redirect may point to): it records each request it sees and answers with what
the test's ``answer`` callable returns for it.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from typing import Any

import httpx

from shopify_client.customer_auth import (
    AsyncCustomerAccountAuth,
    CustomerAccountAuth,
    LoginRequest,
    ShopEndpoints,
)

CLIENT_ID = "shp_attack-client"
REDIRECT = "https://app.example/account/authorize"
ISSUER = "https://shopify.com/authentication/1"
ENDPOINTS = ShopEndpoints(
    authorization_endpoint=f"{ISSUER}/oauth/authorize",
    token_endpoint=f"{ISSUER}/oauth/token",
    end_session_endpoint=f"{ISSUER}/logout",
    issuer=ISSUER,
)
CODE = "code-0123456789-attack"
ACCESS = "shcat_attack_access_0123456789"
REFRESH = "shcrt_attack_refresh_0123456789"
SECRET = "client-secret-attack-0123456789"

Answer = Callable[[httpx.Request], httpx.Response]


def b64(data: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def id_token(**claims: Any) -> str:
    return f"{b64({'alg': 'RS256', 'typ': 'JWT'})}.{b64(claims)}.signature"


def good_claims(login: LoginRequest) -> dict[str, Any]:
    return {
        "iss": ISSUER,
        "aud": CLIENT_ID,
        "sub": "gid://shopify/Customer/1",
        "nonce": login.nonce,
        "iat": 1,
        "exp": 4_000_000_000,
    }


def token_answer(login: LoginRequest | None, **fields: Any) -> dict[str, Any]:
    """What Shopify's token endpoint answers, with ``fields`` replaced (None: dropped)."""
    body: dict[str, Any] = {
        "access_token": ACCESS,
        "expires_in": 3600,
        "refresh_token": REFRESH,
        "token_type": "Bearer",
        "id_token": id_token(**good_claims(login)) if login else None,
    }
    body.update(fields)
    return {k: v for k, v in body.items() if v is not None}


def json_response(body: Any, status: int = 200) -> httpx.Response:
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    return httpx.Response(
        status, stream=httpx.ByteStream(raw), headers={"Content-Type": "application/json"}
    )


class Endpoint:
    """A transport for every host: records requests, answers with ``answer``."""

    def __init__(self, answer: Answer) -> None:
        self.answer = answer
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        request.read()
        self.requests.append(request)
        return self.answer(request)

    async def handle_async(self, request: httpx.Request) -> httpx.Response:
        await request.aread()
        self.requests.append(request)
        return self.answer(request)

    @property
    def hosts(self) -> list[str]:
        return [r.url.host for r in self.requests]

    def sync_auth(self, secret: str | None = None, **http: Any) -> CustomerAccountAuth:
        client = httpx.Client(transport=httpx.MockTransport(self), **http)
        return CustomerAccountAuth(
            client_id=CLIENT_ID,
            endpoints=ENDPOINTS,
            redirect_uri=REDIRECT,
            client_secret=secret,
            http_client=client,
        )

    def async_auth(self, secret: str | None = None, **http: Any) -> AsyncCustomerAccountAuth:
        client = httpx.AsyncClient(transport=httpx.MockTransport(self.handle_async), **http)
        return AsyncCustomerAccountAuth(
            client_id=CLIENT_ID,
            endpoints=ENDPOINTS,
            redirect_uri=REDIRECT,
            client_secret=secret,
            http_client=client,
        )


def callback(login: LoginRequest, extra: str = "") -> str:
    return f"{REDIRECT}?code={CODE}&state={login.state}{extra}"
