"""Per-call ``headers=``: checked before anything is sent, and their secrets noted.

Loaded with the first call that passes ``headers=`` (not at import).

- **Refused**: what frames the request body, names its host, or governs the
  connection is the client's to set. A per-call ``Content-Length`` failed inside h11
  with its own error; ``Transfer-Encoding`` sent a body with both it and a
  Content-Length (which a proxy and a server may read differently: request
  smuggling); ``Host`` sent the token to whatever virtual host it named; the
  hop-by-hop headers (RFC 9110, 7.6.1) change how the connection behaves under the
  pool. Each is a :class:`ConfigurationError` naming the header.
- **Secret**: the value of a header whose name says it carries a credential (the
  token headers of both APIs, ``Authorization``, ``Cookie``, ``*-Token``, ``*-Key``...)
  is scrubbed from every error of that call, like the client's own token.
- **Names** compare case-insensitively: one name given twice (``"X-A"`` and ``"x-a"``)
  is refused, and a per-call header replaces the client's header of that name
  whatever its case (merged into a caller's ``http_client=`` headers, a dict merge
  kept both, and sent two tokens).
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from ._auth import check_header_values
from ._exceptions import ConfigurationError
from ._redact import SENSITIVE_HEADERS

__all__ = ["REFUSED_HEADERS", "call_headers", "merged_headers"]

REFUSED_HEADERS = frozenset(
    {
        "host",
        "content-length",
        "transfer-encoding",
        # hop-by-hop (RFC 9110, 7.6.1): the connection's, not the request's
        "connection",
        "proxy-connection",
        "keep-alive",
        "te",
        "trailer",
        "upgrade",
    }
)

_SECRET_NAME = re.compile(
    r"token|secret|passw|auth|cookie|session|key|signature|credential|multipass", re.IGNORECASE
)


def call_headers(headers: object) -> tuple[dict[str, str], tuple[str, ...]]:
    """The checked per-call headers, and the values among them to scrub from errors."""
    if not isinstance(headers, Mapping):
        raise ConfigurationError(
            f"headers= must be a mapping of header names to values, not {type(headers).__name__}"
        )
    checked = check_header_values(headers)
    seen: set[str] = set()
    secrets: list[str] = []
    for name, value in checked.items():
        lowered = name.lower()
        if lowered in REFUSED_HEADERS:
            raise ConfigurationError(
                f"headers= may not set {name}: the client frames each request and keeps "
                "its connections itself (Host, Content-Length, Transfer-Encoding and the "
                "hop-by-hop headers are refused)"
            )
        if lowered in seen:
            raise ConfigurationError(
                f"headers= names {name} twice (header names are case-insensitive)"
            )
        seen.add(lowered)
        if lowered in SENSITIVE_HEADERS or _SECRET_NAME.search(name):
            secrets.append(value)
    return checked, tuple(secrets)


def merged_headers(base: Mapping[str, str], extra: Mapping[str, str]) -> dict[str, str]:
    """``base`` with ``extra`` on top, a name of ``extra`` replacing ``base``'s in any case."""
    replaced = {name.lower() for name in extra}
    merged = {name: value for name, value in base.items() if name.lower() not in replaced}
    merged.update(extra)
    return merged
