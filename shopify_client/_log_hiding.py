"""Keep signed URLs out of httpx's own log lines.

httpx logs every request at INFO on its ``httpx`` logger as ``HTTP Request: GET
<url> "HTTP/1.1 200 OK"``, the whole URL included. A bulk operation's result file
and a staged upload are fetched from signed URLs (``X-Goog-Signature=...``,
``X-Amz-Signature=...``): whoever holds one reads or writes the shop's data until it
expires (7 days for a result file). So before our plain clients request such a URL,
it is registered here, and a filter on the ``httpx`` logger writes it as its scheme,
host and path with the query replaced by ``[hidden]``.

Only registered URLs are rewritten: the app's own httpx requests log as before. The
register is bounded (:data:`KEPT` URLs, the oldest dropped first).
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict

import httpx

__all__ = ["KEPT", "hide_in_httpx_logs", "shown"]

#: how many signed URLs are remembered (a run fetches one per part or resume)
KEPT = 256

_hidden: OrderedDict[str, None] = OrderedDict()
_lock = threading.Lock()
_installed = False


def shown(url: str | httpx.URL) -> str:
    """``url`` as it may be logged: scheme, host, port and path, no query."""
    parsed = url if isinstance(url, httpx.URL) else httpx.URL(url)
    text = str(parsed.copy_with(query=None, fragment=None))
    return f"{text}?[hidden]" if parsed.query else text


class _HideSignedUrls(logging.Filter):
    """Rewrites a registered URL among a record's arguments (never drops a record)."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and args:
            changed = False
            out: list[object] = []
            for arg in args:
                if isinstance(arg, httpx.URL | str) and _is_hidden(str(arg)):
                    out.append(shown(arg))
                    changed = True
                else:
                    out.append(arg)
            if changed:
                record.args = tuple(out)
        return True


def _is_hidden(text: str) -> bool:
    with _lock:
        return text in _hidden


def hide_in_httpx_logs(url: str | httpx.URL) -> None:
    """Register ``url``: httpx's log lines show it without its query from now on."""
    global _installed
    text = str(url if isinstance(url, httpx.URL) else httpx.URL(url))
    with _lock:
        _hidden[text] = None
        _hidden.move_to_end(text)
        while len(_hidden) > KEPT:
            _hidden.popitem(last=False)
        if not _installed:
            logging.getLogger("httpx").addFilter(_HideSignedUrls())
            _installed = True
