"""`shopify-codegen schema download` against a local introspection server."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from shopify_codegen.download import INTROSPECTION_QUERY, resolve_source
from shopify_codegen.errors import CodegenError
from shopify_codegen.schema_files import read_manifest
from shopify_codegen.transaction import LOCK_DIR
from tests.conftest import ROOT, run_cli
from tests.shopify_codegen.introspection_server import IntrospectionServer, Mode

STOREFRONT = ROOT / "schema" / "storefront" / "2024-10.json"


def tree_digest(folder: Path) -> dict[str, str]:
    """Every file's sha256, except the tooling's git-ignored lock folder."""
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.relative_to(folder).parts[0] != LOCK_DIR
    }


def download(project: Path, version: str, *source: str) -> tuple[int, str, str]:
    """`shopify-codegen schema download` of Storefront ``version`` into ``project``."""
    return run_cli(
        "--root",
        str(project),
        "schema",
        "download",
        "--api",
        "storefront",
        "--version",
        version,
        *source,
    )


def test_introspection_query_asks_for_descriptions_and_deprecated_inputs() -> None:
    assert "description" in INTROSPECTION_QUERY
    assert "inputFields(includeDeprecated: true)" in INTROSPECTION_QUERY
    assert "args(includeDeprecated: true)" in INTROSPECTION_QUERY


def test_download_round_trips_to_an_equivalent_schema(storefront_project: Path) -> None:
    server = IntrospectionServer(STOREFRONT)
    with server.running():
        code, out, err = download(storefront_project, "2025-01", "--endpoint", server.url)
    assert code == 0, err
    assert "downloaded storefront 2025-01:" in out and "types" in out
    schema_dir = storefront_project / "schema" / "storefront"
    assert (schema_dir / "2025-01.graphql").read_text() == (
        schema_dir / "2024-10.graphql"
    ).read_text()
    assert (
        json.loads((schema_dir / "2025-01.json").read_text())["__schema"]["queryType"]["name"]
        == "QueryRoot"
    )
    entries = {
        (e.version, e.kind): e
        for e in read_manifest(storefront_project / "schema" / "manifest.json")
    }
    assert entries[("2025-01", "introspection")].origin == f"introspection of {server.url}"
    # The manifest stays consistent: the drift check's manifest part is clean.
    from shopify_codegen.check import check_manifest, check_sdl
    from shopify_codegen.config import load_config

    config = load_config(storefront_project)
    assert check_manifest(config) == [] and check_sdl(config) == []


FAILURES: list[tuple[Mode, str]] = [
    ("html", "answered an HTML page, not JSON"),
    ("truncated", "truncated JSON (ends early)"),
    ("errors", 'is a GraphQL error response, not an introspection result: "Not Found"'),
    ("not_introspection", "is JSON but not an introspection result"),
    (
        "unauthorized",
        "HTTP 401 (no access token was sent: --endpoint sends one only with --token-env NAME): "
        '{"errors": "[API] Invalid API key',
    ),
    ("drop", "network error (RemoteProtocolError"),
]


@pytest.mark.parametrize(("mode", "message"), FAILURES, ids=[m for m, _ in FAILURES])
def test_bad_answers_are_clear_errors_and_change_nothing(
    storefront_project: Path, mode: Mode, message: str
) -> None:
    before = tree_digest(storefront_project)
    server = IntrospectionServer(STOREFRONT, mode=mode)
    with server.running():
        code, _, err = download(storefront_project, "2024-10", "--endpoint", server.url)
    assert code == 2
    assert message in err, err
    assert server.url in err
    assert tree_digest(storefront_project) == before


def test_token_comes_from_the_named_environment_variable(
    storefront_project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    server = IntrospectionServer(STOREFRONT, token="shpat_from_env_123")
    monkeypatch.setenv("MY_ADMIN_TOKEN", "shpat_from_env_123")
    with server.running():
        code, out, err = download(
            storefront_project,
            "2025-01",
            "--endpoint",
            server.url,
            "--token-env",
            "MY_ADMIN_TOKEN",
            "--json",
        )
    # The Storefront download sends the Storefront header; the server wants the Admin one.
    assert code == 2 and "HTTP 401" in err
    assert server.seen_headers[-1]["X-Shopify-Storefront-Access-Token"] == "shpat_from_env_123"
    assert "shpat_from_env_123" not in err + out


def test_missing_token_variable_is_bad_input(
    storefront_project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SHOPIFY_STOREFRONT_TOKEN", raising=False)
    code, _, err = download(storefront_project, "2024-10", "--shop", "your-store.myshopify.com")
    assert code == 2
    assert "environment variable SHOPIFY_STOREFRONT_TOKEN is not set" in err


def test_schema_without_the_operations_root_fields_is_refused(
    storefront_project: Path, tmp_path: Path
) -> None:
    sdl = tmp_path / "tiny.graphql"
    sdl.write_text("type QueryRoot { shop: String }\nschema { query: QueryRoot }\n")
    before = tree_digest(storefront_project)
    server = IntrospectionServer(sdl)
    with server.running():
        code, _, err = download(storefront_project, "2024-10", "--endpoint", server.url)
    assert code == 2
    assert "lacks root fields the operations use" in err
    assert "query field 'customer'" in err and "mutation field 'customerAccessTokenCreate'" in err
    assert tree_digest(storefront_project) == before


def test_connection_refused_is_a_network_error(storefront_project: Path) -> None:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    code, _, err = download(
        storefront_project, "2024-10", "--endpoint", f"http://127.0.0.1:{port}/graphql.json"
    )
    assert code == 2
    assert "network error (ConnectError" in err and "nothing written" in err


def test_sources() -> None:
    proxy = resolve_source("admin", "2024-10", proxy=True)
    assert proxy.url == "https://shopify.dev/admin-graphql-direct-proxy/2024-10"
    with pytest.raises(CodegenError, match="choose one source"):
        resolve_source("admin", "2024-10", proxy=True, endpoint="https://x.example/graphql")
    with pytest.raises(CodegenError, match="not a host name"):
        resolve_source("admin", "2024-10", shop="not a shop/path", token_env="HOME")


def test_check_remote_without_network_says_so_and_exits_2(
    storefront_project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    code, out, err = run_cli(
        "--root",
        str(storefront_project),
        "check",
        "--remote",
        "--endpoint",
        f"http://127.0.0.1:{port}/x",
    )
    assert code == 2
    assert (
        "could not get the live storefront 2024-10 schema, so it cannot say whether it drifted"
        in err
    )
    assert "no operation affected" not in out


def test_check_remote_green_when_live_equals_committed(storefront_project: Path) -> None:
    server = IntrospectionServer(STOREFRONT)
    with server.running():
        code, out, _ = run_cli(
            "--root", str(storefront_project), "check", "--remote", "--endpoint", server.url
        )
    assert code == 0, out
    assert "0 breaking, 0 dangerous, 0 safe changes" in out
    assert "check --remote: no operation breaks or is at risk" in out


def test_check_remote_red_when_live_breaks_an_operation(
    storefront_project: Path, tmp_path: Path
) -> None:
    """A renamed input field the operation sends only through its variable."""
    sdl = (ROOT / "schema" / "storefront" / "2024-10.graphql").read_text()
    start = sdl.index("input CustomerAccessTokenCreateInput {")
    changed = tmp_path / "live.graphql"
    changed.write_text(
        sdl[:start] + sdl[start:].replace("  password: String!", "  secret: String!", 1)
    )
    server = IntrospectionServer(changed)
    with server.running():
        code, out, _ = run_cli(
            "--root", str(storefront_project), "check", "--remote", "--endpoint", server.url
        )
    assert code == 1
    assert "CustomerAccessTokenCreateInput.password was removed." in out
    affected = "customerAccessTokenCreate (queries/storefront/customer_access_token_create.graphql)"
    assert f"{affected}: BREAKS" in out
    assert "customer (queries/storefront/customer.graphql): unaffected" in out


# -- security: versions, tokens, hosts, bounds (issue 14) ------------------------------

BAD_VERSIONS = [
    "../../queries/storefront/customer",
    "../../PWNED",
    "2025-13",
    "2025-02",
    "2025-00",
    "25-01",
    "2025-01\n",
    '2025-01"\nx = 1',
    "2025-0[1]",
    "latest",
    "",
]


@pytest.mark.parametrize("version", BAD_VERSIONS)
def test_download_refuses_a_version_that_is_not_shopify_s_and_changes_nothing(
    storefront_project: Path, version: str
) -> None:
    before = tree_digest(storefront_project)
    server = IntrospectionServer(STOREFRONT)
    with server.running():
        code, _, err = download(storefront_project, version, "--endpoint", server.url)
    assert code == 2
    assert "not a Shopify API version" in err
    assert server.seen_headers == []  # refused before anything was sent
    assert tree_digest(storefront_project) == before
    assert not (storefront_project.parent / "PWNED.json").exists()


@pytest.mark.parametrize("version", ["2025-01", "2025-04", "2025-07", "2025-10", "unstable"])
def test_release_versions_and_unstable_are_accepted(version: str) -> None:
    from shopify_codegen.download import release_version

    assert release_version(version) == version


def test_a_401_body_that_repeats_the_token_is_scrubbed(
    storefront_project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.shopify_client.raw_server import Connection, head, raw_server

    token = "shpat_echoed_back_0123"

    def echo(conn: Connection) -> None:
        body = f'{{"errors": "Invalid access token {token}"}}'.encode()
        conn.send(head("401 Unauthorized", length=len(body)) + body)

    monkeypatch.setenv("MY_TOKEN", token)
    with raw_server(echo) as server:
        code, out, err = download(
            storefront_project, "2024-10", "--endpoint", server.url(), "--token-env", "MY_TOKEN"
        )
    assert code == 2 and "HTTP 401" in err
    assert token.encode() in server.requests[0]
    assert token not in out + err
    assert "[REDACTED]" in err


@pytest.mark.parametrize(
    "endpoint", ["http://example.com/graphql.json", "http://10.0.0.1/graphql.json"]
)
def test_plain_http_to_a_non_loopback_host_is_refused(
    storefront_project: Path, monkeypatch: pytest.MonkeyPatch, endpoint: str
) -> None:
    monkeypatch.setenv("MY_TOKEN", "shpat_never_sent_0123")
    code, out, err = download(
        storefront_project, "2025-01", "--endpoint", endpoint, "--token-env", "MY_TOKEN"
    )
    assert code == 2
    assert "https" in err
    assert "shpat_never_sent_0123" not in out + err


def test_a_token_with_a_trailing_newline_is_refused_without_showing_it(
    storefront_project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MY_TOKEN", "shpat_from_a_file_0123\n")
    server = IntrospectionServer(STOREFRONT)
    with server.running():
        code, out, err = download(
            storefront_project, "2025-01", "--endpoint", server.url, "--token-env", "MY_TOKEN"
        )
    assert code == 2 and "MY_TOKEN" in err and "newline" in err
    assert "shpat_from_a_file" not in out + err
    assert server.seen_headers == []


def test_a_loopback_download_never_goes_through_http_proxy(
    storefront_project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.shopify_client.raw_server import Connection, raw_server

    def proxy_script(conn: Connection) -> None:
        conn.send(b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n")

    server = IntrospectionServer(STOREFRONT)
    monkeypatch.setenv("MY_TOKEN", "shpat_proxy_test_0123")
    with raw_server(proxy_script) as proxy, server.running():
        monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{proxy.port}")
        monkeypatch.setenv("http_proxy", f"http://127.0.0.1:{proxy.port}")
        monkeypatch.delenv("NO_PROXY", raising=False)
        monkeypatch.delenv("no_proxy", raising=False)
        code, _, err = download(
            storefront_project, "2025-01", "--endpoint", server.url, "--token-env", "MY_TOKEN"
        )
        assert proxy.requests == []
    assert code == 0, err
    assert server.seen_headers[0]["X-Shopify-Storefront-Access-Token"] == "shpat_proxy_test_0123"


def test_a_redirect_is_not_followed_and_names_its_target(storefront_project: Path) -> None:
    from tests.shopify_client.raw_server import Connection, raw_server

    def redirect(conn: Connection) -> None:
        conn.send(b"HTTP/1.1 307 Moved\r\nLocation: https://elsewhere.example/\r\n\r\n")

    with raw_server(redirect) as server:
        code, _, err = download(storefront_project, "2024-10", "--endpoint", server.url())
    assert code == 2
    assert "307 redirect to https://elsewhere.example/" in err and "not followed" in err


def test_a_slow_drip_is_cut_at_the_download_deadline() -> None:
    import threading

    from shopify_codegen.download import DownloadError, download_introspection
    from tests.shopify_client.raw_server import Connection, head, raw_server

    finished = threading.Event()

    def drip(conn: Connection) -> None:
        body = b'{"data": ' + b" " * 4000 + b"null}"
        if conn.send(head(length=len(body))) and conn.drip(body, 0.02):
            finished.set()

    with raw_server(drip, lifetime=20) as server:
        source = resolve_source("storefront", "2024-10", endpoint=server.url())
        with pytest.raises(DownloadError, match="took longer than 1s as a whole"):
            download_introspection(source, deadline=1.0)
        assert not finished.is_set()


def test_an_answer_nested_thousands_deep_is_bad_input_not_a_crash(
    storefront_project: Path,
) -> None:
    from tests.shopify_client.raw_server import Connection, head, raw_server

    body = b'{"data": {"__schema": ' + b"[" * 100_000 + b"]" * 100_000 + b"}}"

    def deep(conn: Connection) -> None:
        conn.send(head(length=len(body)) + body)

    before = tree_digest(storefront_project)
    with raw_server(deep) as server:
        code, _, err = download(storefront_project, "2024-10", "--endpoint", server.url())
    assert code == 2, err
    assert "Traceback" not in err
    assert tree_digest(storefront_project) == before


def _bounded_download(body: bytes, encoding: str) -> tuple[str, int, bytes]:
    """Download ``body`` sent with ``Content-Encoding: encoding``: (the error, the peak
    of Python memory allocated meanwhile, the request as the server got it)."""
    import tracemalloc

    from shopify_codegen.download import DownloadError, download_introspection
    from tests.shopify_client.raw_server import Connection, head, raw_server

    def answer(conn: Connection) -> None:
        conn.send(head(length=len(body), extra=f"Content-Encoding: {encoding}") + body)

    with raw_server(answer) as server:
        source = resolve_source("storefront", "2024-10", endpoint=server.url())
        tracemalloc.start()
        try:
            with pytest.raises(DownloadError) as info:
                download_introspection(source)
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
    return str(info.value), peak, server.requests[0]


def test_gzip_inside_gzip_is_refused_without_inflating_it() -> None:
    """Issue 21 item 6: 3,477 bytes of `gzip, gzip` inflated to 2 GiB (4.1 GiB peak
    RSS, 10 s) before the cap was looked at. One encoding, the runtime's reader."""
    import gzip

    bomb = gzip.compress(gzip.compress(b"\0" * (48 << 20), 6), 6)
    assert len(bomb) < 100_000
    message, peak, request = _bounded_download(bomb, "gzip, gzip")
    assert peak < 8 << 20, f"{peak:,} bytes held for a refused answer"
    assert "Content-Encoding 'gzip, gzip'" in message and "nothing written" in message
    assert b"\r\naccept-encoding: gzip, deflate\r\n" in request.lower()


def test_a_gzip_bomb_is_cut_at_the_cap_holding_no_more_than_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import gzip

    import shopify_codegen.download as download_module

    monkeypatch.setattr(download_module, "MAX_BYTES", 1 << 20)
    bomb = gzip.compress(b"\0" * (32 << 20), 6)
    message, peak, _ = _bounded_download(bomb, "gzip")
    # The cap and the reader's one extra piece, not the 32 MiB the bomb holds.
    assert peak < 8 << 20, f"{peak:,} bytes held for a 1 MiB cap"
    assert "answer larger than 1,048,576 bytes (decoded)" in message


def test_an_answer_in_an_encoding_not_asked_for_is_refused(
    storefront_project: Path,
) -> None:
    before = tree_digest(storefront_project)
    from tests.shopify_client.raw_server import Connection, head, raw_server

    def brotli(conn: Connection) -> None:
        conn.send(head(length=4, extra="Content-Encoding: br") + b"\x0b\x01\x80\x03")

    with raw_server(brotli) as server:
        code, _, err = download(storefront_project, "2024-10", "--endpoint", server.url())
    assert code == 2 and "Content-Encoding 'br'" in err and "Traceback" not in err
    assert tree_digest(storefront_project) == before


def test_an_endpoint_naming_another_version_is_refused_before_any_request(
    storefront_project: Path,
) -> None:
    """`--endpoint .../api/2024-10/graphql.json --version 2025-01` would save 2024-10's
    schema as 2025-01's: refused, nothing sent, nothing written."""
    before = tree_digest(storefront_project)
    server = IntrospectionServer(STOREFRONT)
    with server.running():
        url = server.url.replace("/graphql.json", "/api/2024-10/graphql.json")
        code, _, err = download(storefront_project, "2025-01", "--endpoint", url)
    assert code == 2
    assert f"--endpoint {url} is version 2024-10, but --version is 2025-01" in err
    assert server.seen_headers == [] and tree_digest(storefront_project) == before


def test_an_answer_of_another_version_is_refused_and_nothing_is_written(
    storefront_project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Shopify answers a version out of support with the oldest supported one, and says
    which in X-Shopify-API-Version: that schema is not the one asked for."""
    from shopify_client.testing import FakeShopify

    before = tree_digest(storefront_project)
    with FakeShopify(served_version="2025-04") as fake:
        monkeypatch.setenv("MY_TOKEN", fake.storefront_token)
        endpoint = fake.endpoint("storefront", "2024-10")
        code, _, err = download(
            storefront_project, "2024-10", "--endpoint", endpoint, "--token-env", "MY_TOKEN"
        )
    assert code == 2
    assert "asked for 2024-10, answered 2025-04 (X-Shopify-API-Version)" in err
    assert "nothing written" in err and tree_digest(storefront_project) == before


def test_a_401_with_a_token_sent_says_to_check_it(
    storefront_project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MY_TOKEN", "shpat_wrong_0123")
    server = IntrospectionServer(STOREFRONT, mode="unauthorized")
    with server.running():
        code, out, err = download(
            storefront_project, "2025-01", "--endpoint", server.url, "--token-env", "MY_TOKEN"
        )
    assert code == 2 and "HTTP 401 (check the access token)" in err
    assert "shpat_wrong_0123" not in out + err
