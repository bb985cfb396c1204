"""Faults FakeShopify can be told to inject into its next answers (``enqueue``)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Literal

from ._bucket import LeakyBucket, throttled_answer

__all__ = ["THROTTLED_BODY", "Fault", "FaultKind"]

#: what the "throttled" fault answers: Shopify's THROTTLED shape (see ``_bucket``) for a
#: 10-point query when 5 of 1,000 points are left, restoring 1,000 a second
THROTTLED_BODY = json.dumps(
    throttled_answer(LeakyBucket(maximum=1000.0, restore_rate=1000.0), 10, 5)
).encode()

FaultKind = Literal[
    "status",  # answer with status/headers/body as given
    "throttled",  # 200 with errors[].extensions.code == THROTTLED and cost figures
    "drop_before_read",  # close the connection without reading the request
    "drop_after_read",  # read (and execute) the request, then close without answering
    "slow",  # execute, wait `delay` seconds, then answer normally
    "truncated",  # execute, send half of the body, close
]


@dataclass(frozen=True)
class Fault:
    kind: FaultKind
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    delay: float = 0.0

    @classmethod
    def http(cls, status: int, body: bytes | str = b"", **headers: str) -> Fault:
        data = body.encode() if isinstance(body, str) else body
        return cls(
            "status",
            status=status,
            headers={k.replace("_", "-"): v for k, v in headers.items()},
            body=data,
        )

    @classmethod
    def too_many_requests(cls, retry_after: str | None = "0.05") -> Fault:
        headers = {"Retry-After": retry_after} if retry_after is not None else {}
        return cls("status", status=429, headers=headers, body=b'{"errors":"Too Many Requests"}')

    @classmethod
    def security_rejection(cls) -> Fault:
        return cls.http(430, '{"errors":"Security Rejection"}')

    @classmethod
    def html_error(cls, status: int = 502) -> Fault:
        page = (
            f"<!DOCTYPE html><html><head><title>{status}</title></head>"
            "<body><h1>Something went wrong</h1></body></html>"
        )
        return cls(
            "status", status=status, headers={"Content-Type": "text/html"}, body=page.encode()
        )
