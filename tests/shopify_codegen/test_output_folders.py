"""Symlinked or dangling output folders, stale staging folders, planted journals
(issue 21 item 14).

Before: `generate` with generated/ linked outside, or dangling, or with a stale
.shopify-codegen-tx symlink, died with a raw traceback (exit 1), and the stale link
blocked every later `generate`. A journal planted in the project made even
`validate` delete .git/ or queries/. Recovery now accepts only targets the tools
write and staged files in their own staging folder; everything else is a clear
TransactionError (exit 2) that changes nothing.
"""

from __future__ import annotations

import errno
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from shopify_codegen.config import load_config
from shopify_codegen.errors import ConfigError
from shopify_codegen.transaction import (
    JOURNAL_NAME,
    WORK_DIR,
    Transaction,
    TransactionError,
    recover,
)
from tests.conftest import ROOT, copy_project, run_cli
from tests.shopify_codegen.test_download import tree_digest


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = copy_project(tmp_path / "project", apis=("storefront",))
    (root / ".git").mkdir()
    (root / ".git" / "HEAD").write_text("ref: refs/heads/main\n")
    return root


def digest_outside(folder: Path) -> dict[str, str]:
    return tree_digest(folder) if folder.exists() else {}


@pytest.mark.parametrize("how", ["outside", "dangling"])
def test_generate_into_a_symlinked_generated_folder_is_a_clear_error(
    project: Path, tmp_path: Path, how: str
) -> None:
    outside = tmp_path / "outside"
    if how == "outside":
        shutil.move(project / "generated", outside)
    else:
        shutil.rmtree(project / "generated")
    (project / "generated").symlink_to(outside)
    before = digest_outside(outside)
    for _ in range(2):  # and the next run is not blocked by the first
        code, out, err = run_cli("--root", str(project), "generate")
        assert code == 2, out + err
        assert "generated: is a symlink" in err and "not followed" in err
        assert "Traceback" not in err and str(outside) not in err
    assert digest_outside(outside) == before
    assert not os.path.lexists(project / WORK_DIR)
    assert not os.path.lexists(project / JOURNAL_NAME)


@pytest.mark.parametrize("how", ["to a folder outside", "dangling", "a file"])
def test_a_stale_staging_folder_symlink_is_unlinked_not_followed(
    project: Path, tmp_path: Path, how: str
) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "keep.txt").write_text("not the tool's\n")
    work = project / WORK_DIR
    if how == "to a folder outside":
        work.symlink_to(outside)
    elif how == "dangling":
        work.symlink_to(tmp_path / "nowhere")
    else:
        work.write_text("left by something\n")
    for _ in range(2):
        code, out, err = run_cli("--root", str(project), "generate")
        assert code == 0, out + err
        assert not os.path.lexists(work)
    assert (outside / "keep.txt").read_text() == "not the tool's\n"


def plant(
    project: Path, entry: dict[str, object], *, backup_in_work: bool = True
) -> dict[str, str]:
    """A journal with one entry, and (as a killed run would leave) a staging folder
    holding the backup it names; the project's digest before."""
    work = project / WORK_DIR
    work.mkdir()
    if backup_in_work:
        (work / "backup-0").write_text("planted backup\n")
    (project / JOURNAL_NAME).write_text(json.dumps({"entries": [entry]}))
    return tree_digest(project)


ENTRY = {"staged": f"{WORK_DIR}/staged-0", "backup": f"{WORK_DIR}/backup-0"}


@pytest.mark.parametrize(
    "target",
    [
        ".git",
        ".git/HEAD",
        "queries",
        "queries/storefront",
        "queries/storefront/customer.graphql",
        "schema",
        "schema/storefront",
        "generated",
        ".shopify-codegen",
        "README.md",
        "schema/storefront/notes.json",
        "generated/shopify_storefront/client.py",
    ],
)
@pytest.mark.parametrize("existed", [False, True])
def test_a_planted_journal_naming_what_the_tools_never_write_is_refused(
    project: Path, target: str, existed: bool
) -> None:
    before = plant(project, {**ENTRY, "target": target, "existed": existed})
    code, out, err = run_cli("--root", str(project), "validate")
    assert code == 2, out + err
    assert "not a file or folder shopify-codegen writes" in err and "Traceback" not in err
    assert tree_digest(project) == before, "nothing moved, nothing deleted"
    assert (project / ".git" / "HEAD").exists() and (project / "queries" / "storefront").is_dir()


@pytest.mark.parametrize("field", ["staged", "backup"])
@pytest.mark.parametrize(
    "path", ["queries", ".git", f"{WORK_DIR}/../queries", f"{WORK_DIR}/sub/backup-0", "x"]
)
def test_staged_files_and_backups_must_be_in_the_staging_folder(
    project: Path, field: str, path: str
) -> None:
    entry = {**ENTRY, "target": "generated/shopify_storefront", "existed": False, field: path}
    before = plant(project, entry)
    code, _, err = run_cli("--root", str(project), "validate")
    assert code == 2 and "refusing to recover" in err
    assert tree_digest(project) == before


def test_a_journal_without_its_staging_folder_is_refused(project: Path) -> None:
    entry = {**ENTRY, "target": "generated/shopify_storefront", "existed": False}
    (project / JOURNAL_NAME).write_text(json.dumps({"entries": [entry]}))
    before = tree_digest(project)
    code, _, err = run_cli("--root", str(project), "validate")
    assert code == 2 and "staging folder" in err
    assert tree_digest(project) == before


def test_a_staging_folder_that_is_a_symlink_is_never_recovered_from(
    project: Path, tmp_path: Path
) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "backup-0").mkdir()
    (outside / "backup-0" / "evil.py").write_text("planted\n")
    (project / WORK_DIR).symlink_to(outside)
    entry = {**ENTRY, "target": "generated/shopify_storefront", "existed": True}
    (project / JOURNAL_NAME).write_text(json.dumps({"entries": [entry]}))
    code, _, err = run_cli("--root", str(project), "validate")
    assert code == 2 and "is a symlink" in err
    assert not (project / "generated" / "shopify_storefront" / "evil.py").exists()
    assert (outside / "backup-0" / "evil.py").exists()


def test_a_planted_journal_for_a_real_output_still_rolls_back(project: Path) -> None:
    """What a killed run leaves is still undone: the rule refuses only what is not ours."""
    manifest = project / "schema" / "manifest.json"
    original = manifest.read_bytes()
    work = project / WORK_DIR
    work.mkdir()
    os.replace(manifest, work / "backup-0")
    manifest.write_text("half-written by a killed run\n")
    entry = {**ENTRY, "target": "schema/manifest.json", "existed": True}
    (project / JOURNAL_NAME).write_text(json.dumps({"entries": [entry]}))
    assert recover(project) is True
    assert manifest.read_bytes() == original
    assert not os.path.lexists(work) and not os.path.lexists(project / JOURNAL_NAME)


def test_a_journal_that_is_a_fifo_is_not_read(project: Path) -> None:
    """A FIFO would block the read for ever (a subprocess, so that a hang ends)."""
    os.mkfifo(project / JOURNAL_NAME)
    done = subprocess.run(
        [sys.executable, "-m", "shopify_codegen.cli", "--root", str(project), "validate"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2, done.stderr
    assert "not a regular file" in done.stderr and "Traceback" not in done.stderr


def test_a_journal_that_is_a_symlink_is_not_followed(project: Path, tmp_path: Path) -> None:
    elsewhere = tmp_path / "journal.json"
    elsewhere.write_text(json.dumps({"entries": []}))
    (project / JOURNAL_NAME).symlink_to(elsewhere)
    code, _, err = run_cli("--root", str(project), "validate")
    assert code == 2 and "journal is a symlink" in err
    assert elsewhere.exists()


def test_staging_refuses_what_recovery_would_refuse(project: Path, tmp_path: Path) -> None:
    with Transaction(project) as tx:
        for target in (project / ".git" / "config", project / "queries", tmp_path / "x.json"):
            with pytest.raises(TransactionError):
                tx.write_bytes(target, b"x")
        tx.write_bytes(project / "schema" / "storefront" / "2025-01.json", b"{}\n")
        tx.commit()
    assert (project / "schema" / "storefront" / "2025-01.json").read_bytes() == b"{}\n"


def test_a_rename_that_fails_midway_is_rolled_back_as_a_clear_error(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = tree_digest(project)
    real_replace = os.replace
    calls = []

    def replace(src: str | Path, dst: str | Path) -> None:
        calls.append(dst)
        if len(calls) == 3:
            raise OSError(errno.EXDEV, "Invalid cross-device link")
        real_replace(src, dst)

    code_dir = project / "schema" / "storefront"
    with pytest.raises(TransactionError, match="rolled back"), Transaction(project) as tx:
        tx.write_bytes(code_dir / "2024-10.json", b"{}\n")
        tx.write_bytes(code_dir / "2024-10.graphql", b"type Query { a: Int }\n")
        monkeypatch.setattr(os, "replace", replace)
        tx.commit()
    monkeypatch.undo()
    assert tree_digest(project) == before
    assert not os.path.lexists(project / JOURNAL_NAME)


@pytest.mark.parametrize("config_file", ["codegen.toml", "pyproject.toml"])
def test_a_planted_journal_never_deletes_the_config(project: Path, config_file: str) -> None:
    """The tools rewrite the config file (bump), never create it: a journal saying
    they created it is not believed, whatever else it says."""
    (project / "pyproject.toml").write_text("[project]\nname = 'mine'\n")
    before = plant(
        project, {**ENTRY, "target": config_file, "existed": False}, backup_in_work=False
    )
    assert recover(project) is True
    assert tree_digest(project) == {
        k: v for k, v in before.items() if k != JOURNAL_NAME and not k.startswith(WORK_DIR)
    }


@pytest.mark.parametrize(
    ("generated_dir", "target"), [(".git", ".git/hooks"), (".", "queries"), (".", "schema")]
)
def test_a_config_cannot_make_hidden_or_top_level_folders_outputs(
    project: Path, generated_dir: str, target: str
) -> None:
    """codegen.toml comes with the checkout too: `generated_dir = ".git"` plus a
    planted journal must not reach .git/hooks (nor "." reach queries/)."""
    config = project / "codegen.toml"
    text = config.read_text()
    assert '\ngenerated_dir = "generated"\n' in text
    config.write_text(
        text.replace('\ngenerated_dir = "generated"\n', f'\ngenerated_dir = "{generated_dir}"\n')
    )
    if generated_dir == ".git":
        # The config itself refuses a hidden package folder; recovery, reading no
        # config then, still refuses the hidden target.
        with pytest.raises(ConfigError, match="is hidden"):
            load_config(project)
    else:
        assert load_config(project).generated_dir == project / generated_dir
    (project / ".git" / "hooks").mkdir()
    (project / ".git" / "hooks" / "pre-commit").write_text("#!/bin/sh\n")
    before = plant(project, {**ENTRY, "target": target, "existed": True})
    with pytest.raises(TransactionError, match="not a file or folder shopify-codegen writes"):
        recover(project)
    assert tree_digest(project) == before
