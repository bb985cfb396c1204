"""The CLI's own words: ``--help`` describes what each command does in any project."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import ROOT, run_cli


def _help(*argv: str, capsys: pytest.CaptureFixture[str]) -> str:
    code, out, err = run_cli(*argv, "--help")
    assert code == 0
    return out + err + capsys.readouterr().out


def test_top_level_help_names_configured_packages_and_schema_add(
    capsys: pytest.CaptureFixture[str],
) -> None:
    text = " ".join(_help(capsys=capsys).split())
    # generate writes the configured packages, wherever generated_dir puts them
    assert "generated/" not in text
    assert "regenerate each configured package (its `package`, under `generated_dir`)" in text
    # schema has three subcommands; the summary names all three
    assert "download a schema, add a file you have, or compare two schemas" in text


def test_schema_add_help_offers_force(capsys: pytest.CaptureFixture[str]) -> None:
    text = " ".join(_help("schema", "add", capsys=capsys).split())
    assert "--force" in text and "replace a version already committed" in text


def test_a_toml_syntax_error_is_shown_at_file_line_column(tmp_path: Path) -> None:
    (tmp_path / "codegen.toml").write_text('[project]\nschema_dir = "schema"\n[api.x\n')
    code, _, err = run_cli("--root", str(tmp_path), "validate")
    assert code == 2
    assert f"{tmp_path.resolve()}/codegen.toml:3:7: not valid TOML: " in err
    assert "(at line" not in err


def test_an_operation_syntax_error_is_shown_at_file_line_column(tmp_path: Path) -> None:
    bad = tmp_path / "bad.graphql"
    bad.write_text("query A {\n  shop {\n    name(\n}\n")
    schema = ROOT / "schema" / "storefront" / "2024-10.json"
    code, _, err = run_cli("validate", "--schema", str(schema), str(bad))
    assert code == 2
    assert f"{bad}:4:1: Syntax Error" in err
