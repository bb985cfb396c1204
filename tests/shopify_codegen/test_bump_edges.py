"""``bump`` edge cases: to the pinned version, to a version already committed, and back.

Before: a bump to the pinned version re-did the whole bump; one to a version whose
schema was committed (``schema add``) asked to "choose one source"; a bump down to
an older version, even one past Shopify's support window, said nothing.
"""

from __future__ import annotations

import datetime as _dt
import json
from pathlib import Path

from shopify_codegen.cli_schema import bump_warnings
from tests.conftest import copy_project, run_cli
from tests.shopify_codegen.test_download import tree_digest


def _admin(tmp_path: Path) -> Path:
    return copy_project(tmp_path / "p", apis=("admin",))  # admin pinned to 2024-01


def test_bump_to_the_pinned_version_changes_nothing(tmp_path: Path) -> None:
    root = _admin(tmp_path)
    before = tree_digest(root)
    code, out, err = run_cli("--root", str(root), "bump", "--api", "admin", "--version", "2024-01")
    assert code == 0, out + err
    assert out.startswith("bump: admin is already on 2024-01, nothing to do")
    assert tree_digest(root) == before
    code, out, _ = run_cli(
        "--root", str(root), "bump", "--api", "admin", "--version", "2024-01", "--json"
    )
    assert code == 0 and json.loads(out) == {
        "ok": True,
        "changed": [],
        "versions": [],
        "already": "2024-01",
    }


def test_bump_to_a_committed_version_uses_its_schema_then_back_down_warns(
    tmp_path: Path,
) -> None:
    root = _admin(tmp_path)
    committed = (root / "schema" / "admin" / "2024-10.json").read_bytes()
    manifest = (root / "schema" / "manifest.json").read_bytes()
    code, out, err = run_cli("--root", str(root), "bump", "--api", "admin", "--version", "2024-10")
    assert code == 0, out + err
    assert "using the committed admin 2024-10 schema (schema/admin/2024-10.json)" in out
    assert "bumped admin 2024-01 -> 2024-10" in out
    assert "downgrade" not in out
    assert 'pinned_version = "2024-10"' in (root / "codegen.toml").read_text()
    # The committed schema and its recorded origin are kept as they were.
    assert (root / "schema" / "admin" / "2024-10.json").read_bytes() == committed
    assert (root / "schema" / "manifest.json").read_bytes() == manifest

    code, out, err = run_cli(
        "--root", str(root), "bump", "--api", "admin", "--version", "2024-01", "--json"
    )
    assert code == 0, out + err
    notes = json.loads(out)["warnings"]
    assert any("2024-01 is older than the pinned 2024-10" in n and "downgrade" in n for n in notes)
    assert any("2024-01 left Shopify's support window on 2025-01-01" in n for n in notes)
    assert 'pinned_version = "2024-01"' in (root / "codegen.toml").read_text()


def test_bump_warnings_follow_the_runtimes_support_calendar() -> None:
    today = _dt.date(2026, 12, 3)
    assert bump_warnings("2026-01", "2026-04", today) == []
    (down,) = bump_warnings("2026-04", "2026-01", today)
    assert "older than the pinned 2026-04" in down
    both = bump_warnings("2026-04", "2025-07", today)
    assert len(both) == 2
    assert "left Shopify's support window on 2026-07-01" in both[1]
    assert "the latest is 2026-10" in both[1]
    # A bump up to a version already out of support warns too.
    (old,) = bump_warnings("2024-01", "2024-10", today)
    assert "left Shopify's support window on 2025-10-01" in old


def test_a_version_with_no_committed_schema_leads_to_schema_file_or_schema_add(
    tmp_path: Path,
) -> None:
    # Before: "error: choose one source: --shop DOMAIN, --proxy or --endpoint URL",
    # though docs/own-project.md promises advice leading to `schema add` or download.
    root = _admin(tmp_path)
    before = tree_digest(root)
    code, _, err = run_cli("--root", str(root), "bump", "--api", "admin", "--version", "2025-01")
    assert code == 2
    text = " ".join(err.split())
    assert "schema/admin/2025-01.json: no committed admin 2025-01 schema to bump to" in text
    assert "`shopify-codegen bump --api admin --version 2025-01 --schema-file PATH`" in text
    assert "`shopify-codegen schema add --api admin --version 2025-01 --file PATH`" in text
    assert "`shopify-codegen schema download`" in text
    assert "--shop DOMAIN, --proxy or --endpoint URL" in text
    assert tree_digest(root) == before
    code, out, _ = run_cli(
        "--root", str(root), "bump", "--api", "admin", "--version", "2025-01", "--json"
    )
    error = json.loads(out)["error"]
    assert error["type"] == "SchemaFileError" and error["file"] == "schema/admin/2025-01.json"


def test_a_bump_to_a_committed_schema_says_only_what_changed(tmp_path: Path) -> None:
    # Before: "wrote: schema/admin/2024-10.json, .graphql, manifest.json" though the
    # bump used those files as they were and left their bytes alone.
    root = _admin(tmp_path)
    schema = ["schema/admin/2024-10.json", "schema/admin/2024-10.graphql", "schema/manifest.json"]
    kept = {name: (root / name).read_bytes() for name in schema}
    code, out, err = run_cli(
        "--root", str(root), "bump", "--api", "admin", "--version", "2024-10", "--json"
    )
    assert code == 0, out + err
    payload = json.loads(out)
    assert payload["changed"] == ["codegen.toml", "generated/shopify_admin"]
    assert payload["unchanged"] == schema
    assert {name: (root / name).read_bytes() for name in schema} == kept
    code, out, err = run_cli("--root", str(root), "bump", "--api", "admin", "--version", "2024-01")
    assert code == 0, out + err
    wrote = out[out.index("wrote:") : out.index("unchanged (the committed schema was used):")]
    assert wrote.split() == ["wrote:", "codegen.toml", "generated/shopify_admin"]
    assert "unchanged (the committed schema was used):\n  schema/admin/2024-01.json\n" in out
