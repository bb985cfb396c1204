"""This repository's operations across the versions it lists: what drift says of them.

Between each pair of consecutive listed versions, every operation of queries/ is judged
(none is left unchecked: each validates on every listed version), and the seed
operations are never broken. An operation added to queries/ may be judged ``breaks``
(e.g. a nested input field removed that it could send): that is drift for its author to
read, not a failure of this repository.
"""

from __future__ import annotations

import pytest

from shopify_codegen.config import load_config
from shopify_codegen.diff import diff_schemas
from shopify_codegen.operations import read_operation_folder
from shopify_codegen.store import committed_schema
from tests.conftest import PROJECT
from tests.project.test_operations import is_seed

CONFIG = load_config(PROJECT)
PAIRS = [
    (api.name, old, new)
    for api in CONFIG.apis.values()
    for old, new in zip(api.validate_versions, api.validate_versions[1:], strict=False)
]


@pytest.mark.parametrize(("api", "old", "new"), PAIRS, ids=[f"{a}-{o}-{n}" for a, o, n in PAIRS])
def test_the_seed_operations_survive_every_listed_version(api: str, old: str, new: str) -> None:
    files = read_operation_folder(CONFIG.api(api).queries, CONFIG.rel)
    report = diff_schemas(
        committed_schema(CONFIG, api, old),
        committed_schema(CONFIG, api, new),
        old_label=f"{api}@{old}",
        new_label=f"{api}@{new}",
        operations=files,
    )
    judged = {o.operation for o in report.operations}
    assert judged == {op.name.value for f in files for op in f.operations if op.name}
    assert [o.file for o in report.operations if o.verdict == "not_checked"] == []
    seeds = [o for o in report.operations if is_seed(api, PROJECT / o.file)]
    assert seeds, f"no seed operation of {api} in queries/"
    assert [(o.file, o.reasons) for o in seeds if o.verdict == "breaks"] == []
