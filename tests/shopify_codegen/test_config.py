"""codegen.toml: reading it, each mistake as a ConfigError naming file and table, and
the in-place edit `bump` makes."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from shopify_codegen.config import find_root, load_config
from shopify_codegen.config_edit import set_pinned_version
from shopify_codegen.defaults import default_ariadne_settings
from shopify_codegen.errors import CodegenError, ConfigError
from tests.conftest import ROOT

MINIMAL = """\
# a comment that must survive
[api.storefront]
pinned_version = "2024-10"
validate_versions = ["2024-01"]
queries = "queries/storefront"
package = "shopify_storefront"
"""


def write(tmp_path: Path, text: str) -> Path:
    (tmp_path / "codegen.toml").write_text(text)
    return tmp_path


def test_the_committed_config_loads() -> None:
    config = load_config(ROOT)
    raw = tomllib.loads((ROOT / "codegen.toml").read_text())
    assert set(config.apis) == set(raw["api"])
    for name, api in config.apis.items():
        assert api.pinned_version == raw["api"][name]["pinned_version"]
        assert api.pinned_version in api.validate_versions
        assert api.queries == ROOT / raw["api"][name]["queries"]
        assert api.queries.is_dir()
    assert config.generated_dir == ROOT / "generated"
    # The committed config has no [ariadne-codegen] table: the built-in defaults.
    assert "ariadne-codegen" not in raw
    assert config.ariadne == default_ariadne_settings()


def test_defaults_and_the_pin_joins_validate_versions(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, MINIMAL))
    api = config.api("storefront")
    assert api.validate_versions == ("2024-01", "2024-10")
    assert api.queries == tmp_path / "queries" / "storefront"
    assert config.schema_dir == tmp_path / "schema"
    assert (
        config.schema_json("storefront", "2024-10") == tmp_path / "schema/storefront/2024-10.json"
    )
    assert config.manifest_path == tmp_path / "schema" / "manifest.json"
    assert api.ariadne == {}
    # Everything Shopify-specific is built in: the minimal config gets it all.
    assert config.ariadne == default_ariadne_settings()
    assert config.ariadne["plugins"] == [
        "shopify_codegen.plugin.ShopifyPlugin",
        "shopify_codegen.strict_inputs.StrictInputsPlugin",
    ]
    assert config.ariadne["scalars"]["DateTime"] == {"type": "datetime.datetime"}


def test_without_validate_versions_only_the_pin_is_validated(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, MINIMAL.replace('validate_versions = ["2024-01"]\n', "")))
    assert config.api("storefront").validate_versions == ("2024-10",)


def test_find_root_walks_up_from_a_subfolder(tmp_path: Path) -> None:
    write(tmp_path, MINIMAL)
    deep = tmp_path / "a" / "b"
    deep.mkdir(parents=True)
    assert find_root(deep) == tmp_path.resolve()
    assert load_config(deep).root == tmp_path.resolve()


def test_no_config_anywhere_up_is_a_config_error(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(
        ConfigError,
        match=rf"no codegen.toml, and no pyproject.toml .* in {empty.resolve()} .*`shopify-codegen",
    ):
        find_root(empty)


def test_an_unconfigured_shopify_api_lists_the_known_ones_and_how_to_add_it(
    tmp_path: Path,
) -> None:
    config = load_config(write(tmp_path, MINIMAL))
    with pytest.raises(ConfigError) as info:
        config.api("customer")
    assert str(info.value) == (
        f"{tmp_path / 'codegen.toml'}: no API or package key 'customer' in [api.*] "
        "(configured: storefront); add customer with `shopify-codegen init --api customer "
        "--version VERSION --package PACKAGE`"
    )


@pytest.mark.parametrize("pick", ["api", "select"])
def test_a_misspelt_api_gets_one_wording_with_a_suggestion_from_every_command(
    tmp_path: Path, pick: str
) -> None:
    """``config.api`` (schema, bump) and ``config.select`` (generate, check) word it alike."""
    config = load_config(write(tmp_path, MINIMAL))
    with pytest.raises(ConfigError) as info:
        config.api("storefrnt") if pick == "api" else config.select(["storefrnt"])
    assert str(info.value).endswith(
        "no API or package key 'storefrnt' in [api.*] (configured: storefront); "
        "did you mean 'storefront'?"
    )
    unknown = r"'xyz' in \[api\.\*\].*Shopify's APIs are storefront, admin"
    with pytest.raises(ConfigError, match=unknown):
        config.api("xyz") if pick == "api" else config.select(["xyz"])


def test_rel_is_project_relative_or_left_as_is(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, MINIMAL))
    assert config.rel(tmp_path / "schema" / "x.json") == "schema/x.json"
    assert config.rel(Path("/elsewhere/x")) == "/elsewhere/x"


BAD = [
    ("not TOML", "[api.storefront\n", "not valid TOML"),
    ("no api table", "[project]\n", "needs at least one [api.NAME] table"),
    ("api not a table", "api = 3\n", "needs at least one [api.NAME] table"),
    (
        "unknown api",
        MINIMAL.replace("api.storefront", "api.checkout"),
        "[api.checkout]: unknown API",
    ),
    (
        "missing keys",
        '[api.storefront]\npinned_version = "2024-10"\n',
        "[api.storefront]: missing package, queries",
    ),
    (
        "bad version",
        MINIMAL.replace('"2024-10"', '"2024-11"'),
        "pinned_version: '2024-11' is not a Shopify API version",
    ),
    (
        "bad validate version",
        MINIMAL.replace('["2024-01"]', '["latest"]'),
        "validate_versions: 'latest' is not a Shopify API version",
    ),
    (
        "package not an identifier",
        MINIMAL.replace('"shopify_storefront"', '"shopify-storefront"'),
        "package 'shopify-storefront' is not a dotted Python package name",
    ),
    # Each of these crashed with a TypeError or AttributeError before.
    ("api entry not a table", "[api]\nstorefront = 3\n", "[api.storefront]: is not a table"),
    ("project not a table", 'project = "x"\n' + MINIMAL, "[project]: is not a table"),
    (
        "validate_versions a string",
        MINIMAL.replace('["2024-01"]', '"2024-01"'),
        "[api.storefront] validate_versions: is not a list of versions",
    ),
    (
        "queries not a string",
        MINIMAL.replace('"queries/storefront"', "3"),
        "[api.storefront] queries: 3 is not a relative path",
    ),
    (
        "queries outside the project",
        MINIMAL.replace('"queries/storefront"', '"../elsewhere"'),
        "[api.storefront] queries: '../elsewhere' is not a relative path inside the project",
    ),
    (
        "schema_dir absolute",
        '[project]\nschema_dir = "/etc"\n' + MINIMAL,
        "codegen.toml schema_dir: '/etc' is not a relative path inside the project",
    ),
    (
        "ariadne settings not a table",
        '"ariadne-codegen" = 3\n' + MINIMAL,
        "[ariadne-codegen]: is not a table",
    ),
]


@pytest.mark.parametrize(("label", "text", "problem"), BAD, ids=[b[0] for b in BAD])
def test_each_mistake_is_a_config_error_naming_the_file_and_place(
    tmp_path: Path, label: str, text: str, problem: str
) -> None:
    write(tmp_path, text)
    with pytest.raises(ConfigError) as info:
        load_config(tmp_path)
    assert isinstance(info.value, CodegenError)
    message = str(info.value)
    assert message.startswith(str(tmp_path.resolve() / "codegen.toml")), message
    assert problem in message, message


def test_unreadable_bytes_are_a_config_error(tmp_path: Path) -> None:
    (tmp_path / "codegen.toml").write_bytes(b"\xff\xfe[api]")
    with pytest.raises(ConfigError, match="cannot read"):
        load_config(tmp_path)


def test_set_pinned_version_edits_in_place(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, MINIMAL + "\n[api.admin]\n" + ADMIN))
    text, changes = set_pinned_version(config, "storefront", "2025-01")
    assert changes == [
        "pinned_version: 2024-10 -> 2025-01",
        "validate_versions: added 2025-01",
        "2024-10: still validated, reported but no longer binding",
    ]
    assert text.startswith("# a comment that must survive\n")
    parsed = tomllib.loads(text)
    assert parsed["api"]["storefront"]["pinned_version"] == "2025-01"
    assert parsed["api"]["storefront"]["validate_versions"] == ["2024-01", "2024-10", "2025-01"]
    assert parsed["api"]["admin"] == tomllib.loads(ADMIN)  # the other table untouched


ADMIN = """\
pinned_version = "2024-01"
queries = "queries/admin"
package = "shopify_admin"
"""


def test_set_pinned_version_adds_validate_versions_when_absent(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, "[api.admin]\n" + ADMIN))
    parsed = tomllib.loads(set_pinned_version(config, "admin", "2024-04")[0])
    assert parsed["api"]["admin"]["validate_versions"] == ["2024-01", "2024-04"]


def test_set_pinned_version_of_an_absent_table(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, "[api.admin]\n" + ADMIN))
    with pytest.raises(ConfigError, match=r"no API or package key 'storefront' in \[api\.\*\]"):
        set_pinned_version(config, "storefront", "2024-04")
