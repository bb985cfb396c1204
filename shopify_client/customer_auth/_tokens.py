"""The records of the flow: the tokens, and one login in progress.

Both are frozen and hold secrets: their reprs show none, and :meth:`CustomerTokens.to_dict`
/ :meth:`from_dict` are how the caller stores them (in its own encrypted session).
"""

from __future__ import annotations

import math
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .._exceptions import ConfigurationError

__all__ = ["CustomerTokens", "LoginRequest"]

#: Refresh this many seconds before the access token expires (clock skew, slow calls).
DEFAULT_REFRESH_MARGIN = 60.0


def _finite_seconds(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    if isinstance(value, int) and abs(value) > 10**12:  # before float(): no OverflowError
        return None
    seconds = float(value)
    return seconds if math.isfinite(seconds) else None


@dataclass(frozen=True, repr=False)
class CustomerTokens:
    """A customer's tokens from the token endpoint, with the access token's expiry.

    ``expires_at``: seconds since the epoch (``time.time()``). ``id_token``: the
    OpenID Connect ID token, which logout sends as ``id_token_hint``.
    """

    access_token: str
    expires_at: float
    refresh_token: str | None = None
    id_token: str | None = None
    scope: str | None = None
    token_type: str = "Bearer"

    def __repr__(self) -> str:
        left = self.expires_at - time.time()
        return (
            f"CustomerTokens(access_token=<hidden>, refresh_token="
            f"{'<hidden>' if self.refresh_token else None}, id_token="
            f"{'<hidden>' if self.id_token else None}, expires_in={left:.0f}s, "
            f"scope={self.scope!r})"
        )

    __str__ = __repr__

    def expires_in(self, now: float | None = None) -> float:
        """Seconds until the access token expires (negative: it has)."""
        return self.expires_at - (time.time() if now is None else now)

    def needs_refresh(
        self, margin: float = DEFAULT_REFRESH_MARGIN, now: float | None = None
    ) -> bool:
        """True when the access token expires within ``margin`` seconds."""
        return self.expires_in(now) <= margin

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict for the caller's session store (it holds the secrets)."""
        return {
            "access_token": self.access_token,
            "expires_at": self.expires_at,
            "refresh_token": self.refresh_token,
            "id_token": self.id_token,
            "scope": self.scope,
            "token_type": self.token_type,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> CustomerTokens:
        """The record :meth:`to_dict` wrote; a ConfigurationError if it is not one."""
        token = data.get("access_token") if isinstance(data, Mapping) else None
        expires = data.get("expires_at") if isinstance(data, Mapping) else None
        expires_at = _finite_seconds(expires)
        if not isinstance(token, str) or not token or expires_at is None:
            # NaN or infinity would never need a refresh; 10**400 made float() raise
            # OverflowError, with the record (and its tokens) in the traceback's locals
            raise ConfigurationError(
                "stored customer tokens need access_token (a string) and expires_at "
                "(seconds since the epoch, a finite number)"
            )

        def text(key: str) -> str | None:
            value = data.get(key)
            return value if isinstance(value, str) and value else None

        return cls(
            access_token=token,
            expires_at=expires_at,
            refresh_token=text("refresh_token"),
            id_token=text("id_token"),
            scope=text("scope"),
            token_type=text("token_type") or "Bearer",
        )


@dataclass(frozen=True, repr=False)
class LoginRequest:
    """One login in progress: the URL to send the customer to, and what the callback
    is checked against. Keep it server-side (a session) until the callback: ``state``,
    ``nonce`` and ``code_verifier`` must not reach the browser except inside ``url``
    (which holds the state, the nonce and the verifier's hash, never the verifier)."""

    url: str
    state: str
    nonce: str
    code_verifier: str
    redirect_uri: str

    def __repr__(self) -> str:
        return f"LoginRequest(redirect_uri={self.redirect_uri!r}, state/nonce/verifier hidden)"

    __str__ = __repr__

    def to_dict(self) -> dict[str, str]:
        return {
            "url": self.url,
            "state": self.state,
            "nonce": self.nonce,
            "code_verifier": self.code_verifier,
            "redirect_uri": self.redirect_uri,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> LoginRequest:
        keys = ("url", "state", "nonce", "code_verifier", "redirect_uri")
        if not isinstance(data, Mapping) or not all(
            isinstance(data.get(k), str) and data.get(k) for k in keys
        ):
            raise ConfigurationError(f"a stored login needs {', '.join(keys)} (strings)")
        return cls(**{k: str(data[k]) for k in keys})
