"""The bulk options' checks (shopify_client._bulk_checks), at every entry point.

An outside trial found ``export_orders(directory="/nonexistent/dir")`` started the
operation at Shopify and then failed with a raw FileNotFoundError, and that
``max_bulk_bytes=0``, ``read_timeout=nan``, ``max_resumes=-5``, ``slot_wait=inf``
were taken. Each bad value is now a ConfigurationError naming the option and the
value, for bulk queries and bulk mutations, sync and async, start and resume, and
not one request reaches the shop first.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from shopify_client import BulkWaitTimeoutError, ConfigurationError
from shopify_client._bulk_checks import check_count, check_directory, check_seconds
from shopify_client.testing import FakeShopify

from .bulk_helpers import SPEC, AsyncClient, client_for
from .bulk_mutation_helpers import SPEC as MUTATION
from .bulk_mutation_helpers import lines, respond

FAST: dict[str, Any] = {"poll_interval": 0.001, "max_poll_interval": 0.002}
OP = "gid://shopify/BulkOperation/1"


@pytest.fixture
def fake() -> Iterator[FakeShopify]:
    with FakeShopify() as shop:
        shop.bulk.roots = 3
        shop.bulk.mutations.responder = respond
        yield shop


def _file(tmp: Path) -> str:
    path = tmp / "a-file"
    path.write_text("x")
    return str(path)


#: (options, the words the error must hold): every option of a bulk query
BAD: list[tuple[dict[str, Any], str]] = [
    ({"max_bulk_bytes": 0}, "max_bulk_bytes .*got 0"),
    ({"max_bulk_bytes": -1}, "max_bulk_bytes .*got -1"),
    ({"max_bulk_bytes": 1.5}, r"max_bulk_bytes .*got 1\.5"),
    ({"max_bulk_bytes": True}, "max_bulk_bytes .*got True"),
    ({"max_bulk_bytes": "10"}, "max_bulk_bytes .*got '10'"),
    ({"max_bulk_bytes": 2**64}, "max_bulk_bytes .*got 18446744073709551616"),
    ({"read_timeout": math.nan}, "read_timeout .*got nan"),
    ({"read_timeout": math.inf}, "read_timeout .*got inf"),
    ({"read_timeout": 0}, "read_timeout .*got 0"),
    ({"read_timeout": False}, "read_timeout .*got False"),
    ({"read_timeout": 3601}, "read_timeout .*at most 3600 .*got 3601"),
    ({"max_resumes": -5}, "max_resumes .*got -5"),
    ({"max_resumes": True}, "max_resumes .*got True"),
    ({"max_resumes": 2.0}, r"max_resumes .*got 2\.0"),
    ({"max_resumes": 1001}, "max_resumes .*got 1001"),
    ({"slot_wait": math.inf}, "slot_wait .*got inf"),
    ({"slot_wait": -math.inf}, "slot_wait .*got -inf"),
    ({"slot_wait": 0}, "slot_wait .*got 0"),
    ({"slot_wait": 10**400}, "slot_wait .*got 1000"),  # an int no float holds
    ({"poll_interval": math.nan}, "poll_interval .*got nan"),
    ({"poll_interval": "1"}, "poll_interval .*got '1'"),
    ({"poll_interval": True}, "poll_interval .*got True"),
    ({"poll_interval": -1}, "poll_interval .*got -1"),
    ({"max_poll_interval": math.nan}, "max_poll_interval .*got nan"),
    ({"poll_interval": 5, "max_poll_interval": 1}, r"max_poll_interval \(1\) must not be below"),
    ({"directory": "/nonexistent/dir"}, "directory '/nonexistent/dir' does not exist"),
    ({"directory": ""}, "directory must be the path of a directory"),
    ({"directory": 5}, "directory must be the path of a directory .*got 5"),
    ({"directory": "a\x00b"}, "directory must be the path"),
    ({"directory": "{file}"}, "directory '.*a-file' is not a directory"),
]


def _options(options: dict[str, Any], tmp: Path) -> dict[str, Any]:
    out = {**FAST, **options}
    if out.get("directory") == "{file}":
        out["directory"] = _file(tmp)
    return out


def _start_sync(fake: FakeShopify, options: Any) -> None:
    client_for(fake)._bulk_start(SPEC, {"query": "x"}, False, options)


def _start_async(fake: FakeShopify, options: Any) -> None:
    async def go() -> None:
        async with AsyncClient(
            endpoint=fake.endpoint("admin", AsyncClient.api_version),
            access_token=fake.admin_token,
        ) as client:
            await client._bulk_start(SPEC, {"query": "x"}, False, options)

    asyncio.run(go())


def _resume_sync(fake: FakeShopify, options: Any) -> None:
    client_for(fake)._bulk_resume(SPEC, OP, options)


def _resume_async(fake: FakeShopify, options: Any) -> None:
    client = AsyncClient(
        endpoint=fake.endpoint("admin", AsyncClient.api_version), access_token=fake.admin_token
    )
    client._bulk_resume(SPEC, OP, options)


def _mutate_sync(fake: FakeShopify, options: Any) -> None:
    client_for(fake)._bulk_mutate(MUTATION, lines(3), None, options)


def _mutate_async(fake: FakeShopify, options: Any) -> None:
    async def go() -> None:
        async with AsyncClient(
            endpoint=fake.endpoint("admin", AsyncClient.api_version),
            access_token=fake.admin_token,
        ) as client:
            await client._bulk_mutate(MUTATION, lines(3), None, options)

    asyncio.run(go())


def _mutate_resume_sync(fake: FakeShopify, options: Any) -> None:
    client_for(fake)._bulk_mutate_resume(MUTATION, [OP], None, options)


def _mutate_resume_async(fake: FakeShopify, options: Any) -> None:
    client = AsyncClient(
        endpoint=fake.endpoint("admin", AsyncClient.api_version), access_token=fake.admin_token
    )
    client._bulk_mutate_resume(MUTATION, [OP], None, options)


ENTRIES: dict[str, Callable[[FakeShopify, Any], None]] = {
    "query start": _start_sync,
    "async query start": _start_async,
    "query resume": _resume_sync,
    "async query resume": _resume_async,
    "mutation start": _mutate_sync,
    "async mutation start": _mutate_async,
    "mutation resume": _mutate_resume_sync,
    "async mutation resume": _mutate_resume_async,
}


@pytest.mark.parametrize(("options", "words"), BAD)
def test_a_bad_bulk_query_option_is_named_before_anything_is_sent(
    fake: FakeShopify, tmp_path: Path, options: dict[str, Any], words: str
) -> None:
    with pytest.raises(ConfigurationError, match=words):
        _start_sync(fake, _options(options, tmp_path))
    assert fake.requests == []  # no operation started at Shopify


#: one bad value of each kind, at every entry point
EVERYWHERE = [
    ({"directory": "/nonexistent/dir"}, "directory '/nonexistent/dir' does not exist"),
    ({"max_bulk_bytes": 0}, "max_bulk_bytes .*got 0"),
    ({"read_timeout": math.nan}, "read_timeout .*got nan"),
    ({"max_resumes": -5}, "max_resumes .*got -5"),
    ({"slot_wait": math.inf}, "slot_wait .*got inf"),
    ({"poll_interval": True}, "poll_interval .*got True"),
]


@pytest.mark.parametrize("entry", sorted(ENTRIES))
@pytest.mark.parametrize(("options", "words"), EVERYWHERE)
def test_every_entry_point_checks_the_options_first(
    fake: FakeShopify, entry: str, options: dict[str, Any], words: str
) -> None:
    with pytest.raises(ConfigurationError, match=words):
        ENTRIES[entry](fake, {**FAST, **options})
    assert fake.requests == []
    assert fake.bulk.storage.requests == []


@pytest.mark.parametrize(
    ("options", "words"),
    [
        ({"upload_timeout": math.nan}, "upload_timeout .*got nan"),
        ({"upload_timeout": 0}, "upload_timeout .*got 0"),
        ({"upload_timeout": True}, "upload_timeout .*got True"),
        ({"upload_deadline": math.inf}, "upload_deadline .*got inf"),
        ({"upload_deadline": -1}, "upload_deadline .*got -1"),
        ({"upload_deadline": "600"}, "upload_deadline .*got '600'"),
        ({"max_file_bytes": True}, r"max_file_bytes .*got True.*Shopify's limit on 2026-04"),
        ({"max_file_bytes": 0}, "max_file_bytes .*got 0"),
        ({"max_file_bytes": 100.0}, r"max_file_bytes .*got 100\.0"),
        ({"max_file_bytes": 100_000_001}, "max_file_bytes .*from 1 to 100000000"),
    ],
)
@pytest.mark.parametrize("entry", ["mutation start", "async mutation start", "mutation resume"])
def test_a_bad_bulk_mutation_option_is_named_before_anything_is_written(
    fake: FakeShopify, entry: str, options: dict[str, Any], words: str
) -> None:
    with pytest.raises(ConfigurationError, match=words):
        ENTRIES[entry](fake, {**FAST, **options})
    assert fake.requests == []


def test_edge_values_are_taken(fake: FakeShopify, tmp_path: Path) -> None:
    options = {
        **FAST,
        "max_resumes": 0,  # no resume: the first cut ends the download
        "max_bulk_bytes": 2**64 - 1,
        "read_timeout": 3600,  # an int is a number of seconds
        "slot_wait": 1,
        "directory": tmp_path,  # a Path is taken too
    }
    run = client_for(fake)._bulk_start(SPEC, {"query": "x"}, False, options)  # type: ignore[arg-type]
    assert len(list(run.records(timeout=10))) == 3
    assert run.options.directory == str(tmp_path)
    assert os.listdir(tmp_path) == []  # the check's file, and the store, are gone


def test_a_directory_that_takes_no_file_is_named(fake: FakeShopify, tmp_path: Path) -> None:
    target = tmp_path / "read-only"
    target.mkdir()
    if os.geteuid() != 0:
        target.chmod(0o500)
        where = str(target)
    elif os.path.isdir("/proc"):
        where = "/proc"  # refuses a new file even to root (whom no mode bit stops)
    else:
        pytest.skip("root, and no /proc: no directory here refuses a file")
    try:
        with pytest.raises(ConfigurationError, match=r"directory '.*' is not writable here \("):
            _start_sync(fake, {**FAST, "directory": where})
        with pytest.raises(ConfigurationError, match="is not writable here"):
            _mutate_sync(fake, {**FAST, "directory": where})
    finally:
        target.chmod(0o700)
    assert fake.requests == []


def test_the_check_functions() -> None:
    assert check_seconds("x", 2, most=10) == 2.0
    assert check_seconds("x", 0, most=10, zero=True) == 0.0
    with pytest.raises(ConfigurationError, match="x must be a finite number of seconds above 0"):
        check_seconds("x", 0, most=10)
    with pytest.raises(ConfigurationError, match="0 or above"):
        check_seconds("x", -0.5, most=10, zero=True)
    assert check_count("n", 0, least=0, most=3, unit="things") == 0
    with pytest.raises(ConfigurationError, match=r"n must be an int from 0 to 3 \(things; got 4\)"):
        check_count("n", 4, least=0, most=3, unit="things")
    with pytest.raises(ConfigurationError) as caught:
        check_count("n", "x" * 500, least=0, most=3, unit="things")
    assert len(str(caught.value)) < 150  # the value is quoted short
    with pytest.raises(ConfigurationError) as failed:
        check_directory("directory", "/nonexistent/\u202e\n")
    assert str(failed.value).isprintable()


@pytest.mark.parametrize("timeout", [math.nan, math.inf, -1, True, "5", 10**9])
def test_a_bad_wait_timeout_is_named_before_a_poll(fake: FakeShopify, timeout: object) -> None:
    """``wait(timeout=nan)`` polled until the operation's end (no deadline is ever
    passed by nan); now a ConfigurationError naming it, for both kinds of handle."""
    run = client_for(fake)._bulk_start(SPEC, {"query": "x"}, False, FAST)  # type: ignore[arg-type]
    mutation = client_for(fake)._bulk_mutate(MUTATION, lines(2), None, FAST)  # type: ignore[arg-type]
    sent = len(fake.requests)
    for call in (
        lambda: run.wait(timeout=timeout),  # type: ignore[arg-type]
        lambda: list(run.records(timeout=timeout)),  # type: ignore[arg-type]
        lambda: mutation.wait(timeout=timeout),  # type: ignore[arg-type]
        lambda: list(mutation.results(timeout=timeout)),  # type: ignore[arg-type]
    ):
        with pytest.raises(ConfigurationError, match="timeout must be a finite number"):
            call()
    assert len(fake.requests) == sent
    with contextlib.suppress(BulkWaitTimeoutError):  # 0 is taken: one poll, no wait
        run.wait(timeout=0)
    assert len(fake.requests) == sent + 1
