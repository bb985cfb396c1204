"""The CI workflows offered to users stay wired to the commands they document."""

from __future__ import annotations

import tomllib
from typing import Any

import yaml

from tests.conftest import ROOT

WORKFLOWS = ROOT / ".github" / "workflows"


def load(name: str) -> dict[Any, Any]:
    data = yaml.safe_load((WORKFLOWS / name).read_text())
    assert isinstance(data, dict)
    return data


def steps(workflow: dict[Any, Any]) -> list[dict[str, Any]]:
    (job,) = workflow["jobs"].values()
    result: list[dict[str, Any]] = job["steps"]
    return result


def test_pull_request_job_runs_make_test() -> None:
    workflow = load("ci.yml")
    assert "pull_request" in workflow[True]  # YAML reads the key `on` as True
    assert any(step.get("run") == "make test" for step in steps(workflow))


def test_ci_runs_every_supported_python_with_a_pip_cache() -> None:
    """The matrix covers requires-python's range (3.11 up to the newest release), and the
    job's interpreter is the matrix's."""
    workflow = load("ci.yml")
    (job,) = workflow["jobs"].values()
    versions = job["strategy"]["matrix"]["python-version"]
    assert versions == ["3.11", "3.12", "3.13"]
    assert all(isinstance(v, str) for v in versions), "unquoted 3.10-style numbers lose digits"
    minimum = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["requires-python"]
    assert minimum == f">={versions[0]}"
    (setup,) = [
        s for s in steps(workflow) if str(s.get("uses", "")).startswith("actions/setup-python")
    ]
    assert setup["with"]["python-version"] == "${{ matrix.python-version }}"
    assert setup["with"]["cache"] == "pip"
    assert (ROOT / setup["with"]["cache-dependency-path"]).is_file()


def test_scheduled_drift_job_runs_check_remote_with_secrets() -> None:
    workflow = load("schema-drift.yml")
    assert workflow[True]["schedule"][0]["cron"]
    (step,) = [s for s in steps(workflow) if "check --remote" in str(s.get("run", ""))]
    assert set(step["env"]) == {"SHOPIFY_SHOP", "SHOPIFY_ADMIN_TOKEN", "SHOPIFY_STOREFRONT_TOKEN"}
    assert all(value.startswith("${{ secrets.") for value in step["env"].values())
    assert "pipefail" in step["run"]
    # The verdicts land where people look: the job summary, as Markdown.
    assert '--summary "$GITHUB_STEP_SUMMARY"' in step["run"]


def test_ci_entry_point_runs_the_readme_test_command() -> None:
    assert "make test" in (ROOT / ".ci" / "run").read_text()
    assert "make test" in (ROOT / "README.md").read_text().split("\n\n")[1]


def test_ci_runs_on_windows_and_macos_too() -> None:
    """A user's app runs on all three: the matrix does, through the same `make test`
    (bash on Windows, with GNU make, and LF checkouts for the byte-exact drift check)."""
    workflow = load("ci.yml")
    (job,) = workflow["jobs"].values()
    assert job["strategy"]["matrix"]["os"] == ["ubuntu-latest", "macos-latest", "windows-latest"]
    assert job["runs-on"] == "${{ matrix.os }}"
    assert job["strategy"]["fail-fast"] is False
    assert job["defaults"]["run"]["shell"] == "bash"
    (make,) = [s for s in steps(workflow) if "choco install make" in str(s.get("run", ""))]
    assert make["if"] == "runner.os == 'Windows'"
    attributes = (ROOT / ".gitattributes").read_text().splitlines()
    assert "* text=auto eol=lf" in attributes
    makefile = (ROOT / "Makefile").read_text()
    assert "ifeq ($(OS),Windows_NT)" in makefile
    assert "BIN := $(VENV)/Scripts" in makefile
