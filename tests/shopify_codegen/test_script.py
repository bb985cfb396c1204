"""`pip install .` without the `codegen` extra: the script says which extra, in one line."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from shopify_codegen._script import CODEGEN_MODULES, main

MISSING = "raise ModuleNotFoundError(f'No module named {__name__!r}', name=__name__)\n"


@pytest.mark.parametrize("module", sorted(CODEGEN_MODULES))
def test_the_installed_script_names_the_missing_extra_in_one_line(
    tmp_path: Path, module: str
) -> None:
    """A package of that name, first on the path, that fails as a missing one does."""
    shadow = tmp_path / "shadow" / module
    shadow.mkdir(parents=True)
    (shadow / "__init__.py").write_text(MISSING)
    env = {**os.environ, "PYTHONPATH": str(tmp_path / "shadow")}
    script = Path(sys.executable).with_name("shopify-codegen")
    result = subprocess.run(
        [str(script), "--root", str(tmp_path), "check"],  # stops before reading any project
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        f"shopify-codegen: error: the tooling needs the `codegen` extra ({module} is not"
        " installed): pip install 'shopify-graphql-typed[codegen]'"
    ]


@pytest.mark.parametrize("module", sorted(CODEGEN_MODULES))
def test_a_module_absent_from_the_environment_is_found_before_importing_the_cli(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], module: str
) -> None:
    monkeypatch.setitem(sys.modules, module, None)  # how Python marks an import as missing
    assert main(["check"]) == 2
    (line,) = capsys.readouterr().err.splitlines()
    assert f"`codegen` extra ({module} is not installed)" in line


def test_another_missing_module_is_not_blamed_on_the_extra(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "shopify_codegen.cli", None)
    with pytest.raises(ModuleNotFoundError):
        main(["check"])
