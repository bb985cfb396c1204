"""`check`'s recorded hashes: skipped regeneration never hides a change."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest

import shopify_codegen.check as check_module
from shopify_codegen.config import load_config
from shopify_codegen.generate import GeneratedPackage, generate_package
from shopify_codegen.stamps import STAMPS_PATH, load_stamps
from tests.conftest import run_cli


def _check(project: Path, *extra: str) -> tuple[int, str]:
    code, out, err = run_cli("--root", str(project), "check", *extra)
    return code, out + err


def test_a_second_check_skips_generation_and_still_catches_a_hand_edit(
    storefront_project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[str] = []
    real = generate_package

    def counting(*args: Any, **kwargs: Any) -> GeneratedPackage:
        calls.append("generate")
        return real(*args, **kwargs)

    monkeypatch.setattr(check_module, "generate_package", counting)
    assert _check(storefront_project)[0] == 0
    assert calls == ["generate"]
    assert set(load_stamps(load_config(storefront_project))["generated"]) == {"storefront"}
    assert _check(storefront_project)[0] == 0
    assert calls == ["generate"]  # nothing changed: not regenerated

    client = storefront_project / "generated" / "shopify_storefront" / "client.py"
    original = client.read_text()
    client.write_text(original + "# a hand edit\n")
    code, out = _check(storefront_project)
    assert code == 1 and "client.py: differs from what generation produces now" in out
    assert calls == ["generate", "generate"]
    client.write_text(original)

    stray = storefront_project / "generated" / "shopify_storefront" / "extra.py"
    stray.write_text("x = 1\n")
    code, out = _check(storefront_project)
    assert code == 1 and "extra.py: stray file" in out
    stray.unlink()

    assert _check(storefront_project)[0] == 0
    before = len(calls)
    query = storefront_project / "queries" / "storefront" / "shop_name.graphql"
    query.write_text("query ShopName { shop { name } }\n")
    code, out = _check(storefront_project)
    assert len(calls) == before + 1  # an input changed: regenerated
    assert code == 1 and "shop_name.py: missing" in out


def test_an_edited_schema_file_is_caught_with_stamps(storefront_project: Path) -> None:
    assert _check(storefront_project)[0] == 0
    sdl = storefront_project / "schema" / "storefront" / "2024-10.graphql"
    sdl.write_text(sdl.read_text() + "\n# edited\n")
    code, out = _check(storefront_project)
    assert code == 1 and "2024-10.graphql" in out


def test_a_damaged_stamps_file_is_ignored_and_full_regenerates(storefront_project: Path) -> None:
    (storefront_project / STAMPS_PATH.parent).mkdir(exist_ok=True)
    (storefront_project / STAMPS_PATH).write_text("{not json")
    assert _check(storefront_project)[0] == 0
    assert "storefront" in load_stamps(load_config(storefront_project))["generated"]
    # A forged record cannot make check trust a changed package: here it names the
    # hand-edited file's real sha256, which an unsealed record would take for a match.
    client = storefront_project / "generated" / "shopify_storefront" / "client.py"
    client.write_text(client.read_text() + "# edit\n")
    record = json.loads((storefront_project / STAMPS_PATH).read_text())
    body = json.loads(record["body"])
    body["generated"]["storefront"]["files"]["client.py"] = hashlib.sha256(
        client.read_bytes()
    ).hexdigest()
    record["body"] = json.dumps(body, sort_keys=True)
    (storefront_project / STAMPS_PATH).write_text(json.dumps(record))
    assert _check(storefront_project)[0] == 1
    assert _check(storefront_project, "--full")[0] == 1
