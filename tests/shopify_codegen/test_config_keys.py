"""Typos in the config are refused, naming the table and the key, with the nearest
known key: a misspelt key used to be ignored (``schema_dri``, ``incude_comments``,
``ariadne_codegen = {}``) or reported as the key it was meant to be
(``pinned_verison``: "missing pinned_version")."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from shopify_codegen.config import load_config
from shopify_codegen.defaults import ARIADNE_SETTINGS
from shopify_codegen.errors import ConfigError

API_TABLE = """\
pinned_version = "2024-10"
queries = "queries/storefront"
package = "shopify_storefront"
"""


def test_the_known_ariadne_settings_are_ariadne_codegens_own() -> None:
    from ariadne_codegen.settings import ClientSettings

    assert {f.name for f in dataclasses.fields(ClientSettings)} == ARIADNE_SETTINGS


def _pyproject(tmp_path: Path, top: str = "", api: str = API_TABLE, extra: str = "") -> Path:
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "x"\n\n[tool.shopify-codegen]\nschema_dir = "schema"\n'
        f"{top}\n[tool.shopify-codegen.api.storefront]\n{api}\n{extra}"
    )
    return tmp_path


def _codegen_toml(tmp_path: Path, text: str) -> Path:
    (tmp_path / "codegen.toml").write_text(text)
    return tmp_path


PYPROJECT_TYPOS = [
    (
        {"top": 'schema_dri = "x"\n'},
        "pyproject.toml [tool.shopify-codegen]: unknown key `schema_dri` "
        "(did you mean `schema_dir`?)",
    ),
    (
        {"top": "ariadne_codegen = {}\n"},
        "pyproject.toml [tool.shopify-codegen]: unknown key `ariadne_codegen` "
        "(did you mean `ariadne-codegen`?)",
    ),
    (
        {"api": API_TABLE.replace("pinned_version", "pinned_verison")},
        "pyproject.toml [tool.shopify-codegen.api.storefront]: unknown key `pinned_verison` "
        "(did you mean `pinned_version`?)",
    ),
    (
        {"extra": '[tool.shopify-codegen.ariadne-codegen]\nincude_comments = "none"\n'},
        "pyproject.toml [tool.shopify-codegen.ariadne-codegen]: unknown key `incude_comments` "
        "(did you mean `include_comments`?)",
    ),
    (
        {"extra": "[tool.shopify-codegen.api.storefront.ariadne-codegen]\nfoo_bar = 1\n"},
        "pyproject.toml [tool.shopify-codegen.api.storefront.ariadne-codegen]: unknown key "
        "`foo_bar` (not one of ariadne-codegen 0.19's settings)",
    ),
]


@pytest.mark.parametrize(("parts", "message"), PYPROJECT_TYPOS)
def test_pyproject_typos_are_named(tmp_path: Path, parts: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError) as info:
        load_config(_pyproject(tmp_path, **parts))
    assert message in str(info.value)


CODEGEN_TOML_TYPOS = [
    (
        '[projet]\nschema_dir = "schema"\n',
        "codegen.toml (top level): unknown key `projet` (did you mean `project`?)",
    ),
    (
        '[project]\ngenerated_dri = "gen"\n',
        "codegen.toml [project]: unknown key `generated_dri` (did you mean `generated_dir`?)",
    ),
    (
        "[ariadne-codegen]\nconvert_to_snakecase = false\n",
        "codegen.toml [ariadne-codegen]: unknown key `convert_to_snakecase` "
        "(did you mean `convert_to_snake_case`?)",
    ),
    (
        "",
        "codegen.toml [api.storefront]: unknown key `querys` (did you mean `queries`?); "
        "also unknown: `colour`",
    ),
]


@pytest.mark.parametrize(("head", "message"), CODEGEN_TOML_TYPOS)
def test_codegen_toml_typos_are_named(tmp_path: Path, head: str, message: str) -> None:
    api = API_TABLE
    if not head:
        api = api.replace("queries", "querys") + 'colour = "red"\n'
    with pytest.raises(ConfigError) as info:
        load_config(_codegen_toml(tmp_path, f"{head}\n[api.storefront]\n{api}"))
    assert message in str(info.value)


def test_a_table_with_only_known_keys_loads(tmp_path: Path) -> None:
    root = _pyproject(
        tmp_path,
        top='generated_dir = "."\n',
        extra='[tool.shopify-codegen.ariadne-codegen]\ninclude_comments = "timestamp"\n',
    )
    config = load_config(root)
    assert config.ariadne["include_comments"] == "timestamp"
