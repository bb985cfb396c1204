"""The fast reading of a chunk of bulk JSONL lines, for queries whose children need
neither a type nor an id (one connection under the roots, no connection under it):
the common case, and the one the file's size makes matter.

Most chunks are all compact lines as Shopify writes them: a root ``{"id":"...",...}``,
a child ``{...,"__parentId":"..."}``. :func:`read_compact` reads such a chunk with a
few string operations a line, and checks the rules that make that reading exact once
for the whole chunk (a count over the chunk's text, in C, instead of a count a line).
Any chunk where one line breaks them is read again, line by line, by the careful
reading in :mod:`._bulk_reassembly` (the rules are the same as its own; see
:func:`read_compact`).
"""

from __future__ import annotations

import re

__all__ = [
    "NAME_ESCAPE",
    "PARENT",
    "UNSURE",
    "CompactChunk",
    "child_parts",
    "gid_type",
    "read_compact",
    "root_id",
    "top_string",
]

PARENT = _PARENT = '"__parentId":"'
_ID_KEY = '"id":"'
#: a \\u escape of a character a key's name may hold (A-Z, a-z, _ and the like): a
#: key spelled with escapes is not found by its plain text, so such a line is parsed
NAME_ESCAPE = re.compile(r"\\u00[4-7]")

#: a child line's end, as Shopify writes it (the parent id without quote or
#: backslash), with the line break after it and the next line's "{"
_TAIL = re.compile(r',"__parentId":"([^"\\\n]*)"\}(?:\n(?=\{)|\Z)')
#: a root line's start, as Shopify writes it (the id without quote or backslash)
_ID = re.compile(r'\{"id":"([^"\\\n]*)"')

#: (the roots' ids; the roots' heads; the children's parents; the children's heads;
#: in file order): a head is an object's text without its last ``}``
CompactChunk = tuple[list[str], list[str], list[str], list[str]]


class LineSplitter:
    """A download's chunks cut into whole lines: the bytes after the last line break
    wait, in pieces, for the next one (a line longer than a chunk costs its length
    once, not once a chunk)."""

    __slots__ = ("_pending",)

    def __init__(self) -> None:
        self._pending: list[bytes] = []

    def take(self, chunk: bytes) -> bytes | None:
        """The whole lines ``chunk`` completes (without the last break), or None."""
        cut = chunk.rfind(b"\n")
        if cut < 0:
            self._pending.append(chunk)
            return None
        head = chunk[:cut]
        if self._pending:
            head = b"".join([*self._pending, head])
        self._pending = [chunk[cut + 1 :]] if cut + 1 < len(chunk) else []
        return head

    def rest(self) -> bytes:
        """The bytes after the last line break (the file's last line), now emptied."""
        rest = b"".join(self._pending)
        self._pending = []
        return rest

    def clear(self) -> None:
        self._pending = []


def read_compact(text: str, lines: list[str]) -> CompactChunk | None:
    """``lines`` (``text`` split at ``\\n``) as roots and children, or None if some
    line is not compact as Shopify writes it. Exact where it answers, because the
    whole chunk is checked to hold:

    - every line starts with ``{`` and ends with ``}`` (no blank line, no ``\\r``);
    - ``__parentId`` appears in no root line at all, and exactly once in a child line,
      as ``,"__parentId":"<parent>"}`` at its end (so it is a top-level key: the line's
      last ``}`` closes the object it is in), ``<parent>`` without ``"`` or ``\\``;
    - a root line starts with ``{"id":"<id>"`` and holds ``"id":`` once (so that ``id``
      is its top-level one), ``<id>`` without ``\\``.

    (A key spelled with ``\\u`` escapes is the caller's to rule out: it looks at the
    whole chunk first.) A child's head is its line up to ``,"__parentId":"``.
    The work a line is one ``in`` and one append; the rest is done on the chunk's
    text at once (counts, splits), in C.
    """
    roots: list[str] = []
    children: list[str] = []
    add_root, add_child = roots.append, children.append
    for line in lines:
        if _PARENT in line:
            add_child(line)
        else:
            add_root(line)
    parents: list[str] = []
    heads: list[str] = []
    if children:
        # [head, parent, head, parent, ..., ""]: one match a line, at its end (and
        # each line after the first starts with "{": the match looks at it)
        joined = "\n".join(children)
        parts = _TAIL.split(joined)
        if len(parts) != 2 * len(children) + 1 or parts[-1] or joined[0] != "{":
            return None
        if '{,"__parentId":"' in joined:  # a comma after nothing: not JSON
            return None
        parents, heads = parts[1::2], parts[0:-1:2]
    # no other __parentId in any line, root or child
    if text.count("__parentId") != len(children):
        return None
    if not roots:
        return [], [], parents, heads
    whole = "\n".join(roots)
    # every root line starts with {"id":"<id>", holds "id": nowhere else, ends with }
    ids = _ID.findall(whole)
    if (
        len(ids) != len(roots)
        or whole.count('"id":') != len(roots)
        or whole.count('\n{"id":"') != len(roots) - 1
        or not whole.startswith('{"id":"')
        or whole[-1] != "}"
    ):
        return None
    root_heads = whole[:-1].split("}\n")
    if len(root_heads) != len(roots):
        return None
    return ids, root_heads, parents, heads


def gid_type(value: object) -> str | None:
    if isinstance(value, str) and value.startswith("gid://shopify/"):
        parts = value.split("/")
        if len(parts) >= 5:
            return parts[3]
    return None


#: :func:`top_string` could not tell from the text (a JSON string never holds a NUL)
UNSURE = "\x00"


def top_string(line: str, key: str) -> str | None:
    """The string value of top-level ``key`` (given as ``"key":"``) read from the text
    of a compact JSON object: None if no such key is in it at any depth, and
    :data:`UNSURE` where the text does not tell exactly: the key appears more than
    once at any depth (``"key":`` can only be a key: a quote inside a JSON string is
    escaped), or an object or array opens before it (so it might be nested), or its
    value is not a string without escapes."""
    name = key[:-1]
    at = line.find(key)
    if at < 0:
        return UNSURE if name in line else None
    if line.count(name) != 1:
        return UNSURE
    before = line[1:at]
    if "{" in before or "[" in before:
        return UNSURE
    start = at + len(key)
    end = line.find('"', start)
    value = line[start:end]
    if end < 0 or "\\" in value:
        return UNSURE
    return value


def root_id(line: str) -> str | None:
    """A root line's top-level ``id`` read from its text (None: it has none), or
    :data:`UNSURE` where the text does not tell exactly."""
    if line.startswith('{"id":"') and line.count('"id":') == 1:
        # the first key: top-level (the common case, read inline)
        end = line.find('"', 7)
        first = line[7:end]
        if "\\" not in first:
            return first
    return top_string(line, _ID_KEY)


def child_parts(line: str, at: int) -> tuple[str, str] | None:
    """(parent, body) of a compact child line whose last ``"__parentId":"`` is at
    ``at``: exact where ``__parentId`` is its last key, a top-level one (the line's
    last ``}`` closes the object it is in), its value a string without quote or
    backslash, and the key nowhere before; None where the text does not tell (the
    line is then parsed). ``body``: the line without that key."""
    parent = line[at + 14 : -2]
    comma = line[at - 1]
    if (
        line[-2] != '"'
        or len(line) - at < 16  # that quote opens the value: it closes none
        or '"' in parent
        or "\\" in parent
        or comma not in ",{"
        or (comma == "," and line[at - 2] == "{")  # {,"__parentId":...}: not JSON
        or line.count('"__parentId":', 0, at)
    ):
        return None
    return parent, (line[: at - 1] + "}" if comma == "," else "{}")
