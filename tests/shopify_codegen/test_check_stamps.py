"""`check`'s records of validation and SDL checks: a warm record never hides drift.

Each test first makes the record warm (a check that passed, then one that reused
it without validating or printing anything), then changes one input the way a
user (or an attacker) would, and expects exactly what a check without any record
reports.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import shopify_codegen.check as check_module
from shopify_codegen.config import load_config
from shopify_codegen.schema_files import load_schema, schema_to_sdl
from shopify_codegen.stamps import KEY_PATH, STAMPS_PATH, load_stamps
from shopify_codegen.validate import validate_api
from tests.conftest import run_cli

Calls = dict[str, int]


@pytest.fixture
def calls(monkeypatch: pytest.MonkeyPatch) -> Calls:
    """How often check validated a package and printed a schema's SDL."""
    counts: Calls = {"validate": 0, "print": 0}

    def counted(name: str, real: Callable[..., Any]) -> Callable[..., Any]:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            counts[name] += 1
            return real(*args, **kwargs)

        return wrapper

    monkeypatch.setattr(check_module, "validate_api", counted("validate", validate_api))
    monkeypatch.setattr(check_module, "schema_to_sdl", counted("print", schema_to_sdl))
    return counts


@pytest.fixture
def storefront_project(storefront_project: Path) -> Path:
    """The Storefront-only copy, without the other APIs' schemas (quicker to check)."""
    for api in ("admin", "customer"):
        shutil.rmtree(storefront_project / "schema" / api)
    manifest = storefront_project / "schema" / "manifest.json"
    data = json.loads(manifest.read_text())
    data["files"] = [e for e in data["files"] if e["api"] == "storefront"]
    manifest.write_text(json.dumps(data, indent=2) + "\n")
    return storefront_project


def _check(project: Path, *extra: str) -> tuple[int, dict[str, Any]]:
    code, out, _ = run_cli("--root", str(project), "check", "--json", *extra)
    report = json.loads(out)
    del report["seconds"]
    return code, report


def _warm(project: Path, calls: Calls) -> dict[str, Any]:
    code, report = _check(project)
    assert code == 0, report
    assert calls["validate"] == 1 and calls["print"] == 3  # storefront: 3 schema files
    calls.update(validate=0, print=0)
    assert _check(project) == (0, report)
    assert calls == {"validate": 0, "print": 0}  # warm: nothing validated or printed
    return report


def _reregister(project: Path, *files: Path) -> None:
    """Update the manifest's sha256 of ``files``, as one who hides an edit would."""
    manifest = project / "schema" / "manifest.json"
    data = json.loads(manifest.read_text())
    for entry in data["files"]:
        path = project / "schema" / entry["path"]
        if path in files:
            entry["sha256"] = hashlib.sha256(path.read_bytes()).hexdigest()
    manifest.write_text(json.dumps(data, indent=2) + "\n")


def test_a_warm_check_reports_what_a_full_check_reports(
    storefront_project: Path, calls: Calls
) -> None:
    report = _warm(storefront_project, calls)
    assert _check(storefront_project, "--full") == (0, report)
    assert calls == {"validate": 1, "print": 3}
    assert set(load_stamps(load_config(storefront_project))["sdl"]) == {
        "storefront/2024-01.json",
        "storefront/2024-10.json",
        "storefront/2026-04.json",
    }


def test_an_sdl_edited_and_reregistered_after_the_record_is_drift(
    storefront_project: Path, calls: Calls
) -> None:
    _warm(storefront_project, calls)
    sdl = storefront_project / "schema" / "storefront" / "2024-10.graphql"
    sdl.write_text(sdl.read_text().replace('"""', '"""Edited. ', 1))
    _reregister(storefront_project, sdl)
    code, report = _check(storefront_project)
    assert code == 1
    assert [(d["kind"], d["path"]) for d in report["drift"]] == [
        ("sdl", "schema/storefront/2024-10.graphql")
    ]
    assert calls == {"validate": 0, "print": 1}  # only the changed schema is printed


def test_an_introspection_edited_and_reregistered_after_the_record_is_drift(
    storefront_project: Path, calls: Calls
) -> None:
    _warm(storefront_project, calls)
    schema = storefront_project / "schema" / "storefront" / "2024-01.json"
    schema.write_bytes(
        schema.read_bytes().replace(
            b"The email associated to the customer.", b"The Email associated to the customer."
        )
    )
    _reregister(storefront_project, schema)
    code, report = _check(storefront_project)
    assert code == 1
    assert [(d["kind"], d["path"]) for d in report["drift"]] == [
        ("sdl", "schema/storefront/2024-01.graphql")
    ]
    assert '+  """The Email associated to the customer."""' in report["drift"][0]["diff"]
    assert calls == {"validate": 1, "print": 1}


def _without_customer_phone(path: Path) -> None:
    data = json.loads(path.read_text())
    for kind in data["__schema"]["types"]:
        if kind["name"] == "Customer":
            kind["fields"] = [f for f in kind["fields"] if f["name"] != "phone"]
    path.write_text(json.dumps(data, indent=2) + "\n")


def test_a_schema_version_changed_consistently_after_the_record_is_revalidated(
    storefront_project: Path, calls: Calls
) -> None:
    """The pinned 2024-10 loses a field an operation selects, with its SDL and
    manifest entry updated to match: only validation can catch it, so it must run."""
    _warm(storefront_project, calls)
    schema = storefront_project / "schema" / "storefront" / "2024-10.json"
    _without_customer_phone(schema)
    sdl = schema.with_suffix(".graphql")
    sdl.write_text(schema_to_sdl(load_schema(schema)))
    _reregister(storefront_project, schema, sdl)
    calls.update(validate=0, print=0)
    code, report = _check(storefront_project)
    assert code == 1 and report["drift"] == []
    errors = [f for f in report["findings"] if f["severity"] == "error"]
    assert [(f["schema"], f["file"]) for f in errors] == [
        ("storefront 2024-10", "queries/storefront/customer.graphql")
    ]
    assert "phone" in errors[0]["message"]
    assert calls == {"validate": 1, "print": 1}
    assert _check(storefront_project, "--full") == (code, report)


def test_an_operation_made_invalid_after_the_record_fails(
    storefront_project: Path, calls: Calls
) -> None:
    _warm(storefront_project, calls)
    query = storefront_project / "queries" / "storefront" / "customer.graphql"
    query.write_text(query.read_text().replace("    phone\n", "    phoneNumber\n"))
    code, report = _check(storefront_project)
    assert code == 1
    # An error on the pinned version; on the others (not required for this
    # operation) a warning that names the version it breaks on.
    assert {(f["severity"], f["schema"]) for f in report["findings"]} == {
        ("error", "storefront 2024-10"),
        ("warning", "storefront 2024-01"),
        ("warning", "storefront 2026-04"),
    }
    # Failing findings are recorded too: the next check fails the same way, and so
    # does one that recomputes everything.
    assert _check(storefront_project) == (code, report)
    assert _check(storefront_project, "--full") == (code, report)


def test_strict_is_part_of_the_record(storefront_project: Path, calls: Calls) -> None:
    query = storefront_project / "queries" / "storefront" / "by_handle.graphql"
    query.write_text("query ByHandle($h: String!) { productByHandle(handle: $h) { id } }\n")
    assert run_cli("--root", str(storefront_project), "generate")[0] == 0
    _warm(storefront_project, calls)  # the deprecated field is a warning
    code, report = _check(storefront_project, "--strict")
    assert code == 1
    assert any(
        f["severity"] == "error" and "productByHandle" in f["message"] for f in report["findings"]
    )


def _rewrite_record(project: Path, change: Callable[[dict[str, Any]], None]) -> None:
    path = project / STAMPS_PATH
    record = json.loads(path.read_text())
    body = json.loads(record["body"])
    change(body)
    record["body"] = json.dumps(body, sort_keys=True)
    path.write_text(json.dumps(record))


def test_a_record_edited_to_hide_an_error_is_not_trusted(
    storefront_project: Path, calls: Calls
) -> None:
    query = storefront_project / "queries" / "storefront" / "customer.graphql"
    query.write_text(query.read_text().replace("    phone\n", "    phoneNumber\n"))
    code, report = _check(storefront_project)
    assert code == 1

    def hide_errors(body: dict[str, Any]) -> None:
        entry = body["validation"]["storefront"]
        entry["findings"] = [f for f in entry["findings"] if f[0] != "error"]

    _rewrite_record(storefront_project, hide_errors)
    calls.update(validate=0)
    assert _check(storefront_project) == (code, report)
    assert calls["validate"] == 1


def _truncate(project: Path) -> None:
    path = project / STAMPS_PATH
    path.write_bytes(path.read_bytes()[:-40])


def _not_json(project: Path) -> None:
    (project / STAMPS_PATH).write_text("{not json")


def _other_seal(project: Path) -> None:
    path = project / STAMPS_PATH
    record = json.loads(path.read_text())
    record["hmac"] = "0" * 64
    path.write_text(json.dumps(record))


def _other_key(project: Path) -> None:
    (project / KEY_PATH).unlink()
    (project / KEY_PATH).write_bytes(os.urandom(32))


def _same_key_new_file(project: Path) -> None:
    """The same key bytes in a new file: what a clone of a committed key file is."""
    path = project / KEY_PATH
    path.with_name("key.new").write_bytes(path.read_bytes())
    os.replace(path.with_name("key.new"), path)


def _short_key(project: Path) -> None:
    (project / KEY_PATH).write_bytes(b"short")


def _no_key(project: Path) -> None:
    (project / KEY_PATH).unlink()


def _old_format(project: Path) -> None:
    (project / STAMPS_PATH).write_text(json.dumps({"storefront": {"inputs": "x", "files": {}}}))


@pytest.mark.parametrize(
    "damage",
    [
        _truncate,
        _not_json,
        _other_seal,
        _other_key,
        _same_key_new_file,
        _short_key,
        _no_key,
        _old_format,
    ],
)
def test_a_damaged_record_means_recompute(
    storefront_project: Path, calls: Calls, damage: Callable[[Path], None]
) -> None:
    report = _warm(storefront_project, calls)
    damage(storefront_project)
    assert _check(storefront_project) == (0, report)
    assert calls == {"validate": 1, "print": 3}
    calls.update(validate=0, print=0)
    assert _check(storefront_project) == (0, report)  # recorded afresh
    assert calls == {"validate": 0, "print": 0}


def test_a_record_copied_with_the_project_is_not_trusted(
    storefront_project: Path, calls: Calls, tmp_path: Path
) -> None:
    """A copy (or a clone of a record committed by mistake) recomputes everything."""
    report = _warm(storefront_project, calls)
    copy = tmp_path / "copy"
    shutil.copytree(storefront_project, copy)
    assert (copy / STAMPS_PATH).is_file() and (copy / KEY_PATH).is_file()
    assert load_stamps(load_config(copy))["validation"] == {}
    code, copied = _check(copy)
    assert code == 0 and copied == report
    assert calls == {"validate": 1, "print": 3}


@pytest.mark.parametrize(
    "linked", ["queries", "queries/storefront", "queries/storefront/x.graphql"]
)
def test_a_symlink_in_the_queries_after_the_record_is_still_refused(
    storefront_project: Path, calls: Calls, tmp_path: Path, linked: str
) -> None:
    """The same bytes reached through a symlink: validation refuses it, so the record
    must not answer for it."""
    _warm(storefront_project, calls)
    path = storefront_project / linked
    if path.suffix:
        target = tmp_path / "x.graphql"
        target.write_text("query X { shop { name } }\n")
    else:
        target = tmp_path / "moved"
        shutil.move(path, target)
    path.symlink_to(target)
    code, out, err = run_cli("--root", str(storefront_project), "check")
    assert code != 0 and "symlink" in out + err
    assert run_cli("--root", str(storefront_project), "check", "--full")[:1] == (code,)


def test_an_operation_changed_during_validation_is_not_recorded(
    storefront_project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The digest is taken before validating: if a file changes meanwhile, the
    findings are not those of the digested bytes, and must not be recorded."""
    query = storefront_project / "queries" / "storefront" / "customer.graphql"
    valid = query.read_text()
    invalid = valid.replace("    phone\n", "    phoneNumber\n")
    query.write_text(invalid)

    def racing(*args: Any, **kwargs: Any) -> Any:
        query.write_text(valid)  # an editor saving while check runs
        return validate_api(*args, **kwargs)

    monkeypatch.setattr(check_module, "validate_api", racing)
    assert _check(storefront_project)[0] == 0  # it validated the valid bytes
    monkeypatch.setattr(check_module, "validate_api", validate_api)
    query.write_text(invalid)  # the bytes the digest was taken of
    assert _check(storefront_project)[0] == 1


@pytest.mark.skipif(sys.platform != "linux", reason="other systems refuse a name not in UTF-8")
def test_a_file_name_not_in_utf8_in_the_queries_is_digested(
    storefront_project: Path, calls: Calls
) -> None:
    """Not an operation file, so validation and generation ignore it; the digests
    read it too, and must not raise UnicodeEncodeError on its name."""
    name = os.fsdecode(b"notes-\xff.txt")
    (storefront_project / "queries" / "storefront" / name).write_text("notes\n")
    _warm(storefront_project, calls)
