"""Downloading a schema by introspection, checking it before anything is written.

Sources: a shop's own endpoint (token from a named environment variable, never
from the command line), Shopify's public introspection proxy, or any endpoint URL.
The answer must be HTTP 200, JSON, an introspection result (not ``{"errors":...}``,
which the proxy has answered with a 200) that builds a schema with a query type and
every root field the project's operations use. Only then are files written, each
atomically, by :func:`shopify_codegen.store.add_schema`.

The runtime's rules hold here too: the token goes only to the https URL the user
named (plain http only on loopback, and never through HTTP_PROXY there), no
redirect is followed, the answer is capped at ``MAX_BYTES`` decoded and the whole
download at ``DEADLINE`` seconds, and no message repeats the token. The body is
decoded by the runtime's own bounded reader (``shopify_client.toolkit.body_reader``):
one Content-Encoding at most, gzip or deflate, a bounded piece at a time, so a
gzip bomb (or gzip inside gzip) costs no more memory than the cap.
"""

from __future__ import annotations

import json
import os
import re
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

import httpx
from graphql import GraphQLSchema, OperationDefinitionNode, OperationType, get_introspection_query

from shopify_client import InvalidResponseError, ResponseTooLargeError
from shopify_client.toolkit import ACCEPT_ENCODING, APIS, body_reader

from .errors import CodegenError
from .operations import OperationFile
from .schema_files import introspection_from_json, load_schema, release_version

__all__ = [
    "DownloadError",
    "Downloaded",
    "Source",
    "check_root_fields",
    "download_introspection",
    "release_version",
    "resolve_source",
]

PROXY_URL = "https://shopify.dev/{api}-graphql-direct-proxy/{version}"
MAX_BYTES = 100 * 1024 * 1024
TIMEOUT = httpx.Timeout(60.0, connect=10.0)  # each phase (connect, each read...)
DEADLINE = 300.0  # seconds, the whole download: a server dripping bytes cannot hold it longer
# The header of each API's (public) token, from the runtime's one list of the APIs.
TOKEN_HEADERS: dict[str, str] = {spec.name: spec.token_headers[0] for spec in APIS.values()}
DEFAULT_TOKEN_ENV = {
    "admin": "SHOPIFY_ADMIN_TOKEN",
    "storefront": "SHOPIFY_STOREFRONT_TOKEN",
    # a customer's access token (OAuth, see shopify_client.customer_auth): --shop takes
    # the shop's numeric id for this API, whose endpoint is on shopify.com
    "customer": "SHOPIFY_CUSTOMER_TOKEN",
}
#: The APIs shopify.dev's public introspection proxy serves. The Customer Account API
#: has none: its schema ships in Shopify's @shopify/hydrogen npm package
#: (dist/customer-account.schema.json), or comes from --shop SHOP_ID with a token.
PROXY_APIS = ("admin", "storefront")

INTROSPECTION_QUERY = get_introspection_query(descriptions=True, input_value_deprecation=True)


class DownloadError(CodegenError):
    """The download failed or its answer is not a usable schema; nothing was written."""


@dataclass(frozen=True)
class Source:
    url: str
    headers: dict[str, str]
    origin: str  # recorded in the manifest (never holds a token)
    version: str = ""  # the version asked for: an answer naming another is refused

    def __repr__(self) -> str:
        hidden = f"<{len(self.headers)} hidden>"
        return f"Source(url={self.url!r}, origin={self.origin!r}, headers={hidden})"


@dataclass(frozen=True)
class Downloaded:
    source: Source
    body: bytes
    schema: GraphQLSchema
    seconds: float


def resolve_source(
    api: str,
    version: str,
    *,
    shop: str | None = None,
    endpoint: str | None = None,
    proxy: bool = False,
    token_env: str | None = None,
) -> Source:
    """Where to download ``api`` ``version`` from; exactly one of shop/endpoint/proxy."""
    from shopify_client.toolkit import check_endpoint, check_token, endpoint_for

    release_version(version)
    if sum(bool(x) for x in (shop, endpoint, proxy)) != 1:
        raise CodegenError("choose one source: --shop DOMAIN, --proxy or --endpoint URL")
    headers = {
        "Content-Type": "application/json",
        "Accept": "application/json",
        # What the bounded reader decodes; httpx would also offer br and zstd if installed.
        "Accept-Encoding": ACCEPT_ENCODING,
    }
    if proxy:
        if api not in PROXY_APIS:
            raise CodegenError(
                f"Shopify's introspection proxy does not serve the {api} API: use --shop "
                f"SHOP_ID (with ${DEFAULT_TOKEN_ENV.get(api, 'TOKEN')}) or --endpoint URL, or "
                "register a downloaded file with `shopify-codegen schema add --file`"
            )
        url = PROXY_URL.format(api=api, version=version)
        return Source(url, headers, f"Shopify introspection proxy {url}", version)
    if shop:
        try:
            url = endpoint_for(api, shop, version)  # type: ignore[arg-type]
        except ValueError as exc:
            raise CodegenError(str(exc)) from None
    else:
        url = endpoint or ""
        if not url.startswith(("https://", "http://")):
            raise CodegenError(f"--endpoint {url!r} is not an http(s) URL")
        try:
            check_endpoint(url)  # the runtime's rule: https, plain http on loopback only
        except ValueError as exc:
            raise CodegenError(f"--endpoint: {exc}") from None
        named = _URL_VERSION.findall(httpx.URL(url).path)
        if named and named[-1] != version:
            raise CodegenError(
                f"--endpoint {url} is version {named[-1]}, but --version is {version}: "
                "the schema would be saved under the wrong version"
            )
    env_name = token_env or (DEFAULT_TOKEN_ENV[api] if shop else None)
    if env_name:
        token = os.environ.get(env_name)
        if not token:
            raise CodegenError(
                f"environment variable {env_name} is not set: it must hold the {api} API "
                "access token (tokens are never taken from the command line)"
            )
        try:
            headers[TOKEN_HEADERS[api]] = check_token(f"environment variable {env_name}", token)
        except ValueError as exc:
            raise CodegenError(str(exc)) from None
    return Source(url, headers, f"introspection of {url}", version)


#: a release version in an endpoint's path (/admin/api/2026-04/graphql.json)
_URL_VERSION = re.compile(r"/(\d{4}-\d{2}|unstable)(?=/|$)")


def _progress_printer(stream: TextIO) -> Callable[[int, bool], None]:
    interactive = stream.isatty()
    last = [0.0]

    def show(received: int, done: bool) -> None:
        now = time.monotonic()
        if interactive and (done or now - last[0] > 0.1):
            last[0] = now
            stream.write(f"\r  received {received / 1024:,.0f} KiB" + ("\n" if done else ""))
            stream.flush()

    return show


def download_introspection(
    source: Source,
    *,
    timeout: httpx.Timeout = TIMEOUT,
    deadline: float = DEADLINE,
    progress: TextIO | None = None,
    transport: httpx.BaseTransport | None = None,
) -> Downloaded:
    """POST the introspection query to ``source`` and check the answer thoroughly."""
    from shopify_client.toolkit import excerpt, is_loopback_host

    show = _progress_printer(progress or sys.stderr)
    payload = json.dumps({"query": INTROSPECTION_QUERY, "operationName": "IntrospectionQuery"})
    started = time.perf_counter()
    ends = time.monotonic() + deadline
    received = 0  # raw bytes, as they came (also capped: bytes after a gzip end)
    loopback = is_loopback_host(httpx.URL(source.url).host)
    try:
        with (
            httpx.Client(
                timeout=timeout,
                transport=transport,
                follow_redirects=False,
                # A loopback URL is plain http: through a proxy the token would travel in clear.
                trust_env=not loopback,
            ) as client,
            client.stream("POST", source.url, content=payload, headers=source.headers) as response,
        ):
            reader = body_reader(response, MAX_BYTES)
            for chunk in response.iter_raw():
                received += len(chunk)
                if received > MAX_BYTES:
                    raise DownloadError(f"{source.url}: answer larger than {MAX_BYTES:,} bytes")
                if time.monotonic() > ends:
                    raise DownloadError(
                        f"{source.url}: took longer than {deadline:g}s as a whole "
                        f"({received:,} bytes received); nothing written"
                    )
                reader.feed(chunk)
                show(received, False)
            body = reader.finish()
            show(received, True)
    except ResponseTooLargeError:
        raise DownloadError(
            f"{source.url}: answer larger than {MAX_BYTES:,} bytes (decoded); "
            "reading stopped there, nothing written"
        ) from None
    except InvalidResponseError as exc:
        raise DownloadError(f"{source.url}: {exc}; nothing written") from None
    except httpx.TimeoutException as exc:
        raise DownloadError(
            f"{source.url}: timed out ({type(exc).__name__}); nothing written"
        ) from None
    except httpx.TransportError as exc:
        detail = excerpt(str(exc), source.headers.values()) or "connection failed"
        raise DownloadError(
            f"{source.url}: network error ({type(exc).__name__}: {detail}); nothing written"
        ) from None
    secrets = [v for k, v in source.headers.items() if k in TOKEN_HEADERS.values()]
    # Scrubbed whole, then cut: a cut first leaves a token's start behind.
    shown = excerpt(body, secrets)
    if 300 <= response.status_code < 400:
        location = excerpt(response.headers.get("location", ""), secrets, 300)
        raise DownloadError(
            f"{source.url}: HTTP {response.status_code} redirect to {location or '(none)'}: "
            "not followed (it would carry the token elsewhere); use the final URL"
        )
    if response.status_code != 200:
        hints = {
            401: " (check the access token)",
            403: " (the token lacks a scope)",
            404: " (no such version or endpoint?)",
        }
        hint = hints.get(response.status_code, "")
        if response.status_code == 401 and not secrets:
            hint = " (no access token was sent: --endpoint sends one only with --token-env NAME)"
        raise DownloadError(f"{source.url}: HTTP {response.status_code}{hint}: {shown}")
    served = response.headers.get("x-shopify-api-version", "")
    if source.version and served and served != source.version:
        # Shopify answers a version out of support with the oldest supported one
        raise DownloadError(
            f"{source.url}: asked for {source.version}, answered {served} "
            f"(X-Shopify-API-Version): {source.version} is not served there (past "
            "Shopify's support window, or not released yet); nothing written"
        )
    if body.lstrip()[:1] == b"<":
        raise DownloadError(f"{source.url}: answered an HTML page, not JSON: {shown}")
    where = Path(source.url)
    try:
        text = body.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DownloadError(f"{source.url}: answer is not UTF-8 (byte {exc.start})") from None
    try:
        introspection = introspection_from_json(where, text)
    except CodegenError as exc:
        raise DownloadError(f"{source.url}: {exc}".replace(f"{where}: ", "", 1)) from None
    except RecursionError:
        raise DownloadError(f"{source.url}: answer nested too deeply to read") from None
    canonical = (json.dumps(introspection, indent=2) + "\n").encode()
    schema = _build(canonical, source)
    return Downloaded(source, canonical, schema, time.perf_counter() - started)


def _build(canonical: bytes, source: Source) -> GraphQLSchema:
    import tempfile

    with tempfile.TemporaryDirectory() as scratch:
        path = Path(scratch) / "downloaded.json"
        path.write_bytes(canonical)
        try:
            return load_schema(path)
        except CodegenError as exc:
            raise DownloadError(f"{source.url}: {exc}".replace(f"{path}: ", "", 1)) from None
        except RecursionError:
            raise DownloadError(f"{source.url}: schema nested too deeply to build") from None


def check_root_fields(schema: GraphQLSchema, operations: list[OperationFile], where: str) -> None:
    """Every root field the operations use exists in ``schema``."""
    roots = {
        OperationType.QUERY: schema.query_type,
        OperationType.MUTATION: schema.mutation_type,
        OperationType.SUBSCRIPTION: schema.subscription_type,
    }
    missing = []
    for op_file in operations:
        for node in op_file.document.definitions:
            if not isinstance(node, OperationDefinitionNode):
                continue
            root = roots[node.operation]
            for selection in node.selection_set.selections:
                name = getattr(getattr(selection, "name", None), "value", None)
                if name is None or name.startswith("__"):
                    continue
                if root is None or name not in root.fields:
                    missing.append(f"{node.operation.value} field {name!r} ({op_file.display})")
    if missing:
        raise DownloadError(
            f"{where}: the schema lacks root fields the operations use: {'; '.join(missing)}"
        )
