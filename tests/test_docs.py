"""docs/ and the README's quick start are true as written.

- Every ```toml block of docs/*.md and the README parses; each one that is a whole
  config file (its first line names ``pyproject.toml`` or ``codegen.toml``) loads with
  ``load_config`` in a fresh folder, each ``[api.KEY]`` table as written.
- Every ```python block of docs/*.md runs against this repository's packages and
  FakeShopify, as tests/test_readme.py runs the README's.
- The README's quick start runs, block by block, in a fresh folder outside this
  repository, with one of its schema files as the only thing taken from it: the
  ``shopify-codegen`` lines in process, the files its blocks name written where they
  say, the app's own test under pytest in a child process, then ``check``.
- The required-versions example of docs/own-project.md prints what it shows.
- Relative links of the README and docs/ lead to files and headings that exist.
"""

from __future__ import annotations

import json
import re
import shlex
import shutil
import subprocess
import sys
import tomllib
import warnings
from pathlib import Path
from typing import Any

import pytest
import yaml

from shopify_client.testing import ADMIN_TOKEN, STOREFRONT_TOKEN, FakeShopify
from shopify_codegen.config import load_config
from shopify_codegen.init import GITIGNORE_LINES
from tests.conftest import ROOT, run_cli
from tests.doc_blocks import DOCS, Block, blocks, routed_fake, section

README = ROOT / "README.md"
TOML = [b for path in [README, *DOCS] for b in blocks(path, "toml")]
WHOLE_CONFIGS = [b for b in TOML if b.named_file in ("pyproject.toml", "codegen.toml")]
PYTHON = [b for path in DOCS for b in blocks(path, "python")]
YAML = [b for path in [README, *DOCS] for b in blocks(path, "yaml")]


def test_the_docs_have_what_these_tests_check() -> None:
    assert (ROOT / "docs" / "own-project.md") in DOCS
    assert {b.named_file for b in WHOLE_CONFIGS} == {"pyproject.toml", "codegen.toml"}
    assert PYTHON and YAML


@pytest.mark.parametrize("block", TOML, ids=lambda b: b.where)
def test_every_toml_block_parses(block: Block) -> None:
    tomllib.loads(block.text)


@pytest.mark.parametrize("block", WHOLE_CONFIGS, ids=lambda b: b.where)
def test_every_whole_config_loads_as_written(block: Block, tmp_path: Path) -> None:
    assert block.named_file is not None
    (tmp_path / block.named_file).write_text(block.text)
    config = load_config(tmp_path)
    raw: dict[str, Any] = tomllib.loads(block.text)
    table = raw["tool"]["shopify-codegen"] if block.named_file == "pyproject.toml" else raw
    folders = table if block.named_file == "pyproject.toml" else table.get("project", {})
    assert config.path == tmp_path.resolve() / block.named_file
    assert config.schema_dir == tmp_path.resolve() / folders.get("schema_dir", "schema")
    assert list(config.apis) == list(table["api"])
    for key, written in table["api"].items():
        api = config.api(key)
        assert api.name == written.get("api", key)
        assert api.pinned_version == written["pinned_version"]
        assert api.package == written["package"]
        assert api.queries == tmp_path.resolve() / written["queries"]
        assert set(written.get("validate_versions", [])) <= set(api.validate_versions)
        assert api.required_versions == tuple(sorted(written.get("required_versions", [])))
        for name, value in written.get("ariadne-codegen", {}).items():
            assert config.ariadne.get(name) != value  # an override, not the default
            assert api.ariadne[name] == value


@pytest.mark.parametrize("block", PYTHON, ids=lambda b: b.where)
def test_every_python_block_of_the_docs_runs(
    block: Block, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(ROOT)  # FakeShopify finds schema/ through codegen.toml
    namespace: dict[str, Any] = {"__name__": f"docs_example_{block.line}"}
    with routed_fake(monkeypatch), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        exec(compile(block.text, block.where, "exec"), namespace)
    out = capsys.readouterr().out
    assert out.strip(), "every example prints what it got"
    assert "Traceback" not in out
    for secret in (STOREFRONT_TOKEN, ADMIN_TOKEN, "7dx2gx2Z"):
        assert secret not in out


@pytest.mark.parametrize("block", YAML, ids=lambda b: b.where)
def test_every_workflow_block_is_a_workflow_running_check(block: Block) -> None:
    workflow = yaml.safe_load(block.text)
    runs = [step.get("run", "") for job in workflow["jobs"].values() for step in job["steps"]]
    assert "shopify-codegen check" in runs


QUICK_START = section(README, "## Quick start in your own app")
SCHEMA_FILE = ROOT / "schema" / "admin" / "2026-04.json"


def _app(tmp_path: Path) -> Path:
    """A user's app as it stands before the quick start: its own pyproject and package."""
    app = tmp_path / "myapp-project"
    (app / "myapp").mkdir(parents=True)
    (app / "pyproject.toml").write_text(
        '[project]\nname = "myapp"\nversion = "1.0.0"\nrequires-python = ">=3.11"\n'
        'dependencies = ["shopify-graphql-typed"]\n'
    )
    (app / "myapp" / "__init__.py").write_text('"""The app."""\n')
    return app


def _run_line(line: str, app: Path) -> str:
    """One command line of the quick start, run in ``app``; its output."""
    argv = shlex.split(line)
    if argv[0] == "shopify-codegen":
        code, out, err = run_cli(*argv[1:])
        assert code == 0, f"{line}\n{out}{err}"
        return out
    if argv[:3] == ["python", "-m", "pytest"]:
        done = subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *argv[3:]],
            cwd=app,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert done.returncode == 0, done.stdout + done.stderr
        return done.stdout
    raise AssertionError(f"the quick start runs a command this test does not know: {line}")


@pytest.mark.slow
def test_the_readme_quick_start_runs_as_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = _app(tmp_path)
    monkeypatch.chdir(app)
    outputs: list[str] = []
    written: list[str] = []
    for block in blocks(README, text=QUICK_START):
        if block.lang == "sh":
            for line in block.text.splitlines():
                if line.startswith("pip install "):
                    # The editable install of this checkout stands in for it.
                    assert "shopify-graphql-typed[codegen]" in line
                    continue
                if " --file " in line:
                    # The one file taken from this repository: a schema.
                    shutil.copy(SCHEMA_FILE, app / shlex.split(line)[-1])
                outputs.append(_run_line(line, app))
        else:
            assert block.named_file, f"{block.where}: a quick-start block names its file"
            target = app / block.named_file
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(block.text)
            written.append(block.named_file)

    assert written == [
        "shopify/queries/admin/product_title.graphql",
        "tests/test_product_title.py",
    ]
    assert any("1 passed" in out for out in outputs)
    assert "check: OK" in outputs[-1]
    config = load_config(app)
    assert config.path == app.resolve() / "pyproject.toml"
    api = config.api("admin")
    assert (api.pinned_version, api.package) == ("2026-04", "myapp.shopify_admin")
    assert (config.package_dir(api) / "product_title.py").is_file()
    assert (app / "myapp" / "__init__.py").read_text() == '"""The app."""\n'
    assert set(GITIGNORE_LINES) <= set((app / ".gitignore").read_text().splitlines())
    manifest = json.loads((app / "shopify" / "schema" / "manifest.json").read_text())
    assert {e["path"] for e in manifest["files"]} == {"admin/2026-04.json", "admin/2026-04.graphql"}


def test_the_required_versions_example_prints_what_the_docs_show(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    part = section(ROOT / "docs" / "own-project.md", "## Required and reported versions")
    (config,) = blocks(ROOT / "docs" / "own-project.md", "toml", text=part)
    (operation,) = blocks(ROOT / "docs" / "own-project.md", "graphql", text=part)
    (shown,) = blocks(ROOT / "docs" / "own-project.md", "text", text=part)
    (tmp_path / "codegen.toml").write_text(config.text)
    for version in ("2024-10", "2026-04"):
        (tmp_path / "schema" / "storefront").mkdir(parents=True, exist_ok=True)
        shutil.copy(
            ROOT / "schema" / "storefront" / f"{version}.json",
            tmp_path / "schema" / "storefront" / f"{version}.json",
        )
    queries = tmp_path / "queries" / "storefront"
    queries.mkdir(parents=True)
    (queries / "shop_terms.graphql").write_text(operation.text)
    monkeypatch.chdir(tmp_path)
    code, out, err = run_cli("validate")
    assert code == 0, out + err
    assert shown.text.strip() in out.splitlines()
    # Required, the same finding fails the build.
    (tmp_path / "codegen.toml").write_text(
        config.text.replace('validate_versions = ["2024-10", "2026-04"]',
                            'validate_versions = ["2024-10", "2026-04"]\n'
                            'required_versions = ["2024-10"]')
    )  # fmt: skip
    code, out, _ = run_cli("validate")
    assert code == 1
    assert "error [storefront 2024-10] Cannot query field 'termsOfSale'" in out


def _slug(heading: str) -> str:
    """GitHub's anchor for a heading."""
    text = heading.strip().lower().replace("`", "")
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def _anchors(path: Path) -> set[str]:
    text = re.sub(r"^```.*?^```", "", path.read_text(), flags=re.DOTALL | re.MULTILINE)
    return {_slug(h) for h in re.findall(r"^#+ (.+)$", text, flags=re.MULTILINE)}


LINKED = [README, *DOCS, ROOT / "bench" / "README.md"]


@pytest.mark.parametrize("path", LINKED, ids=lambda p: str(p.relative_to(ROOT)))
def test_relative_links_lead_somewhere(path: Path) -> None:
    text = re.sub(r"^```.*?^```", "", path.read_text(), flags=re.DOTALL | re.MULTILINE)
    for target in re.findall(r"\]\(([^)\s]+)\)", text):
        if re.match(r"[a-z]+:", target):
            continue  # an absolute URL
        file_part, _, anchor = target.partition("#")
        linked = (path.parent / file_part).resolve() if file_part else path
        assert linked.exists(), f"{path.name}: {target}"
        if anchor:
            assert anchor in _anchors(linked), f"{path.name}: {target}"


def test_the_bucket_the_docs_name_is_the_fixtures() -> None:
    text = " ".join((ROOT / "docs" / "own-project.md").read_text().split())
    bucket = FakeShopify().bucket
    figures = f"{bucket.maximum:,.0f} points, restoring {bucket.restore_rate:.0f} a second"
    assert f"Standard plan ({figures})" in text
