"""`shopify-codegen init` and `schema add`: a user's own app, offline, from nothing."""

from __future__ import annotations

import json
import os
import shutil
import tomllib
from pathlib import Path

import pytest

from shopify_codegen.config import load_config
from shopify_codegen.init import GITIGNORE_LINES
from tests.conftest import FIXTURES, ROOT, run_cli

USER_APP = FIXTURES / "user_app"
STOREFRONT_2024_10 = ROOT / "schema" / "storefront" / "2024-10.json"
STOREFRONT_2024_10_SDL = ROOT / "schema" / "storefront" / "2024-10.graphql"


def _app(tmp_path: Path) -> Path:
    app = tmp_path / "myapp-project"
    app.mkdir()
    shutil.copy(USER_APP / "pyproject.toml", app / "pyproject.toml")
    (app / "myapp").mkdir()
    (app / "myapp" / "__init__.py").write_text('"""The user\'s own app."""\n')
    return app


def _init(app: Path, *extra: str) -> tuple[int, str, str]:
    return run_cli(
        "--root",
        str(app),
        "init",
        "--api",
        "storefront",
        "--version",
        "2024-10",
        "--package",
        "myapp.shopify_storefront",
        *extra,
    )


def test_init_writes_a_tool_table_into_the_apps_own_pyproject(tmp_path: Path) -> None:
    app = _app(tmp_path)
    before = (app / "pyproject.toml").read_text()
    code, out, err = _init(app)
    assert code == 0, err
    after = (app / "pyproject.toml").read_text()
    assert after.startswith(before.rstrip("\n"))  # the app's own text is kept as it was
    parsed = tomllib.loads(after)
    assert parsed["project"]["name"] == "myapp" and parsed["tool"]["ruff"] == {"line-length": 100}
    table = parsed["tool"]["shopify-codegen"]
    assert table["api"]["storefront"] == {
        "pinned_version": "2024-10",
        "validate_versions": ["2024-10"],
        "queries": "shopify/queries/storefront",
        "package": "myapp.shopify_storefront",
    }
    assert not (app / "codegen.toml").exists()
    example = app / "shopify" / "queries" / "storefront" / "shop_info.graphql"
    assert "query ShopInfo" in example.read_text()
    ignored = (app / ".gitignore").read_text().splitlines()
    assert all(line in ignored for line in GITIGNORE_LINES)
    assert "init: wrote pyproject.toml" in out and "schema add --api storefront" in out
    config = load_config(app)
    api = config.api("storefront")
    assert config.package_dir(api) == app.resolve() / "myapp" / "shopify_storefront"
    assert config.schema_dir == app.resolve() / "shopify" / "schema"


def test_init_without_a_pyproject_writes_codegen_toml(tmp_path: Path) -> None:
    code, _, err = run_cli(
        "--root", str(tmp_path), "init", "--api", "admin", "--version", "2026-04",
        "--package", "shop_admin",
    )  # fmt: skip
    assert code == 0, err
    config = load_config(tmp_path)
    assert config.path == tmp_path.resolve() / "codegen.toml"
    assert config.api("admin").pinned_version == "2026-04"


def test_init_finds_a_src_layout(tmp_path: Path) -> None:
    app = _app(tmp_path)
    shutil.move(app / "myapp", app / "src")
    (app / "src" / "myapp").mkdir()
    code, _, err = _init(app)
    assert code == 0, err
    config = load_config(app)
    assert config.package_dir(config.api("storefront")) == (
        app.resolve() / "src" / "myapp" / "shopify_storefront"
    )


def test_a_second_init_adds_a_package_and_refuses_a_taken_key(tmp_path: Path) -> None:
    app = _app(tmp_path)
    assert _init(app)[0] == 0
    code, _, err = _init(app)
    assert code == 2 and "already has [tool.shopify-codegen.api.storefront]" in err
    code, _, err = run_cli(
        "--root", str(app), "init", "--api", "storefront", "--version", "2026-04",
        "--package", "myapp.storefront_next", "--key", "storefront_next",
    )  # fmt: skip
    assert code == 0, err
    config = load_config(app)
    assert [a.key for a in config.apis.values()] == ["storefront", "storefront_next"]
    assert config.api("storefront_next").name == "storefront"
    assert config.api("storefront").key == "storefront"  # a key is picked exactly


def test_an_api_with_several_packages_and_no_such_key_is_ambiguous(tmp_path: Path) -> None:
    app = _app(tmp_path)
    for key, version in (("old", "2024-10"), ("new", "2026-04")):
        code, _, err = run_cli(
            "--root", str(app), "init", "--api", "admin", "--version", version,
            "--package", f"myapp.admin_{key}", "--key", key,
        )  # fmt: skip
        assert code == 0, err
    code, _, err = run_cli("--root", str(app), "bump", "--api", "admin", "--version",
                           "2026-04", "--schema-file", str(STOREFRONT_2024_10))  # fmt: skip
    assert code == 2
    assert "2 packages of the admin API (old, new): name one by its key (--api KEY)" in err


@pytest.mark.parametrize(
    ("package", "problem"),
    [
        ("os", "would shadow the 'os' module"),
        ("shopify_client", "would shadow the 'shopify_client' module"),
        ("my-app.shopify", "is not a dotted Python package name"),
        ("myapp..shopify", "is not a dotted Python package name"),
        ("myapp.class", "is not a dotted Python package name"),
    ],
)
def test_init_refuses_a_package_it_must_not_write(
    tmp_path: Path, package: str, problem: str
) -> None:
    app = _app(tmp_path)
    before = (app / "pyproject.toml").read_bytes()
    code, _, err = run_cli(
        "--root", str(app), "init", "--api", "admin", "--version", "2026-04", "--package", package
    )
    assert code == 2 and problem in err
    assert (app / "pyproject.toml").read_bytes() == before
    assert not (app / "shopify").exists()


def test_schema_add_then_generate_and_check_offline(tmp_path: Path) -> None:
    app = _app(tmp_path)
    assert _init(app)[0] == 0
    # Before the schema is there, every command's advice leads to `schema add`.
    code, _, err = run_cli("--root", str(app), "validate")
    assert code == 2
    assert "shopify-codegen schema add --api storefront --version 2024-10 --file PATH" in err
    code, out, err = run_cli(
        "--root", str(app), "schema", "add", "--api", "storefront", "--version", "2024-10",
        "--file", str(STOREFRONT_2024_10), "--json",
    )  # fmt: skip
    assert code == 0, err
    assert json.loads(out)["files"] == [
        "shopify/schema/storefront/2024-10.json",
        "shopify/schema/storefront/2024-10.graphql",
        "shopify/schema/manifest.json",
    ]
    manifest = json.loads((app / "shopify" / "schema" / "manifest.json").read_text())
    origins = {e["kind"]: e["origin"] for e in manifest["files"]}
    assert origins["introspection"] == "file 2024-10.json given to schema add"
    shutil.copy(USER_APP / "shop_name.graphql", app / "shopify" / "queries" / "storefront")
    code, out, err = run_cli("--root", str(app), "generate")
    assert code == 0, out + err
    package = app / "myapp" / "shopify_storefront"
    assert {"client.py", "async_client.py", "py.typed", "shop_name.py"} <= {
        p.name for p in package.iterdir()
    }
    assert (app / "myapp" / "__init__.py").read_text() == '"""The user\'s own app."""\n'
    init_text = (package / "__init__.py").read_text()
    assert 'API_VERSION = "2024-10"' in init_text
    code, out, err = run_cli("--root", str(app), "check")
    assert code == 0, out + err
    assert "check: OK" in out


def test_schema_add_takes_sdl_and_records_its_origin(tmp_path: Path) -> None:
    app = _app(tmp_path)
    assert _init(app)[0] == 0
    code, _, err = run_cli(
        "--root", str(app), "schema", "add", "--api", "storefront", "--version", "2024-10",
        "--file", str(STOREFRONT_2024_10_SDL), "--origin", "copied from the shop's admin",
    )  # fmt: skip
    assert code == 0, err
    schema = app / "shopify" / "schema" / "storefront"
    # The SDL written is the one printed from the JSON made from the SDL given.
    assert (schema / "2024-10.graphql").read_text() == STOREFRONT_2024_10_SDL.read_text()
    assert "__schema" in json.loads((schema / "2024-10.json").read_text())
    manifest = json.loads((app / "shopify" / "schema" / "manifest.json").read_text())
    assert {e["origin"] for e in manifest["files"] if e["kind"] == "introspection"} == {
        "copied from the shop's admin"
    }
    assert run_cli("--root", str(app), "generate")[0] == 0
    code, out, err = run_cli("--root", str(app), "check")
    assert code == 0, out + err


def test_schema_add_refuses_what_is_not_a_schema_and_writes_nothing(tmp_path: Path) -> None:
    app = _app(tmp_path)
    assert _init(app)[0] == 0
    bogus = tmp_path / "page.json"
    bogus.write_text("<html>Sign in</html>")
    code, _, err = run_cli(
        "--root", str(app), "schema", "add", "--api", "storefront", "--version", "2024-10",
        "--file", str(bogus),
    )  # fmt: skip
    assert code == 2 and "page.json" in err
    assert not (app / "shopify" / "schema").exists()


def test_a_package_folder_may_not_hold_what_the_project_keeps(tmp_path: Path) -> None:
    app = _app(tmp_path)
    code, _, err = run_cli(
        "--root", str(app), "init", "--api", "storefront", "--version", "2024-10",
        "--package", "shopify", "--queries", "shopify/queries",
    )  # fmt: skip
    assert code == 0, err  # init writes it; every later command refuses it
    code, _, err = run_cli("--root", str(app), "validate")
    assert code == 2
    assert "the package folder shopify would hold its queries folder (shopify/queries)" in err


def test_recovery_accepts_the_configured_dotted_package_and_nothing_beside_it(
    tmp_path: Path,
) -> None:
    from shopify_codegen.transaction import _output_dirs, output_target

    app = _app(tmp_path)
    assert _init(app)[0] == 0
    dirs = _output_dirs(app)
    assert output_target("myapp/shopify_storefront", dirs)
    assert output_target("shopify/schema/storefront/2024-10.json", dirs)
    for other in ("myapp", "shopify", "shopify/queries/storefront", "myapp/other", ".git"):
        assert not output_target(other, dirs), other


@pytest.mark.parametrize("kind", ["fifo", "device"])
def test_schema_add_of_a_fifo_or_a_device_is_refused_without_reading(
    tmp_path: Path, kind: str
) -> None:
    app = _app(tmp_path)
    assert _init(app)[0] == 0
    if kind == "fifo":
        source = tmp_path / "schema.json"
        os.mkfifo(source)  # a read would block for ever
    else:
        source = Path("/dev/zero")  # a read would never end
    code, _, err = run_cli(
        "--root", str(app), "schema", "add", "--api", "storefront", "--version", "2024-10",
        "--file", str(source),
    )  # fmt: skip
    assert code == 2 and "is not a regular file (a FIFO or a device?)" in err
    assert not (app / "shopify" / "schema").exists()


def test_an_input_file_past_the_cap_is_refused(tmp_path: Path) -> None:
    from shopify_codegen.errors import SchemaFileError, read_input_file

    big = tmp_path / "big.json"
    big.write_bytes(b" " * 2048)
    with pytest.raises(SchemaFileError, match="is larger than 0 MB"):
        read_input_file(big, big, SchemaFileError, "a schema file", max_bytes=1024)


def test_the_config_comment_points_to_where_the_keys_are(tmp_path: Path) -> None:
    # Before: "see its README for every key"; the keys are in docs/own-project.md.
    from shopify_codegen.init import KEYS_DOC

    app = _app(tmp_path)
    assert _init(app)[0] == 0
    text = (app / "pyproject.toml").read_text()
    assert "README" not in text
    assert f'Every key is described under "Every key" in\n# {KEYS_DOC} of the' in text
    doc = (ROOT / KEYS_DOC).read_text()
    assert "\n## Every key\n" in doc  # the pointer leads somewhere real
    for key in ("schema_dir", "generated_dir", "pinned_version", "required_for", "package"):
        assert f"| `{key}` |" in doc
    (tmp_path / "bare").mkdir()
    assert _init(tmp_path / "bare")[0] == 0
    assert f"# {KEYS_DOC} of the" in (tmp_path / "bare" / "codegen.toml").read_text()
