"""A marked-up copy of a checked workbook, for the staff member who has to fix it.

Every problem found at a cell is coloured there and explained in a comment, and a first sheet lists all of them
with links to the cells: staff work through the list in the workbook they know instead of reading a report
beside it. The copy is made with openpyxl (formulas stay formulas); the staff's own file is only ever read.
"""

from __future__ import annotations

import io
import os
import warnings
from collections.abc import Iterable
from pathlib import Path

import openpyxl
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.hyperlink import Hyperlink
from openpyxl.worksheet.worksheet import Worksheet

from xlplan.cells import MAX_COL, MAX_ROW, a1, col_letter, quote_sheet
from xlplan.errors import UsageError
from xlplan.findings import FileReport, Finding
from xlplan.layout import FONT
from xlplan.report import HINT_LABEL, NO_PROBLEMS, counts_text, display_width, severity_word, verdict_word
from xlplan.writer import LINE_HEIGHT, lines_needed, write_atomic

AUTHOR = "xlplan"
FILLS = {"error": "FFC7CE", "warning": "FFEB9C", "info": "DDEBF7"}
VERDICT_FILLS = {"ok": "C6EFCE", "warnings": FILLS["warning"], "errors": FILLS["error"], "unreadable": FILLS["error"]}
RESULTS_SHEET = {"th": "ผลการตรวจ", "en": "Check results"}
# (header, width in Excel character units) of the results table
COLUMNS = {
    "th": (("รหัส", 8), ("ระดับ", 12), ("แผ่นงาน", 22), ("ช่อง", 8), ("คอลัมน์", 22), ("ปัญหา", 60), ("วิธีแก้", 50)),
    "en": (
        ("Code", 8),
        ("Severity", 12),
        ("Sheet", 22),
        ("Cell", 8),
        ("Column", 22),
        ("Problem", 60),
        ("How to fix", 50),
    ),
}
_LABELS = {
    "th": {"file": "ไฟล์", "verdict": "ผล", "counts": "จำนวน", "note": "หมายเหตุ"},
    "en": {"file": "File", "verdict": "Result", "counts": "Found", "note": "Note"},
}
_NOTES = {
    "th": {
        "unopened": "เปิดไฟล์ต้นฉบับไม่ได้ ไฟล์นี้จึงมีเฉพาะผลการตรวจ",
        "unsaved": "ทำสำเนาที่ทำเครื่องหมายไม่สำเร็จ ({detail}) ไฟล์นี้จึงมีเฉพาะผลการตรวจ",
        "dropped": "สำเนานี้ไม่มีบางส่วนของไฟล์ต้นฉบับ: {detail}",
    },
    "en": {
        "unopened": "The original file could not be opened, so this workbook holds only the check results.",
        "unsaved": "The marked copy could not be written ({detail}), so this workbook holds only the check results.",
        "dropped": "This copy lacks part of the original file: {detail}",
    },
}
FONT_SIZE = 14
_LINK_COLOR = "0563C1"
_BORDER = Border(*(Side(style="thin", color="A6A6A6"),) * 4)
_INFO_COLS = 7  # the information rows above the table span its width


def _lang(lang: str) -> str:
    return "en" if lang == "en" else "th"


def _same_file(a: Path, b: Path) -> bool:
    """True when writing ``b`` would overwrite ``a`` (same path, symlink, hard link, case-insensitive name)."""
    try:
        if a.resolve() == b.resolve():
            return True
        return a.exists() and b.exists() and os.path.samefile(a, b)
    except OSError:
        return False


def _load(src: Path) -> tuple[Workbook | None, list[str]]:
    """The workbook with formulas as formulas, or None when openpyxl cannot read it; and what openpyxl warned it
    would drop (unsupported extensions), so the copy can say so."""
    try:
        data = src.read_bytes()  # a file object: openpyxl would refuse a misnamed file by its extension
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            wb = openpyxl.load_workbook(io.BytesIO(data), keep_vba=False, data_only=False, rich_text=False)
    except Exception:  # whatever went wrong, the staff still get the list
        return None, []
    wb.template = False  # an .xltx source would otherwise be written as a template under an .xlsx name
    return wb, list(dict.fromkeys(str(w.message) for w in caught))


def _find_sheet(wb: Workbook, name: str) -> Worksheet | None:
    """The sheet called ``name``; Excel compares sheet names without regard to case, so this does too."""
    if not name:
        return None
    exact = next((ws for ws in wb.worksheets if ws.title == name), None)  # worksheets only, never a chart sheet
    folded = name.casefold()
    return exact or next((ws for ws in wb.worksheets if ws.title.casefold() == folded), None)


def _anchor(ws: Worksheet, row: int, col: int) -> tuple[int, int]:
    """The cell that carries a merged range's look and comment: its top left (0-based)."""
    r, c = row + 1, col + 1
    for rng in ws.merged_cells.ranges:
        if rng.min_row <= r <= rng.max_row and rng.min_col <= c <= rng.max_col:
            return rng.min_row - 1, rng.min_col - 1
    return row, col


def _note_text(f: Finding, lang: str) -> str:
    hint = f.hint(lang)
    text = f"[{f.code}] {f.message(lang)}"
    return f"{text}\n{HINT_LABEL[lang]} {hint}" if hint else text


def _comment_size(text: str) -> tuple[int, int]:
    """(width, height) in pixels for a comment box that shows ``text`` whole in Excel's 9 pt Tahoma."""
    px_char, px_line, margin = 7, 16, 20
    widest = max(display_width(line) for line in text.split("\n"))
    width = min(480, max(220, widest * px_char + margin))
    per_line = max(1, (width - margin) // px_char)
    lines = sum(max(1, -(-display_width(line) // per_line)) for line in text.split("\n"))
    return width, max(60, lines * px_line + margin)


def _mark(wb: Workbook, findings: Iterable[Finding], lang: str) -> None:
    """Fill and comment each cell a finding points at; several findings on one cell share one comment."""
    by_cell: dict[tuple[str, int, int], list[Finding]] = {}
    for f in findings:
        ws = _find_sheet(wb, f.sheet)
        if ws is None or f.row is None or f.col is None or not (0 <= f.row < MAX_ROW and 0 <= f.col < MAX_COL):
            continue
        by_cell.setdefault((ws.title, *_anchor(ws, f.row, f.col)), []).append(f)
    for (title, row, col), found in by_cell.items():
        cell = wb[title].cell(row + 1, col + 1)
        worst = max((f.severity for f in found), key=lambda s: s.rank)
        cell.fill = PatternFill(fill_type="solid", fgColor=FILLS[worst.value])  # font, border, format stay
        text = "\n\n".join(_note_text(f, lang) for f in found)
        if cell.comment is not None and cell.comment.text.strip():
            text = f"{cell.comment.text.rstrip()}\n\n{text}"
        width, height = _comment_size(text)
        cell.comment = Comment(text, AUTHOR, height=height, width=width)


def _unique_title(wb: Workbook, base: str) -> str:
    taken = {name.casefold() for name in wb.sheetnames}
    title, n = base, 2
    while title.casefold() in taken:
        title, n = f"{base} {n}", n + 1
    return title


def _put(ws: Worksheet, row: int, col: int, value: str, **style: object) -> None:
    """Write text as text: a message that starts with "=" must not become a formula."""
    cell = ws.cell(row, col)
    cell.value = value
    if cell.data_type == "f":
        cell.data_type = "s"
    font = style.pop("font", None)
    cell.font = font if isinstance(font, Font) else Font(name=FONT, size=FONT_SIZE)
    for key, val in style.items():
        setattr(cell, key, val)


def _link(ws: Worksheet, row: int, col: int, target: Worksheet, ref: str) -> None:
    cell = ws.cell(row, col)
    cell.hyperlink = Hyperlink(ref=cell.coordinate, location=f"{quote_sheet(target.title)}!{ref}", tooltip=ref)
    cell.font = Font(name=FONT, size=FONT_SIZE, color=_LINK_COLOR, underline="single")


def _results_sheet(wb: Workbook, report: FileReport, file_name: str, lang: str, notes: list[str]) -> Worksheet:
    """The list of every finding, first and active, linked to the marked cells."""
    ws = wb.create_sheet(_unique_title(wb, RESULTS_SHEET[lang]), 0)
    labels = _LABELS[lang]
    bold = Font(name=FONT, size=FONT_SIZE, bold=True)
    top_wrap = Alignment(wrap_text=True, vertical="top")
    table_width = sum(w for _, w in COLUMNS[lang][1:])

    _put(ws, 1, 1, f"{RESULTS_SHEET[lang]}: {file_name}", font=Font(name=FONT, size=18, bold=True))
    ws.row_dimensions[1].height = 30
    info = [
        (labels["file"], file_name, None),
        (labels["verdict"], verdict_word(report.verdict, lang), VERDICT_FILLS[report.verdict]),
        (labels["counts"], counts_text(report, lang) if report.findings else NO_PROBLEMS[lang], None),
        *((labels["note"], note, None) for note in notes),
    ]
    row = 2
    for label, value, fill in info:
        _put(ws, row, 1, label, font=bold, alignment=top_wrap)
        _put(ws, row, 2, value, alignment=top_wrap)
        if fill:
            ws.cell(row, 2).fill = PatternFill(fill_type="solid", fgColor=fill)
            ws.cell(row, 2).font = bold
        ws.merge_cells(start_row=row, start_column=2, end_row=row, end_column=_INFO_COLS)
        ws.row_dimensions[row].height = lines_needed(value, table_width) * LINE_HEIGHT
        row += 1

    header = row + 1
    header_style = {
        "font": bold,
        "fill": PatternFill(fill_type="solid", fgColor="D9E1F2"),
        "alignment": Alignment(horizontal="center", vertical="center", wrap_text=True),
        "border": _BORDER,
    }
    for c, (title, width) in enumerate(COLUMNS[lang], start=1):
        _put(ws, header, c, title, **dict(header_style))
        ws.column_dimensions[col_letter(c - 1)].width = width
    ws.row_dimensions[header].height = LINE_HEIGHT * 1.3

    row = header
    for f in report.sorted():
        row += 1
        target = _find_sheet(wb, f.sheet) if f.sheet else None
        if target is ws or (target is not None and target.sheet_state != "visible"):
            target = None  # a link into a hidden sheet only shows an error
        column = (f.column_en or f.column_th) if lang == "en" else f.column_th
        values = (f.code, severity_word(f.severity, lang), f.sheet, f.cell, column, f.message(lang), f.hint(lang))
        for c, value in enumerate(values, start=1):
            _put(ws, row, c, value, alignment=top_wrap, border=_BORDER)
        ws.cell(row, 2).fill = PatternFill(fill_type="solid", fgColor=FILLS[f.severity.value])
        if target is not None and f.cell:
            _link(ws, row, 4, target, f.cell)
        elif target is not None:
            _link(ws, row, 3, target, a1(0, 0))  # a finding about the whole sheet opens the sheet
        lines = max(lines_needed(str(v), w) for v, (_, w) in zip(values, COLUMNS[lang], strict=True))
        ws.row_dimensions[row].height = lines * LINE_HEIGHT

    last_col = col_letter(len(COLUMNS[lang]) - 1)
    ws.freeze_panes = ws.cell(header + 1, 1)
    if row > header:
        ws.auto_filter.ref = f"A{header}:{last_col}{row}"
    ws.print_title_rows = f"{header}:{header}"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = ws.ORIENTATION_LANDSCAPE
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top = ws.page_margins.bottom = 0.6
    ws.oddFooter.center.text = "หน้า &P / &N" if lang == "th" else "Page &P of &N"
    ws.oddFooter.center.font = FONT
    ws.oddFooter.center.size = 12

    for other in wb.worksheets:  # one selected tab: several would group the sheets and edit them together
        other.sheet_view.tabSelected = other is ws
    wb.active = ws
    return ws


def _results_only(report: FileReport, file_name: str, lang: str, notes: list[str]) -> bytes:
    wb = Workbook()
    default = wb.active
    _results_sheet(wb, report, file_name, lang, notes)
    wb.remove(default)
    return _save(wb)


def _save(wb: Workbook) -> bytes:
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def annotate(src: Path, report: FileReport, out: Path, lang: str = "th") -> Path:
    """Write to ``out`` a copy of ``src`` with ``report``'s findings marked on their cells and listed first.

    ``src`` is only read. When it cannot be opened (the check found it unreadable, or openpyxl fails on it),
    ``out`` still gets a workbook with the list alone. Raises UsageError when ``out`` is ``src``.
    """
    src, out, lang = Path(src), Path(out), _lang(lang)
    if _same_file(src, out):
        raise UsageError(
            f"{out}: ไฟล์ผลลัพธ์ต้องไม่ใช่ไฟล์ต้นฉบับ (จะเขียนทับแฟ้มของผู้กรอก) / "
            "the output must not be the input file (it would overwrite the staff's workbook)"
        )
    file_name = Path(report.path).name if report.path else src.name
    notes = _NOTES[lang]
    wb, dropped = (None, []) if report.unreadable else _load(src)
    if wb is None:
        return write_atomic(out, _results_only(report, file_name, lang, [notes["unopened"]]))
    _mark(wb, report.sorted(), lang)
    _results_sheet(wb, report, file_name, lang, [notes["dropped"].format(detail=d) for d in dropped])
    try:
        data = _save(wb)
    except Exception as exc:  # a workbook openpyxl can read but not write back: the list alone, saying why
        data = _results_only(report, file_name, lang, [notes["unsaved"].format(detail=exc)])
    return write_atomic(out, data)


__all__ = ["COLUMNS", "FILLS", "RESULTS_SHEET", "annotate"]
