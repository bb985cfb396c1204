"""The callback Shopify sends the customer back with, checked before its code is used.

- ``state`` must be this login's (compared in constant time), and each login
  completes once per :class:`UsedStates` (a replayed callback URL, from the
  browser's history or a ``Referer``, is refused before its code is sent anywhere);
- each parameter appears once (RFC 6749 3.1: "parameters MUST NOT be included more
  than once"): a second ``code`` or ``state`` appended to the URL is an injection,
  refused rather than resolved by picking one;
- an ``iss`` parameter (RFC 9207) must name the shop's discovered issuer: a callback
  from another provider (a mix-up attack) is refused;
- ``error=`` (even beside a code) is an :class:`AuthorizationDeniedError`.
"""

from __future__ import annotations

import hashlib
import hmac
import threading
import time
from collections import OrderedDict
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from .._exceptions import ConfigurationError
from ._answers import oauth_code
from ._errors import (
    AuthorizationDeniedError,
    InvalidCallbackError,
    StateMismatchError,
    TokenRequestError,
)
from ._tokens import LoginRequest

__all__ = ["UsedStates", "callback_code", "callback_params"]

_MAX_CALLBACK = 16 * 1024  # characters of a callback URL or query string


def _once(pairs: list[tuple[object, object]]) -> dict[str, str]:
    params: dict[str, str] = {}
    for key, value in pairs:
        if not isinstance(key, str) or not isinstance(value, str):
            continue
        if key in params:
            shown = oauth_code(key) or "(a parameter)"
            raise InvalidCallbackError(
                f"the callback carries {shown} more than once (an injected parameter?): "
                "no code was exchanged"
            )
        params[key] = value
    return params


def _mapping_pairs(callback: Mapping[str, Any]) -> list[tuple[object, object]]:
    """Every (key, value) of a framework's query parameters, repeats included: a
    multi-dict's ``items()`` shows one value a key (Starlette's the last, Werkzeug's
    the first), which would hide an injected second ``code``."""
    multi_items = getattr(callback, "multi_items", None)  # Starlette, httpx.QueryParams
    if callable(multi_items):
        return list(multi_items())
    lists = getattr(callback, "lists", None)  # Werkzeug's MultiDict, Django's QueryDict
    if callable(lists):
        return [(key, v) for key, values in lists() for v in values]
    pairs: list[tuple[object, object]] = []
    for key, value in callback.items():
        # a mapping of lists (parse_qs's): each value counts
        values = list(value) if isinstance(value, list | tuple) else [value]
        pairs += [(key, v) for v in values] or [(key, "")]
    return pairs


def callback_params(callback: str | Mapping[str, Any]) -> dict[str, str]:
    """The callback's query parameters, each once."""
    if isinstance(callback, str):
        if len(callback) > _MAX_CALLBACK:
            raise ConfigurationError("the callback URL is too long to be one")
        query = urlsplit(callback).query if "://" in callback else callback.lstrip("?")
        return _once(list(parse_qsl(query, keep_blank_values=True)))
    if isinstance(callback, Mapping):
        return _once(_mapping_pairs(callback))
    raise ConfigurationError("callback must be the callback URL or its query parameters")


class UsedStates:
    """The states of the logins this process completed (their SHA-256, for
    ``max_age`` seconds, at most ``max_entries``): a second completion of one login
    is a replayed callback. Thread-safe."""

    def __init__(self, max_entries: int = 10_000, max_age: float = 3600.0) -> None:
        self.max_entries = max_entries
        self.max_age = max_age
        self._seen: OrderedDict[bytes, float] = OrderedDict()
        self._lock = threading.Lock()

    def claim(self, state: str) -> bool:
        """True the first time ``state`` is claimed (within ``max_age``), else False."""
        key = hashlib.sha256(state.encode()).digest()
        now = time.monotonic()
        with self._lock:
            while self._seen and (
                len(self._seen) >= self.max_entries
                or now - next(iter(self._seen.values())) > self.max_age
            ):
                self._seen.popitem(last=False)
            if key in self._seen:
                return False
            self._seen[key] = now
            return True


def callback_code(
    login: LoginRequest,
    callback: str | Mapping[str, Any],
    *,
    issuer: str | None,
    used: UsedStates,
) -> str:
    """The code of ``callback`` once every check passed; else a typed error."""
    if not isinstance(login, LoginRequest):
        raise ConfigurationError("login must be the LoginRequest begin_login() returned")
    params = callback_params(callback)
    state = params.get("state")
    if not state or not hmac.compare_digest(state.encode(), login.state.encode()):
        raise StateMismatchError(
            "the callback's state is not the one this login sent (a forged, replayed "
            "or crossed callback): no code was exchanged"
        )
    iss = params.get("iss")
    if iss is not None and issuer is not None and iss != issuer:
        raise InvalidCallbackError(
            "the callback's iss is not the shop's issuer (RFC 9207: a response from "
            "another authorization server, a mix-up attack?): no code was exchanged"
        )
    error = params.get("error")
    if error is not None:
        shown = oauth_code(error) or "(not shown)"
        raise AuthorizationDeniedError(
            f"the customer's login ended with OAuth error {shown}", error=shown
        )
    code = params.get("code")
    if not code:
        raise TokenRequestError("the callback carries no code (and no error)")
    if not used.claim(login.state):
        raise StateMismatchError(
            "this login was completed already (a replayed callback URL): no code was "
            "exchanged; start a new login"
        )
    return code
