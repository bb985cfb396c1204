"""The token endpoint's answer, checked before any token in it is used.

What is refused, each as the caller's :class:`TokenRequestError` subclass (or a
:class:`NonceMismatchError` for the ID token), with no token in the message:

- a status other than 200, a body that is not a JSON object, no ``access_token``;
- an ``expires_in`` that is not a number of seconds from 0 to :data:`MAX_LIFETIME`
  (``NaN``, ``Infinity``, ``1e400``, a 400-digit integer that ``float()`` cannot
  convert, ``true``, a string): a token that never needs refreshing, or an
  ``OverflowError`` whose traceback holds the answer;
- a ``token_type`` other than ``Bearer`` (RFC 6749 7.1: a client must not use a
  token whose type it does not understand; the Customer Account API takes the
  bearer token bare in ``Authorization``);
- on the code exchange, an ID token (OpenID Connect Core 3.1.3.7) without this
  login's ``nonce``, without this client in ``aud``, from another issuer than the
  discovered one, or past its ``exp``;
- on a refresh, an ID token of another customer (``sub``), issuer or client than
  the one it renews (OpenID Connect Core 12.2).

The ID token's signature is not checked: it came straight from the token endpoint
over TLS, which OpenID Connect Core 3.1.3.7 accepts in place of one for the code flow.
"""

from __future__ import annotations

import base64
import hmac
import json
import math
import re
import time
from typing import Any

from .._exceptions import ConfigurationError
from ._errors import NonceMismatchError, TokenRequestError
from ._http import Answer
from ._tokens import CustomerTokens

__all__ = ["MAX_LIFETIME", "check_id_token", "jwt_claims", "oauth_code", "tokens_from"]

#: The longest ``expires_in`` taken: a year (Shopify's access tokens live hours).
MAX_LIFETIME = 366 * 86_400
#: How far past its ``exp`` an ID token is still taken (clocks differ).
CLOCK_SKEW = 300


def oauth_code(value: object) -> str | None:
    """An OAuth ``error`` code as an error message may show it (RFC 6749: a short
    token of printable ASCII); anything else is not shown."""
    if isinstance(value, str) and re.fullmatch(r"[A-Za-z0-9_.-]{1,64}", value):
        return value
    return None


def jwt_claims(token: str) -> dict[str, Any] | None:
    """The claims of a compact JWT (its middle part), or None. Not a signature check."""
    parts = token.split(".")
    if len(parts) != 3 or len(parts[1]) > 16_384:
        return None
    try:
        raw = base64.urlsafe_b64decode(parts[1] + "=" * (-len(parts[1]) % 4))
        claims = json.loads(raw)
    except (ValueError, RecursionError):
        return None
    return claims if isinstance(claims, dict) else None


def _seconds(value: object) -> float | None:
    """``expires_in`` as seconds, or None when it is not a sane number of them."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    if isinstance(value, int) and not 0 <= value <= MAX_LIFETIME:
        return None  # before float(): a huge int would raise OverflowError
    seconds = float(value)
    if not math.isfinite(seconds) or not 0 <= seconds <= MAX_LIFETIME:
        return None
    return seconds


def check_id_token(
    id_token: str | None, nonce: str, *, client_id: str, issuer: str | None, now: float
) -> None:
    """The ID token of a code exchange is this login's, this client's, the
    discovered issuer's, and not expired; else a NonceMismatchError."""
    claims = jwt_claims(id_token) if id_token else None
    if claims is None:
        raise NonceMismatchError(
            "the token endpoint sent no readable ID token, so the login's nonce cannot "
            "be checked: the tokens were not accepted"
        )
    got = claims.get("nonce")
    if not isinstance(got, str) or not hmac.compare_digest(got.encode(), nonce.encode()):
        raise NonceMismatchError(
            "the ID token's nonce is not this login's (a replayed or injected token): "
            "the tokens were not accepted"
        )
    audience = claims.get("aud")
    if audience is None:
        raise NonceMismatchError(
            "the ID token names no audience (aud), so it cannot be this client's: not accepted"
        )
    audiences = audience if isinstance(audience, list) else [audience]
    if client_id not in audiences:
        raise NonceMismatchError("the ID token was issued to another client: not accepted")
    if issuer is not None and claims.get("iss") != issuer:
        raise NonceMismatchError(
            "the ID token's issuer (iss) is not the shop's discovered issuer (a mix-up "
            "with another provider?): not accepted"
        )
    expires = claims.get("exp")
    if (
        isinstance(expires, bool)
        or not isinstance(expires, int | float)
        or not expires + CLOCK_SKEW > now
    ):
        raise NonceMismatchError("the ID token has expired (or names no exp time): not accepted")


def _same_customer(new: str | None, old: str | None, client_id: str) -> bool:
    """A refresh's ID token, if it sends one, names the login's customer (``sub``),
    issuer and client."""
    if new is None:
        return True  # none sent: the login's stays
    claims = jwt_claims(new)
    if claims is None:
        return False
    audience = claims.get("aud")
    if client_id not in (audience if isinstance(audience, list) else [audience]):
        return False
    before = jwt_claims(old) if old else None
    if before is None:  # nothing to compare with (tokens stored without one)
        return True
    return all(claims.get(key) == before.get(key) for key in ("sub", "iss"))


def tokens_from(
    answer: Answer,
    error: type[TokenRequestError],
    what: str,
    *,
    started: float,
    client_id: str,
    issuer: str | None,
    nonce: str | None = None,
    previous: CustomerTokens | None = None,
) -> CustomerTokens:
    """The tokens of a checked answer (``nonce``: the code exchange's; ``previous``:
    the tokens a refresh renews, whose refresh and ID tokens stay when the answer
    has none)."""
    from .._auth import check_token

    status = answer.status_code
    if not answer.is_json:
        raise error(
            f"the token endpoint answered the {what} with HTTP {status} and a body that "
            "is not JSON (an HTML page? a proxy's?)",
            status_code=status,
        )
    body = answer.json if isinstance(answer.json, dict) else {}
    if status != 200 or not isinstance(body.get("access_token"), str):
        code = oauth_code(body.get("error"))
        shown = f" ({code})" if code else ""
        raise error(
            f"the token endpoint refused the {what}: HTTP {status}{shown}",
            error=code,
            status_code=status,
        )
    seconds = _seconds(body.get("expires_in"))
    if seconds is None:
        raise error(
            f"the token endpoint's {what} answer has no usable expires_in (a number of "
            f"seconds from 0 to {MAX_LIFETIME}): the tokens were not accepted",
            status_code=status,
        )
    token_type = body.get("token_type")
    if token_type is not None and (
        not isinstance(token_type, str) or token_type.lower() != "bearer"
    ):
        raise error(
            f"the token endpoint's {what} answer has token_type "
            f"{oauth_code(token_type) or '(not shown)'}, not Bearer: the Customer "
            "Account API takes bearer tokens only",
            status_code=status,
        )

    def text(key: str) -> str | None:
        value = body.get(key)
        return value if isinstance(value, str) and value else None

    if nonce is not None:
        check_id_token(text("id_token"), nonce, client_id=client_id, issuer=issuer, now=time.time())
    elif previous is not None and not _same_customer(
        text("id_token"), previous.id_token, client_id
    ):
        raise error(
            f"the {what} answer's ID token is not the same customer's, issuer's or "
            "client's as the login's (OpenID Connect Core 12.2): not renewed",
            status_code=status,
        )
    try:
        access = check_token("the access token", body["access_token"])
    except ConfigurationError:
        raise error(
            f"the token endpoint's {what} answer holds an access token that cannot be "
            "sent as a header (value not shown)",
            status_code=status,
        ) from None
    return CustomerTokens(
        access_token=access,
        # from when the request started: the token may have been minted then
        expires_at=started + seconds,
        refresh_token=text("refresh_token") or (previous.refresh_token if previous else None),
        id_token=text("id_token") or (previous.id_token if previous else None),
        scope=text("scope") or (previous.scope if previous else None),
        token_type="Bearer",
    )
