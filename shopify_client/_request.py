"""Building a request: the JSON body (:mod:`._variables`), whether it may repeat a
write, and its secret values."""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterator, Mapping

from ._variables import encode_request

__all__ = ["PreparedRequest", "RequestBody", "is_mutation", "prepare"]


@functools.cache
def _tokens() -> re.Pattern[str]:
    """GraphQL's lexer: a comment runs to the end of the line, and a line ends at
    "\\n", "\\r\\n" or a bare "\\r" (spec, "LineTerminator"); a string never spans one.
    Compiled on first use (a client's first call), not at import."""
    return re.compile(
        r'"""(?:\\"""|[^"]|"(?!""))*"""'  # block string
        r'|"(?:\\.|[^"\\\n\r])*"'  # string
        r"|#[^\n\r]*"  # comment
        r"|[{}]"  # braces
        r"|[_A-Za-z][_0-9A-Za-z]*"  # name
    )


@functools.lru_cache(maxsize=256)
def is_mutation(query: str) -> bool:
    """Whether retrying this document could repeat a write: fail-safe, not exact.

    True when any top-level definition of the document is introduced by the keyword
    ``mutation`` (whatever comes first: fragments, other operations, a BOM), so a
    document that holds a mutation is never retried after Shopify may have acted.
    """
    depth = 0
    for match in _tokens().finditer(query):
        token = match.group()
        if token == "{":
            depth += 1
        elif token == "}":
            depth = max(0, depth - 1)
        elif depth == 0 and token == "mutation":
            return True
    return False


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

    __slots__ = ("_secrets", "body", "has_variables", "is_mutation", "operation_name")

    def __init__(
        self,
        body: bytes,
        operation_name: str | None,
        is_mutation: bool,
        has_variables: bool = False,
    ) -> None:
        self.body = body
        self.operation_name = operation_name
        self.is_mutation = is_mutation
        self.has_variables = has_variables
        # Worked out on first use (no per-call dict: one is built for every call).
        self._secrets: tuple[str, ...] | None = None

    def __repr__(self) -> str:
        return (
            f"<PreparedRequest {self.operation_name or 'operation'} "
            f"mutation={self.is_mutation} {len(self.body)} bytes>"
        )

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
    query: str, operation_name: str | None, variables: Mapping[str, object] | None
) -> PreparedRequest:
    return PreparedRequest(
        body=RequestBody(encode_request(query, operation_name, variables)),
        operation_name=operation_name,
        is_mutation=is_mutation(query),
        has_variables=bool(variables),
    )
