"""A Shopify GraphQL look-alike on 127.0.0.1, for tests, demos and local development.

``FakeShopify`` answers any operation: it validates the posted document against
the committed schema of the API version in the URL and executes it with data made
from the schema (see ``_data``; overridable per operation with
:meth:`FakeShopify.answer` and per field with :meth:`FakeShopify.set_field`).
Admin calls draw on Shopify's leaky bucket of query cost (see ``_bucket``): a
query costing more than is available is answered THROTTLED, as Shopify does. It
also plays a small canned shop for the login flow of Shopify's documentation
(Storefront ``customerAccessTokenCreate`` and ``customer``, Admin
``StorefrontAccessTokenCreate``; see ``_canned``), checks the access-token
headers, and can be told to misbehave: :meth:`FakeShopify.enqueue` plans faults (429 with
Retry-After, THROTTLED, 430, 5xx HTML pages, dropped connections before or after
the request was read, slow or truncated bodies) for the next requests.

It listens on 127.0.0.1 only, on a free port, and stops with its ``with`` block.
"""

from __future__ import annotations

import contextlib
import json
import socket
import sys
import threading
import time
import uuid
from collections import Counter, deque
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, Literal, Self

import httpx

from ._bucket import LeakyBucket, throttled_answer
from ._canned import (
    ADMIN_TOKEN,
    DEMO_EMAIL,
    DEMO_PASSWORD,
    PRIVATE_STOREFRONT_TOKEN,
    STOREFRONT_TOKEN,
    CannedShop,
)
from ._customer import FakeCustomerAccounts
from ._data import FieldOverride, OperationOverride, SchemaData, find_schema_dir, query_cost
from ._faults import THROTTLED_BODY, Fault
from ._idempotency import REQUIRED_PHRASE, IdempotencyKeys
from ._schemas import MissingSchemaError, schema_file

if TYPE_CHECKING:
    from ._bulk import FakeBulk

__all__ = ["FakeShopify", "RecordedRequest"]

INVALID_TOKEN_BODY = {
    "errors": "[API] Invalid API key or access token (unrecognized login or wrong password)"
}


@dataclass(frozen=True, repr=False)
class RecordedRequest:
    """One request as FakeShopify received it: tests read its headers and body as sent.

    Its repr (what a failing assertion, a log line or ``print(fake.requests)`` shows)
    replaces the secrets: the access-token headers, every value under a sensitive
    key of the body (``password``, ``customerAccessToken``...), and any other copy
    of those values (a token written into the query text).
    """

    path: str
    headers: dict[str, str]
    body: dict[str, Any] | None
    at: float

    def __repr__(self) -> str:
        from .._redact import SENSITIVE_HEADERS, redact_headers, redact_json, scrub
        from .._request import _sensitive_values

        secrets = {v for k, v in self.headers.items() if k.lower() in SENSITIVE_HEADERS}
        secrets.update(_sensitive_values(self.body))
        # as repr() writes them too: a quote or a backslash in a secret is escaped there
        secrets.update([repr(v)[1:-1] for v in secrets])
        shown = (
            f"RecordedRequest(path={self.path!r}, headers={redact_headers(self.headers)!r}, "
            f"body={redact_json(self.body)!r}, at={self.at!r})"
        )
        return scrub(shown, sorted(secrets, key=len, reverse=True))


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        return

    def do_POST(self) -> None:
        fake = self.server.fake
        fault = fake._next_fault()
        if fault is not None and fault.kind == "drop_before_read":
            self._drop()
            return
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length)
        try:
            body = json.loads(raw)
        except ValueError:
            body = None
        fake._record(RecordedRequest(self.path, dict(self.headers.items()), body, time.monotonic()))
        if fault is not None and fault.kind == "status":
            self._send(fault.status, fault.body, fault.headers)
            return
        if fault is not None and fault.kind == "throttled":
            self._send(200, THROTTLED_BODY, {})
            return
        routed = fake.customer.handle("POST", self.path, self.headers, raw)
        if routed is not None:  # the Customer Account API and its OAuth server
            status, data, headers = routed
        else:
            status, answer, headers = fake._answer(self.path, self.headers, body)
            data = json.dumps(answer).encode()
        if fault is not None and fault.kind == "drop_after_read":
            self._drop()
            return
        if fault is not None and fault.kind == "slow":
            time.sleep(fault.delay)
        if fault is not None and fault.kind == "truncated":
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data[: len(data) // 2])
            self.wfile.flush()
            self._drop()
            return
        self._send(status, data, headers)

    def do_GET(self) -> None:
        """Discovery, authorize and logout of the Customer Account API (``_customer``)."""
        fake = self.server.fake
        path = self.path.split("?", 1)[0]  # the query may hold an ID token: not recorded
        fake._record(RecordedRequest(path, dict(self.headers.items()), None, time.monotonic()))
        routed = fake.customer.handle("GET", self.path, self.headers, b"")
        status, data, headers = routed or (404, b'{"errors": "Not Found"}', {})
        self._send(status, data, headers)

    def _drop(self) -> None:
        self.close_connection = True
        with contextlib.suppress(OSError):
            self.connection.shutdown(socket.SHUT_RDWR)

    def _send(self, status: int, data: bytes, headers: dict[str, str]) -> None:
        self.send_response(status)
        merged = {"Content-Type": "application/json", "X-Request-Id": str(uuid.uuid4())}
        merged.update(headers)
        for name, value in merged.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 256  # many concurrent clients; the default 5 drops SYNs
    fake: FakeShopify

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that hung up (timeout, cancelled task) is normal here, not an error."""
        exc = sys.exc_info()[1]
        if isinstance(exc, ConnectionError):
            return
        super().handle_error(request, client_address)


class FakeShopify:
    """A local stand-in for one shop's Storefront and Admin GraphQL endpoints."""

    def __init__(
        self,
        *,
        served_version: str | None = None,
        deprecated_reason: str | None = None,
        storefront_token: str = STOREFRONT_TOKEN,
        private_storefront_token: str = PRIVATE_STOREFRONT_TOKEN,
        admin_token: str = ADMIN_TOKEN,
        email: str = DEMO_EMAIL,
        password: str = DEMO_PASSWORD,
        schema_dir: Path | str | None = None,
        bucket: LeakyBucket | None = None,
    ) -> None:
        """``schema_dir``: the committed schemas (default: the ``schema_dir`` of the
        nearest shopify-codegen config at or above the working directory: a
        pyproject.toml with ``[tool.shopify-codegen]``, or a codegen.toml). ``bucket``: the
        Admin API's leaky bucket (default: Shopify's Standard plan, 2,000 points
        restoring 100 a second; ``LeakyBucket.for_plan("plus")`` and so on)."""
        self.served_version = served_version
        self.deprecated_reason = deprecated_reason
        self.storefront_token = storefront_token
        self.private_storefront_token = private_storefront_token
        self.admin_token = admin_token
        self.canned = CannedShop(email, password)
        self.bucket = bucket or LeakyBucket()
        self._costs: dict[str, float] = {}
        self.requests: list[RecordedRequest] = []
        self.executed: Counter[str] = Counter()
        #: executions per operation *and* variables: a mutation sent once but
        #: executed twice shows up here with a count of 2.
        self.executions: Counter[str] = Counter()
        self._faults: deque[Fault] = deque()
        #: the idempotency keys seen, each with its first answer (``replayed`` counts
        #: the repeats answered from them; see ``_idempotency``)
        self.idempotency = IdempotencyKeys()
        self._operation_overrides: dict[str, OperationOverride] = {}
        self._field_overrides: dict[str, FieldOverride] = {}
        #: The Customer Account API and its OAuth server (see ``_customer``).
        self.customer = FakeCustomerAccounts(self)
        self._data = SchemaData(
            Path(schema_dir) if schema_dir is not None else find_schema_dir(),
            self._operation_overrides,
            self._field_overrides,
        )
        self._lock = threading.Lock()
        self._bulk: FakeBulk | None = None
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle ------------------------------------------------------------------

    def start(self) -> Self:
        server = _Server(("127.0.0.1", 0), _Handler)
        server.fake = self
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._bulk is not None:
            self._bulk.stop()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("FakeShopify is not running")
        return int(self._server.server_address[1])

    def endpoint(self, api: Literal["storefront", "admin", "customer"], version: str) -> str:
        """The GraphQL URL of ``api`` ``version`` on this fake (the Customer Account
        API's is on its own path, as at ``shopify.com/{shop_id}/account/...``)."""
        if api == "customer":
            return self.customer.graphql_endpoint(version)
        if api not in ("storefront", "admin"):
            raise ValueError(
                f"FakeShopify serves the APIs 'storefront', 'admin' and 'customer', not {api!r}"
            )
        prefix = "/admin/api" if api == "admin" else "/api"
        return f"http://127.0.0.1:{self.port}{prefix}/{version}/graphql.json"

    def transport(self) -> httpx.MockTransport:
        """An in-process httpx transport answering like the server, without sockets.

        For httpx clients (and VCR.py cassettes) that address the real shop URL:
        any host is served. Faults that need a socket become httpx errors.
        """

        def handle(request: httpx.Request) -> httpx.Response:
            fault = self._next_fault()
            if fault is not None and fault.kind == "drop_before_read":
                raise httpx.ConnectError("connection dropped before the request", request=request)
            try:
                body = json.loads(request.content)
            except ValueError:
                body = None
            self._record(
                RecordedRequest(
                    request.url.path, dict(request.headers.items()), body, time.monotonic()
                )
            )
            if fault is not None and fault.kind == "status":
                return httpx.Response(
                    fault.status,
                    headers={
                        "Content-Type": "application/json",
                        "X-Request-Id": str(uuid.uuid4()),
                        **fault.headers,
                    },
                    content=fault.body,
                )
            if fault is not None and fault.kind == "throttled":
                return httpx.Response(
                    200,
                    headers={"Content-Type": "application/json", "X-Request-Id": str(uuid.uuid4())},
                    content=THROTTLED_BODY,
                )
            routed = self.customer.handle(
                request.method,
                request.url.raw_path.decode("ascii"),
                request.headers,
                request.content,
            )
            if routed is not None:  # the Customer Account API and its OAuth server
                return httpx.Response(
                    routed[0],
                    headers={"X-Request-Id": str(uuid.uuid4()), **routed[2]},
                    content=routed[1],
                )
            status, answer, headers = self._answer(request.url.path, request.headers, body)
            if fault is not None and fault.kind in ("drop_after_read", "truncated"):
                raise httpx.RemoteProtocolError("connection dropped mid-response", request=request)
            if fault is not None and fault.kind == "slow":
                time.sleep(fault.delay)
            return httpx.Response(
                status,
                headers={
                    "Content-Type": "application/json",
                    "X-Request-Id": str(uuid.uuid4()),
                    **headers,
                },
                content=json.dumps(answer).encode(),
            )

        return httpx.MockTransport(handle)

    # -- scripting ------------------------------------------------------------------

    @property
    def bulk(self) -> FakeBulk:
        """Bulk query operations and their storage host (see ``_bulk``)."""
        if self._bulk is None:
            from ._bulk import FakeBulk

            self._bulk = FakeBulk(self._data)
        return self._bulk

    @property
    def schema_dir(self) -> Path | None:
        """The folder the schemas are read from (None: none was found)."""
        return self._data.schema_dir

    def require_schema(self, api: str, version: str) -> None:
        """Raise :class:`MissingSchemaError` unless ``api`` ``version`` can be answered:
        its file is there and builds a schema (built once per process and kept), else
        :class:`UnreadableSchemaError` naming the file and what is wrong with it."""
        if schema_file(self._data.schema_dir, api, version) is None:
            raise MissingSchemaError(api, version, self._data.schema_dir)
        if self._data.schema(api, version) is None:
            raise self._data.unreadable[(api, version)]

    def missing_schemas(self) -> list[MissingSchemaError]:
        """One error per API version a request asked for and no schema answered
        (missing, or unreadable: :class:`UnreadableSchemaError`)."""
        missing = [
            MissingSchemaError(api, version, self._data.schema_dir)
            for api, version in sorted(self._data.missing)
        ]
        return [*missing, *(self._data.unreadable[key] for key in sorted(self._data.unreadable))]

    def answer(self, operation_name: str, data: OperationOverride) -> None:
        """Answer ``operation_name`` with ``data`` (partial: what it lacks is made up
        from the schema), or with what ``data(variables)`` returns."""
        self._operation_overrides[operation_name] = data

    def set_field(self, field: str, value: FieldOverride) -> None:
        """Answer every ``"Type.field"`` with ``value``, or ``value(arguments)``."""
        if field.count(".") != 1:
            raise ValueError(f"{field!r}: name a field as 'Type.field'")
        self._field_overrides[field] = value

    def set_cost(self, operation_name: str, points: float) -> None:
        """The query cost ``operation_name`` requests (default: estimated from the
        document the way Shopify counts: objects 1, connections 2 + first x items)."""
        self._costs[operation_name] = points

    # the canned shop's state, where tests look for it
    @property
    def email(self) -> str:
        return self.canned.email

    @property
    def password(self) -> str:
        return self.canned.password

    @property
    def customer_tokens(self) -> dict[str, str]:
        return self.canned.customer_tokens

    @property
    def storefront_tokens(self) -> list[str]:
        return self.canned.storefront_tokens

    def enqueue(self, *faults: Fault) -> None:
        """Plan faults for the next requests, one each, in order."""
        with self._lock:
            self._faults.extend(faults)

    def _next_fault(self) -> Fault | None:
        with self._lock:
            return self._faults.popleft() if self._faults else None

    def _record(self, request: RecordedRequest) -> None:
        with self._lock:
            self.requests.append(request)

    # -- the canned shop ------------------------------------------------------------

    def _bulk_answer(self, version: str, body: dict[str, Any]) -> dict[str, Any] | None:
        query = body.get("query")
        lowered = query.lower() if isinstance(query, str) else ""
        if "bulkoperation" not in lowered and "stageduploadscreate" not in lowered:
            return None
        return self.bulk.answer(version, body)

    def _answer(
        self, path: str, headers: Any, body: dict[str, Any] | None
    ) -> tuple[int, dict[str, Any], dict[str, str]]:
        parts = path.strip("/").split("/")
        is_admin = parts[:2] == ["admin", "api"]
        version = parts[2] if is_admin and len(parts) > 2 else (parts[1] if len(parts) > 1 else "")
        out_headers = {"X-Shopify-API-Version": self.served_version or version}
        if self.deprecated_reason:
            out_headers["X-Shopify-API-Deprecated-Reason"] = self.deprecated_reason
        if is_admin:
            authorised = headers.get("X-Shopify-Access-Token") == self.admin_token
        else:
            authorised = headers.get(
                "X-Shopify-Storefront-Access-Token"
            ) == self.storefront_token or (
                headers.get("Shopify-Storefront-Private-Token") == self.private_storefront_token
            )
        if not authorised:
            return 401, INVALID_TOKEN_BODY, out_headers
        if not isinstance(body, dict) or not isinstance(body.get("query"), str):
            return 400, {"errors": {"query": "Required parameter missing or invalid"}}, out_headers
        operation = body.get("operationName")
        variables = body.get("variables") or {}
        api = "admin" if is_admin else "storefront"
        cost = 0.0
        if is_admin:
            cost = self._costs.get(str(operation), 0.0) or query_cost(
                body["query"], variables if isinstance(variables, dict) else {}
            )
            taken, available = self.bucket.take(cost)
            if not taken:
                return 200, throttled_answer(self.bucket, cost, available), out_headers
        answer = self.idempotency.answer(
            body,
            version,
            lambda field: self._key_required(api, version, field),
            lambda: self._execute(api, version, is_admin, body),
        )
        if is_admin and "data" in answer:
            answer["extensions"] = {
                "cost": {
                    "requestedQueryCost": cost,
                    "actualQueryCost": cost,
                    "throttleStatus": self.bucket.status(available),
                }
            }
        return 200, answer, out_headers

    def _execute(
        self, api: str, version: str, is_admin: bool, body: dict[str, Any]
    ) -> dict[str, Any]:
        """Run the operation (counted in ``executed`` and ``executions``)."""
        operation = body.get("operationName")
        variables = body.get("variables") or {}
        with self._lock:
            self.executed[str(operation)] += 1
            self.executions[f"{operation} {json.dumps(variables, sort_keys=True)}"] += 1
        overridden = str(operation) in self._operation_overrides
        if operation == "customerAccessTokenCreate" and not is_admin and not overridden:
            return self.canned.customer_access_token_create(variables)
        if operation == "customer" and not is_admin and not overridden:
            return self.canned.customer(variables)
        if operation == "StorefrontAccessTokenCreate" and is_admin and not overridden:
            return self.canned.storefront_access_token_create(variables)
        if is_admin and not overridden and (bulk := self._bulk_answer(version, body)):
            # the bulk values, in whatever shape the document selects
            data = bulk.get("data")
            return self._data.answer(api, version, body, root=data) if data else bulk
        return self._data.answer(api, version, body)

    def _key_required(self, api: str, version: str, field: str) -> bool:
        """Whether the schema says mutation ``field`` needs an idempotency key."""
        schema = self._data.schema(api, version)
        mutation = None if schema is None else schema.mutation_type
        definition = None if mutation is None else mutation.fields.get(field)
        return definition is not None and REQUIRED_PHRASE in (definition.description or "")
