from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
import yaml

from xlplan import planfile
from xlplan.framework import load as load_framework
from xlplan.model import Plan
from xlplan.planfile import PlanFileError

from conftest import EXAMPLE_PLAN


def test_example_plan_as_transcribed(example_plan: Plan) -> None:
    p = example_plan
    assert p.org.name == "องค์การบริหารส่วนตำบลแม่ฮ้อย"
    assert p.years == (2566, 2567, 2568, 2569, 2570)
    assert len(p.items) == 29
    assert [it.number for it in p.items] == list(range(1, 30))
    counts = {d: sum(1 for it in p.items if it.dimension == d) for d in (1, 2, 3, 4)}
    assert counts == {1: 11, 2: 12, 3: 2, 4: 4}
    for y in p.years:
        assert p.year_total(y) == Decimal(150320)
    assert p.item(1).budget[2566] == Decimal(19800)
    assert p.targets.case_reduction == {2566: 10, 2567: 20, 2568: 30, 2569: 40, 2570: 50}
    assert p.targets.ita_score == {2566: 85, 2567: 90, 2568: 95, 2569: 100, 2570: 100}
    assert len(p.risks) == 9


def test_example_plan_codes_exist_in_framework(example_plan: Plan) -> None:
    fw = load_framework()
    for it in example_plan.items:
        ind = fw.indicator(it.indicator)
        assert ind is not None, it.number
        assert (ind.mission, ind.dimension) == (it.mission, str(it.dimension)), it.number
        assert it.kind in fw.lists["item_kinds"]
        assert it.responsible in fw.lists["responsible_units"]
    for r in example_plan.risks:
        assert r.area in fw.lists["process_areas"]
        assert all(example_plan.item(m) is not None for m in r.measures)


def test_round_trip_file_model_file_is_identical(example_plan: Plan) -> None:
    original = yaml.safe_load(EXAMPLE_PLAN.read_text(encoding="utf-8"))
    dumped = planfile.dumps(example_plan)
    assert yaml.safe_load(dumped) == original
    # and the canonical text is a fixed point
    assert planfile.dumps(planfile.loads(dumped)) == dumped


def test_json_round_trip(example_plan: Plan) -> None:
    text = planfile.dumps(example_plan, "json")
    assert planfile.loads(text) == example_plan


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ("format: other/1\n", "format"),
        ("items:\n  - {number: x, name: a}\n", "items[1].number"),
        ("items:\n  - {number: 1, dimension: 1}\n", "items[1].name"),
        ("items:\n  - {number: 1, dimension: 1, name: a, budget: {2566: abc}}\n", "items[1].budget.2566"),
        ("years: 2570-2566\n", "years"),
        ("risks:\n  - {number: 1, measures: 3}\n", "risks[1].measures"),
        ("items:\n  - {number: 1, dimension: 1, name: a, measures: [{type: other}]}\n", "items[1].measures[1].type"),
        ("a: [\n", "not valid YAML"),
    ],
)
def test_bad_plan_files_name_the_place(text: str, where: str, tmp_path: Path) -> None:
    f = tmp_path / "bad.yaml"
    f.write_text(text, encoding="utf-8")
    with pytest.raises(PlanFileError) as err:
        planfile.load(f)
    assert str(f) in str(err.value)
    assert where in str(err.value)


def test_missing_plan_file(tmp_path: Path) -> None:
    with pytest.raises(PlanFileError, match="cannot open"):
        planfile.load(tmp_path / "nope.yaml")
