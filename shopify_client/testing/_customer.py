"""FakeShopify's Customer Account API and its OAuth server, on the same 127.0.0.1 port.

What Shopify documents (https://shopify.dev/docs/api/customer/2026-04), played by
one fake shop:

- discovery: ``GET /.well-known/openid-configuration`` and
  ``GET /.well-known/customer-account-api``, pointing at this server;
- ``GET /authentication/{shop_id}/oauth/authorize``: the customer "logs in" at once
  and is redirected (302) to ``redirect_uri`` with ``code`` and ``state``; the
  request is checked (client, redirect URI, ``openid`` scope, state, nonce, S256
  challenge for public clients) and :attr:`FakeCustomerAccounts.deny_next` plays a
  refusal (``error=access_denied``);
- ``POST /authentication/{shop_id}/oauth/token``: ``authorization_code`` (single use:
  a replayed code is ``invalid_grant`` and revokes what it issued; the PKCE verifier
  must hash to the challenge; a confidential client's Basic credentials must match)
  and ``refresh_token`` (rotated: an old refresh token is ``invalid_grant``);
- ``GET /authentication/{shop_id}/logout``: ends the session of ``id_token_hint``;
- ``POST /{shop_id}/account/customer/api/{version}/graphql``: the bare token in
  ``Authorization`` (expired or revoked: 401), answered from the committed
  ``customer`` schema; ``storefrontCustomerAccessTokenCreate`` mints a Storefront
  customer access token that the fake Storefront ``customer`` query accepts.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import secrets
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlencode, urlsplit

if TYPE_CHECKING:
    from shopify_client.customer_auth import CustomerTokens

    from ._server import FakeShopify

__all__ = ["CUSTOMER_CLIENT_ID", "FAKE_SHOP_ID", "FakeCustomerAccounts"]

FAKE_SHOP_ID = "68817551382"
CUSTOMER_CLIENT_ID = "shp_00000000-fake-4000-8000-customer0001"
CUSTOMER_GID = "gid://shopify/Customer/1"

Routed = tuple[int, bytes, dict[str, str]]


def _json(status: int, body: Any, headers: Mapping[str, str] | None = None) -> Routed:
    return (
        status,
        json.dumps(body).encode(),
        {"Content-Type": "application/json", **(headers or {})},
    )


def _oauth_error(error: str, description: str, status: int = 400) -> Routed:
    return _json(status, {"error": error, "error_description": description})


def _redirect(location: str) -> Routed:
    return 302, b"", {"Location": location, "Content-Type": "text/plain"}


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


@dataclass
class _Grant:
    client_id: str
    redirect_uri: str
    challenge: str | None
    nonce: str
    used: bool = False
    issued: list[str] = field(default_factory=list)  # access and refresh tokens


@dataclass
class _Session:
    expires_at: float
    id_token: str
    revoked: bool = False


class FakeCustomerAccounts:
    """The fake shop's customer accounts: its OAuth client, and who holds what."""

    def __init__(self, fake: FakeShopify) -> None:
        self._fake = fake
        self.shop_id = FAKE_SHOP_ID
        self.client_id = CUSTOMER_CLIENT_ID
        #: None: a public client (PKCE required); a string: a confidential one.
        self.client_secret: str | None = None
        #: The registered callback URLs (empty: any absolute URL is accepted).
        self.redirect_uris: list[str] = []
        #: ``expires_in`` of each access token, seconds.
        self.token_lifetime = 3600
        #: The next authorize request is refused with this OAuth error (once).
        self.deny_next: str | None = None
        #: Fields of the openid-configuration document replaced (security tests).
        self.discovery_overrides: dict[str, Any] = {}
        #: Requests the token endpoint received, by grant type.
        self.token_requests: list[str] = []
        self._grants: dict[str, _Grant] = {}
        self._access: dict[str, _Session] = {}
        self._refresh: dict[str, _Session] = {}
        self._lock = threading.Lock()

    # -- where it is ----------------------------------------------------------------

    @property
    def origin(self) -> str:
        """What :func:`shopify_client.customer_auth.discover` takes for this shop."""
        return f"http://127.0.0.1:{self._fake.port}"

    @property
    def issuer(self) -> str:
        return self._issuer(self.origin)

    def _issuer(self, origin: str) -> str:
        return f"{origin}/authentication/{self.shop_id}"

    def graphql_endpoint(self, version: str, origin: str | None = None) -> str:
        return f"{origin or self.origin}/{self.shop_id}/account/customer/api/{version}/graphql"

    def _origin_of(self, headers: Any) -> str:
        """The origin a request addressed: this server's own, or (a shop host routed
        here, as the docs' tests do) ``https://{Host}``, so discovery names it back."""
        host = str(headers.get("Host") or "")
        name = host.rsplit(":", 1)[0] if not host.startswith("[") else host
        if (
            not host
            or name in ("127.0.0.1", "localhost")
            or not re.fullmatch(r"[A-Za-z0-9.-]{1,253}(:[0-9]{1,5})?", host)
        ):
            return self.origin
        return f"https://{host}"

    # -- scripting ------------------------------------------------------------------

    def login(self) -> CustomerTokens:
        """A signed-in customer's tokens, issued at once without the OAuth round
        (discovery, authorize, callback, code exchange), for a test that only needs a
        customer to call the API as: the same tokens the flow would end with."""
        from shopify_client.customer_auth import CustomerTokens

        _, body, _ = self._issue(None, None)
        answer = json.loads(body)
        return CustomerTokens(
            access_token=answer["access_token"],
            expires_at=time.time() + float(answer["expires_in"]),
            refresh_token=answer["refresh_token"],
            id_token=answer["id_token"],
            scope=answer["scope"],
        )

    def expire_access_tokens(self) -> None:
        """Every access token issued so far is past its expiry."""
        with self._lock:
            for session in self._access.values():
                session.expires_at = time.time() - 1

    def revoke_all(self) -> None:
        """Every access and refresh token issued so far is revoked (a logout elsewhere)."""
        with self._lock:
            for session in (*self._access.values(), *self._refresh.values()):
                session.revoked = True

    def active_access_tokens(self) -> int:
        now = time.time()
        with self._lock:
            return sum(1 for s in self._access.values() if not s.revoked and s.expires_at > now)

    # -- routing (the hook in _server) ------------------------------------------------

    def handle(self, method: str, path: str, headers: Any, raw: bytes) -> Routed | None:
        """The answer to a request for this API or its OAuth server; None: not ours."""
        parts = urlsplit(path)
        route = parts.path.rstrip("/")
        query = {k: v[0] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
        auth = f"/authentication/{self.shop_id}"
        origin = self._origin_of(headers)
        if method == "GET" and route == "/.well-known/openid-configuration":
            return _json(200, self._openid_document(origin))
        if method == "GET" and route == "/.well-known/customer-account-api":
            return _json(
                200,
                {
                    "graphql_api": self.graphql_endpoint("2026-04", origin),
                    "mcp_api": f"{origin}/customer/api/mcp",
                },
            )
        if method == "GET" and route == f"{auth}/oauth/authorize":
            return self._authorize(query)
        if method == "POST" and route == f"{auth}/oauth/token":
            form = {k: v[0] for k, v in parse_qs(raw.decode("latin-1")).items()}
            return self._token(form, headers.get("Authorization"), self._issuer(origin))
        if method == "GET" and route == f"{auth}/logout":
            return self._logout(query)
        match = re.fullmatch(rf"/{self.shop_id}/account/customer/api/([^/]+)/graphql", route)
        if method == "POST" and match:
            return self._graphql(match.group(1), headers.get("Authorization"), raw)
        return None

    def _openid_document(self, origin: str) -> dict[str, Any]:
        issuer = self._issuer(origin)
        document = {
            "issuer": issuer,
            "authorization_endpoint": f"{issuer}/oauth/authorize",
            "token_endpoint": f"{issuer}/oauth/token",
            "end_session_endpoint": f"{issuer}/logout",
            "jwks_uri": f"{issuer}/.well-known/jwks.json",
            "response_types_supported": ["code"],
            "grant_types_supported": ["authorization_code", "refresh_token"],
            "code_challenge_methods_supported": ["S256"],
            "scopes_supported": ["openid", "email", "customer-account-api:full"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "none"],
        }
        document.update(self.discovery_overrides)
        return document

    # -- authorize ------------------------------------------------------------------

    def _authorize(self, query: dict[str, str]) -> Routed:
        if query.get("client_id") != self.client_id:
            return _oauth_error("invalid_client", "unknown client_id")
        redirect_uri = query.get("redirect_uri", "")
        if not urlsplit(redirect_uri).scheme or (
            self.redirect_uris and redirect_uri not in self.redirect_uris
        ):
            return _oauth_error("invalid_request", "redirect_uri is not registered")
        sep = "&" if urlsplit(redirect_uri).query else "?"

        def back(params: dict[str, str]) -> Routed:
            if "state" in query:
                params["state"] = query["state"]
            return _redirect(redirect_uri + sep + urlencode(params))

        problem = None
        if query.get("response_type") != "code":
            problem = "response_type must be code"
        elif "openid" not in query.get("scope", "").split():
            problem = "scope must include openid"
        elif not query.get("state") or not query.get("nonce"):
            problem = "state and nonce are required"
        elif self.client_secret is None and not query.get("code_challenge"):
            problem = "a public client must send a PKCE code_challenge"
        elif query.get("code_challenge") and query.get("code_challenge_method") != "S256":
            problem = "code_challenge_method must be S256"
        if problem:
            return back({"error": "invalid_request", "error_description": problem})
        if self.deny_next:
            error, self.deny_next = self.deny_next, None
            return back({"error": error})
        code = secrets.token_urlsafe(24)
        with self._lock:
            self._grants[code] = _Grant(
                self.client_id, redirect_uri, query.get("code_challenge"), query["nonce"]
            )
        return back({"code": code})

    # -- token ----------------------------------------------------------------------

    def _client_ok(self, form: dict[str, str], authorization: str | None) -> bool:
        if form.get("client_id") != self.client_id:
            return False
        if self.client_secret is None:
            return True
        expected = "Basic " + base64.b64encode(
            f"{self.client_id}:{self.client_secret}".encode()
        ).decode("ascii")
        return hmac.compare_digest((authorization or "").encode(), expected.encode())

    def _token(self, form: dict[str, str], authorization: str | None, issuer: str) -> Routed:
        grant_type = form.get("grant_type", "")
        with self._lock:
            self.token_requests.append(grant_type)
        if not self._client_ok(form, authorization):
            return _oauth_error("invalid_client", "client authentication failed", 401)
        if grant_type == "authorization_code":
            return self._code_grant(form, issuer)
        if grant_type == "refresh_token":
            return self._refresh_grant(form)
        return _oauth_error("unsupported_grant_type", "authorization_code or refresh_token")

    def _code_grant(self, form: dict[str, str], issuer: str) -> Routed:
        with self._lock:
            grant = self._grants.get(form.get("code", ""))
            if grant is None:
                return _oauth_error("invalid_grant", "unknown code")
            if grant.used:
                # RFC 6749 4.1.2: a code used twice revokes what it was exchanged for.
                for token in grant.issued:
                    for table in (self._access, self._refresh):
                        if token in table:
                            table[token].revoked = True
                return _oauth_error("invalid_grant", "code already used")
            grant.used = True
        if form.get("redirect_uri") != grant.redirect_uri:
            return _oauth_error("invalid_grant", "redirect_uri differs from the authorize one")
        verifier = form.get("code_verifier")
        if grant.challenge is not None:
            if not verifier:
                return _oauth_error("invalid_request", "code_verifier is required")
            digest = _b64(hashlib.sha256(verifier.encode()).digest())
            if not hmac.compare_digest(digest.encode(), grant.challenge.encode()):
                return _oauth_error("invalid_grant", "code_verifier does not match")
        return self._issue(grant.nonce, grant, issuer=issuer)

    def _refresh_grant(self, form: dict[str, str]) -> Routed:
        with self._lock:
            session = self._refresh.pop(form.get("refresh_token", ""), None)
        now = time.time()
        if session is None or session.revoked:
            return _oauth_error("invalid_grant", "refresh token unknown, used or revoked")
        return self._issue(None, None, id_token=session.id_token, at=now)

    def _issue(
        self,
        nonce: str | None,
        grant: _Grant | None,
        *,
        id_token: str | None = None,
        at: float | None = None,
        issuer: str | None = None,
    ) -> Routed:
        now = at or time.time()
        access = "shcat_" + secrets.token_urlsafe(24)
        refresh = "shcrt_" + secrets.token_urlsafe(24)
        if id_token is None:
            claims = {
                "iss": issuer or self.issuer,  # the issuer the shop's discovery named
                "sub": CUSTOMER_GID,
                "aud": self.client_id,
                "iat": int(now),
                "exp": int(now) + self.token_lifetime,
                "nonce": nonce,
                "email": self._fake.email,
            }
            header = _b64(json.dumps({"alg": "none", "typ": "JWT"}).encode())
            id_token = f"{header}.{_b64(json.dumps(claims).encode())}.fake-signature"
        with self._lock:
            self._access[access] = _Session(now + self.token_lifetime, id_token)
            self._refresh[refresh] = _Session(now + 30 * 86_400, id_token)
            if grant is not None:
                grant.issued += [access, refresh]
        answer = {
            "access_token": access,
            "expires_in": self.token_lifetime,
            "refresh_token": refresh,
            "id_token": id_token,
            "token_type": "Bearer",
            "scope": "openid email customer-account-api:full",
        }
        return _json(200, answer, {"Cache-Control": "no-store"})

    # -- logout ---------------------------------------------------------------------

    def _logout(self, query: dict[str, str]) -> Routed:
        hint = query.get("id_token_hint", "")
        with self._lock:
            for session in (*self._access.values(), *self._refresh.values()):
                if session.id_token == hint:
                    session.revoked = True
        target = query.get("post_logout_redirect_uri")
        return _redirect(target) if target else _json(200, {"logged_out": True})

    # -- the API --------------------------------------------------------------------

    def _graphql(self, version: str, authorization: str | None, raw: bytes) -> Routed:
        out = {"X-Shopify-API-Version": self._fake.served_version or version}
        with self._lock:
            session = self._access.get(authorization or "")
        if session is None or session.revoked or session.expires_at <= time.time():
            return _json(401, {"errors": [{"message": "Unauthorized"}]}, out)
        try:
            body = json.loads(raw)
        except ValueError:
            body = None
        if not isinstance(body, dict) or not isinstance(body.get("query"), str):
            return _json(400, {"errors": [{"message": "query is required"}]}, out)
        operation = str(body.get("operationName"))
        with self._fake._lock:
            self._fake.executed[operation] += 1
        overridden = operation in self._fake._operation_overrides
        if "storefrontCustomerAccessTokenCreate" in body["query"] and not overridden:
            token = secrets.token_hex(16)
            self._fake.canned.customer_tokens[token] = self._fake.email
            answer: dict[str, Any] = {
                "data": {
                    "storefrontCustomerAccessTokenCreate": {
                        "customerAccessToken": token,
                        "userErrors": [],
                    }
                }
            }
        else:
            answer = self._fake._data.answer("customer", version, body)
        return _json(200, answer, out)
