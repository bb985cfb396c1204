"""This repository's operations across the versions it lists: what drift says of them.

Between each pair of consecutive listed versions, every operation of queries/ is judged,
and no seed operation bound to both versions breaks. Any other operation may be judged
``breaks`` (e.g. a nested input field it could send was removed): that is drift for its
author to read, not a failure of this repository.
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
    (api.key, old, new)
    for api in CONFIG.apis.values()
    for old, new in zip(api.validate_versions, api.validate_versions[1:], strict=False)
]


@pytest.mark.parametrize(("key", "old", "new"), PAIRS, ids=[f"{k}-{o}-{n}" for k, o, n in PAIRS])
def test_no_bound_seed_operation_breaks_between_listed_versions(
    key: str, old: str, new: str
) -> None:
    api = CONFIG.api(key)
    files = read_operation_folder(api.queries, CONFIG.rel)
    report = diff_schemas(
        committed_schema(CONFIG, api.name, old),
        committed_schema(CONFIG, api.name, new),
        old_label=f"{api.name}@{old}",
        new_label=f"{api.name}@{new}",
        operations=files,
    )
    judged = {o.operation for o in report.operations}
    assert judged == {op.name.value for f in files for op in f.operations if op.name}
    bound = [
        o
        for o in report.operations
        if is_seed(key, PROJECT / o.file)
        and api.binding(old, (o.operation,))
        and api.binding(new, (o.operation,))
    ]
    assert [(o.file, o.reasons) for o in bound if o.verdict == "breaks"] == []
