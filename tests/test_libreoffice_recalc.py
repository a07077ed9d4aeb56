"""LibreOffice is the referee: it must compute from the generated formulas exactly what xlplan computed."""

from __future__ import annotations

from pathlib import Path

import pytest

from xlplan.layout import SHEETS, SPARE_ROWS, layout_for
from xlplan.model import Plan

from libreoffice import available, run_job

pytestmark = [
    pytest.mark.libreoffice,
    pytest.mark.skipif(not available(), reason="LibreOffice (headless) with python3-uno is not installed"),
]

B = SHEETS.budget
YEAR_COLS = "GHIJK"


def _positions(plan: Plan) -> dict[str, int]:
    """1-based rows of the budget sheet's pieces, from the layout declaration."""
    L = layout_for(plan.years)
    first = L.budget.first_row
    marker = first + len(plan.items) + SPARE_ROWS
    return {
        "first": first + 1,
        "marker": marker + 1,
        **{f"dim{i + 1}": L.summary_row(marker, i) + 1 for i in range(4)},
        "grand": L.summary_row(marker, 4) + 1,
        "words": L.words_row(marker) + 1,
    }


def _summary_cells(pos: dict[str, int], shift: int = 0) -> list[tuple[str, str]]:
    cells = []
    for key in ("dim1", "dim2", "dim3", "dim4", "grand"):
        r = pos[key] + shift
        cells += [(B, f"E{r}"), *[(B, f"{c}{r}") for c in YEAR_COLS], (B, f"L{r}")]
    cells.append((B, f"E{pos['words'] + shift}"))
    return cells


def test_libreoffice_computes_the_totals_xlplan_wrote(example_xlsx: Path, example_plan: Plan) -> None:
    pos = _positions(example_plan)
    item_rows = range(pos["first"], pos["first"] + len(example_plan.items))
    read = _summary_cells(pos) + [(B, f"L{r}") for r in item_rows]
    carried = run_job(example_xlsx, recalc=False, read=read)["values"]
    recalculated = run_job(example_xlsx, recalc=True, read=read)["values"]
    assert recalculated == carried  # the cached values are already right before any recalculation

    v = recalculated
    for it, r in zip(example_plan.items, item_rows, strict=True):
        assert v[f"{B}!L{r}"] == float(it.total()), it.number
    expected = {"dim1": (11, 98320), "dim2": (12, 12000), "dim3": (2, 40000), "dim4": (4, 0), "grand": (29, 150320)}
    for key, (count, per_year) in expected.items():
        r = pos[key]
        assert v[f"{B}!E{r}"] == count, key
        assert [v[f"{B}!{c}{r}"] for c in YEAR_COLS] == [per_year] * 5, key
        assert v[f"{B}!L{r}"] == per_year * 5, key
    assert v[f"{B}!E{pos['words']}"] == "(เจ็ดแสนห้าหมื่นหนึ่งพันหกร้อยบาทถ้วน)"


def test_rows_inserted_inside_and_at_the_end_are_counted(example_xlsx: Path, example_plan: Plan) -> None:
    pos = _positions(example_plan)
    inside = pos["first"] + 5  # between items 5 and 6 (dimension 1)
    edits: list[dict] = [{"op": "insert_rows", "sheet": B, "row": inside, "count": 1}]
    edits += [
        {"op": "set", "sheet": B, "cell": f"A{inside}", "value": 30},
        {"op": "set", "sheet": B, "cell": f"B{inside}", "value": 1},
        {"op": "set", "sheet": B, "cell": f"F{inside}", "value": "โครงการที่แทรกกลางตาราง"},
        *[{"op": "set", "sheet": B, "cell": f"{c}{inside}", "value": 1000} for c in YEAR_COLS],
    ]
    end = pos["marker"] + 1  # after the first insert the marker moved down one row; insert just above it
    edits.append({"op": "insert_rows", "sheet": B, "row": end, "count": 1})
    edits += [
        {"op": "set", "sheet": B, "cell": f"A{end}", "value": 31},
        {"op": "set", "sheet": B, "cell": f"B{end}", "value": 4},
        {"op": "set", "sheet": B, "cell": f"F{end}", "value": "มาตรการที่เพิ่มท้ายตาราง"},
        *[{"op": "set", "sheet": B, "cell": f"{c}{end}", "value": 500} for c in YEAR_COLS],
    ]
    res = run_job(example_xlsx, edits=edits, recalc=True, read=_summary_cells(pos, shift=2))
    v = res["values"]
    r1, r4, g = pos["dim1"] + 2, pos["dim4"] + 2, pos["grand"] + 2
    assert v[f"{B}!E{r1}"] == 12
    assert [v[f"{B}!{c}{r1}"] for c in YEAR_COLS] == [99320] * 5
    assert v[f"{B}!E{r4}"] == 5
    assert [v[f"{B}!{c}{r4}"] for c in YEAR_COLS] == [500] * 5
    assert v[f"{B}!E{g}"] == 31
    assert [v[f"{B}!{c}{g}"] for c in YEAR_COLS] == [151820] * 5
    assert v[f"{B}!L{g}"] == 151820 * 5
    assert v[f"{B}!E{pos['words'] + 2}"] == "(เจ็ดแสนห้าหมื่นเก้าพันหนึ่งร้อยบาทถ้วน)"
    # the SUM range grew to take in both new rows
    assert res["formulas_excel"][f"{B}!G{g}"] == f"=SUM($G${pos['first']}:$G${pos['marker'] + 2})"


def test_bahttext_matches_libreoffice(tmp_path: Path) -> None:
    import xlsxwriter

    from xlplan.thai import bahttext

    amounts = [
        0,
        1,
        11,
        21,
        101,
        110,
        1001,
        10101,
        19800,
        150320,
        751600,
        1000001,
        2000021,
        100000011,
        0.25,
        121.21,
        20.5,
        999999.99,
        -5,
    ]
    path = tmp_path / "words.xlsx"
    wb = xlsxwriter.Workbook(path)
    ws = wb.add_worksheet("S")
    for i, n in enumerate(amounts):
        ws.write_number(i, 1, n)
        ws.write_formula(i, 0, f"=_xlfn.BAHTTEXT(B{i + 1})", None, "")
    wb.close()
    got = run_job(path, read=[("S", f"A{i + 1}") for i in range(len(amounts))])["values"]
    assert [got[f"S!A{i + 1}"] for i in range(len(amounts))] == [bahttext(n) for n in amounts]


def test_a_row_deleted_inside_the_table_leaves_totals_right(example_xlsx: Path, example_plan: Plan) -> None:
    """Deleting item 1 (19,800 a year, dimension 1) in LibreOffice: the ranges shrink and totals follow.

    A row holding locked formula cells can only be deleted with the sheet's protection lifted (it has no
    password), in LibreOffice as in Excel: a staff member does that first, as the instructions sheet says."""
    pos = _positions(example_plan)
    edits = [
        {"op": "unprotect", "sheet": B},
        {"op": "delete_rows", "sheet": B, "row": pos["first"], "count": 1},
        {"op": "protect", "sheet": B},
    ]
    res = run_job(example_xlsx, edits=edits, recalc=True, read=_summary_cells(pos, shift=-1))
    v = res["values"]
    r1, g = pos["dim1"] - 1, pos["grand"] - 1
    assert v[f"{B}!E{r1}"] == 10
    assert [v[f"{B}!{c}{r1}"] for c in YEAR_COLS] == [98320 - 19800] * 5
    assert v[f"{B}!E{g}"] == 28
    assert [v[f"{B}!{c}{g}"] for c in YEAR_COLS] == [150320 - 19800] * 5
    assert res["formulas_excel"][f"{B}!G{g}"] == f"=SUM($G${pos['first']}:$G${pos['marker'] - 1})"
