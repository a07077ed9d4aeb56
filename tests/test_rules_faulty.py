"""Every rule of the catalogue, proven on a faulty workbook: found at its exact cell, and no other error.

The faulty workbooks (:mod:`faults`) are each the clean example with ONE change. The clean variants below are
changes staff make that must NOT be errors: rows inserted or left blank inside a table, a column added, the
workbook re-saved by LibreOffice or by openpyxl (which drops every saved value).
"""

from __future__ import annotations

import string
from collections import Counter
from pathlib import Path

import pytest
from faults import BUDGET_MARKER, CASES, LAYOUT, Case, example_bytes, item_row

from xlplan.cells import a1
from xlplan.check import check
from xlplan.findings import FileReport, Finding
from xlplan.layout import SHEETS
from xlplan.model import Plan
from xlplan.rules import RULES, Severity
from xlplan.writer import render, write_atomic

from libreoffice import available, run_job

B = SHEETS.budget
no_libreoffice = pytest.mark.skipif(not available(), reason="LibreOffice (headless) with python3-uno is not installed")


def _describe(report: FileReport) -> str:
    return "\n".join(f"  {f.code} {f.severity.value} {f.sheet}!{f.cell} {f.params}" for f in report.sorted())


def _errors(report: FileReport) -> set[str]:
    return {f.code for f in report.findings if f.severity is Severity.ERROR}


def _counts(report: FileReport, severity: Severity) -> Counter[str]:
    return Counter(f.code for f in report.findings if f.severity is severity)


def _template_fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def _unfilled_fields(f: Finding) -> set[str]:
    """Template fields of the finding's rule that nothing fills in (rendered as empty text)."""
    given = {"column", "column_en", "sheet", *f.params}
    r = f.rule
    needed = set().union(*(_template_fields(t) for t in (r.message_th, r.message_en, r.hint_th, r.hint_en)))
    return needed - given


@pytest.fixture(scope="session")
def fault_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("faults")


# ------------------------------------------------------------------------------------------------ faulty workbooks


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_rule_is_found_at_its_cell_and_nothing_else_is_an_error(case: Case, fault_dir: Path) -> None:
    report = check(case.build(fault_dir / case.id))
    hits = [f for f in report.findings if f.code == case.rule]
    assert hits, f"{case.id}: {case.rule} not found ({case.note})\n{_describe(report)}"
    where = {(f.sheet, f.cell) for f in hits}
    assert (case.sheet, case.cell or "") in where, f"{case.id}: {case.rule} at {sorted(where)}\n{_describe(report)}"
    rule_is_error = RULES[case.rule].severity is Severity.ERROR
    expected = ({case.rule} if rule_is_error else set()) | set(case.also)
    assert _errors(report) == expected, f"{case.id}: other errors ({case.note})\n{_describe(report)}"
    # a file that cannot be read as a workbook stops there: its one finding, no plan
    unreadable = case.rule.startswith("F") and rule_is_error and case.rule != "F111"
    assert report.unreadable == unreadable
    if unreadable:
        assert len(report.findings) == 1 and report.plan is None
    hit = next(f for f in hits if (f.sheet, f.cell) == (case.sheet, case.cell or ""))
    assert not _unfilled_fields(hit), f"{case.id}: message fields left empty: {_unfilled_fields(hit)}"
    assert hit.message("th") and hit.message("en") and hit.hint("th") and hit.hint("en")


def test_every_rule_has_a_case() -> None:
    covered = {c.rule for c in CASES}
    assert covered == set(RULES), f"rules without a case: {sorted(set(RULES) - covered)}"
    ids = [c.id for c in CASES]
    assert len(ids) == len(set(ids)), "case ids must be unique"


# ------------------------------------------------------------------------------------------------ clean variants


def _assert_clean(report: FileReport, warnings: Counter[str] | None = None) -> None:
    assert not _errors(report), _describe(report)
    assert _counts(report, Severity.WARNING) == (warnings or Counter()), _describe(report)


def test_added_column_right_of_the_budget_table_is_only_noted(fault_dir: Path, example_plan: Plan) -> None:
    """A header and values in the first column right of the budget table: S210 (info), nothing else."""
    col = LAYOUT.budget.col("note") + 1
    first = LAYOUT.budget.first_row
    overrides = [(B, LAYOUT.budget.header_row, col, "ความเห็นผู้ตรวจ")]
    overrides += [(B, first + i, col, f"ตรวจแล้ว {i + 1}") for i in range(5)]
    path = write_atomic(fault_dir / "clean-extra-column.xlsx", render(example_plan, overrides=overrides))
    report = check(path)
    _assert_clean(report)
    assert {(f.code, f.sheet, f.cell) for f in report.findings} == {("S210", B, "O4")}
    assert report.plan == example_plan


def test_saved_values_dropped_by_openpyxl_are_computed(fault_dir: Path, example_plan: Plan) -> None:
    """openpyxl keeps formulas but saves none of their values: X405 (info) wherever a formula shows something."""
    import openpyxl

    src = write_atomic(fault_dir / "clean-openpyxl-src.xlsx", example_bytes())
    path = fault_dir / "clean-openpyxl.xlsx"
    openpyxl.load_workbook(src).save(path)
    report = check(path)
    _assert_clean(report)
    infos = _counts(report, Severity.INFO)
    assert set(infos) == {"X405"} and infos["X405"] > 100
    assert ("X405", B, "L5") in {(f.code, f.sheet, f.cell) for f in report.findings}
    assert report.plan == example_plan


@pytest.fixture(scope="session")
def lo_resaved(fault_dir: Path, example_xlsx: Path) -> Path:
    out = fault_dir / "clean-lo-resaved.xlsx"
    run_job(example_xlsx, recalc=False, save_xlsx=out)
    return out


@pytest.mark.libreoffice
@no_libreoffice
def test_example_resaved_by_libreoffice_reads_the_same(
    lo_resaved: Path, example_plan: Plan, example_xlsx: Path
) -> None:
    """LibreOffice rewrites formulas (sheet names unquoted), styles (General as a custom format) and strings."""
    report = check(lo_resaved)
    _assert_clean(report)
    assert report.plan == example_plan
    # the same plan: consolidation takes the two files for copies that agree
    assert report.meta["content"] == check(example_xlsx).meta["content"]


@pytest.mark.libreoffice
@no_libreoffice
def test_rows_inserted_inside_and_at_the_end_of_the_budget_table(fault_dir: Path, example_xlsx: Path) -> None:
    """Two rows inserted in LibreOffice and typed in (values only, as staff do): no error.

    Warnings, both expected: X406 (the new rows have no total formula) and C602 (the new items have no details row).
    """
    inside = item_row(6) + 1  # 1-based: the new row goes between items 5 and 6
    end = BUDGET_MARKER + 1 + 1  # 1-based marker row, moved down one by the first insertion: insert above it
    rows = {
        inside: (30, 1, "1.1", "1.1.1", "โครงการ", "โครงการที่แทรกกลางตาราง", 1000),
        end: (31, 4, "4.1", "4.1.1", "มาตรการ", "มาตรการที่เพิ่มท้ายตาราง", 500),
    }
    t = LAYOUT.budget
    edits: list[dict[str, object]] = []
    for row, (number, dim, mission, indicator, kind, name, amount) in rows.items():
        edits.append({"op": "insert_rows", "sheet": B, "row": row, "count": 1})
        values = {"number": number, "dimension": dim, "mission": mission, "indicator": indicator, "kind": kind}
        values |= {"name": name, "responsible": "สำนักปลัด"} | {f"y{y}": amount for y in LAYOUT.years}
        edits += [{"op": "set", "sheet": B, "cell": a1(row - 1, t.col(k)), "value": v} for k, v in values.items()]
    out = fault_dir / "clean-lo-inserted.xlsx"
    run_job(example_xlsx, edits=edits, recalc=True, save_xlsx=out)
    report = check(out)
    _assert_clean(report, Counter({"X406": 2, "C602": 2}))
    warned = {(f.code, f.cell) for f in report.findings if f.severity is Severity.WARNING}
    assert warned == {("X406", "L10"), ("X406", "L50"), ("C602", "A10"), ("C602", "A50")}
    numbers = [it.number for it in report.plan.items]
    assert numbers[:7] == [1, 2, 3, 4, 5, 30, 6] and numbers[-1] == 31 and len(numbers) == 31
    assert report.plan.item(30).total() == 5000 and report.plan.item(31).total() == 2500


@pytest.mark.libreoffice
@no_libreoffice
def test_blank_rows_left_inside_every_table(fault_dir: Path, example_xlsx: Path, example_plan: Plan) -> None:
    """Two empty rows inserted in the middle of each of the four tables and left empty: nothing to report."""
    edits = [
        {"op": "insert_rows", "sheet": t.sheet, "row": t.first_row + 3, "count": 2}  # 1-based: after 2 rows
        for t in LAYOUT.tables
    ]
    out = fault_dir / "clean-lo-blank-rows.xlsx"
    run_job(example_xlsx, edits=edits, recalc=True, save_xlsx=out)
    report = check(out)
    _assert_clean(report)
    assert report.plan == example_plan
