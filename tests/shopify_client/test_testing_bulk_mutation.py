"""FakeShopify's bulk mutation side: its storage host checks the form as Shopify's does."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from shopify_client.testing import ADMIN_TOKEN, FakeShopify, _bulk_mutation


@pytest.fixture
def fake() -> Iterator[FakeShopify]:
    with FakeShopify() as shop:
        yield shop


def staged(fake: FakeShopify, **overrides: Any) -> dict[str, Any]:
    item = {
        "resource": "BULK_MUTATION_VARIABLES",
        "filename": "part.jsonl",
        "mimeType": "text/jsonl",
        "httpMethod": "POST",
        **overrides,
    }
    response = httpx.post(
        fake.endpoint("admin", "2026-04"),
        headers={"X-Shopify-Access-Token": ADMIN_TOKEN},
        json={
            "query": "mutation S($input: [StagedUploadInput!]!) { "
            "stagedUploadsCreate(input: $input) { stagedTargets { url parameters { name value } } "
            "userErrors { field message } } }",
            "variables": {"input": [item]},
        },
    )
    payload: dict[str, Any] = response.json()["data"]["stagedUploadsCreate"]
    return payload


def post(
    url: str, fields: list[tuple[str, str]], file_at: int | None, body: bytes
) -> httpx.Response:
    files = [(n, (None, v)) for n, v in fields]
    if file_at is not None:
        files.insert(file_at, ("file", ("part.jsonl", body, "text/jsonl")))  # type: ignore[arg-type]
    return httpx.post(url, files=files)


def test_a_form_with_the_file_last_is_taken(fake: FakeShopify) -> None:
    (target,) = staged(fake)["stagedTargets"]
    fields = [(p["name"], p["value"]) for p in target["parameters"]]
    response = post(target["url"], fields, len(fields), b'{"a":1}\n')
    assert response.status_code == 201
    (upload,) = fake.bulk.mutations.uploads.values()
    assert upload.size == 8 and upload.fields[-1] == "file"


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ("file_first", "InvalidArgument"),
        ("reordered", "InvalidPolicyDocument"),
        ("missing", "InvalidPolicyDocument"),
        ("tampered", "SignatureDoesNotMatch"),
        ("no_file", "InvalidArgument"),
    ],
)
def test_what_shopify_storage_refuses_is_refused(fake: FakeShopify, change: str, code: str) -> None:
    (target,) = staged(fake)["stagedTargets"]
    fields = [(p["name"], p["value"]) for p in target["parameters"]]
    at: int | None = len(fields)
    if change == "file_first":
        at = 0
    elif change == "reordered":
        fields.reverse()
    elif change == "missing":
        fields.pop(0)
        at = len(fields)
    elif change == "tampered":
        fields[-1] = (fields[-1][0], "other")
    elif change == "no_file":
        at = None
    response = post(target["url"], fields, at, b'{"a":1}\n')
    assert response.status_code == 400
    assert code in response.text


def test_a_file_past_the_versions_limit_is_refused(
    fake: FakeShopify, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_bulk_mutation, "file_limit", lambda version: 10)
    (target,) = staged(fake)["stagedTargets"]
    fields = [(p["name"], p["value"]) for p in target["parameters"]]
    response = post(target["url"], fields, len(fields), b"x" * 11)
    assert response.status_code == 400 and "EntityTooLarge" in response.text


def test_staging_checks_the_resource_and_type(fake: FakeShopify) -> None:
    answer = staged(fake, mimeType="text/csv")  # a bulk upload of the wrong type
    assert answer["stagedTargets"] is None
    assert "mimeType" in answer["userErrors"][0]["message"]


def test_headers_are_recorded(fake: FakeShopify) -> None:
    (target,) = staged(fake)["stagedTargets"]
    fields = [(p["name"], p["value"]) for p in target["parameters"]]
    httpx.post(
        target["url"],
        files=[*((n, (None, v)) for n, v in fields), ("file", ("p", b"{}\n", "text/jsonl"))],
        headers={"X-Shopify-Access-Token": "leak"},
    )
    assert fake.bulk.storage.leaked_headers() == ["x-shopify-access-token"]


def test_other_staged_uploads_are_answered_from_the_schema(fake: FakeShopify) -> None:
    answer = staged(fake, resource="IMAGE", mimeType="image/png", httpMethod="PUT")
    assert answer["userErrors"] == []
    assert answer["stagedTargets"]  # made up from the schema, as for any call
    assert fake.bulk.mutations.uploads == {}
