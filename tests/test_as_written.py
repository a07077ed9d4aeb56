"""The committed example workbooks: the plan as the seed really wrote it is flagged where it is inconsistent, and
the clean plan gives no finding at all.

``examples/maehoi-as-written.xlsx`` is the clean plan with the seed's own inconsistencies put back
(``scripts/regenerate_examples.py``, from ``examples/maehoi-as-written.notes.yaml``).
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
import yaml

from xlplan import planfile
from xlplan.cells import a1
from xlplan.check import check
from xlplan.findings import FileReport
from xlplan.layout import SHEETS, layout_for
from xlplan.rules import Severity

ROOT = Path(__file__).resolve().parent.parent
AS_WRITTEN = ROOT / "examples" / "maehoi-as-written.xlsx"
NOTES = ROOT / "examples" / "maehoi-as-written.notes.yaml"
CLEAN = ROOT / "examples" / "maehoi.xlsx"
PLAN = ROOT / "examples" / "maehoi.plan.yaml"

RISKS, BUDGET, DETAILS = SHEETS.risks, SHEETS.budget, SHEETS.details


@pytest.fixture(scope="module")
def report() -> FileReport:
    return check(AS_WRITTEN)


def at(report: FileReport, code: str) -> set[tuple[str, str]]:
    return {(f.sheet, f.cell) for f in report.findings if f.code == code}


def test_item_names_that_differ_between_budget_and_details(report: FileReport) -> None:
    """C606 on exactly the items whose Part 3 name differs in substance from Part 2 (items 2, 6, 7, 11, 25)."""
    notes = yaml.safe_load(NOTES.read_text(encoding="utf-8"))
    plan = planfile.load(PLAN)
    first = layout_for(plan.years).details.first_row
    numbers = [it.number for it in plan.items]
    derived = {
        (DETAILS, a1(first + numbers.index(d["number"]), 1)) for d in notes["name_differences"] if d["substantive"]
    }
    assert derived == {(DETAILS, c) for c in ("B6", "B10", "B11", "B15", "B29")}
    assert at(report, "C606") == derived


def test_two_levels_in_one_risk_cell(report: FileReport) -> None:
    assert at(report, "V310") == {(RISKS, "G7")}  # "สูง ปานกลาง"


def test_measures_that_are_not_items(report: FileReport) -> None:
    """Control measures written as names: those that name no item are C601, on each of the four risk rows."""
    assert at(report, "C601") == {(RISKS, f"I{r}") for r in range(5, 9)}
    per_row = Counter(f.cell for f in report.findings if f.code == "C601")
    assert per_row == {"I5": 5, "I6": 3, "I7": 5, "I8": 3}  # 7, 4, 8 and 5 measures, of which 2, 1, 3, 2 are items


def test_xxx_budgets_are_read_as_no_budget(report: FileReport) -> None:
    """N353 (info) on every "xxx" amount: the five years of each of the 21 items without budget."""
    plan = planfile.load(PLAN)
    b = layout_for(plan.years).budget
    expected = {
        (BUDGET, a1(b.first_row + i, b.col(f"y{y}")))
        for i, it in enumerate(plan.items)
        if it.total() == 0
        for y in plan.years
    }
    assert len(expected) == 105  # 21 items x 5 years
    assert at(report, "N353") == expected
    assert all(f.severity is Severity.INFO for f in report.findings if f.code == "N353")


def test_gap_in_the_numbering_of_a_measure_list(report: FileReport) -> None:
    assert at(report, "V309") == {(RISKS, "I7")}  # "1. … 2. … 3. … 4. … 6. …": 5 is missing


def test_other_spelling_of_the_organisation_name(report: FileReport) -> None:
    assert at(report, "C603") == {(BUDGET, "A2")}  # องค์การบริหารส่วนตำบลแม่ฮ้อ


def test_nothing_else_is_reported(report: FileReport) -> None:
    """The seed gives each risk a level but no likelihood or impact: V307 on both, and A505 where the typed level
    is a single one (the fourth row's two levels are V310). Everything else is one of the inconsistencies above."""
    assert at(report, "V307") == {(RISKS, f"{c}{r}") for c in "DE" for r in range(5, 9)}
    assert at(report, "A505") == {(RISKS, "G5"), (RISKS, "G6"), (RISKS, "G8")}
    codes = Counter(f.code for f in report.findings)
    assert set(codes) == {"V307", "A505", "V310", "C601", "V309", "C603", "N353", "C606"}
    assert report.verdict == "errors" and not report.unreadable


def test_the_clean_example_gives_no_finding_at_all() -> None:
    report = check(CLEAN)
    assert report.findings == [], [(f.code, f.sheet, f.cell) for f in report.findings]
    assert report.verdict == "ok"
    assert report.plan == planfile.load(PLAN)
