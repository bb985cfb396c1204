"""The dict a generated method holds its variables and call options in."""

from __future__ import annotations

from typing import Any

__all__ = ["RedactedDict"]


class RedactedDict(dict[str, Any]):
    """A plain dict whose repr and str name its keys, never its values.

    A generated method builds its variables (``customerAccessToken``, an input
    with a password) and keeps its call options (``headers=`` with a per-call
    token) in locals, and a traceback may show locals (``capture_locals=True``,
    Sentry's default). In one of these, they show as
    ``RedactedDict(keys=['customerAccessToken'], values not shown)``; the method
    deletes its own sensitive arguments once they are in it. Everything else
    (sending, ``==``, iteration, ``json``) sees the dict as it is.
    """

    __slots__ = ()

    def __repr__(self) -> str:
        return f"RedactedDict(keys={list(self)!r}, values not shown)"

    __str__ = __repr__
