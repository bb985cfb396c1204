"""The OAuth 2.0 authorization-code flow of the Customer Account API, sync and async.

Shopify's reference (https://shopify.dev/docs/api/customer/2026-04, "Authentication")
and its getting-started guide
(https://shopify.dev/docs/storefronts/headless/building-with-the-customer-account-api/getting-started):

- authorize: GET ``authorization_endpoint`` with ``scope`` (``openid email
  customer-account-api:full``), ``client_id``, ``response_type=code``, ``redirect_uri``,
  ``state``, ``nonce``, and for PKCE ``code_challenge`` + ``code_challenge_method=S256``;
- token: POST ``token_endpoint``, form-encoded, ``grant_type=authorization_code`` with
  ``client_id``, ``redirect_uri``, ``code`` and ``code_verifier``; a confidential client
  also sends ``Authorization: Basic base64(client_id:client_secret)``. The answer holds
  ``access_token``, ``expires_in``, ``refresh_token`` and ``id_token``;
- refresh: the same endpoint, ``grant_type=refresh_token`` with ``client_id`` and
  ``refresh_token`` (and the Basic header for confidential clients);
- logout: GET ``end_session_endpoint`` with ``id_token_hint`` and an optional
  ``post_logout_redirect_uri``.

This module never talks to a web framework: the caller redirects to
:attr:`LoginRequest.url`, keeps the :class:`LoginRequest` in its session, and hands
the callback URL (or its query parameters) to :meth:`complete_login`. The ``state``
and ``nonce`` checks always run. PKCE is always used (S256), confidential or not.

The checks live beside it: the callback's in :mod:`._callback` (state, repeated
parameters, RFC 9207 ``iss``, single use), the token answer's in :mod:`._answers`
(``expires_in``, ``token_type``, the ID token's nonce, audience, issuer and expiry),
the sharing of racing refreshes in :mod:`._refresh`, and the bounded, never
redirected requests in :mod:`._http`. Any error leaves :meth:`complete_login` and
:meth:`refresh` without the frames that held the code, verifier or tokens.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import time
from collections.abc import Mapping
from types import TracebackType
from typing import Any, Self
from urllib.parse import urlencode, urlsplit

import httpx

from .._exceptions import ConfigurationError, ShopifyError
from ._answers import tokens_from
from ._callback import UsedStates, callback_code
from ._discovery import ShopEndpoints
from ._errors import RefreshError, TokenRequestError
from ._http import Answer, new_async_client, new_client, send, send_async
from ._refresh import RefreshFlights
from ._tokens import DEFAULT_REFRESH_MARGIN, CustomerTokens, LoginRequest

__all__ = ["DEFAULT_SCOPE", "AsyncCustomerAccountAuth", "CustomerAccountAuth", "pkce_challenge"]

#: What Shopify's reference asks for: the OpenID identity, the email, the whole API.
DEFAULT_SCOPE = "openid email customer-account-api:full"
#: The parameters the flow itself sets, which ``extra_params`` may not override.
_RESERVED = frozenset(
    {
        "client_id",
        "response_type",
        "redirect_uri",
        "scope",
        "state",
        "nonce",
        "code_challenge",
        "code_challenge_method",
    }
)


def _bare(error: ShopifyError) -> ShopifyError:
    """``error`` without the frames it was raised in (they hold the code, the verifier
    and the token answer) nor the exception it was raised while handling."""
    error.__context__ = None
    error.__cause__ = None
    return error.with_traceback(None)


def pkce_challenge(verifier: str) -> str:
    """RFC 7636 S256: ``BASE64URL(SHA256(verifier))`` without padding."""
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


class _FlowCore:
    """Configuration, URLs and every check; the I/O is in the two classes below."""

    _http: Any
    _owns_http: bool

    def __init__(
        self,
        *,
        client_id: str,
        endpoints: ShopEndpoints,
        redirect_uri: str,
        client_secret: str | None = None,
        scope: str = DEFAULT_SCOPE,
    ) -> None:
        from .._auth import check_token

        self.client_id = check_token("client_id", client_id)
        self._secret = (
            None if client_secret is None else check_token("client_secret", client_secret)
        )
        if not isinstance(endpoints, ShopEndpoints):
            raise ConfigurationError(
                "endpoints must be a ShopEndpoints (endpoints_for_shop_id() or discover())"
            )
        self.endpoints = endpoints
        parts = urlsplit(redirect_uri) if isinstance(redirect_uri, str) else None
        if (
            parts is None
            or not parts.scheme
            or not (parts.netloc or parts.path)
            or parts.fragment
            or not redirect_uri.isascii()
            or not redirect_uri.isprintable()
            or " " in redirect_uri
        ):
            raise ConfigurationError(
                "redirect_uri must be an absolute URI without a fragment, as registered "
                "in the shop's Customer Account API settings"
            )
        self.redirect_uri = redirect_uri
        if not isinstance(scope, str) or "openid" not in scope.split():
            raise ConfigurationError(
                "scope must include 'openid': the nonce is checked in the ID token it brings"
            )
        self.scope = scope
        #: the logins completed through this object: a replayed callback is refused
        self._used = UsedStates()
        #: refreshes in progress and just done: racing refreshes share one request
        self._flights = RefreshFlights()

    @property
    def confidential(self) -> bool:
        """True when a client secret authenticates the token requests."""
        return self._secret is not None

    def __repr__(self) -> str:
        kind = "confidential" if self.confidential else "public"
        return (
            f"<{type(self).__name__} {kind} client_id={self.client_id!r} "
            f"token_endpoint={self.endpoints.token_endpoint!r}>"
        )

    # -- the authorization URL ------------------------------------------------------

    def begin_login(self, *, extra_params: Mapping[str, str] | None = None) -> LoginRequest:
        """A fresh ``state``, ``nonce`` and PKCE verifier, and the URL to send the
        customer to. ``extra_params``: more authorize parameters Shopify documents
        (``prompt=none``, ``locale``...); the flow's own parameters cannot be replaced."""
        extra = dict(extra_params or {})
        clash = _RESERVED & set(extra)
        if clash:
            raise ConfigurationError(f"extra_params may not set {', '.join(sorted(clash))}")
        if not all(isinstance(k, str) and isinstance(v, str) for k, v in extra.items()):
            raise ConfigurationError("extra_params must map strings to strings")
        state = secrets.token_urlsafe(32)
        nonce = secrets.token_urlsafe(32)
        verifier = secrets.token_urlsafe(64)  # 86 characters of [A-Za-z0-9_-] (RFC 7636: 43-128)
        params = {
            "scope": self.scope,
            "client_id": self.client_id,
            "response_type": "code",
            "redirect_uri": self.redirect_uri,
            "state": state,
            "nonce": nonce,
            "code_challenge": pkce_challenge(verifier),
            "code_challenge_method": "S256",
            **extra,
        }
        endpoint = self.endpoints.authorization_endpoint
        sep = "&" if urlsplit(endpoint).query else "?"
        return LoginRequest(
            url=endpoint + sep + urlencode(params),
            state=state,
            nonce=nonce,
            code_verifier=verifier,
            redirect_uri=self.redirect_uri,
        )

    # -- token requests -------------------------------------------------------------

    def _auth_headers(self) -> dict[str, str]:
        headers = {"Accept": "application/json"}
        if self._secret is not None:
            pair = f"{self.client_id}:{self._secret}".encode()
            headers["Authorization"] = "Basic " + base64.b64encode(pair).decode("ascii")
        return headers

    def _code_form(self, login: LoginRequest, code: str) -> dict[str, str]:
        return {
            "grant_type": "authorization_code",
            "client_id": self.client_id,
            "redirect_uri": login.redirect_uri,
            "code": code,
            "code_verifier": login.code_verifier,
        }

    def _refresh_form(self, tokens: CustomerTokens) -> dict[str, str]:
        if not isinstance(tokens, CustomerTokens):
            raise ConfigurationError("tokens must be a CustomerTokens")
        if not tokens.refresh_token:
            raise RefreshError("these tokens carry no refresh token: the customer logs in again")
        return {
            "grant_type": "refresh_token",
            "client_id": self.client_id,
            "refresh_token": tokens.refresh_token,
        }

    def _tokens(
        self,
        answer: Answer,
        error: type[TokenRequestError],
        what: str,
        *,
        started: float,
        nonce: str | None = None,
        previous: CustomerTokens | None = None,
    ) -> CustomerTokens:
        return tokens_from(
            answer,
            error,
            what,
            started=started,
            client_id=self.client_id,
            issuer=self.endpoints.issuer,
            nonce=nonce,
            previous=previous,
        )

    def _callback_code(self, login: LoginRequest, callback: str | Mapping[str, Any]) -> str:
        return callback_code(login, callback, issuer=self.endpoints.issuer, used=self._used)

    # -- logout ---------------------------------------------------------------------

    def logout_url(
        self, tokens: CustomerTokens | str, *, post_logout_redirect_uri: str | None = None
    ) -> str:
        """Where to send the customer to end their Shopify session (RP-initiated
        logout: ``id_token_hint`` and an optional ``post_logout_redirect_uri``). The
        caller also drops its stored tokens.

        ``post_logout_redirect_uri`` must be an http(s) URL (https, or http on
        loopback) without credentials or a fragment, as registered in the shop's
        Customer Account API settings (Shopify sends the customer only to a
        registered one). Never build it from a request parameter: pass your own
        constant. ``javascript:``, ``data:``, relative and protocol-relative URLs
        are refused here."""
        from .._auth import check_token
        from .._endpoint import check_endpoint

        id_token = tokens.id_token if isinstance(tokens, CustomerTokens) else tokens
        if not isinstance(id_token, str) or not id_token:
            raise ConfigurationError("logout needs the ID token (CustomerTokens.id_token)")
        params = {"id_token_hint": check_token("the ID token", id_token)}
        if post_logout_redirect_uri is not None:
            target = post_logout_redirect_uri
            try:
                check_endpoint(target)
                if urlsplit(target).fragment or "#" in target:
                    raise ConfigurationError("a fragment")
            except ConfigurationError:
                raise ConfigurationError(
                    "post_logout_redirect_uri must be an https URL (http only on "
                    "loopback) without credentials or a fragment, as registered in the "
                    "shop's Customer Account API settings"
                ) from None
            params["post_logout_redirect_uri"] = target
        endpoint = self.endpoints.end_session_endpoint
        sep = "&" if urlsplit(endpoint).query else "?"
        return endpoint + sep + urlencode(params)


class CustomerAccountAuth(_FlowCore):
    """The login flow, synchronously (``httpx.Client``)."""

    def __init__(
        self,
        *,
        client_id: str,
        endpoints: ShopEndpoints,
        redirect_uri: str,
        client_secret: str | None = None,
        scope: str = DEFAULT_SCOPE,
        http_client: httpx.Client | None = None,
    ) -> None:
        super().__init__(
            client_id=client_id,
            endpoints=endpoints,
            redirect_uri=redirect_uri,
            client_secret=client_secret,
            scope=scope,
        )
        self._owns_http = http_client is None
        self._http = http_client or new_client(endpoints.token_endpoint)

    def complete_login(
        self, login: LoginRequest, callback: str | Mapping[str, Any]
    ) -> CustomerTokens:
        """Check the callback's state, exchange its code (with the PKCE verifier), and
        check the ID token's nonce: the customer's tokens, or a typed error."""
        try:
            return self._complete(login, callback)
        except ShopifyError as exc:  # a ConfigurationError's frames hold the callback too
            error = exc
        del callback  # holds the code: out of the frame a traceback shows
        raise _bare(error) from None

    def _complete(self, login: LoginRequest, callback: str | Mapping[str, Any]) -> CustomerTokens:
        code = self._callback_code(login, callback)
        started = time.time()
        answer = self._post(self._code_form(login, code), TokenRequestError, "code exchange")
        return self._tokens(
            answer, TokenRequestError, "code exchange", started=started, nonce=login.nonce
        )

    def refresh(self, tokens: CustomerTokens) -> CustomerTokens:
        """New tokens from the refresh token; :class:`RefreshError` if refused or failed."""
        try:
            return self._refresh(tokens)
        except ShopifyError as exc:
            error = exc
        raise _bare(error) from None  # the frames below held the refresh token

    def _refresh(self, tokens: CustomerTokens) -> CustomerTokens:
        refresh_token = self._refresh_form(tokens)["refresh_token"]
        with self._flights.turn(refresh_token):
            renewed = self._flights.recent(refresh_token)  # a refresh that raced this one
            if renewed is None:
                started = time.time()
                answer = self._post(self._refresh_form(tokens), RefreshError, "refresh")
                renewed = self._tokens(
                    answer, RefreshError, "refresh", started=started, previous=tokens
                )
                self._flights.remember(refresh_token, renewed)
            return renewed

    def ensure_fresh(
        self, tokens: CustomerTokens, *, margin: float = DEFAULT_REFRESH_MARGIN
    ) -> CustomerTokens:
        """``tokens`` if they outlive ``margin`` seconds, else refreshed ones (store them)."""
        return self.refresh(tokens) if tokens.needs_refresh(margin) else tokens

    def _post(self, form: dict[str, str], error: type[TokenRequestError], what: str) -> Answer:
        failure: ShopifyError
        try:
            return send(
                self._http,
                "POST",
                self.endpoints.token_endpoint,
                what,
                data=form,
                headers=self._auth_headers(),
            )
        except ShopifyError as exc:
            failure = error(f"the {what} did not complete: {exc}")
        del form
        raise failure

    def close(self) -> None:
        if self._owns_http:
            self._http.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


class AsyncCustomerAccountAuth(_FlowCore):
    """The login flow, asynchronously (``httpx.AsyncClient``; asyncio or trio)."""

    def __init__(
        self,
        *,
        client_id: str,
        endpoints: ShopEndpoints,
        redirect_uri: str,
        client_secret: str | None = None,
        scope: str = DEFAULT_SCOPE,
        http_client: httpx.AsyncClient | None = None,
    ) -> None:
        super().__init__(
            client_id=client_id,
            endpoints=endpoints,
            redirect_uri=redirect_uri,
            client_secret=client_secret,
            scope=scope,
        )
        self._owns_http = http_client is None
        self._http = http_client or new_async_client(endpoints.token_endpoint)

    async def complete_login(
        self, login: LoginRequest, callback: str | Mapping[str, Any]
    ) -> CustomerTokens:
        """See :meth:`CustomerAccountAuth.complete_login`."""
        try:
            return await self._complete(login, callback)
        except ShopifyError as exc:  # a ConfigurationError's frames hold the callback too
            error = exc
        del callback  # holds the code: out of the frame a traceback shows
        raise _bare(error) from None

    async def _complete(
        self, login: LoginRequest, callback: str | Mapping[str, Any]
    ) -> CustomerTokens:
        code = self._callback_code(login, callback)
        started = time.time()
        answer = await self._post(self._code_form(login, code), TokenRequestError, "code exchange")
        return self._tokens(
            answer, TokenRequestError, "code exchange", started=started, nonce=login.nonce
        )

    async def refresh(self, tokens: CustomerTokens) -> CustomerTokens:
        """See :meth:`CustomerAccountAuth.refresh`."""
        try:
            return await self._refresh(tokens)
        except ShopifyError as exc:
            error = exc
        raise _bare(error) from None  # the frames below held the refresh token

    async def _refresh(self, tokens: CustomerTokens) -> CustomerTokens:
        refresh_token = self._refresh_form(tokens)["refresh_token"]
        async with self._flights.turn_async(refresh_token):
            renewed = self._flights.recent(refresh_token)  # a refresh that raced this one
            if renewed is None:
                started = time.time()
                answer = await self._post(self._refresh_form(tokens), RefreshError, "refresh")
                renewed = self._tokens(
                    answer, RefreshError, "refresh", started=started, previous=tokens
                )
                self._flights.remember(refresh_token, renewed)
            return renewed

    async def ensure_fresh(
        self, tokens: CustomerTokens, *, margin: float = DEFAULT_REFRESH_MARGIN
    ) -> CustomerTokens:
        """See :meth:`CustomerAccountAuth.ensure_fresh`."""
        return await self.refresh(tokens) if tokens.needs_refresh(margin) else tokens

    async def _post(
        self, form: dict[str, str], error: type[TokenRequestError], what: str
    ) -> Answer:
        failure: ShopifyError
        try:
            return await send_async(
                self._http,
                "POST",
                self.endpoints.token_endpoint,
                what,
                data=form,
                headers=self._auth_headers(),
            )
        except ShopifyError as exc:
            failure = error(f"the {what} did not complete: {exc}")
        del form
        raise failure

    async def aclose(self) -> None:
        if self._owns_http:
            await self._http.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()
