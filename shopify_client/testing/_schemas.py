"""Where FakeShopify finds the schemas it answers from: the app's own config.

The schema folder is the one the app's shopify-codegen config names (``schema_dir``
in ``[tool.shopify-codegen]`` of its pyproject.toml, or in a codegen.toml), found
from the working folder upwards, as the ``shopify-codegen`` command finds it; or
the folder a test passes as ``schema_dir=``.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from .._exceptions import ShopifyError

if TYPE_CHECKING:
    from shopify_codegen.config import ProjectConfig

__all__ = [
    "MissingSchemaError",
    "UnreadableSchemaError",
    "app_config",
    "find_schema_dir",
    "schema_file",
]


class MissingSchemaError(ShopifyError, LookupError):
    """FakeShopify has no schema for an API version a test asked for.

    ``schema_dir`` is the folder it looked in (None when it found none).
    """

    def __init__(self, api: str, version: str, schema_dir: Path | None) -> None:
        self.api = api
        self.version = version
        self.schema_dir = schema_dir
        if schema_dir is None:
            where = (
                "no schema folder: no shopify-codegen config (pyproject.toml with "
                "[tool.shopify-codegen], or codegen.toml) at or above the working folder; "
                "pass FakeShopify(schema_dir=...)"
            )
        else:
            where = (
                f"no {api}/{version}.json in {schema_dir}; register it with "
                f"`shopify-codegen schema add --api {api} --version {version} --file PATH`"
            )
        super().__init__(f"FakeShopify has no {api} {version} schema: {where}")

    @classmethod
    def no_config(cls, searched: list[Path]) -> MissingSchemaError:
        """No shopify-codegen config at or above any of ``searched``."""
        error = cls("", "", None)
        folders = ", ".join(dict.fromkeys(str(folder) for folder in searched))
        error.args = (
            "FakeShopify has no schemas: no shopify-codegen config (pyproject.toml with "
            f"[tool.shopify-codegen], or codegen.toml) at or above {folders}; run "
            "`shopify-codegen init` in the app, or mark the test "
            "@pytest.mark.fake_shopify(schema_dir=...)",
        )
        return error

    def __str__(self) -> str:
        return str(self.args[0])


class UnreadableSchemaError(MissingSchemaError):
    """The committed schema file of an API version is there but is not an
    introspection result FakeShopify can answer from (HTML, truncated JSON, another
    document). ``path`` is the file, ``reason`` what is wrong with it."""

    def __init__(self, api: str, version: str, path: Path, reason: str) -> None:
        self.path = path
        self.reason = reason
        super().__init__(api, version, path.parent.parent)
        self.args = (
            f"FakeShopify cannot answer from the {api} {version} schema {path}: {reason}; "
            f"download it again (`shopify-codegen schema download`) or register a good "
            f"file (`shopify-codegen schema add --api {api} --version {version} --file PATH`)",
        )


def app_config(start: Path | None = None) -> ProjectConfig | None:
    """The shopify-codegen config at or above ``start`` (None when there is none)."""
    try:
        from shopify_codegen.config import load_config
        from shopify_codegen.errors import ConfigError
    except ImportError:  # pragma: no cover - the tooling ships in the same distribution
        return None
    try:
        return load_config(start)
    except ConfigError:
        return None


def find_schema_dir(start: Path | None = None) -> Path | None:
    """The schema folder of the nearest shopify-codegen config at or above ``start``."""
    config = app_config(start)
    if config is None or not config.schema_dir.is_dir():
        return None
    return config.schema_dir


def schema_file(schema_dir: Path | None, api: str, version: str) -> Path | None:
    """The introspection file of ``api`` ``version`` (None when there is none)."""
    if schema_dir is None or not version.replace("-", "").isalnum() or not api.isalpha():
        return None
    path = schema_dir / api / f"{version}.json"
    return path if path.is_file() else None
