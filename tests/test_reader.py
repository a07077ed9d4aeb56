"""Reading workbooks back: model -> workbook -> model is the identity."""

from __future__ import annotations

import copy
import io
from decimal import Decimal

from xlplan.model import Plan, Progress
from xlplan.reader import read_plan
from xlplan.writer import render
from xlplan.xlsx import read_book


def _round_trip(plan: Plan) -> Plan:
    return read_plan(read_book(io.BytesIO(render(plan)))).plan


def test_example_round_trip_is_the_identity(example_plan: Plan) -> None:
    assert _round_trip(example_plan) == example_plan


def test_round_trip_with_progress_and_other_years(example_plan: Plan) -> None:
    plan = copy.deepcopy(example_plan)
    plan.years = (2567, 2568, 2569, 2570, 2571)
    for it in plan.items:
        it.budget = {y + 1: v for y, v in it.budget.items()}
    plan.targets.case_reduction = {y + 1: v for y, v in plan.targets.case_reduction.items()}
    plan.targets.ita_score = {y + 1: v for y, v in plan.targets.ita_score.items()}
    m = plan.items[0].measures[0]
    m.progress = [
        Progress(2567, 6, "อยู่ระหว่างดำเนินการ", Decimal("5000.50"), Decimal(1)),
        Progress(2567, 12, "ดำเนินการแล้ว", Decimal(19800), Decimal(2)),
    ]
    assert _round_trip(plan) == plan


def test_blank_workbook_reads_as_an_empty_plan() -> None:
    from xlplan.model import Org
    from xlplan.new import blank_plan

    org = Org("เทศบาลตำบลทดสอบ", "เทศบาลตำบล", "5012345", "ทดสอบ", "เมือง", "เชียงใหม่")
    back = _round_trip(blank_plan(org))
    assert back.org == org
    assert back.items == [] and back.risks == []


def _fingerprint(plan: Plan) -> str:
    from xlplan.reader import fingerprint

    return fingerprint(read_plan(read_book(io.BytesIO(render(plan)))))


def test_fingerprint_follows_what_the_plan_says(example_plan: Plan) -> None:
    """Consolidation tells copies that disagree by this: the same plan gives the same, any typed change another."""
    same = _fingerprint(example_plan)
    assert same == _fingerprint(copy.deepcopy(example_plan))
    assert len(same) == 64
    for change in (
        lambda p: setattr(p.items[3], "name", p.items[3].name + " (แก้ไข)"),
        lambda p: p.items[0].budget.update({2566: p.items[0].budget[2566] + 1}),
        lambda p: setattr(p.items[5].details, "rationale", "เหตุผลอื่น"),
        lambda p: setattr(p.risks[0], "impact", 5 if p.risks[0].impact != 5 else 4),
        lambda p: setattr(p.announcement, "signer", "นายสมชาย ใจดี"),
    ):
        other = copy.deepcopy(example_plan)
        change(other)
        assert _fingerprint(other) != same


def test_fingerprint_takes_amounts_by_value() -> None:
    from xlplan.reader import ReadResult, fingerprint

    a = ReadResult.__new__(ReadResult)
    b = ReadResult.__new__(ReadResult)
    a.parsed = {("s", 4, 6): Decimal("5000"), ("s", 4, 1): "อบรม"}
    b.parsed = {("s", 9, 6): Decimal("5000.00"), ("s", 9, 1): "อบรม"}  # typed 5,000.00, on another row
    assert fingerprint(a) == fingerprint(b)


def test_fingerprint_parts_are_unambiguous() -> None:
    """Values are hashed by kind (texts joined, amounts as floats): no two different lists of values may share a
    hash by where one text ends, by a value's kind, or by the order of kinds."""
    from xlplan.reader import ReadResult, fingerprint

    def fp(*values: object) -> str:
        rr = ReadResult.__new__(ReadResult)
        rr.parsed = {("s", i, 0): v for i, v in enumerate(values)}
        return fingerprint(rr)

    cases = [
        ("ab", "c"),
        ("a", "bc"),
        ("abc",),
        ("5",),
        (5,),
        (Decimal("5"),),
        (5.0,),
        (Decimal("5"), "อบรม"),
        ("อบรม", Decimal("5")),
        ([1, 2],),
        ("[1, 2]",),
        (True,),
        (1,),
        (-0.5,),
        (Decimal("-0.5"),),  # an amount is not the same kind of value as a number typed elsewhere
    ]
    hashes = [fp(*c) for c in cases]
    assert len(set(hashes)) == len(cases)
    assert fp("ab", Decimal("1.50")) == fp("ab", Decimal("1.5"))


def test_blocks_below_the_measures_are_looked_for_once_per_sheet(example_plan: Plan) -> None:
    from xlplan.reader import coverage_block, targets_block

    rr = read_plan(read_book(io.BytesIO(render(example_plan))))
    loc = rr.tables["measures"]
    sh = rr.book.sheets[loc.sheet]
    head, rows = targets_block(sh, loc)
    assert list(rows) == [2566, 2567, 2568, 2569, 2570]
    assert list(rows.values()) == list(range(head + 1, head + 6))
    assert targets_block(sh, loc) is targets_block(sh, loc)  # found once, then shared
    cov = coverage_block(sh, loc, rr.fw)
    assert coverage_block(sh, loc, rr.fw) is cov and len(cov) == len(rr.fw.indicators)
    # another sheet (here: the targets' header cleared) is looked at anew
    other = copy.deepcopy(sh)
    del other.cells[(head, 0)]
    other.__dict__.pop("_rows", None)
    assert targets_block(other, loc) is None
    assert targets_block(sh, loc) == (head, rows)
