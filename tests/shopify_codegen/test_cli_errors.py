"""Small things the outside trial found in how the CLI reports bad input.

Before: ``python -m shopify_codegen`` failed (no ``__main__``); ``--root /nonexistent``
said "no codegen.toml ... in /nonexistent or any parent folder"; ``--json`` errors
held a file's position only inside ``message``; ``target_package_name`` in
``[ariadne-codegen]`` was overwritten silently; a bad plugin path said
``PluginImportError`` without naming the config key that lists it.
"""

from __future__ import annotations

import json
import runpy
import subprocess
import sys
from pathlib import Path

import pytest

from shopify_codegen.config import load_config
from shopify_codegen.errors import ConfigError
from tests.conftest import ROOT, copy_project, run_cli


def test_python_dash_m_runs_the_cli(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # What `python -m shopify_codegen` runs, in this process (so it is this checkout's).
    monkeypatch.setattr(sys, "argv", ["shopify_codegen", "--root", "/nonexistent-gsafety", "check"])
    with pytest.raises(SystemExit) as info:
        runpy.run_module("shopify_codegen", run_name="__main__", alter_sys=True)
    assert info.value.code == 2  # main's exit code is the process's
    assert "/nonexistent-gsafety: no such folder" in capsys.readouterr().err
    done = subprocess.run(
        [sys.executable, "-m", "shopify_codegen", "--help"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "Validate Shopify GraphQL operations" in done.stdout


def test_a_root_that_does_not_exist_says_so(tmp_path: Path) -> None:
    missing = tmp_path / "nonexistent"
    code, _, err = run_cli("--root", str(missing), "validate")
    assert code == 2
    assert f"{missing}: no such folder" in err
    assert "any parent folder" not in err
    (tmp_path / "file").write_text("x")
    code, _, err = run_cli("--root", str(tmp_path / "file"), "generate")
    assert code == 2 and f"{tmp_path / 'file'}: is not a folder" in err


def test_json_errors_carry_file_line_and_column(tmp_path: Path) -> None:
    bad = tmp_path / "bad.graphql"
    bad.write_text("query A {\n  shop {\n    name(\n}\n")
    schema = ROOT / "schema" / "storefront" / "2024-10.json"
    code, out, _ = run_cli("validate", "--json", "--schema", str(schema), str(bad))
    assert code == 2
    error = json.loads(out)["error"]
    assert error["type"] == "OperationFileError"
    assert (error["file"], error["line"], error["column"]) == (str(bad), 4, 1)
    assert error["message"].startswith(f"{bad}:4:1: Syntax Error")  # kept as it was

    (tmp_path / "codegen.toml").write_text('[project]\nschema_dir = "schema"\n[api.x\n')
    code, out, _ = run_cli("--root", str(tmp_path), "validate", "--json")
    error = json.loads(out)["error"]
    assert error["type"] == "ConfigError"
    config = f"{tmp_path.resolve()}/codegen.toml"
    assert (error["file"], error["line"], error["column"]) == (config, 3, 7)


def test_json_errors_without_a_position_have_only_the_file_when_known(tmp_path: Path) -> None:
    missing = tmp_path / "missing.json"
    code, out, _ = run_cli("validate", "--json", "--schema", str(missing), str(tmp_path))
    assert code == 2
    error = json.loads(out)["error"]
    assert error["file"] == str(missing) and "line" not in error
    code, out, _ = run_cli("--root", str(tmp_path / "nope"), "validate", "--json")
    assert set(json.loads(out)["error"]) == {"type", "message"}


@pytest.mark.parametrize(
    ("key", "value", "from_"),
    [
        ("target_package_name", '"other"', "the last part of the package's `package`"),
        ("target_package_path", '"elsewhere"', "`generated_dir`"),
        ("queries_path", '"q"', "the package's `queries`"),
        ("client_name", '"MyClient"', "Client and AsyncClient"),
    ],
)
def test_settings_the_tool_sets_itself_are_refused_by_name(
    tmp_path: Path, key: str, value: str, from_: str
) -> None:
    root = copy_project(tmp_path / "p", apis=("storefront",))
    config = root / "codegen.toml"
    config.write_text(config.read_text() + f"\n[ariadne-codegen]\n{key} = {value}\n")
    with pytest.raises(ConfigError) as info:
        load_config(root)
    message = str(info.value)
    assert f"codegen.toml [ariadne-codegen]: `{key}` is set by shopify-codegen" in message
    assert from_ in message and "remove it" in message


@pytest.mark.parametrize(
    ("table", "shown"),
    [
        ("[ariadne-codegen]", "[ariadne-codegen] plugins"),
        ("[api.storefront.ariadne-codegen]", "[api.storefront.ariadne-codegen] plugins"),
    ],
)
def test_a_plugin_that_cannot_be_loaded_names_its_config_key(
    tmp_path: Path, table: str, shown: str
) -> None:
    root = copy_project(tmp_path / "p", apis=("storefront",))
    config = root / "codegen.toml"
    config.write_text(config.read_text() + f'\n{table}\nplugins = ["no_such_module_xyz.Plugin"]\n')
    before = (root / "generated" / "shopify_storefront" / "client.py").read_bytes()
    code, out, err = run_cli("--root", str(root), "generate", "--json")
    assert code == 2, out + err
    error = json.loads(out)["error"]
    assert error["type"] == "GenerationError"
    assert f"codegen.toml {shown}: 'no_such_module_xyz.Plugin' cannot be loaded" in error["message"]
    assert "PluginImportError" in error["message"]  # ariadne-codegen's own words, kept
    assert (root / "generated" / "shopify_storefront" / "client.py").read_bytes() == before
