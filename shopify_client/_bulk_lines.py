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

__all__ = ["CompactChunk", "read_compact"]

_PARENT = '"__parentId":"'
#: a child line's end, as Shopify writes it (the parent id without quote or
#: backslash), with the line break after it and the next line's "{"
_TAIL = re.compile(r',"__parentId":"([^"\\\n]*)"\}(?:\n(?=\{)|\Z)')
#: a root line's start, as Shopify writes it (the id without quote or backslash)
_ID = re.compile(r'\{"id":"([^"\\\n]*)"')

#: (roots as (id, head) rows; the children's parents; the children's heads; in file
#: order): a head is an object's text without its last ``}``
CompactChunk = tuple[list[tuple[str, str]], list[str], list[str]]


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
        return [], parents, heads
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
    return list(zip(ids, root_heads, strict=True)), parents, heads
