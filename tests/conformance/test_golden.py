"""The corpus generates, with the project's pipeline, exactly the committed golden packages."""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest

from shopify_codegen.operations import read_operation_folder
from shopify_codegen.store import committed_schema
from shopify_codegen.validate import unused_fragment_findings, validate_set
from tests.conformance.corpus import EXPECTED, OPERATIONS, VERSIONS, generate_corpus
from tests.conftest import fixture_config


def files(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and "__pycache__" not in p.parts
    }


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    target = tmp_path_factory.mktemp("corpus")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        packages = generate_corpus(target)
    deprecations = [w for w in caught if issubclass(w.category, DeprecationWarning)]
    assert deprecations == [], [str(w.message) for w in deprecations[:3]]
    return {p.name: p for p in packages}


@pytest.mark.parametrize("api", sorted(VERSIONS))
def test_corpus_regenerates_byte_for_byte(generated: dict[str, Path], api: str) -> None:
    fresh = files(generated[f"corpus_{api}"])
    golden = files(EXPECTED / f"corpus_{api}")
    assert sorted(fresh) == sorted(golden), "run `make corpus` after a deliberate change"
    changed = [name for name in fresh if fresh[name] != golden[name]]
    assert changed == [], f"{changed}: run `make corpus` after a deliberate change"


@pytest.mark.parametrize("api", sorted(VERSIONS))
def test_corpus_is_valid_for_its_version_and_uses_every_fragment(api: str) -> None:
    config = fixture_config()
    operations = read_operation_folder(OPERATIONS / api)
    label = f"{api} {VERSIONS[api]}"
    findings = validate_set(operations, committed_schema(config, api, VERSIONS[api]), label)
    assert [str(f) for f in findings if f.severity == "error"] == []
    assert unused_fragment_findings(operations, api) == []


def test_the_corpus_is_big_enough_and_has_fragment_files() -> None:
    counts = {}
    fragment_files = 0
    for api in VERSIONS:
        operations = read_operation_folder(OPERATIONS / api)
        counts[api] = sum(len(f.operations) for f in operations)
        fragment_files += sum(1 for f in operations if f.fragments and not f.operations)
    assert sum(counts.values()) >= 30, counts
    assert all(count >= 10 for count in counts.values()), counts
    assert fragment_files >= 2
