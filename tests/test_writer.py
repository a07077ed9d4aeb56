"""The generated workbook: layout, cached values, Excel-native qualities (read back with openpyxl)."""

from __future__ import annotations

import re
from pathlib import Path

import openpyxl
import pytest

from xlplan.layout import END_MARKER, SHEETS, TEMPLATE_REF, layout_for
from xlplan.model import Plan
from xlplan.writer import FONT

YEARS = (2566, 2567, 2568, 2569, 2570)


@pytest.fixture(scope="module")
def books(example_xlsx: Path) -> tuple[openpyxl.Workbook, openpyxl.Workbook]:
    return openpyxl.load_workbook(example_xlsx), openpyxl.load_workbook(example_xlsx, data_only=True)


def _budget_rows(ws) -> dict[str, int]:
    """Row numbers (1-based) of the budget table's pieces, found by their labels."""
    rows: dict[str, int] = {}
    for row in ws.iter_rows(min_col=1, max_col=1):
        v = row[0].value
        if v == END_MARKER:
            rows["marker"] = row[0].row
        elif isinstance(v, str) and v.startswith("มิติที่ "):
            rows[v] = row[0].row
        elif v == "รวมทั้งสิ้น":
            rows["grand"] = row[0].row
        elif v == "ตัวอักษร":
            rows["words"] = row[0].row
    return rows


def test_sheets_in_order(books) -> None:
    wb, _ = books
    assert wb.sheetnames == list(SHEETS.order())
    assert wb[SHEETS.lists].sheet_state == "hidden"


def test_budget_cached_values_match_the_plan(books) -> None:
    wb, vals = books
    ws, wv = wb[SHEETS.budget], vals[SHEETS.budget]
    rows = _budget_rows(ws)
    # item 1: row 5 (header on row 4)
    assert ws["A5"].value == 1
    assert ws["L5"].value == "=SUM(G5:K5)"
    assert wv["L5"].value == 99000
    expected = {"มิติที่ 1": (11, 98320), "มิติที่ 2": (12, 12000), "มิติที่ 3": (2, 40000), "มิติที่ 4": (4, 0)}
    for label, (count, per_year) in expected.items():
        r = rows[label]
        assert wv[f"E{r}"].value == count
        assert [wv.cell(r, c).value for c in range(7, 12)] == [per_year] * 5
        assert wv[f"L{r}"].value == per_year * 5
    g = rows["grand"]
    assert wv[f"E{g}"].value == 29
    assert [wv.cell(g, c).value for c in range(7, 12)] == [150320] * 5
    assert wv[f"L{g}"].value == 751600
    assert wv[f"E{rows['words']}"].value == "(เจ็ดแสนห้าหมื่นหนึ่งพันหกร้อยบาทถ้วน)"
    # every range reaches the end-marker row, so rows inserted above it are counted
    m = rows["marker"]
    assert ws[f"E{rows['มิติที่ 1']}"].value == f"=COUNTIF($B$5:$B${m},1)"
    assert ws[f"G{rows['มิติที่ 2']}"].value == f"=SUMIF($B$5:$B${m},2,$G$5:$G${m})"
    assert ws[f"G{g}"].value == f"=SUM($G$5:$G${m})"


def test_input_and_formula_cells_are_distinct(books) -> None:
    wb, _ = books
    ws = wb[SHEETS.budget]
    assert ws.protection.sheet is True
    assert ws.protection.password is None
    assert ws["F5"].protection.locked is False  # name: input
    assert ws["L5"].protection.locked is True  # row total: formula
    assert ws["F5"].fill.fgColor.rgb != ws["L5"].fill.fgColor.rgb
    assert ws["F5"].font.name == FONT
    assert ws.freeze_panes == "A5"
    assert ws.print_title_rows == "$4:$4"
    assert ws.page_setup.paperSize == 9
    assert ws.page_setup.orientation == "landscape"


def test_every_coded_field_has_a_dropdown_from_the_lists_sheet(books) -> None:
    wb, _ = books
    L = layout_for(YEARS)
    for table in L.tables:
        ws = wb[table.sheet]
        sources = {}
        for dv in ws.data_validations.dataValidation:
            for rng in dv.sqref.ranges:
                sources[rng.min_col - 1] = (dv.type, dv.formula1)
        for c, col in enumerate(table.columns):
            if col.list:
                assert sources.get(c) == ("list", f"list_{col.list}"), (table.key, col.key)
    names = wb.defined_names
    assert "list_item_kinds" in names
    assert names["list_item_kinds"].attr_text.startswith(f"'{SHEETS.lists}'!")
    for name in ("tbl_risks", "tbl_budget", "tbl_measures", "tbl_details", "info_org_name"):
        assert name in names


def test_general_sheet_records_versions(books) -> None:
    _, vals = books
    ws = vals[SHEETS.general]
    labels = {ws.cell(r, 1).value: ws.cell(r, 2).value for r in range(1, 20)}
    assert labels["ชื่อองค์กรปกครองส่วนท้องถิ่น *"] == "องค์การบริหารส่วนตำบลแม่ฮ้อย"
    assert labels["รุ่นแม่แบบ (ห้ามแก้ไข)"] == TEMPLATE_REF
    assert labels["กรอบแผนฯ ป.ป.ช. (ห้ามแก้ไข)"] == "nacc-lao-2566-2570/1"
    assert labels["ปีแรกของแผน (พ.ศ.)"] == 2566
    assert labels["วันที่ประกาศใช้แผน"] == "23/08/2565"


def test_risks_scores_levels_and_heat_map(books, example_plan: Plan) -> None:
    wb, vals = books
    ws, wv = wb[SHEETS.risks], vals[SHEETS.risks]
    assert ws["F5"].value == '=IF(AND(ISNUMBER(D5),ISNUMBER(E5)),D5*E5,"")'
    levels = [wv.cell(5 + i, 7).value for i in range(len(example_plan.risks))]
    assert levels == ["ปานกลาง"] * 4 + ["สูง", "ปานกลาง", "สูง", "สูง", "สูง"]
    # heat map: the nine risks are all counted once
    heat = [
        wv.cell(r, c).value
        for r in range(1, ws.max_row + 1)
        for c in range(4, 9)
        if isinstance(ws.cell(r, c).value, str) and ws.cell(r, c).value.startswith("=COUNTIFS(")
    ]
    assert len(heat) == 25
    assert sum(heat) == 9


def test_details_take_name_and_budget_from_the_budget_sheet(books) -> None:
    wb, vals = books
    ws, wv = wb[SHEETS.details], vals[SHEETS.details]
    assert ws["B5"].value.startswith('=IF(A5="","",IFERROR(INDEX(\'งบประมาณ 5 ปี\'!$F$5:')
    assert wv["B5"].value == wb[SHEETS.budget]["F5"].value
    assert wv["C5"].value == 99000
    assert wv["D5"].value == "สำนักปลัด"


def test_indicator_coverage(books) -> None:
    _, vals = books
    wv = vals[SHEETS.indicators]
    covered = {
        wv.cell(r, 1).value: (wv.cell(r, 5).value, wv.cell(r, 6).value)
        for r in range(1, wv.max_row + 1)
        if isinstance(wv.cell(r, 1).value, str) and re.fullmatch(r"\d\.\d\.\d", wv.cell(r, 1).value)
    }
    assert len(covered) == 16
    assert covered["1.1.1"] == (2, "มี")
    assert all(v[1] == "มี" for v in covered.values())
    assert sum(v[0] for v in covered.values()) == 29
    assert covered["2.2.1"] == (8, "มี")
