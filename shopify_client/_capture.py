"""Where the clients leave each answer for :func:`~shopify_client.with_response`.

Kept apart from :mod:`._per_call` (which holds the ``CallResult`` dataclass) so
that importing the clients does not build a dataclass that only
``with_response`` uses. The capture rides on a context variable: concurrent tasks
and threads never see each other's answers.
"""

from __future__ import annotations

import contextvars
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ._records import GraphQLResponse

__all__ = ["CAPTURED", "capture"]

CAPTURED: contextvars.ContextVar[list[GraphQLResponse] | None] = contextvars.ContextVar(
    "shopify_client_captured_responses", default=None
)


def capture(response: GraphQLResponse) -> None:
    """Called by the clients for each answer they hand to the generated code."""
    captured = CAPTURED.get()
    if captured is not None:
        captured.append(response)
