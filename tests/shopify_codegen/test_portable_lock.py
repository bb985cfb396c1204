"""The project lock without fcntl (issue 20 item 8): Windows has no fcntl, and
transaction.py imported it, so `generate` could not even start there.

Each test runs shopify-codegen in a fresh interpreter where ``import fcntl`` fails
(``sys.modules["fcntl"] = None``), as on Windows. filelock then locks with its
marker file (on Windows it uses msvcrt; on macOS and Linux flock, which the rest of
the suite exercises), and the lock must still keep two runs apart, leave a live
run alone and survive a holder killed with SIGKILL.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from shopify_codegen.transaction import JOURNAL_NAME, WORK_DIR
from tests.conftest import ROOT, copy_project, run_cli
from tests.shopify_codegen.test_download import tree_digest

WITHOUT_FCNTL = """
import sys
sys.modules["fcntl"] = None  # `import fcntl` raises ImportError, as on Windows
"""

# Two generates that must take turns: each notes when it wants the lock, holds it
# and lets it go; the first holder waits (bounded) until the other wants it too.
TAKE_TURNS = """
import time
from pathlib import Path
import shopify_codegen.transaction as tx

root, log, me = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3]

def note(what):
    with open(log, "a") as f:
        f.write(f"{what} {me}\\n")

def waited_for(what, count):
    ends = time.monotonic() + 60
    while log.read_text().split().count(what) < count and time.monotonic() < ends:
        time.sleep(0.01)

real_init, real_release = tx.Transaction.__init__, tx.Transaction._release

def init(self, root):
    note("want")
    real_init(self, root)
    note("in")
    waited_for("want", 2)
    time.sleep(0.3)  # the other run is in its acquire by now

def release(self):
    if self._lock is not None:
        note("out")
    real_release(self)

tx.Transaction.__init__ = init
tx.Transaction._release = release
from shopify_codegen.cli import main
sys.exit(main(["--root", str(root), "generate"]))
"""

HOLD_THEN_WAIT_TO_BE_KILLED = """
import time
from pathlib import Path
from shopify_codegen.transaction import Transaction

tx = Transaction(Path(sys.argv[1]))
tx.write_bytes(Path(sys.argv[1]) / "schema" / "manifest.json", b"never committed\\n")
print("held", flush=True)
time.sleep(120)
"""

GENERATE_WITH_A_BOUNDED_WAIT = """
import shopify_codegen.transaction as tx
tx.LOCK_TIMEOUT = 60.0  # a lock left for good would fail here, not hang
from shopify_codegen.cli import main
sys.exit(main(["--root", sys.argv[1], "generate"]))
"""


def without_fcntl(script: str, *args: str) -> list[str]:
    return [sys.executable, "-c", WITHOUT_FCNTL + textwrap.dedent(script), *args]


def run_without_fcntl(script: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        without_fcntl(script, *args),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def changed_project(path: Path) -> Path:
    """A project whose `generate` changes files (an operation selects one more field)."""
    project = copy_project(path, apis=("storefront",))
    query = project / "queries" / "storefront" / "customer.graphql"
    query.write_text(query.read_text().replace("    phone\n", "    phone\n    tags\n"))
    return project


def generated_reference(tmp_path: Path) -> dict[str, str]:
    reference = changed_project(tmp_path / "reference")
    assert run_cli("--root", str(reference), "generate")[0] == 0
    return tree_digest(reference)


def test_without_fcntl_the_tooling_imports_and_locks_with_filelock() -> None:
    done = run_without_fcntl(
        """
        import json
        try:
            import fcntl
        except ImportError:
            blocked = True
        else:
            blocked = False
        import tempfile
        from pathlib import Path
        import shopify_codegen.cli
        from shopify_codegen.transaction import Transaction
        with tempfile.TemporaryDirectory() as root:
            Transaction(Path(root)).abort()  # loads filelock, takes the lock, frees it
        import filelock
        print(json.dumps([blocked, filelock.FileLock.__name__]))
        """
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout.splitlines()[-1]) == [True, "SoftFileLock"]
    assert "Warning" not in done.stderr, "the fallback is not announced to users"


def test_two_concurrent_generates_take_turns_without_fcntl(tmp_path: Path) -> None:
    expected = generated_reference(tmp_path)
    project = changed_project(tmp_path / "project")
    log = tmp_path / "log"
    log.write_text("")
    runs = [
        subprocess.Popen(
            without_fcntl(TAKE_TURNS, str(project), str(log), name),
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for name in ("A", "B")
    ]
    outcomes = [run.communicate(timeout=300) for run in runs]
    assert [run.returncode for run in runs] == [0, 0], outcomes
    turns = [line for line in log.read_text().splitlines() if not line.startswith("want")]
    first, second = turns[0].split()[1], turns[2].split()[1]
    assert first != second
    assert turns == [f"in {first}", f"out {first}", f"in {second}", f"out {second}"], turns
    assert tree_digest(project) == expected
    assert not os.path.lexists(project / WORK_DIR)
    assert not os.path.lexists(project / JOURNAL_NAME)


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="POSIX: kill -9")
def test_a_holder_killed_without_fcntl_does_not_block_the_next_generate(tmp_path: Path) -> None:
    expected = generated_reference(tmp_path)
    project = changed_project(tmp_path / "project")
    holder = subprocess.Popen(
        without_fcntl(HOLD_THEN_WAIT_TO_BE_KILLED, str(project)),
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline().strip() == "held", holder.stderr
        # Alive, it holds the lock: a recovery leaves its transaction alone.
        alive = run_without_fcntl(
            """
            from pathlib import Path
            from shopify_codegen.transaction import recover
            print(recover(Path(sys.argv[1])))
            """,
            str(project),
        )
        assert alive.stdout.strip() == "False", alive.stderr
        assert (project / WORK_DIR).is_dir()
    finally:
        holder.send_signal(signal.SIGKILL)
        holder.communicate(timeout=60)
    after = run_without_fcntl(GENERATE_WITH_A_BOUNDED_WAIT, str(project))
    assert after.returncode == 0, after.stderr
    assert tree_digest(project) == expected
    assert not os.path.lexists(project / WORK_DIR)
