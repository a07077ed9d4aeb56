"""The example printed by LibreOffice: A4 pages, Thai text that survives, no column cut off onto another page."""

from __future__ import annotations

import shutil
import subprocess
import unicodedata
from pathlib import Path

import pytest

from xlplan.layout import SHEETS, layout_for

from libreoffice import available, run_job

pytestmark = [
    pytest.mark.libreoffice,
    pytest.mark.skipif(not available() or not shutil.which("pdftotext"), reason="needs LibreOffice and poppler"),
]

A4 = (595, 842)


def _squash(text: str) -> str:
    """Text without white space and Thai vowel/tone marks: pdftotext spaces and reorders those marks."""
    return "".join(ch for ch in text if not ch.isspace() and unicodedata.category(ch) != "Mn")


def _pages(pdf: Path) -> list[str]:
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    return [_squash(page) for page in text.split("\f")[:-1]]


def _sizes(pdf: Path) -> list[tuple[int, int]]:
    out = subprocess.run(["pdfinfo", "-f", "1", "-l", "999", str(pdf)], capture_output=True, text=True).stdout
    sizes = []
    for line in out.splitlines():
        if line.startswith("Page") and "size:" in line:
            w, h = line.split("size:")[1].split("pts")[0].split("x")
            sizes.append((round(float(w)), round(float(h))))
    return sizes


@pytest.fixture(scope="module")
def pdf(example_xlsx: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("pdf") / "maehoi.pdf"
    run_job(example_xlsx, save_pdf=out)
    return out


def test_every_page_is_a4(pdf: Path) -> None:
    sizes = _sizes(pdf)
    assert len(sizes) >= 6
    assert all(tuple(sorted(s)) == A4 for s in sizes)


def test_thai_text_is_there_and_every_table_page_holds_all_its_columns(pdf: Path) -> None:
    pages = _pages(pdf)
    text = "\n".join(pages)
    for title in (
        "คำแนะนำการกรอกแผนปฏิบัติการป้องกันการทุจริต",
        "ส่วนที่ 1 การประเมินความเสี่ยงการทุจริต",
        "ส่วนที่ 2 โครงการ/กิจกรรม/มาตรการ และงบประมาณ",
        "ส่วนที่ 3 รายละเอียดโครงการ",
    ):
        assert _squash(title) in text
    assert _squash("(เจ็ดแสนห้าหมื่นหนึ่งพันหกร้อยบาทถ้วน)") in text
    # every page starts with its header line (organisation, sheet name); the table's header row repeats on each
    # page, and its first and last column headers must both be on it
    org = "องค์การบริหารส่วนตำบลแม่ฮ้อย"
    by_sheet: dict[str, list[str]] = {}
    for sheet in SHEETS.order():
        by_sheet[sheet] = [p for p in pages if p.startswith(_squash(org + sheet))]
    L = layout_for((2566, 2567, 2568, 2569, 2570))
    last_printed = {"measures": "unit"}
    for table in L.tables:
        pages_of = by_sheet[table.sheet]
        assert pages_of, table.sheet
        first = _squash(table.columns[0].th.split("\n")[0])
        last_key = last_printed.get(table.key, table.columns[-1].key)
        last = _squash(table.column(last_key).th.split("\n")[0])
        for page in pages_of:
            if first in page:
                assert first in page and last in page, (table.sheet, last)
