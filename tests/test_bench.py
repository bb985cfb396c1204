"""The benchmark harness's layout: its modules import, every section is registered and
renders rows into the README's table shape. No timings here: speed lives in `make bench`."""

from __future__ import annotations

import inspect

import pytest

from bench import run
from bench.common import Settings
from bench.imports import _AFTER_REFERENCE_PROBE, paired_over
from bench.table import Row, render


def test_every_section_module_is_registered_with_a_measure_function() -> None:
    numbers = [section.number for section in run.SECTIONS]
    assert numbers == [str(n) for n in range(1, len(numbers) + 1)]
    assert len(numbers) >= 6
    for section in run.SECTIONS:
        assert inspect.signature(section.measure).parameters.keys() == {"ctx"}
        assert section.measure.__module__.startswith("bench.")


def test_quick_settings_are_smaller_than_the_full_run() -> None:
    quick, full = Settings.make(True), Settings.make(False)
    assert quick.quick and not full.quick
    assert quick.calls < full.calls and quick.paced_calls < full.paced_calls


def test_render_makes_one_markdown_row_per_row() -> None:
    table = render(
        [
            Row("1", "a (baseline)", "1 ms", "1 ms", "1.00x"),
            Row("1", "b", "2 ms", "1 ms", "2.00x", "<= 1.03x", False),
        ]
    )
    lines = table.splitlines()
    assert lines[0].startswith("| # ") and set(lines[1]) <= {"|", "-"}
    assert len(lines) == 4 and lines[3].rstrip().endswith("| NO  |")


def test_only_rejects_an_unknown_section(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        run.main(["--quick", "--only", "99"])
    assert exit_info.value.code == 2
    assert "no section 99" in capsys.readouterr().err


def test_import_deltas_pair_each_round_with_its_own_reference() -> None:
    """A slow round slows the package and the reference it is compared with alike: the
    difference is taken per round, never between medians of different rounds."""
    assert paired_over([160.0, 190.0, 158.0], [158.0, 187.0, 159.0]) == [2.0, 3.0, -1.0]
    with pytest.raises(ValueError):
        paired_over([1.0, 2.0], [1.0])


def test_the_own_cost_probe_times_only_the_package_import() -> None:
    probe = _AFTER_REFERENCE_PROBE.format(package="shopify_storefront")
    timed = probe[probe.index("started = ") : probe.index("print(")]
    assert timed.strip().splitlines()[1:] == ["import shopify_storefront"]
    untimed = probe[: probe.index("started = ")]
    assert "class M(pydantic.BaseModel)" in untimed and "gc.collect()" in untimed
    compile(probe, "<probe>", "exec")


def test_the_scale_sections_operations_are_distinct_and_valid() -> None:
    from graphql import parse, validate

    from bench import scale
    from shopify_codegen.schema_files import load_schema

    schema = load_schema(scale.SCHEMA)
    texts = [scale.operation(i) for i in range(max(scale.SIZES))]
    assert len({parse(t).definitions[0].name.value for t in texts}) == len(texts)  # type: ignore[attr-defined]
    for text in texts[: len(scale.FIELDS)]:
        assert validate(schema, parse(text)) == []
