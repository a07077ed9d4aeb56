"""Tests for the LibreOffice referee harness (tests/libreoffice.py + tests/lo_uno_job.py).

Each run_job call starts one private headless soffice (about 2 s here); the module starts it 6 times (~12 s).
Skipped when LibreOffice or the system interpreter's ``uno`` is missing, unless XLPLAN_REQUIRE_LIBREOFFICE=1 is
set (CI should set it, so a missing install fails loudly instead of skipping silently).
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import time
from pathlib import Path

import openpyxl
import pytest
import xlsxwriter

try:
    import libreoffice as lo
except ImportError:  # tests/ imported as a package
    from tests import libreoffice as lo

if not lo.available():
    if os.environ.get("XLPLAN_REQUIRE_LIBREOFFICE") == "1":
        raise RuntimeError("XLPLAN_REQUIRE_LIBREOFFICE=1 but soffice or /usr/bin/python3 with uno is missing")
    pytest.skip("LibreOffice (soffice + python3-uno) not available", allow_module_level=True)

pytestmark = pytest.mark.libreoffice

THAI_SHEET = "งบประมาณ 5 ปี"
THAI_TEXT = "ค่าใช้จ่ายรวม (บาท)"


def test_carried_vs_recalculated(tmp_path: Path) -> None:
    """xlsxwriter stores whatever cached value it is told; LibreOffice keeps it unless asked to recalculate."""
    src = tmp_path / "cached.xlsx"
    wb = xlsxwriter.Workbook(src)
    ws = wb.add_worksheet("Data")
    for row, value in enumerate([1, 2, 3.5]):
        ws.write_number(row, 0, value)
    ws.write_formula("A4", "=SUM(A1:A3)", None, 999)
    ws.write_formula("B1", '=IF(A1>0,"pos","neg")', None, "stale")
    ws.write_formula("B2", "=A1/0")
    wb.close()
    # A stale lock file, as a killed soffice leaves behind, must not matter (jobs open a private copy).
    (tmp_path / ".~lock.cached.xlsx#").write_text("stale,lock,,", encoding="utf-8")
    cells = [("Data", "A4"), ("Data", "B1"), ("Data", "B2"), ("Data", "C9")]

    assert lo.carried_values(src, cells) == {"Data!A4": 999.0, "Data!B1": "stale", "Data!B2": 0.0, "Data!C9": None}
    assert lo.recalculated_values(src, cells) == {
        "Data!A4": 6.5,
        "Data!B1": "pos",
        "Data!B2": "#DIV/0!",
        "Data!C9": None,
    }


def test_insert_and_delete_rows_like_a_user(tmp_path: Path) -> None:
    src = tmp_path / "rows.xlsx"
    wb = xlsxwriter.Workbook(src)
    ws = wb.add_worksheet("Ins")
    for row, value in enumerate([1, 2, 3]):
        ws.write_number(row, 0, value)
    ws.write_formula("A4", "=SUM(A1:A3)", None, 6)
    ws.write_formula("B1", "=A4*2", None, 12)
    dl = wb.add_worksheet("Del")
    for row, value in enumerate([10, 20, 30, 40]):
        dl.write_number(row, 0, value)
    dl.write_formula("A5", "=SUM(A1:A4)", None, 100)
    dl.write_formula("B1", "=A3+1", None, 31)
    wb.close()

    res = lo.run_job(
        src,
        edits=[
            {"op": "insert_rows", "sheet": "Ins", "row": 2, "count": 1},
            {"op": "set", "sheet": "Ins", "cell": "A2", "value": 100.5},
            {"op": "set", "sheet": "Ins", "cell": "C1", "value": "=IF(A5>100;A5;0)"},  # LibreOffice syntax
            {"op": "set", "sheet": "Ins", "cell": "C2", "value": "=IF(A5>100,A5,0)", "syntax": "excel"},
            {"op": "set", "sheet": "Ins", "cell": "C3", "value": "=IF(A5>100,A5,0)"},  # wrong syntax for setFormula
            {"op": "set", "sheet": "Ins", "cell": "C4", "value": "note"},
            {"op": "delete_rows", "sheet": "Del", "row": 3, "count": 1},
        ],
        read=[
            ("Ins", "A5"),
            ("Ins", "B1"),
            ("Ins", "C1"),
            ("Ins", "C2"),
            ("Ins", "C3"),
            ("Ins", "C4"),
            ("Del", "A4"),
            ("Del", "B1"),
        ],
    )
    values, formulas, excel = res["values"], res["formulas"], res["formulas_excel"]
    # The SUM moved down one row and its range expanded over the inserted row; the new value is included.
    assert formulas["Ins!A5"] == "=SUM(A1:A4)"
    assert values["Ins!A5"] == 106.5
    assert formulas["Ins!B1"] == "=A5*2"
    assert values["Ins!B1"] == 213.0
    assert values["Ins!C1"] == values["Ins!C2"] == 106.5
    assert formulas["Ins!C2"] == "=IF(A5>100;A5;0)"
    assert excel["Ins!C2"] == "=IF(A5>100,A5,0)"
    assert values["Ins!C3"] == "Err:508"  # setFormula does not understand ',' separators
    assert (values["Ins!C4"], formulas["Ins!C4"]) == ("note", "note")
    # Deleting row 3 shrinks the SUM and breaks the reference to the deleted cell.
    assert (formulas["Del!A4"], values["Del!A4"]) == ("=SUM(A1:A3)", 70.0)
    assert (formulas["Del!B1"], values["Del!B1"]) == ("=A#REF!+1", "#REF!")
    assert excel["Del!B1"] is None  # LibreOffice's Excel-syntax printer drops deleted references
    assert res["soffice_exited_cleanly"] is True


@pytest.fixture(scope="module")
def thai_job(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """One job for the Thai round trip, the xlsx re-save and the PDF export."""
    tmp = tmp_path_factory.mktemp("thai")
    src = tmp / "thai.xlsx"
    wb = xlsxwriter.Workbook(src)
    ws = wb.add_worksheet(THAI_SHEET)
    ws.write_string("A1", THAI_TEXT)
    for row, value in enumerate([1000, 2500, 4000], start=1):
        ws.write_number(row, 1, value)
    ws.write_formula("B5", "=SUM(B2:B4)", None, 0)
    other = wb.add_worksheet("สรุป")
    other.write_formula("A1", f"='{THAI_SHEET}'!B5*2", None, 0)
    wb.close()

    out_xlsx, out_pdf = tmp / "out" / "resaved.xlsx", tmp / "out" / "print.pdf"
    res = lo.run_job(
        src,
        edits=[
            {"op": "set", "sheet": THAI_SHEET, "cell": "B3", "value": 3000},
            {"op": "set", "sheet": THAI_SHEET, "cell": "A6", "value": "หมายเหตุ: ปรับปรุงแล้ว"},
        ],
        read=[(THAI_SHEET, "A1"), (THAI_SHEET, "B5"), (THAI_SHEET, "A6"), ("สรุป", "A1")],
        save_xlsx=out_xlsx,
        save_pdf=out_pdf,
    )
    return {"res": res, "xlsx": out_xlsx, "pdf": out_pdf, "src": src}


def test_thai_round_trip_and_resaved_xlsx(thai_job: dict) -> None:
    res = thai_job["res"]
    assert res["values"] == {
        f"{THAI_SHEET}!A1": THAI_TEXT,
        f"{THAI_SHEET}!B5": 8000.0,
        f"{THAI_SHEET}!A6": "หมายเหตุ: ปรับปรุงแล้ว",
        "สรุป!A1": 16000.0,
    }
    assert res["formulas"]["สรุป!A1"] == f"=$'{THAI_SHEET}'.B5*2"
    assert res["formulas_excel"]["สรุป!A1"] == f"='{THAI_SHEET}'!B5*2"

    out = thai_job["xlsx"]
    assert out.is_file()
    assert not [p.name for p in out.parent.iterdir() if p.name.startswith(".")]  # no temp files left
    formulas = openpyxl.load_workbook(out)
    assert formulas.sheetnames == [THAI_SHEET, "สรุป"]
    assert formulas[THAI_SHEET]["B5"].value == "=SUM(B2:B4)"
    assert formulas["สรุป"]["A1"].value == f"='{THAI_SHEET}'!B5*2"
    cached = openpyxl.load_workbook(out, data_only=True)
    assert cached[THAI_SHEET]["A1"].value == THAI_TEXT
    assert cached[THAI_SHEET]["B3"].value == 3000
    assert cached[THAI_SHEET]["B5"].value == 8000
    assert cached["สรุป"]["A1"].value == 16000
    # The source is never touched.
    assert openpyxl.load_workbook(thai_job["src"], data_only=True)[THAI_SHEET]["B5"].value == 0


def test_pdf_export(thai_job: dict) -> None:
    pdf = thai_job["pdf"].read_bytes()
    assert pdf.startswith(b"%PDF")
    assert b"%%EOF" in pdf[-64:]


def test_errors_are_clear(tmp_path: Path) -> None:
    src = tmp_path / "small.xlsx"
    wb = xlsxwriter.Workbook(src)
    wb.add_worksheet("Only").write_number("A1", 1)
    wb.close()
    with pytest.raises(ValueError, match="unknown edit op"):
        lo.run_job(src, edits=[{"op": "insert_cols", "sheet": "Only"}])
    with pytest.raises(lo.LibreOfficeError, match="no sheet named 'Nope'"):
        lo.run_job(src, read=[("Nope", "A1")])
    with pytest.raises(lo.LibreOfficeError, match="does not exist"):
        lo.run_job(tmp_path / "missing.xlsx")


def test_timeout_kills_everything(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    src = tmp_path / "small.xlsx"
    wb = xlsxwriter.Workbook(src)
    wb.add_worksheet("Only").write_number("A1", 1)
    wb.close()
    workdirs: list[str] = []
    real_mkdtemp = tempfile.mkdtemp

    def recording_mkdtemp(*args: object, **kwargs: object) -> str:
        path = real_mkdtemp(*args, **kwargs)  # type: ignore[call-overload]
        workdirs.append(path)
        return path

    monkeypatch.setattr(lo.tempfile, "mkdtemp", recording_mkdtemp)
    started = time.monotonic()
    with pytest.raises(lo.LibreOfficeError, match="timed out"):
        lo.run_job(src, read=[("Only", "A1")], timeout=0.8)
    assert time.monotonic() - started < 10
    assert len(workdirs) == 1 and not Path(workdirs[0]).exists()
    time.sleep(0.5)
    survivors = []
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            try:
                cmdline = (proc / "cmdline").read_bytes()
            except OSError:
                continue
            if workdirs[0].encode() in cmdline:
                survivors.append(cmdline.replace(b"\0", b" ").decode(errors="replace"))
    assert survivors == []
    # No IPC socket litter in /tmp either (a killed soffice cannot remove its own).
    digest = hashlib.md5((Path(workdirs[0]) / "profile").as_uri().encode("utf-16-le"), usedforsecurity=False)
    ipc = Path("/tmp") / f"OSL_PIPE_{os.getuid()}_SingleOfficeIPC_{''.join(format(b, 'x') for b in digest.digest())}"
    assert not ipc.exists()
    assert list(Path("/tmp").glob(f"OSL_PIPE_*_xlplan_lo_{os.getpid()}_*")) == []
