"""The httpx clients this package creates for itself: httpx's, without a cookie jar.

Shopify's GraphQL APIs authenticate every request by its token header; a cookie
has no part in a call. httpx's clients keep every ``Set-Cookie`` they are answered
with and send it on every later request. For a server that uses one client for
many buyers, that carries one buyer's cookie into another's requests, and reading
the jar costs httpx about 20 us of CPU a response (it builds urllib request and
response wrappers even when there is no cookie). The clients made here keep none
and send none. A caller who wants cookies passes their own ``http_client=``, which
is used as it is.
"""

from __future__ import annotations

from http.cookiejar import Cookie, CookieJar

import httpx

__all__ = ["CookielessAsyncClient", "CookielessClient"]


class _RefusingJar(CookieJar):
    """A jar that stays empty (one is shared by every client made here)."""

    def set_cookie(self, cookie: Cookie) -> None:
        raise AttributeError("a shopify_client HTTP client keeps no cookies")


class _NoCookies(httpx.Cookies):
    """No cookie in, none out; answers are not even read for one."""

    def extract_cookies(self, response: httpx.Response) -> None:
        return None


class _KeepsNoCookies:
    """The ``cookies`` of both clients below: always the one shared empty jar."""

    @property
    def cookies(self) -> httpx.Cookies:
        return _EMPTY

    @cookies.setter
    def cookies(self, cookies: object) -> None:
        raise AttributeError("a shopify_client HTTP client keeps no cookies")


class CookielessClient(_KeepsNoCookies, httpx.Client):
    """An ``httpx.Client`` whose ``cookies`` stay empty: no answer's cookie is kept."""


class CookielessAsyncClient(_KeepsNoCookies, httpx.AsyncClient):
    """An ``httpx.AsyncClient`` whose ``cookies`` stay empty: no answer's cookie is kept."""


_EMPTY = _NoCookies(_RefusingJar())
