"""Hostile callbacks (issue 25's outside review): what reaches ``complete_login``.

The callback URL passes through the customer's browser, so anyone who can make the
browser open a URL can write one: repeated parameters (an injected second ``code``
or ``state``), an ``iss`` naming another authorization server (RFC 9207 mix-up),
``error`` beside a code, a replay of a callback already used. None of them gets a
code sent to the token endpoint.
"""

from __future__ import annotations

import hmac
import traceback
from typing import Any
from urllib.parse import quote

import pytest

from shopify_client import ConfigurationError, ShopifyError
from shopify_client.customer_auth import (
    AuthorizationDeniedError,
    InvalidCallbackError,
    StateMismatchError,
)
from tests.shopify_client.customer_auth.helpers import (
    CODE,
    ISSUER,
    REDIRECT,
    Endpoint,
    callback,
    json_response,
    token_answer,
)


def endpoint_and_auth() -> tuple[Endpoint, Any, Any]:
    endpoint = Endpoint(lambda request: json_response(b"{}"))
    auth = endpoint.sync_auth()
    login = auth.begin_login()
    endpoint.answer = lambda request: json_response(token_answer(login))
    return endpoint, auth, login


@pytest.mark.parametrize(
    "extra",
    [
        "&state=forged",  # a second state after the right one
        "&code=injected-code",  # a second code: which one would be exchanged?
        "&code=" + CODE,  # even the same value twice
    ],
)
def test_a_repeated_parameter_is_refused(extra: str) -> None:
    endpoint, auth, login = endpoint_and_auth()
    with pytest.raises(InvalidCallbackError, match="more than once"):
        auth.complete_login(login, callback(login, extra))
    with pytest.raises(InvalidCallbackError):  # a framework's multi-dict, as lists
        auth.complete_login(login, {"code": [CODE, "injected"], "state": [login.state]})
    assert endpoint.requests == []
    assert auth.complete_login(login, callback(login)).access_token


def test_a_state_given_first_by_the_attacker_is_refused() -> None:
    endpoint, auth, login = endpoint_and_auth()
    forged = f"{REDIRECT}?state=forged&code={CODE}&state={login.state}"
    with pytest.raises(ShopifyError):
        auth.complete_login(login, forged)
    assert endpoint.requests == []


def test_an_iss_of_another_authorization_server_is_refused() -> None:
    endpoint, auth, login = endpoint_and_auth()
    with pytest.raises(InvalidCallbackError, match="RFC 9207"):
        auth.complete_login(login, callback(login, "&iss=" + quote("https://evil.example")))
    assert endpoint.requests == []
    tokens = auth.complete_login(login, callback(login, "&iss=" + quote(ISSUER, safe="")))
    assert tokens.access_token


def test_an_error_beside_a_code_is_a_denial_and_sends_nothing() -> None:
    endpoint, auth, login = endpoint_and_auth()
    with pytest.raises(AuthorizationDeniedError) as info:
        auth.complete_login(login, callback(login, "&error=access_denied"))
    assert info.value.error == "access_denied"
    with pytest.raises(AuthorizationDeniedError) as shown:
        auth.complete_login(login, callback(login, "&error=" + quote("<script>")))
    assert "<script>" not in str(shown.value)
    assert endpoint.requests == []


def test_a_replayed_callback_is_refused_before_its_code_is_sent() -> None:
    """From the browser's history, a Referer, a proxy's log: the same callback URL
    handed in again. Shopify would refuse the used code and revoke the tokens it
    gave (RFC 6749 4.1.2), logging the customer out; it is never sent."""
    endpoint, auth, login = endpoint_and_auth()
    url = callback(login)
    assert auth.complete_login(login, url).access_token
    with pytest.raises(StateMismatchError, match="completed already"):
        auth.complete_login(login, url)
    restored = type(login).from_dict(login.to_dict())  # the login kept in a session
    with pytest.raises(StateMismatchError):
        auth.complete_login(restored, url)
    assert len(endpoint.requests) == 1


def test_a_failed_check_does_not_use_up_the_login() -> None:
    _endpoint, auth, login = endpoint_and_auth()
    with pytest.raises(StateMismatchError):
        auth.complete_login(login, f"{REDIRECT}?code={CODE}&state=forged")
    assert auth.complete_login(login, callback(login)).access_token


def test_state_and_nonce_are_compared_in_constant_time(monkeypatch: pytest.MonkeyPatch) -> None:
    compared: list[tuple[bytes, bytes]] = []
    real = hmac.compare_digest

    def spy(a: Any, b: Any) -> bool:
        compared.append((a, b))
        return real(a, b)

    monkeypatch.setattr(hmac, "compare_digest", spy)
    _endpoint, auth, login = endpoint_and_auth()
    auth.complete_login(login, callback(login))
    assert (login.state.encode(), login.state.encode()) in compared
    assert (login.nonce.encode(), login.nonce.encode()) in compared


def test_a_too_long_callback_keeps_its_code_out_of_the_traceback() -> None:
    _endpoint, auth, login = endpoint_and_auth()
    with pytest.raises(ConfigurationError, match="too long") as info:
        auth.complete_login(login, callback(login, "&pad=" + "a" * 20_000))
    shown = traceback.TracebackException.from_exception(info.value, capture_locals=True)
    ours = [f for f in shown.stack if "/tests/" not in f.filename]
    assert ours and CODE not in "".join(repr(f.locals) for f in ours)
    assert info.value.__context__ is None


class LastValueMultiDict(dict[str, str]):
    """Like Starlette's QueryParams: ``items()`` shows the last value of each key,
    ``multi_items()`` all of them."""

    def __init__(self, pairs: list[tuple[str, str]]) -> None:
        super().__init__(pairs)
        self._pairs = pairs

    def multi_items(self) -> list[tuple[str, str]]:
        return list(self._pairs)


class FirstValueMultiDict(dict[str, str]):
    """Like Werkzeug's MultiDict and Django's QueryDict: ``lists()`` has every value."""

    def __init__(self, pairs: list[tuple[str, str]]) -> None:
        super().__init__(reversed(pairs))
        self._pairs = pairs

    def lists(self) -> list[tuple[str, list[str]]]:
        keys = dict.fromkeys(k for k, _ in self._pairs)
        return [(k, [v for key, v in self._pairs if key == k]) for k in keys]


@pytest.mark.parametrize("multidict", [LastValueMultiDict, FirstValueMultiDict])
def test_a_frameworks_multidict_shows_its_repeated_parameters(multidict: Any) -> None:
    endpoint, auth, login = endpoint_and_auth()
    injected = multidict([("code", "injected"), ("state", login.state), ("code", CODE)])
    with pytest.raises(InvalidCallbackError, match="more than once"):
        auth.complete_login(login, injected)
    assert endpoint.requests == []
    assert auth.complete_login(login, multidict([("code", CODE), ("state", login.state)]))
