"""The marked copy staff receive: marks at the exact cells, the list first, and the original left untouched."""

from __future__ import annotations

import os
import shutil
import zipfile
from copy import copy
from pathlib import Path

import openpyxl
import pytest
from openpyxl.comments import Comment
from openpyxl.workbook.workbook import Workbook

from xlplan.annotate import FILLS, _comment_size, annotate
from xlplan.errors import UsageError
from xlplan.findings import FileReport, Finding

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "maehoi.xlsx"
BUDGET = "งบประมาณ 5 ปี"
RISKS = "ความเสี่ยง"
INDICATORS = "ตัวชี้วัด"
GENERAL = "ข้อมูลทั่วไป"
LISTS = "รายการเลือก"


@pytest.fixture
def src(tmp_path: Path) -> Path:
    """A copy of the example workbook: tests never touch the committed file."""
    path = tmp_path / "in" / "maehoi.xlsx"
    path.parent.mkdir()
    shutil.copyfile(EXAMPLE, path)
    return path


@pytest.fixture(scope="module")
def marked(tmp_path_factory: pytest.TempPathFactory) -> tuple[FileReport, Workbook, Workbook]:
    """The sample report annotated once (loading and saving the workbook is the slow part): report, before, after."""
    tmp = tmp_path_factory.mktemp("marked")
    path = tmp / "maehoi.xlsx"
    shutil.copyfile(EXAMPLE, path)
    report = sample_report()
    out = annotate(path, report, tmp / "out.xlsx")
    return report, openpyxl.load_workbook(path), openpyxl.load_workbook(out)


def kind_not_in_list() -> Finding:
    return Finding(
        code="V306",
        sheet=BUDGET,
        row=6,
        col=4,
        column_th="ประเภท",
        column_en="Kind",
        params={"value": "โครงกร", "example": "โครงการ"},
    )


def sample_report() -> FileReport:
    report = FileReport("maehoi.xlsx")
    report.add(
        [
            kind_not_in_list(),  # E7, error
            Finding(code="X401", sheet=RISKS, row=5, col=5, column_th="คะแนน", column_en="Score", params={"value": 6}),
            Finding(code="N351", sheet=INDICATORS, row=10, col=5, column_th="ค่าเป้าหมาย", params={"value": "๘๐"}),
            Finding(code="S209", sheet=RISKS),  # sheet-level: the list only
            Finding(code="F108"),  # file-level: the list only
            Finding(code="S201", sheet="ไม่มีแผ่นนี้", row=3, col=1),  # a sheet the file lacks: the list only
        ]
    )
    return report


def fill(cell: openpyxl.cell.Cell) -> tuple[str | None, str]:
    return cell.fill.fill_type, cell.fill.fgColor.rgb[-6:]


def note(f: Finding, lang: str = "th") -> str:
    label = "วิธีแก้:" if lang == "th" else "How to fix:"
    return f"[{f.code}] {f.message(lang)}\n{label} {f.hint(lang)}"


def header_row(ws: openpyxl.worksheet.worksheet.Worksheet, first: str = "รหัส") -> int:
    return next(r for r in range(1, 30) if ws.cell(r, 1).value == first)


# ------------------------------------------------------------------------------------------------ marks on cells
def test_fills_and_comments_at_exact_cells(marked: tuple[FileReport, Workbook, Workbook]) -> None:
    report, _, wb = marked
    v306, x401, n351 = report.findings[:3]

    e7 = wb[BUDGET]["E7"]
    assert fill(e7) == ("solid", "FFC7CE")
    assert e7.comment.text == note(v306)
    assert e7.comment.author == "xlplan"
    assert e7.value == "โครงการ"
    f6 = wb[RISKS]["F6"]
    assert fill(f6) == ("solid", "FFEB9C")
    assert f6.comment.text == note(x401)
    assert f6.value.startswith("=IF(")  # formulas stay formulas
    f11 = wb[INDICATORS]["F11"]
    assert fill(f11) == ("solid", "DDEBF7")
    assert f11.comment.text == note(n351)

    commented = [(ws.title, c.coordinate) for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.comment]
    assert sorted(commented) == sorted([(BUDGET, "E7"), (RISKS, "F6"), (INDICATORS, "F11")])


def test_comment_text_in_english(src: Path, tmp_path: Path) -> None:
    report = FileReport("maehoi.xlsx", [kind_not_in_list()])
    wb = openpyxl.load_workbook(annotate(src, report, tmp_path / "out.xlsx", lang="en"))
    text = wb[BUDGET]["E7"].comment.text
    assert (
        text == '[V306] "โครงกร" is not in the list of Kind.\nHow to fix: Pick from the cell\'s dropdown, e.g. โครงการ.'
    )


def test_only_the_fill_changes(marked: tuple[FileReport, Workbook, Workbook]) -> None:
    before, after = marked[1][BUDGET]["E7"], marked[2][BUDGET]["E7"]
    for attr in ("font", "border", "alignment", "protection"):
        assert copy(getattr(after, attr)) == copy(getattr(before, attr)), attr
    assert after.number_format == before.number_format == "@"
    assert after.protection.locked is False  # still an input cell of the protected sheet
    assert fill(before) != fill(after)


def test_findings_on_one_cell_share_a_comment_and_the_worst_colour(src: Path, tmp_path: Path) -> None:
    info = Finding(code="N354", sheet=BUDGET, row=6, col=4, params={"value": " โครงการ"})
    report = FileReport("maehoi.xlsx", [info, kind_not_in_list()])
    wb = openpyxl.load_workbook(annotate(src, report, tmp_path / "out.xlsx"))
    e7 = wb[BUDGET]["E7"]
    assert fill(e7) == ("solid", FILLS["error"])
    assert [f.code for f in report.sorted()] == ["N354", "V306"]
    assert e7.comment.text == note(info) + "\n\n" + note(kind_not_in_list())


def test_existing_comment_keeps_its_text_first(src: Path, tmp_path: Path) -> None:
    wb = openpyxl.load_workbook(src)
    wb[BUDGET]["E7"].comment = Comment("ตรวจแล้ว โดย สมศรี", "สมศรี")
    wb.save(src)
    out = annotate(src, FileReport("maehoi.xlsx", [kind_not_in_list()]), tmp_path / "out.xlsx")
    text = openpyxl.load_workbook(out)[BUDGET]["E7"].comment.text
    assert text == "ตรวจแล้ว โดย สมศรี\n\n" + note(kind_not_in_list())


def test_a_cell_inside_a_merged_range_is_marked_on_its_top_left(src: Path, tmp_path: Path) -> None:
    f = Finding(code="C603", sheet=GENERAL, row=0, col=1, params={"found": "x", "expected": "y"})  # B1 of A1:C1
    wb = openpyxl.load_workbook(annotate(src, FileReport("maehoi.xlsx", [f]), tmp_path / "out.xlsx"))
    assert wb[GENERAL]["A1"].comment.text == note(f)
    assert fill(wb[GENERAL]["A1"]) == ("solid", FILLS["error"])


def test_comment_boxes_are_sized_to_their_text(src: Path, tmp_path: Path) -> None:
    short = _comment_size("[F108] สั้น")
    long = _comment_size("\n\n".join([note(kind_not_in_list())] * 4))
    assert long[0] >= short[0] and long[1] > short[1]
    out = annotate(src, FileReport("maehoi.xlsx", [kind_not_in_list()]), tmp_path / "out.xlsx")
    with zipfile.ZipFile(out) as z:
        vml = "".join(z.read(n).decode() for n in z.namelist() if n.endswith(".vml"))
    width, height = _comment_size(note(kind_not_in_list()))
    assert f"width:{width}px;height:{height}px" in vml


# ------------------------------------------------------------------------------------------------ results sheet
def test_results_sheet_first_active_one_row_per_finding_with_links(
    marked: tuple[FileReport, Workbook, Workbook],
) -> None:
    report, _, wb = marked
    ws = wb.worksheets[0]
    assert ws.title == "ผลการตรวจ"
    assert wb.active.title == "ผลการตรวจ"
    assert [s.title for s in wb.worksheets if s.sheet_view.tabSelected] == ["ผลการตรวจ"]

    values = [[c.value for c in row] for row in ws.iter_rows(max_col=7)]
    flat = [v for row in values for v in row if v]
    assert "maehoi.xlsx" in flat
    assert "ไม่ผ่าน" in flat
    assert "ข้อผิดพลาด 2, คำเตือน 3, ข้อมูล 1" in flat

    h = header_row(ws)
    assert [c.value for c in ws[h]][:7] == ["รหัส", "ระดับ", "แผ่นงาน", "ช่อง", "คอลัมน์", "ปัญหา", "วิธีแก้"]
    rows = values[h:]
    expected = list(report.sorted())
    assert len(rows) == len(expected) == 6
    assert [r[0] for r in rows] == [f.code for f in expected]
    by_code = {r[0]: (i + h + 1, r) for i, r in enumerate(rows)}

    row, v306 = by_code["V306"]
    assert v306[1:7] == [
        "ข้อผิดพลาด",
        BUDGET,
        "E7",
        "ประเภท",
        expected[[f.code for f in expected].index("V306")].message(),
        "คลิกช่องแล้วเลือกจากรายการ (ลูกศรท้ายช่อง) เช่น โครงการ",
    ]
    assert ws.cell(row, 4).hyperlink.location == "'งบประมาณ 5 ปี'!E7"
    assert fill(ws.cell(row, 2)) == ("solid", FILLS["error"])
    assert fill(ws.cell(by_code["X401"][0], 2)) == ("solid", FILLS["warning"])
    assert fill(ws.cell(by_code["N351"][0], 2)) == ("solid", FILLS["info"])
    assert ws.cell(by_code["X401"][0], 4).hyperlink.location == "'ความเสี่ยง'!F6"

    # every link points at a sheet and cell that exist
    for r in range(h + 1, h + 1 + len(rows)):
        for c in (3, 4):
            link = ws.cell(r, c).hyperlink
            if link is None:
                continue
            sheet, ref = link.location.rsplit("!", 1)
            assert sheet.startswith("'") and sheet.endswith("'")
            assert sheet[1:-1].replace("''", "'") in wb.sheetnames
            assert wb[sheet[1:-1]][ref] is not None
    assert ws.cell(by_code["S209"][0], 3).hyperlink.location == "'ความเสี่ยง'!A1"  # sheet-level: the sheet
    assert ws.cell(by_code["F108"][0], 4).hyperlink is None
    assert ws.cell(by_code["S201"][0], 4).hyperlink is None  # no such sheet: no link

    assert ws.freeze_panes == f"A{h + 1}"
    assert ws.auto_filter.ref == f"A{h}:G{h + len(rows)}"
    assert ws.cell(row, 6).font.name == "TH Sarabun New"
    assert ws.cell(row, 6).font.sz == 14
    assert ws.cell(row, 6).alignment.wrap_text
    assert ws.page_setup.orientation == "landscape"
    assert int(ws.page_setup.paperSize) == 9
    assert ws.column_dimensions["F"].width > ws.column_dimensions["A"].width


def test_results_sheet_in_english(src: Path, tmp_path: Path) -> None:
    wb = openpyxl.load_workbook(annotate(src, sample_report(), tmp_path / "out.xlsx", lang="en"))
    ws = wb.worksheets[0]
    assert ws.title == "Check results" == wb.active.title
    h = header_row(ws, "Code")
    assert [c.value for c in ws[h]][:7] == ["Code", "Severity", "Sheet", "Cell", "Column", "Problem", "How to fix"]
    flat = [c.value for row in ws.iter_rows() for c in row if c.value]
    assert "failed" in flat
    assert "Kind" in flat
    assert "error" in flat


def test_results_sheet_name_already_taken(src: Path, tmp_path: Path) -> None:
    wb = openpyxl.load_workbook(src)
    wb.create_sheet("ผลการตรวจ")
    wb.save(src)
    wb = openpyxl.load_workbook(annotate(src, sample_report(), tmp_path / "out.xlsx"))
    assert wb.sheetnames[0] == "ผลการตรวจ 2"
    assert wb.active.title == "ผลการตรวจ 2"


def test_text_that_looks_like_a_formula_stays_text(src: Path, tmp_path: Path) -> None:
    f = Finding(code="V307", sheet=BUDGET, row=6, col=5, column_th="=1+1")
    ws = openpyxl.load_workbook(annotate(src, FileReport("x.xlsx", [f]), tmp_path / "out.xlsx")).worksheets[0]
    cell = ws.cell(header_row(ws) + 1, 5)
    assert cell.value == "=1+1"
    assert cell.data_type == "s"


def test_no_findings(src: Path, tmp_path: Path) -> None:
    wb = openpyxl.load_workbook(annotate(src, FileReport("maehoi.xlsx"), tmp_path / "out.xlsx"))
    ws = wb.worksheets[0]
    h = header_row(ws)
    assert ws.max_row == h
    assert "ผ่าน" in [c.value for row in ws.iter_rows() for c in row]
    assert "ไม่พบปัญหา" in [c.value for row in ws.iter_rows() for c in row]


# ------------------------------------------------------------------------------------------------ the original
def test_source_is_never_modified(src: Path, tmp_path: Path) -> None:
    os.utime(src, ns=(1_600_000_000_000_000_000, 1_600_000_000_000_000_000))
    data, mtime = src.read_bytes(), src.stat().st_mtime_ns
    out = annotate(src, sample_report(), tmp_path / "out" / "marked.xlsx")
    assert out == tmp_path / "out" / "marked.xlsx" and out.is_file()
    assert src.read_bytes() == data
    assert src.stat().st_mtime_ns == mtime
    assert sorted(p.name for p in out.parent.iterdir()) == ["marked.xlsx"]  # no temporary file left behind


def test_refuses_to_write_over_the_source(src: Path, tmp_path: Path) -> None:
    data = src.read_bytes()
    link = tmp_path / "link.xlsx"
    link.symlink_to(src)
    for out in (src, src.parent / "." / src.name, link):
        with pytest.raises(UsageError, match=r"ต้นฉบับ.*input file"):
            annotate(src, sample_report(), out)
    assert src.read_bytes() == data


def test_unloadable_source_still_gets_the_list(tmp_path: Path) -> None:
    bad = tmp_path / "broken.xlsx"
    bad.write_bytes(os.urandom(4096))
    report = FileReport(str(bad), [Finding(code="F106", params={"detail": "bad zip"})], unreadable=True)
    wb = openpyxl.load_workbook(annotate(bad, report, tmp_path / "out.xlsx"))
    assert wb.sheetnames == ["ผลการตรวจ"]
    ws = wb.active
    h = header_row(ws)
    assert [c.value for c in ws[h + 1]][:2] == ["F106", "ข้อผิดพลาด"]
    assert ws.max_row == h + 1
    texts = [c.value for row in ws.iter_rows() for c in row]
    assert "อ่านไม่ได้" in texts
    assert "เปิดไฟล์ต้นฉบับไม่ได้ ไฟล์นี้จึงมีเฉพาะผลการตรวจ" in texts


def test_source_openpyxl_cannot_load_even_if_the_check_could(tmp_path: Path) -> None:
    bad = tmp_path / "plan.xlsx"
    bad.write_bytes(b"PK\x03\x04" + os.urandom(1000))
    report = FileReport(str(bad), [kind_not_in_list()])
    wb = openpyxl.load_workbook(annotate(bad, report, tmp_path / "out.xlsx"))
    assert wb.sheetnames == ["ผลการตรวจ"]
    ws = wb.active
    assert ws.cell(header_row(ws) + 1, 1).value == "V306"
    assert ws.cell(header_row(ws) + 1, 4).hyperlink is None  # nothing to link to


def test_round_trip_keeps_names_validations_formats_protection_and_hidden_sheets(
    marked: tuple[FileReport, Workbook, Workbook],
) -> None:
    _, before, after = marked

    assert {n: d.attr_text for n, d in after.defined_names.items()} == {
        n: d.attr_text for n, d in before.defined_names.items()
    }
    assert "list_item_kinds" in after.defined_names
    assert after.sheetnames[1:] == before.sheetnames
    for ws in before.worksheets:
        new = after[ws.title]
        assert new.sheet_state == ws.sheet_state
        assert new.protection.sheet is True and not new.protection.password
        assert [(str(d.sqref), d.type, d.formula1) for d in new.data_validations.dataValidation] == [
            (str(d.sqref), d.type, d.formula1) for d in ws.data_validations.dataValidation
        ]
        rules = [
            (str(cf.sqref), [(r.type, r.operator, r.formula) for r in cf.rules]) for cf in new.conditional_formatting
        ]
        old = [(str(cf.sqref), [(r.type, r.operator, r.formula) for r in cf.rules]) for cf in ws.conditional_formatting]
        assert rules == old
        assert (new.freeze_panes, new.auto_filter.ref, new.print_title_rows, new.print_area) == (
            ws.freeze_panes,
            ws.auto_filter.ref,
            ws.print_title_rows,
            ws.print_area,
        )
    assert after[LISTS].sheet_state == "hidden"
    # the dropdowns still name the lists on the hidden sheet
    kinds = [d for d in after[BUDGET].data_validations.dataValidation if d.formula1 == "list_item_kinds"]
    assert kinds and after.defined_names["list_item_kinds"].attr_text.startswith("'รายการเลือก'!")
    assert any(cf.rules for cf in after[RISKS].conditional_formatting)
