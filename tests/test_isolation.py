"""The tests of the tool and the runtime do not read this repository's own project.

They use the fixture project (tests/fixtures/project, via tests.conftest's copy_project,
fixture_project and fixture_config) and the conformance corpus, so a user's change to
queries/, generated/ or codegen.toml cannot fail them. Only the tests of the
repository's own operations (tests/project, tests/generated, tests/recorded) read
``PROJECT``. This scan keeps it that way; the exceptions are named with their reason.
It looks for the explicit spellings: a command run from the checkout without
``--root`` (test_check's test of the committed tree) is beyond it.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.conftest import ROOT

#: Reading the repository's project: its queries/, generated/ or codegen.toml.
READS_THE_PROJECT = re.compile(
    r'ROOT / "(queries|generated)"|load_config\(ROOT\)|"--root", str\(ROOT\)|\bPROJECT\b(?!_)'
)

#: Tests that check this repository's own tree on purpose, in files other tasks own.
KNOWN = {
    # The repository's codegen.toml is read as written.
    "tests/shopify_codegen/test_config.py",
    # Sends the text of queries/admin/products.graphql (a seed operation).
    "tests/shopify_client/test_per_call.py",
}

TOOL_AND_RUNTIME_TESTS = sorted(
    p
    for folder in ("shopify_codegen", "shopify_client", "conformance")
    for p in (ROOT / "tests" / folder).glob("*.py")
    if p.relative_to(ROOT).as_posix() not in KNOWN
)


def test_the_scan_finds_a_read_of_the_project() -> None:
    for line in (
        'text = (ROOT / "queries" / "admin" / "x.graphql").read_text()',
        "config = load_config(ROOT)",
        'run_cli("--root", str(ROOT), "check")',
        "from tests.conftest import PROJECT",
    ):
        assert READS_THE_PROJECT.search(line), line
    for line in (
        "config = fixture_config()",
        "FIXTURE_PROJECT / 'queries'",
        'ROOT / "schema"',
        "subprocess.run([..., '--root', str(project), 'check'], cwd=ROOT)",
    ):
        assert not READS_THE_PROJECT.search(line), line


@pytest.mark.parametrize(
    "path", TOOL_AND_RUNTIME_TESTS, ids=lambda p: p.relative_to(ROOT).as_posix()
)
def test_a_tool_or_runtime_test_does_not_read_the_repository_project(path: Path) -> None:
    name = path.relative_to(ROOT).as_posix()
    found = [
        f"{name}:{number}: {line.strip()}"
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if READS_THE_PROJECT.search(line)
    ]
    assert found == [], "use tests.conftest's fixture project instead"
