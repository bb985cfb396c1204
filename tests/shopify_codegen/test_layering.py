"""The tooling uses the runtime only through its public names."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

from tests.conftest import ROOT

TOOLING = sorted((ROOT / "shopify_codegen").rglob("*.py"))


def runtime_imports(source: str) -> list[tuple[str, str]]:
    """(module, name) for each name imported from shopify_client or its submodules."""
    found: list[tuple[str, str]] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module.split(".")[0] == "shopify_client":
                found += [(node.module, alias.name) for alias in node.names]
        elif isinstance(node, ast.Import):
            found += [
                (alias.name, "")
                for alias in node.names
                if alias.name.split(".")[0] == "shopify_client"
            ]
    return found


def test_the_scan_sees_private_imports() -> None:
    source = "from shopify_client._redact import scrub\nimport shopify_client._endpoint\n"
    assert runtime_imports(source) == [
        ("shopify_client._redact", "scrub"),
        ("shopify_client._endpoint", ""),
    ]


@pytest.mark.parametrize("path", TOOLING, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_tooling_imports_only_public_runtime_names(path: Path) -> None:
    for module, name in runtime_imports(path.read_text()):
        assert not any(part.startswith("_") for part in module.split(".")), (
            f"{module} is the runtime's private module"
        )
        if name:  # `from module import name`; a plain `import module` uses its attributes
            public = importlib.import_module(module).__all__
            assert name in public, f"{module}.{name} is not in its __all__"
