"""Building a request: the JSON body (:mod:`._variables`), whether it may repeat a
write, and its secret values."""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterator, Mapping
from typing import Literal

from ._variables import encode_request

__all__ = [
    "OPERATION_TYPES",
    "OperationType",
    "PreparedRequest",
    "RequestBody",
    "is_mutation",
    "prepare",
]


#: GraphQL's three operation types, as a generated method names its own
OperationType = Literal["query", "mutation", "subscription"]
OPERATION_TYPES: frozenset[str] = frozenset(("query", "mutation", "subscription"))

#: documents up to this long are remembered (a client sends the same few again and
#: again); a longer one is scanned each time rather than kept alive by the cache
CACHED_QUERY_CHARS = 8_192


@functools.cache
def _tokens() -> re.Pattern[str]:
    """GraphQL's lexer, as far as the mutation check needs it: a comment runs to the
    end of the line, and a line ends at "\\n", "\\r\\n" or a bare "\\r" (spec,
    "LineTerminator"); a string never spans one. Compiled on first use (a client's
    first call), not at import.

    Linear in the document's length: every alternative that begins a match also
    ends it (a string's closing quote is optional, and its absence is reported in
    the ``open`` group), so the scanner never goes back over what it has read. The
    previous pattern required the closing quote: on a line of unterminated strings
    (``\\" \\" \\" ...``) each quote rescanned the rest of the line, 2.1 s for 32 KB.
    """
    return re.compile(
        r'"""(?:\\"""|[^"\\]|\\|"(?!""))*(?:"""|(?P<open_block>))'  # block string
        r'|"(?:\\[^\n\r]|[^"\\\n\r])*(?:"|(?P<open>))'  # string
        r"|#[^\n\r]*"  # comment
        r"|[{}]"  # braces
        r"|[_A-Za-z][_0-9A-Za-z]*"  # name
    )


def is_mutation(query: str) -> bool:
    """Whether retrying this document could repeat a write: fail-safe, not exact.

    True when any top-level definition of the document is introduced by the keyword
    ``mutation`` (whatever comes first: fragments, other operations, a BOM), so a
    document that holds a mutation is never retried after Shopify may have acted.
    True as well for a document with an unterminated string: where a string ends
    cannot be told, and Shopify refuses such a document anyway (so not retrying it
    loses nothing). The generated methods know their operation's type and pass it
    (``execute(..., operation_type=)``); this scan is for hand-written documents.
    Linear in the document's length.
    """
    if len(query) > CACHED_QUERY_CHARS:
        return _scan(query)
    return _scan_cached(query)


def _scan(query: str) -> bool:
    depth = 0
    for match in _tokens().finditer(query):
        token = match.group()
        if token == "{":
            depth += 1
        elif token == "}":
            depth = max(0, depth - 1)
        elif (depth == 0 and token == "mutation") or match.lastgroup is not None:
            return True  # a mutation, or a string without its closing quote
    return False


_scan_cached = functools.lru_cache(maxsize=256)(_scan)


def _sensitive_values(
    value: object, under_sensitive: bool = False, depth: int = 0
) -> Iterator[str]:
    if depth > 64:
        return
    if isinstance(value, dict):
        from ._redact import is_sensitive_key  # on an error's path only: not at import

        for key, item in value.items():
            yield from _sensitive_values(
                item, under_sensitive or (isinstance(key, str) and is_sensitive_key(key)), depth + 1
            )
    elif isinstance(value, list):
        for item in value:
            yield from _sensitive_values(item, under_sensitive, depth + 1)
    elif under_sensitive and isinstance(value, str):
        yield value


class RequestBody(bytes):
    """The JSON body of a request: bytes whose repr and str never show them.

    The body holds the variables, passwords included, and the retry loop, the
    attempt (``body`` in ``send_sync`` / ``send_async``) and httpx's request stream
    hold it in locals, which a traceback may show (``capture_locals=True``, Sentry's
    default). httpx sends it as it sends any ``bytes``.
    """

    __slots__ = ()

    def __repr__(self) -> str:
        return f"<request body, {len(self)} bytes, not shown>"

    __str__ = __repr__


class PreparedRequest:
    """One request's body and what the retry loop needs to know of it.

    A plain slotted class, not a dataclass: see ``_transport.Limits``. Its repr
    leaves the body out (it holds the variables, passwords included).
    """

    __slots__ = (
        "_secrets",
        "body",
        "has_variables",
        "idempotent",
        "is_mutation",
        "operation_name",
    )

    def __init__(
        self,
        body: bytes,
        operation_name: str | None,
        is_mutation: bool,
        has_variables: bool = False,
        idempotent: bool = False,
    ) -> None:
        self.body = body
        self.operation_name = operation_name
        self.is_mutation = is_mutation
        self.has_variables = has_variables
        #: a mutation that carries an idempotency key (``@idempotent(key:)`` or an
        #: ``idempotencyKey`` argument): Shopify applies a repeated key once
        self.idempotent = idempotent
        # Worked out on first use (no per-call dict: one is built for every call).
        self._secrets: tuple[str, ...] | None = None

    def __repr__(self) -> str:
        return (
            f"<PreparedRequest {self.operation_name or 'operation'} "
            f"mutation={self.is_mutation}{' idempotent' if self.idempotent else ''} "
            f"{len(self.body)} bytes>"
        )

    @property
    def unsafe_to_resend(self) -> bool:
        """Whether sending this body again could repeat a write: a mutation without
        an idempotency key. A keyed mutation is resent like a query: every attempt
        sends the same body, so the same key, and Shopify "will recognize it as a
        duplicate [...] and return the result of the original operation"
        (https://shopify.dev/changelog/making-idempotency-mandatory-for-inventory-adjustments-and-refund-mutations)."""
        return self.is_mutation and not self.idempotent

    @property
    def secret_values(self) -> tuple[str, ...]:
        """String values sent under a sensitive variable name (password, token...):
        scrubbed from every error message. Worked out only when first needed."""
        if not self.has_variables:
            return ()
        found = self._secrets
        if found is None:
            variables = json.loads(self.body).get("variables")  # UNSET ones are not there
            found = tuple(dict.fromkeys(_sensitive_values(variables)))
            self._secrets = found
        return found


def prepare(
    query: str,
    operation_name: str | None,
    variables: Mapping[str, object] | None,
    operation_type: OperationType | None = None,
    idempotent: bool = False,
) -> PreparedRequest:
    """The request for one call. ``operation_type``: what the generated method knows
    of its document ("query", "mutation" or "subscription"); None (a hand-written
    ``execute()``) scans the document for a mutation (:func:`is_mutation`).
    ``idempotent``: the generated method of a mutation that carries an idempotency
    key says so; the body must then name one (:func:`_check_idempotent`)."""
    if operation_type is None:
        mutation = is_mutation(query)
    elif operation_type in OPERATION_TYPES:
        mutation = operation_type == "mutation"
    else:
        from ._exceptions import ConfigurationError

        given = repr(operation_type[:20]) if isinstance(operation_type, str) else "a "
        given += "" if isinstance(operation_type, str) else type(operation_type).__name__
        raise ConfigurationError(
            f"operation_type must be None, 'query', 'mutation' or 'subscription', not {given}"
        )
    body = RequestBody(encode_request(query, operation_name, variables))
    if idempotent is not False:
        _check_idempotent(idempotent, query, body)
    return PreparedRequest(
        body=body,
        operation_name=operation_name,
        is_mutation=mutation,
        has_variables=bool(variables),
        idempotent=idempotent,
    )


def _check_idempotent(idempotent: object, query: str, body: bytes) -> None:
    """``idempotent=True`` lets a mutation be resent after it may have run, so it is
    taken only from a call whose body names a key: the ``@idempotent`` directive in
    the document, or an ``idempotencyKey`` argument or input field. A sanity check
    for hand-written calls (a name in a comment passes it), not a proof."""
    from ._exceptions import ConfigurationError

    if not isinstance(idempotent, bool):
        raise ConfigurationError(
            f"idempotent must be True or False, not {type(idempotent).__name__}"
        )
    if (
        "@idempotent" not in query
        and b'"idempotencyKey"' not in body
        and ("idempotencyKey" not in query)
    ):
        raise ConfigurationError(
            "idempotent=True, but the document has no @idempotent(key:) directive and no "
            "idempotencyKey: without a key Shopify may run a resent mutation twice"
        )
