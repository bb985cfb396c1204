"""The CI workflows offered to users stay wired to the commands they document."""

from __future__ import annotations

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
