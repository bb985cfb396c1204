"""Keeping access tokens and passwords out of logs, reprs and exception messages,
and the server's control characters out of messages."""

from __future__ import annotations

import functools
import itertools
import json
import re
from collections.abc import Iterable, Mapping
from typing import Any

__all__ = [
    "REDACTED",
    "SENSITIVE_HEADERS",
    "Scrubber",
    "excerpt",
    "is_sensitive_key",
    "printable",
    "redact_json",
    "scrub",
]

REDACTED = "[REDACTED]"

SENSITIVE_HEADERS = frozenset(
    {
        "x-shopify-storefront-access-token",
        "shopify-storefront-private-token",
        "x-shopify-access-token",
        "authorization",
        "cookie",
        "set-cookie",
    }
)


@functools.cache
def _sensitive_key() -> re.Pattern[str]:
    # Compiled on first use (an error to scrub, a log to redact), not at import.
    return re.compile(r"(token|password|secret|authorization|multipass)", re.IGNORECASE)


def is_sensitive_key(key: str) -> bool:
    return bool(_sensitive_key().search(key))


MAX_DEPTH = 64


def redact_json(value: Any, _depth: int = 0, _sensitive: bool = False) -> Any:
    """A copy of a JSON value with every sensitive key's value replaced.

    A sensitive key's scalar value is replaced; under a sensitive key, a list's
    scalar items are too (``{"passwords": ["a", "b"]}``), and objects in it are
    redacted key by key. Anything nested deeper than ``MAX_DEPTH`` is replaced
    whole: it cannot be checked cheaply, so it is not shown.
    """
    if _depth > MAX_DEPTH:
        return REDACTED
    if isinstance(value, Mapping):
        out = {}
        for k, v in value.items():
            sensitive = isinstance(k, str) and is_sensitive_key(k)
            if sensitive and v is not None and not isinstance(v, Mapping | list):
                out[k] = REDACTED
            else:
                out[k] = redact_json(v, _depth + 1, sensitive and isinstance(v, list))
        return out
    if isinstance(value, list):
        return [
            REDACTED
            if _sensitive and v is not None and not isinstance(v, Mapping | list)
            else redact_json(v, _depth + 1, _sensitive and isinstance(v, list))
            for v in value
        ]
    return value


def redact_headers(headers: Mapping[str, str]) -> dict[str, str]:
    return {k: (REDACTED if k.lower() in SENSITIVE_HEADERS else v) for k, v in headers.items()}


def printable(text: str) -> str:
    """``text`` with each character that is not printable (control characters, line
    breaks, bidi overrides, lone surrogates...) written as its escape, as ``repr``
    writes it: what a server sends cannot rewrite a terminal or a log line."""
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


# -- scrubbing secrets out of text that quotes them -------------------------------------
#
# A server that echoes a secret seldom echoes it byte for byte: it may escape it for
# JSON (\" \\ \/ \u00e9; Rails and Go also escape < > &), for HTML (&quot; &#39;
# &#xe9;), for a URL (%C3%A9), twice (JSON inside a JSON string), or fold its
# whitespace. So each secret is matched in all of those spellings at once, by one
# regular expression in which a plain character (ASCII letters, digits and "-._~",
# which no encoder rewrites) stands for itself, and any other character for each
# way of writing it.

MIN_SECRET = 4  # shorter values would scrub ordinary words; tokens are far longer
# Past this many characters, or past this many (longest first) secrets, a secret is
# matched as written only: its spellings would make too large a pattern.
SPELLED_MAX_CHARS = 512
SPELLED_MAX_SECRETS = 64
# The longest text one character of a secret can match (a surrogate pair escaped
# twice over: 2 x (8 backslashes + u + 4 digits) = 26).
_CHAR_REACH = 32

# Characters that no JSON, HTML or URL encoder rewrites (RFC 3986's "unreserved"):
# matched as they are.
_PLAIN = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.~")
_BACKSLASHES = r"\\{1,8}"  # an escape, or an escape escaped again (JSON in JSON)
_SHORT_ESCAPES = {
    '"': '"',
    "\\": "\\",
    "/": "/",
    "'": "'",
    "\b": "b",
    "\f": "f",
    "\n": "n",
    "\r": "r",
    "\t": "t",
    "\x0b": "v",
}
_ENTITY_NAMES = {"&": "amp", "<": "lt", ">": "gt", '"': "quot", "'": "apos", "\xa0": "nbsp"}
_AMPERSAND = "(?:&|" + _BACKSLASHES + "u0026)"  # an HTML entity inside Rails' JSON


def _hex(value: int, width: int) -> str:
    """``value`` in hex, as a pattern that takes either case of each letter."""
    return "".join(f"[{d}{d.upper()}]" if d.isalpha() else d for d in f"{value:0{width}x}")


def _spellings(char: str) -> list[str]:
    """A pattern for each way an encoder may write ``char``."""
    code = ord(char)
    out = [re.escape(char)]
    if char in _SHORT_ESCAPES:
        out.append(_BACKSLASHES + re.escape(_SHORT_ESCAPES[char]))
    if code < 0x10000:
        out.append(_BACKSLASHES + "u" + _hex(code, 4))  # JSON, JavaScript, Python
    else:
        high, low = 0xD800 + ((code - 0x10000) >> 10), 0xDC00 + ((code - 0x10000) & 0x3FF)
        out.append(_BACKSLASHES + "u" + _hex(high, 4) + _BACKSLASHES + "u" + _hex(low, 4))
        out.append(_BACKSLASHES + "U" + _hex(code, 8))  # Python's repr
    if code < 0x100:
        out.append(_BACKSLASHES + "x" + _hex(code, 2))  # Python's repr
    # A URL: percent-encoded UTF-8 (a lone surrogate has none).
    encoded = char.encode("utf-8", "replace")
    out.append("".join("%" + _hex(byte, 2) for byte in encoded))
    references = [f"#0{{0,4}}{code}", "#[xX]0{0,4}" + _hex(code, 1)]
    if char in _ENTITY_NAMES:
        references.append(_ENTITY_NAMES[char])
    out.append(_AMPERSAND + "(?:" + "|".join(references) + ");")
    return out


# One whitespace character, raw or in any spelling of a whitespace character: the
# escapes and references of the characters str.isspace() takes, and only of them (a
# test holds the list to Python's tables). Precise, so that no text is both a
# whitespace spelling and a spelling of the next character of the secret: each part
# of a pattern then matches in one way only, and matching never backtracks far.
_WHITESPACE = (
    r"(?:\s"
    r"|\\{1,8}(?:[tnrfv]|x(?:0[9a-dA-D]|1[c-fC-F]|20|85|[aA]0)"
    r"|u(?:00(?:0[9a-dA-D]|1[c-fC-F]|20|85|[aA]0)|1680|200[0-9aA]|202[89fF]|205[fF]|3000))"
    r"|%(?:0[9a-dA-D]|1[c-fC-F]|20|[cC]2%(?:85|[aA]0)|[eE]1%9[aA]%80"
    r"|[eE]2%80%(?:8[0-9aA]|[aA][89fF])|[eE]2%81%9[fF]|[eE]3%80%80)"
    r"|(?:&|\\{1,8}u0026)(?:nbsp|#0{0,4}(?:9|1[0-3]|2[89]|3[0-2]|133|160|5760|819[2-9]"
    r"|820[0-2]|823[239]|8287|12288)|#[xX]0{0,4}(?:[9a-dA-D]|1[c-fC-F]|20|85|[aA]0|1680"
    r"|200[0-9aA]|202[89fF]|205[fF]|3000));)"
)


def _written(secret: str) -> tuple[str, int]:
    """The pattern of a secret matched only as written, JSON-escaped (once or twice,
    ASCII-only or not) and with its whitespace folded: fixed strings, no per-character
    spellings. For very long secrets, and past the first ``SPELLED_MAX_SECRETS``."""
    forms = {secret}
    for _ in range(2):  # JSON, then JSON in JSON
        forms |= {json.dumps(f, ensure_ascii=a)[1:-1] for f in forms for a in (True, False)}
    forms |= {" ".join(f.split()) for f in forms}
    ordered = sorted(forms, key=len, reverse=True)
    return "|".join(re.escape(f) for f in ordered), len(ordered[0])


def _pattern(secret: str, spelled: bool) -> tuple[str, int]:
    """The pattern of one secret (no whitespace at either end), and the longest text
    it can match."""
    if not spelled:
        return _written(secret)
    parts: list[str] = []
    reach = 0
    for is_space, group in itertools.groupby(secret, str.isspace):
        chars = list(group)
        if is_space:
            # A run of whitespace matches a run of any whitespace: folded to one space
            # (str.split), as written, or escaped a character at a time.
            most = 2 * len(chars) + 2
            parts.append(f"{_WHITESPACE}{{1,{most}}}")
            reach += most * _CHAR_REACH
            continue
        for is_backslash, same in itertools.groupby(chars, lambda c: c == "\\"):
            if is_backslash:
                count = len(list(same))
                parts.append(_backslashes(count))
                reach += count * _CHAR_REACH
                continue
            for char in same:
                if char in _PLAIN:
                    parts.append(re.escape(char))
                    reach += 1
                else:
                    parts.append("(?:" + "|".join(_spellings(char)) + ")")
                    reach += _CHAR_REACH
    return "(?:" + "".join(parts) + ")", reach


def _backslashes(count: int) -> str:
    """A run of ``count`` backslashes: as written, escaped once, twice or three times
    over (2, 4 or 8 backslashes each), or a reference each.

    Atomic, the longest first: a run of backslashes in the text is taken whole (what
    is left is the next character's escape), so that a secret of many backslashes
    and quotes cannot make the pattern try every way of splitting a run."""
    runs = "|".join(rf"\\{{{n * count}}}" for n in (8, 4, 2, 1))
    each = (
        r"(?:\\{1,8}u005[cC]|%5[cC]|(?:&|\\{1,8}u0026)(?:#0{0,4}92|#[xX]0{0,4}5[cC]);)"
        + f"{{{count}}}"
    )
    return f"(?>{runs}|{each})"


class Scrubber:
    """The secrets of one error, each in every spelling, compiled once.

    A secret is matched without the whitespace at its ends (a server may trim it),
    and only from ``MIN_SECRET`` characters on. ``reach`` is the longest text a
    secret can match: how far past a cut the text must be read, so that a cut never
    leaves the start of a secret behind.
    """

    __slots__ = ("_regex", "reach")

    def __init__(self, secrets: Iterable[str]) -> None:
        found: dict[str, None] = {}
        for secret in secrets:
            if isinstance(secret, str):
                core = secret.strip()
                if len(core) >= MIN_SECRET:
                    found[core] = None
        patterns: list[str] = []
        self.reach = 0
        # Longest first: where one secret holds another, the whole of it is replaced.
        for index, secret in enumerate(sorted(found, key=len, reverse=True)):
            spelled = index < SPELLED_MAX_SECRETS and len(secret) <= SPELLED_MAX_CHARS
            pattern, reach = _pattern(secret, spelled)
            patterns.append(pattern)
            self.reach = max(self.reach, reach)
        self._regex = re.compile("|".join(patterns)) if patterns else None

    def __repr__(self) -> str:
        return "<Scrubber (secrets not shown)>"

    def text(self, text: str) -> str:
        """``text`` with every spelling of every secret replaced by ``REDACTED``."""
        if self._regex is None or not text:
            return text
        return self._regex.sub(REDACTED, text)

    def json(self, value: Any, _depth: int = 0) -> Any:
        """A copy of a JSON value with every string (keys too) scrubbed; anything
        nested deeper than ``MAX_DEPTH`` is replaced whole."""
        if self._regex is None:
            return value
        if _depth > MAX_DEPTH:
            return REDACTED
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, Mapping):
            return {
                (self.text(k) if isinstance(k, str) else k): self.json(v, _depth + 1)
                for k, v in value.items()
            }
        if isinstance(value, list | tuple):
            return [self.json(v, _depth + 1) for v in value]
        return value

    def head(self, text: str | bytes, limit: int, *, flatten: bool = False) -> tuple[str, bool]:
        """The first ``limit`` characters of ``text`` once scrubbed (then, with
        ``flatten``, its whitespace folded), and whether anything was cut off.

        The whole text is scrubbed before it is cut, so a secret across the cut
        leaves no prefix behind; but only as much of a long text is read as that
        needs: a part whose scrubbed form runs ``margin`` past ``limit`` (what a
        match running over the part's end may change is shorter than that).
        ``bytes`` are read as UTF-8, a part at a time.
        """
        margin = 4 * self.reach + 16
        size = limit + margin
        while True:
            part = text[:size]
            whole = size >= len(text)
            out = self.text(part.decode("utf-8", "replace") if isinstance(part, bytes) else part)
            if flatten:
                out = " ".join(out.split())
            if whole or len(out) >= limit + margin:
                return out[:limit], len(out) > limit
            size *= 2

    def excerpt(self, text: str | bytes, limit: int) -> str:
        """A one-line excerpt of ``text`` for a message: scrubbed, whitespace folded,
        control characters escaped, cut to ``limit`` characters ("..." if cut)."""
        head, cut = self.head(text, limit, flatten=True)
        shown = printable(head)
        return shown[:limit] + ("..." if cut or len(shown) > limit else "")


def scrub(text: str, secrets: Iterable[str]) -> str:
    """Replace every occurrence of each secret (at least 4 chars) in ``text``, in each
    of its spellings: as written, JSON- or HTML-escaped, whitespace folded."""
    return Scrubber(secrets).text(text)


def excerpt(text: str | bytes, secrets: Iterable[str], limit: int = 200) -> str:
    """A scrubbed one-line excerpt of ``text`` (see :meth:`Scrubber.excerpt`): scrubbed
    whole first, then folded and cut, so that no part of a secret is left."""
    return Scrubber(secrets).excerpt(text, limit)
