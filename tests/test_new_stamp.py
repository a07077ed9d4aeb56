"""Pre-filled workbooks for an org list are stamped from one template: they must equal a freshly written one."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import openpyxl

from xlplan.model import DEFAULT_YEARS, Org
from xlplan.new import BlankStamp, blank_plan
from xlplan.writer import render

ORG = Org(
    name='องค์การบริหารส่วนตำบลทดสอบ "A" <1>',
    type="องค์การบริหารส่วนตำบล",
    code="6501001",
    subdistrict="ทดสอบ",
    district="ดอยสะเก็ด",
    province="เชียงใหม่",
)


def _parts(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return {n: z.read(n) for n in z.namelist()}


def _cells(data: bytes) -> dict[str, list[tuple]]:
    wb = openpyxl.load_workbook(io.BytesIO(data))
    return {
        ws.title: [(c.coordinate, c.value, c.style_id, c.protection.locked) for row in ws.iter_rows() for c in row]
        for ws in wb.worksheets
    }


def test_stamped_workbook_equals_written_workbook(tmp_path: Path) -> None:
    stamped_bytes = BlankStamp(DEFAULT_YEARS).write(ORG, tmp_path / "s.xlsx").read_bytes()
    written_bytes = render(blank_plan(ORG, DEFAULT_YEARS))
    stamped, written = _parts(stamped_bytes), _parts(written_bytes)
    assert stamped.keys() == written.keys()
    # every cell the same: value, formula, style, lock
    assert _cells(stamped_bytes) == _cells(written_bytes)
    # every other part the same byte for byte (shared-string numbering may differ: a stamped text that is also
    # a dropdown entry is stored twice, which Excel and LibreOffice accept)
    dates = re.compile(rb"<dcterms:(created|modified)[^<]*</dcterms:(created|modified)>")
    for name in written:
        if name.startswith("xl/worksheets/sheet") or name == "xl/sharedStrings.xml":
            continue
        a, b = stamped[name], written[name]
        if name == "docProps/core.xml":
            a, b = dates.sub(b"", a), dates.sub(b"", b)
        assert a == b, name
    assert b"XLPLAN_PLACEHOLDER" not in b"".join(stamped.values())
    assert b'"A" &lt;1&gt;' in stamped["xl/sharedStrings.xml"]
