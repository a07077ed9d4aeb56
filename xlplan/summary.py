"""The consolidation's summary workbook: Thai, Excel-native, every formula written with its value.

Sheets: overview by province and district (formulas over the detail sheets), one row per organisation with its
verdict, all items, all risks, indicator coverage, progress, all findings, the file ledger, and charts.

xlsxwriter writes the frame of the workbook: titles, headers, formats, filters, print setup, charts, and the first
row of every long table. The other rows, hundreds of thousands for the whole country, are then put into the sheets'
XML a chunk at a time (:func:`_add_rows`): built column by column with Arrow's string kernels, their text in the
shared-string table, and compressed as they come (by zlib-ng, on a thread of its own: :class:`_ZipWriter`), so the
summary neither waits on Python per cell nor holds all its cells in memory.
"""

from __future__ import annotations

import html
import io
import itertools
import math
import re
import struct
import tempfile
import zipfile
import zlib
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import IO, Any
from xml.sax.saxutils import escape as xml_escape

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import xlsxwriter

try:  # zlib-ng deflates the same way, faster (measured below, at LEVEL); a dependency, but zlib would do
    from zlib_ng import zlib_ng as _zlib
except ImportError:  # pragma: no cover
    _zlib = zlib  # type: ignore[no-redef]

from xlplan.cells import a1, col_index, col_letter, col_range, quote_sheet
from xlplan.consolidate import OUTPUT_MARKER, Consolidation
from xlplan.framework import load as load_framework
from xlplan.layout import FONT
from xlplan.paths import StagedFiles

SHEET = {
    "overview": "ภาพรวม",
    "orgs": "อปท.",
    "items": "โครงการ",
    "risks": "ความเสี่ยง",
    "coverage": "ความครอบคลุมตัวชี้วัด",
    "progress": "ความก้าวหน้า",
    "findings": "ปัญหาที่พบ",
    "ledger": "ทะเบียนไฟล์",
    "charts": "แผนภูมิ",
}

LABELS = {
    "file_id": "ลำดับไฟล์",
    "path": "ไฟล์",
    "size": "ขนาด (ไบต์)",
    "sha256": "SHA-256",
    "modified": "แก้ไขล่าสุด",
    "kind": "ชนิดไฟล์",
    "org_code": "รหัส อปท.",
    "org_name": "ชื่อ อปท.",
    "template": "รุ่นแม่แบบ",
    "revision": "วันที่ประกาศ (ฉบับ)",
    "verdict": "ผลการตรวจ",
    "errors": "ข้อผิดพลาด",
    "warnings": "คำเตือน",
    "infos": "ข้อมูล",
    "used": "ใช้ในการรวม",
    "status": "สถานะ",
    "superseded_by": "ถูกแทนที่ด้วย",
    "conflict": "ฉบับขัดกัน",
    "reason": "เหตุผล",
    "seconds": "เวลาอ่าน (วินาที)",
    "org_type": "ประเภท",
    "province": "จังหวัด",
    "district": "อำเภอ",
    "subdistrict": "ตำบล",
    "on_roster": "อยู่ในทะเบียน",
    "items": "จำนวนโครงการ",
    "risks": "จำนวนความเสี่ยง",
    "high_risks": "ความเสี่ยงสูงขึ้นไป",
    "indicators_covered": "ตัวชี้วัดที่ครอบคลุม",
    "budget_total": "งบประมาณรวม (บาท)",
    "number": "ลำดับ",
    "dimension": "มิติ",
    "mission": "ภารกิจ",
    "indicator": "ตัวชี้วัด",
    "kind_item": "ประเภท",
    "name": "ชื่อโครงการ/กิจกรรม/มาตรการ",
    "total": "รวม (บาท)",
    "responsible": "หน่วยงานรับผิดชอบ",
    "area": "ขั้นตอนการดำเนินงาน",
    "issue": "ประเด็นความเสี่ยง",
    "likelihood": "โอกาส",
    "impact": "ผลกระทบ",
    "score": "คะแนน",
    "level": "ระดับ",
    "measures": "มาตรการ/ตัวชี้วัด",
    "owner": "ผู้รับผิดชอบ",
    "year": "ปี",
    "reported_6": "รายงานรอบ 6 เดือน",
    "reported_12": "รายงานรอบ 12 เดือน",
    "done_12": "ดำเนินการแล้ว (12 เดือน)",
    "implementation_rate": "อัตราการดำเนินการ",
    "spent_12": "ใช้จ่ายจริง (บาท)",
    "budget": "งบประมาณ (บาท)",
    "code": "รหัสปัญหา",
    "severity": "ระดับปัญหา",
    "sheet": "แผ่นงาน",
    "cell": "ช่อง",
    "column": "คอลัมน์",
    "message_th": "ปัญหา",
    "message_en": "Problem (English)",
    "hint_th": "วิธีแก้",
    "hint_en": "How to fix",
    "expected": "ที่คาดว่าจะได้รับ",
    "received": "ได้รับ",
    "valid": "ผ่าน",
    "with_errors": "มีข้อผิดพลาด",
}
VERDICT_TH = {
    "ok": "ผ่าน",
    "warnings": "ผ่าน มีคำเตือน",
    "errors": "ไม่ผ่าน",
    "unreadable": "อ่านไม่ได้",
    "skipped": "ข้าม",
    "failed": "อ่านไม่สำเร็จ",
    "": "",
}
STATUS_TH = {
    "used": "ใช้",
    "superseded": "ถูกแทนที่",
    "unreadable": "อ่านไม่ได้",
    "skipped": "ข้าม",
    "failed": "อ่านไม่สำเร็จ",
    "no_org_code": "ไม่มีรหัส อปท.",
    "received": "ได้รับแล้ว",
    "not_submitted": "ยังไม่ส่ง",
    "sent_unreadable": "ส่งแล้วแต่อ่านไม่ได้",
}
WIDTH = {
    "path": 40,
    "name": 50,
    "issue": 50,
    "org_name": 30,
    "message_th": 60,
    "message_en": 50,
    "hint_th": 40,
    "hint_en": 40,
    "area": 30,
    "superseded_by": 30,
    "reason": 40,
    "sha256": 20,
    "responsible": 18,
}


def _label(col: str) -> str:
    if col.startswith("budget_dim"):
        return f"งบประมาณ มิติ {col[10:]} (บาท)"
    if col.startswith("items_dim"):
        return f"โครงการ มิติ {col[9:]}"
    if col.startswith("budget_") and col[7:].isdigit():
        return f"งบประมาณ ปี {col[7:]} (บาท)"
    return LABELS.get(col, col)


def _clean(v: Any) -> Any:
    if v is None:
        return None
    if isinstance(v, float) and math.isnan(v):
        return None
    if hasattr(v, "item"):  # numpy scalars
        return v.item()
    return v


class _Book:
    def __init__(self, wb: xlsxwriter.Workbook) -> None:
        self.wb = wb
        base = {"font_name": FONT, "font_size": 14, "valign": "top"}
        self.f_text = wb.add_format({**base, "text_wrap": True})
        self.f_num = wb.add_format({**base, "num_format": "#,##0.00"})
        self.f_int = wb.add_format({**base, "num_format": "#,##0"})
        self.f_pct = wb.add_format({**base, "num_format": "0.0%"})
        self.f_head = wb.add_format(
            {
                **base,
                "bold": True,
                "bg_color": "#D9E1F2",
                "border": 1,
                "text_wrap": True,
                "align": "center",
                "valign": "vcenter",
            }
        )
        self.f_title = wb.add_format({**base, "bold": True, "font_size": 18})
        self.f_bold_num = wb.add_format({**base, "num_format": "#,##0.00", "bold": True, "top": 1})
        self.f_bold_int = wb.add_format({**base, "num_format": "#,##0", "bold": True, "top": 1})
        self.f_bold = wb.add_format({**base, "bold": True, "top": 1})
        self.bulk: dict[str, _Bulk] = {}  # sheet -> its rows after the first record

    def sheet(self, name: str, landscape: bool = True) -> Any:
        ws = self.wb.add_worksheet(name)
        ws.set_default_row(21)  # a line of 14 pt Thai with its vowels above and below (15 pt clips them)
        ws.set_paper(9)
        if landscape:
            ws.set_landscape()
        ws.set_margins(left=0.4, right=0.4, top=0.6, bottom=0.6)
        ws.set_footer(f'&C&"{FONT}"&12หน้า &P / &N')
        ws.set_header(f'&L&"{FONT}"&12{name}')
        ws.fit_to_pages(1, 0)
        return ws

    def table(self, key: str, df: pd.DataFrame, title: str) -> tuple[Any, int, int]:
        """A detail sheet: title, header row, one row per record; filter, frozen header, print titles.

        Only the first record is written through xlsxwriter (it fixes each column's cell format); the others are
        added to the sheet's XML afterwards by :func:`_add_rows`, vectorised, which is what a country-wide summary
        of 200,000 items needs.
        """
        ws = self.sheet(SHEET[key])
        ws.write_string(0, 0, title, self.f_title)
        head = 2
        ws.set_row(head, 48)  # wrapped two-line headers (constant-memory mode: before the row is written)
        formats = []
        for c, col in enumerate(df.columns):
            ws.write_string(head, c, _label("kind_item" if key == "items" and col == "kind" else col), self.f_head)
            ws.set_column(c, c, WIDTH.get(col, 14))
            formats.append(self._format(col, df[col]))
        if len(df):
            for c, v in enumerate(_values(df.iloc[:1])[0]):
                if v is None:
                    ws.write_blank(head + 1, c, None, formats[c])
                elif isinstance(v, str):
                    ws.write_string(head + 1, c, v, formats[c])
                else:
                    ws.write_number(head + 1, c, v, formats[c])
            self.bulk[SHEET[key]] = _Bulk(head + 1, head + len(df), partial(_table_rows, head + 1, df))
        last = head + len(df)
        ws.autofilter(head, 0, max(head, last), max(0, len(df.columns) - 1))
        ws.freeze_panes(head + 1, 0)
        ws.repeat_rows(head)
        return ws, head + 1, last

    def _format(self, col: str, series: pd.Series) -> Any:
        if col == "implementation_rate":
            return self.f_pct
        if pd.api.types.is_bool_dtype(series) or not pd.api.types.is_numeric_dtype(series):
            return self.f_text
        if pd.api.types.is_integer_dtype(series) or col in ("seconds",):
            return self.f_int
        return self.f_num


def _values(df: pd.DataFrame) -> list[list[Any]]:
    """The table's cells as staff read them: Thai verdicts and statuses, ใช่/ไม่ for booleans, None for empty.

    Per value, in Python: used for each sheet's first record (written through xlsxwriter) and, in :func:`_column`,
    for a column of a type the vectorised conversion does not know.
    """
    columns = []
    for col in df.columns:
        values = [_clean(v) for v in df[col].tolist()]
        if col == "verdict":
            values = [VERDICT_TH.get(v, v) for v in values]
        elif col == "status":
            values = [STATUS_TH.get(v, v) for v in values]
        else:
            values = [("ใช่" if v else "ไม่") if isinstance(v, bool) else v for v in values]
        columns.append([v if v is None or isinstance(v, int | float | str) else str(v) for v in values])
    return [list(row) for row in zip(*columns, strict=True)]


# The bulk rows are built column-wise with Arrow's string kernels (C++, no Python per cell): each column becomes
# the pieces of its <c> elements, and one element-wise join per row chunk gives the <row> elements back to back in
# one buffer, which goes to the zip stream as it is.
_join = pc.binary_join_element_wise

# Text that may need more than copying into the XML has one of these bytes in its UTF-8: markup characters, control
# characters (XML 1.0 cannot hold most of them; xlsxwriter writes all but tab and newline as _xHHHH_), "_" (a
# literal _xHHHH_ is escaped too) or 0xEF (lead byte of U+FFFE and U+FFFF). Thai text has none of them: the bytes of
# all strings are searched for them at once with numpy, and only the strings that have one go through Python.
_NEEDS_ESCAPE = re.compile("[&<>\x00-\x08\x0b-\x1f\ufffe\uffff]|_x[0-9a-fA-F]{4}_")
_X_LITERAL = re.compile("(_x[0-9a-fA-F]{4}_)")
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f]")


def _escape(text: str) -> str:
    """Text for an XML text node, escaped as xlsxwriter escapes the cells it writes itself."""
    text = _X_LITERAL.sub(r"_x005F\1", text)
    text = _CONTROL.sub(lambda m: f"_x{ord(m.group()):04X}_", text)
    text = text.replace("\ufffe", "_xFFFE_").replace("\uffff", "_xFFFF_")
    return xml_escape(text)


def _offsets(strings: pa.Array) -> np.ndarray:
    """Where each value of a string array starts in its data buffer, and where the last one ends."""
    return np.frombuffer(strings.buffers()[1], np.int32)[strings.offset : strings.offset + len(strings) + 1]


def _data(strings: pa.Array) -> pa.Buffer:
    """The UTF-8 bytes of a string array's values, back to back (no copy)."""
    data = strings.buffers()[2]
    if data is None:
        return pa.py_buffer(b"")
    first, last = _offsets(strings)[[0, -1]].tolist()
    return data[first:last]


def _escaped(text: pa.Array) -> pa.Array:
    """The strings as XML text: those with a byte of the few above are escaped in Python, the others kept."""
    b = np.frombuffer(_data(text), np.uint8)
    control = (b < 0x20) & (b != 0x09) & (b != 0x0A)
    suspect = np.flatnonzero(control | (b == 0x26) | (b == 0x3C) | (b == 0x3E) | (b == 0x5F) | (b == 0xEF))
    if not len(suspect):
        return text
    offsets = _offsets(text)
    which = np.unique(np.searchsorted(offsets, suspect + offsets[0], side="right") - 1)
    values = text.take(pa.array(which)).to_pylist()
    mask = np.zeros(len(text), dtype=bool)
    mask[which] = True
    escaped = [_escape(v) if _NEEDS_ESCAPE.search(v) else v for v in values]
    return pc.replace_with_mask(text, pa.array(mask), pa.array(escaped, pa.string()))


def _floats(values: np.ndarray) -> pa.Array:
    """repr() of each finite number (what the per-value code wrote: 7500.0, not 7500), null for NaN and infinities.

    Whole numbers below 1e16 (most amounts of baht), whose repr is their digits and ".0", are formatted by Arrow as
    integers; only the others go through repr() in Python.
    """
    values = values.astype(np.float64, copy=False)
    finite = np.isfinite(values)
    with np.errstate(invalid="ignore"):
        whole = finite & (np.trunc(values) == values) & (np.abs(values) < 1e16) & ~((values == 0) & np.signbit(values))
    digits = pc.binary_join_element_wise(
        pc.cast(pa.array(np.where(whole, values, 0).astype(np.int64), mask=~whole), pa.string()), ".0", ""
    )
    if whole.all():
        return digits
    rest = np.flatnonzero(finite & ~whole)
    at = np.full(len(values), -1, dtype=np.int64)
    at[rest] = np.arange(len(rest))
    others = pc.take(pa.array(list(map(repr, values[rest].tolist())), pa.string()), pa.array(at, mask=at < 0))
    return pc.coalesce(digits, others)


def _column(series: pd.Series, col: str) -> tuple[pa.Array | None, pa.Array | None]:
    """A column's cells as (text, number) arrays, each null where the cell is not of its kind; numbers as written.

    The same values as :func:`_values`, worked out per column instead of per cell.
    """
    dtype = series.dtype
    mapped = col in ("verdict", "status")
    if not mapped and isinstance(dtype, np.dtype) and dtype.kind in "biuf":
        values = series.to_numpy()
        if dtype.kind == "b":
            return pc.if_else(pa.array(values), "ใช่", "ไม่"), None
        if dtype.kind == "f":
            return None, _floats(values)
        return None, pc.cast(pa.array(values), pa.string())
    if isinstance(dtype, pd.StringDtype) or pd.api.types.is_object_dtype(dtype):
        try:
            text = pa.array(series, type=pa.string(), from_pandas=True)
        except (pa.ArrowTypeError, pa.ArrowInvalid):
            text = None  # not all text: per value below
        if text is not None:
            if mapped:
                table = VERDICT_TH if col == "verdict" else STATUS_TH
                uniques = pc.unique(text)
                thai = [table.get(v, v) if v is not None else None for v in uniques.to_pylist()]
                text = pc.take(pa.array(thai, pa.string()), pc.index_in(text, value_set=uniques))
            return text, None
    values = [row[0] for row in _values(series.to_frame(col))]
    return (
        pa.array([v if isinstance(v, str) else None for v in values], pa.string()),
        pa.array(
            [
                repr(v)
                if v is not None and not isinstance(v, str) and v == v and v not in (math.inf, -math.inf)
                else None
                for v in values
            ],
            pa.string(),
        ),
    )


class _Strings:
    """The shared strings of the bulk rows, numbered after xlsxwriter's; their <si> elements spool to a file.

    Each row chunk's distinct strings get the next numbers; a string in several chunks is in the table more than
    once, which Excel itself does and readers accept (one table without repeats would need all strings in memory).
    """

    def __init__(self, first: int, xml: IO[bytes]) -> None:
        self.first = first  # number of the next string
        self.count = 0  # cells that refer to the table
        self.xml = xml

    def add(self, texts: list[pa.Array]) -> list[pa.Array]:
        """Each array's strings as their numbers in the table (as text for the <v> elements), null for no text."""
        if not texts:
            return []
        every = pa.concat_arrays(texts)
        codes = pc.dictionary_encode(every)  # one hash pass: each distinct string once, in order of appearance
        numbers = pc.cast(pc.add(pc.cast(codes.indices, pa.int64()), self.first), pa.string())
        self.xml.write(_data(_join('<si><t xml:space="preserve">', _escaped(codes.dictionary), "</t></si>", "")))
        self.first += len(codes.dictionary)
        self.count += len(every) - every.null_count
        out, at = [], 0
        for text in texts:
            out.append(numbers.slice(at, len(text)))
            at += len(text)
        return out


def _rows_xml(start: int, df: pd.DataFrame, styles: dict[int, bytes], strings: _Strings) -> pa.Buffer:
    """Sheet XML for the rows of ``df``, the first of them on sheet row ``start`` (1-based), in the given formats.

    Text goes to the shared-string table (a cell holds the string's number): half the XML to build and to compress
    that inline strings made, since the tables' text repeats (names, places, verdicts) and the markup is shorter.
    """
    rows = pc.cast(pa.array(np.arange(start, start + len(df), dtype=np.int64)), pa.string())
    columns = [_column(df[col], col) for col in df.columns]
    texts = iter(strings.add([text for text, _number in columns if text is not None]))
    pieces: list[str | pa.Array] = ['<row r="', rows, '">']
    for c, (text, number) in enumerate(columns):
        style = styles.get(c, b"0").decode()
        cells = []
        if text is not None:
            cells.append([f'<c r="{col_letter(c)}', rows, f'" s="{style}" t="s"><v>', next(texts), "</v></c>"])
        if number is not None:
            cells.append([f'<c r="{col_letter(c)}', rows, f'" s="{style}"><v>', number, "</v></c>"])
        if len(cells) == 1 and cells[0][3].null_count == 0:
            pieces += cells[0]  # every row has this cell: its pieces go straight into the row join
        else:  # some rows do not: the cell on its own first, null where it is empty, which the row join skips
            joined = [_join(*cell, "") for cell in cells]
            pieces.append(joined[0] if len(joined) == 1 else pc.coalesce(*joined))
    pieces.append("</row>")
    merged: list[str | pa.Array] = []  # neighbouring constant pieces as one (fewer, longer copies)
    for piece in pieces:
        if merged and isinstance(piece, str) and isinstance(merged[-1], str):
            merged[-1] += piece
        else:
            merged.append(piece)
    return _data(_join(*merged, "", null_handling="skip"))


def _table_rows(first: int, df: pd.DataFrame, styles: dict[int, bytes], strings: _Strings) -> Iterator[pa.Buffer]:
    """The XML of a detail sheet's records after the first (on 0-based row ``first``), a chunk at a time."""
    for k in range(1, len(df), CHUNK):
        yield _rows_xml(first + 1 + k, df.iloc[k : k + CHUNK], styles, strings)


@dataclass
class _Cell:
    """An overview cell: text, or a formula with its value."""

    col: int
    fmt: Any
    text: str = ""
    formula: str | None = None
    value: Any = None


def _formula_rows(
    rows: list[tuple[int, list[_Cell]]], first: list[_Cell], styles: dict[int, bytes], strings: _Strings, *, width: int
) -> list[bytes]:
    """The XML of overview rows, as xlsxwriter writes them (its spans attribute included); text as shared strings.

    A few thousand formulas country-wide: through xlsxwriter, which searches each for newer Excel functions with
    some thirty regular expressions, they took longer than all the rows of the items. A cell's format is the one
    the same format got in the first row (``first``), which xlsxwriter wrote.
    """
    style = {id(cell.fmt): styles[cell.col].decode() for cell in first}
    texts = [cell.text for _r, cells in rows for cell in cells if cell.formula is None]
    numbers = iter(strings.add([pa.array(texts, pa.string())])[0].to_pylist())
    out = []
    for r, cells in rows:
        n = r + 1
        out.append(f'<row r="{n}" spans="1:{width}">')
        for cell in cells:
            ref, s = f"{col_letter(cell.col)}{n}", style[id(cell.fmt)]
            if cell.formula is None:
                out.append(f'<c r="{ref}" s="{s}" t="s"><v>{next(numbers)}</v></c>')
            else:  # as xlsxwriter: without the "=", markup escaped, the value as str() gives it
                out.append(f'<c r="{ref}" s="{s}"><f>{xml_escape(cell.formula[1:])}</f><v>{cell.value}</v></c>')
        out.append("</row>")
    return ["".join(out).encode("utf-8")]


@dataclass
class _Bulk:
    """Rows that :func:`_add_rows` puts into a sheet after xlsxwriter has written it.

    They follow the sheet's row ``first`` (0-based), which xlsxwriter wrote and whose cells show each column's
    format, and end on row ``last``; ``rows`` gives their XML, from the formats of row ``first`` by column.
    """

    first: int
    last: int
    rows: Callable[[dict[int, bytes], _Strings], Iterable[bytes | pa.Buffer]]


_CELL_STYLE = re.compile(rb'<c r="([A-Z]+)[0-9]+" s="([0-9]+)"')
CHUNK = 5_000  # rows converted and compressed at a time: memory stays flat however large the table
SPOOL = 8 << 20  # bytes of shared strings kept in memory; more go to a temporary file until the table is written
SST = "xl/sharedStrings.xml"
_SST_HEAD = re.compile(rb'<sst( [^>]*?) count="([0-9]+)" uniqueCount="([0-9]+)">')
# Deflate level of the parts. Country-wide (200,000 items, 240 MB of XML), measured: zlib-ng at level 2 deflates
# them in 0.9 s to 27 MB, at level 1 in 0.55 s to 39 MB; zlib at level 1 in 1.3 s to 28 MB, level 6 in 4.9 s to
# 21 MB. Without zlib-ng (an optional speed-up), zlib at level 1.
LEVEL = 2 if _zlib is not zlib else 1


class _ZipWriter:
    """A zip archive written to ``f`` part by part, each part deflated (zlib-ng, else zlib) on a thread of its own.

    A part's bytes come in chunks; each is deflated and checksummed in the background, which releases the GIL,
    while the caller makes the next one (the summary's long sheets are made a chunk of rows at a time). A part is
    written once it is complete, its sizes known: no data descriptors, and zip64 fields only past 4 GiB. An error
    of the background work is raised in the caller's thread.
    """

    AHEAD = 4  # chunks handed to the thread and not yet deflated: the memory they hold stays small

    def __init__(self, f: IO[bytes]) -> None:
        self._f = f
        self._level = LEVEL
        self._offset = 0  # where the next part starts
        self._central: list[bytes] = []  # the central directory's record of each part written
        self._pool = ThreadPoolExecutor(1, thread_name_prefix="xlplan-deflate")
        self._pending: deque[Future[None]] = deque()

    def __enter__(self) -> _ZipWriter:
        return self

    def __exit__(self, kind: type[BaseException] | None, *_exc: object) -> None:
        if kind is not None:  # the archive will not be finished: the work not started is dropped
            for job in self._pending:
                job.cancel()
        self._pool.shutdown(wait=True)
        if kind is None:
            self._wait(0)
            self._write_end()

    def write(self, info: zipfile.ZipInfo, chunks: Iterable[bytes | pa.Buffer]) -> None:
        """Add a part named and dated as ``info``, its content the chunks one after the other."""
        part = _Part(info, _zlib.compressobj(self._level, zlib.DEFLATED, -15))
        for chunk in chunks:
            if len(chunk):
                self._submit(part.deflate, chunk)
        self._submit(self._store, part)

    def _submit(self, job: Callable[[Any], None], arg: Any) -> None:
        self._pending.append(self._pool.submit(job, arg))
        self._wait(self.AHEAD)

    def _wait(self, ahead: int) -> None:
        """Wait until at most ``ahead`` jobs are pending; raise the error of a job that failed."""
        while self._pending and (len(self._pending) > ahead or self._pending[0].done()):
            self._pending.popleft().result()

    def _store(self, part: _Part) -> None:
        """Write the part, deflated, after its local header (on the background thread, as the parts end)."""
        data = part.finish()
        name = part.info.filename.encode("utf-8")
        flags = 0 if name.isascii() else 0x800  # bit 11: the name is UTF-8
        when = _dos_time(part.info.date_time)
        usize, csize, offset = part.size, len(data), self._offset
        big = usize >= _ZIP64_LIMIT or csize >= _ZIP64_LIMIT
        extra = struct.pack("<2H2Q", 1, 16, usize, csize) if big else b""
        head = struct.pack(
            "<4s2B4HL2L2H",
            b"PK\x03\x04",
            45 if big else 20,  # version needed to extract: 4.5 for zip64, else 2.0 (deflate)
            0,
            flags,
            zipfile.ZIP_DEFLATED,
            *when,
            part.crc,
            *((_ZIP64_MAX, _ZIP64_MAX) if big else (csize, usize)),
            len(name),
            len(extra),
        )
        self._f.write(head + name + extra)
        self._f.write(data)
        self._offset += len(head) + len(name) + len(extra) + csize
        # its central directory record: the values too large for their fields in a zip64 field, in this order
        large = [v for v in (usize, csize, offset) if v >= _ZIP64_LIMIT]
        extra = struct.pack(f"<2H{len(large)}Q", 1, 8 * len(large), *large) if large else b""
        version = 45 if large else 20
        self._central.append(
            struct.pack(
                "<4s4B4HL2L5H2L",
                b"PK\x01\x02",
                version,
                3,  # made on Unix, as zipfile says when xlsxwriter writes
                version,
                0,
                flags,
                zipfile.ZIP_DEFLATED,
                *when,
                part.crc,
                *(v if v < _ZIP64_LIMIT else _ZIP64_MAX for v in (csize, usize)),
                len(name),
                len(extra),
                0,  # comment length
                0,  # disk number
                0,  # internal attributes
                part.info.external_attr,
                offset if offset < _ZIP64_LIMIT else _ZIP64_MAX,
            )
            + name
            + extra
        )

    def _write_end(self) -> None:
        """The central directory and the end records (zip64 ones when its size, place or count need them)."""
        central = b"".join(self._central)
        count, size, at = len(self._central), len(central), self._offset
        end = b""
        if count >= 0xFFFF or size >= _ZIP64_LIMIT or at >= _ZIP64_LIMIT:
            end = struct.pack("<4sQ2H2L4Q", b"PK\x06\x06", 44, 45, 45, 0, 0, count, count, size, at)
            end += struct.pack("<4sLQL", b"PK\x06\x07", 0, at + size, 1)  # where the record above is
            count, size, at = min(count, 0xFFFF), _ZIP64_MAX, _ZIP64_MAX
        self._f.write(central + end + struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, count, count, size, at, 0))


_ZIP64_MAX = 0xFFFFFFFF  # in a size or offset field: the value is in the zip64 field
_ZIP64_LIMIT = _ZIP64_MAX  # sizes and offsets from which zip64 fields hold them (a test lowers it)


def _dos_time(date_time: tuple[int, ...]) -> tuple[int, int]:
    """A zip entry's time and date fields (MS-DOS format)."""
    y, mo, d, h, mi, sec = date_time[:6]
    return h << 11 | mi << 5 | sec // 2, (y - 1980) << 9 | mo << 5 | d


class _Part:
    """A part being deflated: its checksum, size and deflated bytes so far (used by the background thread)."""

    def __init__(self, info: zipfile.ZipInfo, deflate: Any) -> None:
        self.info = info
        self.crc = 0
        self.size = 0
        self._deflate = deflate
        self._out: list[bytes] = []

    def deflate(self, chunk: bytes | pa.Buffer) -> None:
        self.crc = _zlib.crc32(chunk, self.crc)
        self.size += len(chunk)
        self._out.append(self._deflate.compress(chunk))

    def finish(self) -> bytes:
        self._out.append(self._deflate.flush())
        data = b"".join(self._out)
        self._out = []
        return data


def _add_rows(data: bytes, bulk: dict[str, _Bulk], out: IO[bytes]) -> None:
    """Write the workbook xlsxwriter made (``data``) to ``out``, with the rows after each detail sheet's first
    record put into its XML, made and compressed a chunk at a time.

    Their text joins xlsxwriter's shared strings: the table is written last, with the strings of both.
    """
    src = zipfile.ZipFile(io.BytesIO(data))
    wb_xml = src.read("xl/workbook.xml").decode("utf-8")
    rels = src.read("xl/_rels/workbook.xml.rels").decode("utf-8")
    targets = dict(re.findall(r'Id="(rId[0-9]+)"[^>]*Target="([^"]+)"', rels))
    targets |= {k: v for v, k in re.findall(r'Target="([^"]+)"[^>]*Id="(rId[0-9]+)"', rels)}
    parts: dict[str, _Bulk] = {}
    for name, rid in re.findall(r'<sheet name="([^"]+)" sheetId="[0-9]+" r:id="(rId[0-9]+)"', wb_xml):
        name = html.unescape(name)
        if name in bulk and bulk[name].last > bulk[name].first:
            parts["xl/" + targets[rid].lstrip("/").removeprefix("xl/")] = bulk[name]
    sst_info = src.getinfo(SST)  # every sheet's title is a shared string: xlsxwriter always writes the table
    sst = src.read(sst_info)
    head = _SST_HEAD.search(sst)
    if head is None:
        raise ValueError("unexpected shared-string table from xlsxwriter")
    with tempfile.SpooledTemporaryFile(max_size=SPOOL) as spool, _ZipWriter(out) as z:
        strings = _Strings(int(head.group(3)), spool)
        for info in src.infolist():
            if info.filename == SST:
                continue
            content = src.read(info)
            if info.filename not in parts:
                z.write(info, [content])
                continue
            part = parts[info.filename]
            start = content.index(f'<row r="{part.first + 1}"'.encode())
            stop = content.index(b"</row>", start) + len(b"</row>")
            styles = {col_index(m.group(1).decode()): m.group(2) for m in _CELL_STYLE.finditer(content[start:stop])}
            top = re.sub(
                rb'<dimension ref="([A-Z]+[0-9]+):([A-Z]+)([0-9]+)"/>',
                lambda m, n=part.last + 1: b'<dimension ref="%s:%s%d"/>' % (m[1], m[2], max(n, int(m[3]))),
                content[:stop],
                count=1,
            )
            z.write(info, itertools.chain([top], part.rows(styles, strings), [content[stop:]]))
        count, unique = int(head.group(2)) + strings.count, strings.first
        end = sst.rindex(b"</sst>")
        sst_head = f'<sst{head.group(1).decode()} count="{count}" uniqueCount="{unique}">'.encode()
        table = itertools.chain(
            [sst[: head.start()], sst_head, sst[head.end() : end]], _spooled(strings.xml), [sst[end:]]
        )
        z.write(sst_info, table)


def _spooled(f: IO[bytes], size: int = 1 << 20) -> Iterator[bytes]:
    """The content of ``f`` from its start, ``size`` bytes at a time."""
    f.seek(0)
    while chunk := f.read(size):
        yield chunk


def _range(sheet: str, df: pd.DataFrame, col: str, first: int, last: int) -> str:
    return f"{quote_sheet(sheet)}!{col_range(list(df.columns).index(col), first, max(first, last))}"


def render_summary(c: Consolidation, title: str = "") -> bytes:
    """The summary workbook's bytes."""
    out = io.BytesIO()
    _render(c, out, title)
    return out.getvalue()


def write_summary(c: Consolidation, out: str | Path, title: str = "", *, files: StagedFiles | None = None) -> Path:
    """Write the summary workbook to ``out``, under a temporary name renamed when complete (or when ``files`` are)."""
    if files is None:
        with StagedFiles() as files:
            return write_summary(c, out, title, files=files)
    _render(c, files.open(out), title)
    return Path(out)


def _render(c: Consolidation, out: IO[bytes], title: str) -> None:
    """Write the summary workbook to ``out``."""
    fw = load_framework()
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(
        buf,
        {
            "in_memory": True,
            "constant_memory": True,
            "strings_to_formulas": False,
            "strings_to_numbers": False,
            "strings_to_urls": False,
            "default_format_properties": {"font_name": FONT, "font_size": 14},
        },
    )
    wb.set_properties(
        {
            "title": title or "สรุปแผนปฏิบัติการป้องกันการทุจริต",
            "keywords": OUTPUT_MARKER,
            "comments": "Consolidated by xlplan.",
            "created": datetime.now(),
        }
    )
    b = _Book(wb)
    years = c.years
    dims = [d.code for d in fw.dimensions]

    # the overview comes first, but its formulas refer to the detail sheets: work out where their rows land
    first = 3  # data rows of every detail sheet start on row 4 (0-based 3)
    spans = {k: (first, first + len(df) - 1) for k, df in c.tables().items()}
    ov = b.sheet(SHEET["overview"])
    ov.write_string(0, 0, title or "สรุปแผนปฏิบัติการป้องกันการทุจริตขององค์กรปกครองส่วนท้องถิ่น", b.f_title)
    # file accounting, as formulas over the ledger
    led = c.ledger
    lf, ll = spans["ledger"]
    status_rng = _range(SHEET["ledger"], led, "status", lf, ll)
    ov.write_string(2, 0, "ไฟล์ที่พบ", b.f_head)
    ov.write_formula(2, 1, f"=COUNTA({_range(SHEET['ledger'], led, 'path', lf, ll)})", b.f_int, len(led))
    for k, (key, th) in enumerate(
        [
            ("used", "ใช้ในการรวม"),
            ("superseded", "ฉบับซ้ำที่ถูกแทนที่"),
            ("unreadable", "อ่านไม่ได้"),
            ("failed", "อ่านไม่สำเร็จ"),
            ("skipped", "ข้าม (ไฟล์ล็อก/ผลลัพธ์)"),
            ("no_org_code", "ไม่มีรหัส อปท."),
        ]
    ):
        ov.write_string(3 + k, 0, th, b.f_head)
        ov.write_formula(
            3 + k, 1, f'=COUNTIF({status_rng},"{STATUS_TH[key]}")', b.f_int, int((led["status"] == key).sum())
        )
    # organisations of the roster without a readable plan, as formulas over the organisations' statuses
    of, ol = spans["orgs"]
    org_status = _range(SHEET["orgs"], c.orgs, "status", of, ol)
    for r, (key, th) in enumerate(
        [("not_submitted", "องค์กรที่ยังไม่ส่ง"), ("sent_unreadable", "ส่งแล้วแต่อ่านไม่ได้ (ต้องส่งใหม่)")], start=9
    ):
        ov.write_string(r, 0, th, b.f_head)
        ov.write_formula(
            r, 1, f'=COUNTIF({org_status},"{STATUS_TH[key]}")', b.f_int, int((c.orgs["status"] == key).sum())
        )

    # by province and district
    head = 12  # below the file accounting (rows 3-11) and one blank row
    ov.set_row(head, 64)
    cols = list(c.overview.columns)
    for k, col in enumerate(cols):
        ov.write_string(head, k, _label(col), b.f_head)
        ov.set_column(k, k, 13 if k > 1 else 30)  # column A also holds the file-accounting labels above
    items, orgs = c.items, c.orgs
    itf, itl = spans["items"]
    i_prov = _range(SHEET["items"], items, "province", itf, itl)
    i_dist = _range(SHEET["items"], items, "district", itf, itl)
    o_prov = _range(SHEET["orgs"], orgs, "province", of, ol)
    o_dist = _range(SHEET["orgs"], orgs, "district", of, ol)
    o_stat = _range(SHEET["orgs"], orgs, "status", of, ol)
    o_verd = _range(SHEET["orgs"], orgs, "verdict", of, ol)
    o_rost = _range(SHEET["orgs"], orgs, "on_roster", of, ol)
    i_dim = _range(SHEET["items"], items, "dimension", itf, itl)
    i_tot = _range(SHEET["items"], items, "total", itf, itl)
    i_year = {y: _range(SHEET["items"], items, f"budget_{y}", itf, itl) for y in years}
    r = head
    later: list[tuple[int, list[_Cell]]] = []  # the rows after the first, for _add_rows
    for r, row in enumerate(c.overview.itertuples(index=False), start=head + 1):
        vals = dict(zip(cols, row, strict=True))
        p_ref, d_ref = a1(r, 0), a1(r, 1)
        cells = [_Cell(0, b.f_text, str(vals["province"])), _Cell(1, b.f_text, str(vals["district"]))]
        where_o = f"{o_prov},{p_ref},{o_dist},{d_ref}"
        where_i = f"{i_prov},{p_ref},{i_dist},{d_ref}"
        formulas: dict[str, tuple[str, Any]] = {
            "expected": (f'=COUNTIFS({where_o},{o_rost},"ใช่")', vals["expected"]),
            "received": (f'=COUNTIFS({where_o},{o_stat},"{STATUS_TH["received"]}")', vals["received"]),
            "valid": (
                f'=COUNTIFS({where_o},{o_verd},"{VERDICT_TH["ok"]}")+COUNTIFS({where_o},{o_verd},'
                f'"{VERDICT_TH["warnings"]}")',
                vals["valid"],
            ),
            "with_errors": (f'=COUNTIFS({where_o},{o_verd},"{VERDICT_TH["errors"]}")', vals["with_errors"]),
        }
        for d in dims:
            formulas[f"items_dim{d}"] = (f"=COUNTIFS({where_i},{i_dim},{d})", vals[f"items_dim{d}"])
            formulas[f"budget_dim{d}"] = (f"=SUMIFS({i_tot},{where_i},{i_dim},{d})", vals[f"budget_dim{d}"])
        for y in years:
            formulas[f"budget_{y}"] = (f"=SUMIFS({i_year[y]},{where_i})", vals[f"budget_{y}"])
        formulas["budget_total"] = (f"=SUMIFS({i_tot},{where_i})", vals["budget_total"])
        for k, col in enumerate(cols[2:], start=2):
            formula, value = formulas[col]
            value = _clean(value)
            fmt = b.f_num if col.startswith("budget") else b.f_int
            if col == "expected" and value is None:
                cells.append(_Cell(k, b.f_text, "-"))  # no roster given
                continue
            cells.append(_Cell(k, fmt, formula=formula, value=value if value is not None else 0))
        if r == head + 1:
            first_cells = cells
            for cell in cells:
                if cell.formula is None:
                    ov.write_string(r, cell.col, cell.text, cell.fmt)
                else:
                    ov.write_formula(r, cell.col, cell.formula, cell.fmt, cell.value)
        else:
            later.append((r, cells))
    if later:
        b.bulk[SHEET["overview"]] = _Bulk(head + 1, r, partial(_formula_rows, later, first_cells, width=len(cols)))
    total_row = r + 1
    ov.write_string(total_row, 0, "รวมทั้งสิ้น", b.f_bold)
    ov.write_string(total_row, 1, "", b.f_bold)
    for k, col in enumerate(cols[2:], start=2):
        series = pd.to_numeric(c.overview[col], errors="coerce")
        value = float(series.sum()) if series.notna().any() else 0.0
        fmt = b.f_bold_num if col.startswith("budget") else b.f_bold_int
        ov.write_formula(
            total_row,
            k,
            f"=SUM({col_range(k, head + 1, max(head + 1, total_row - 1))})",
            fmt,
            value if len(c.overview) else 0,
        )
    ov.freeze_panes(head + 1, 2)
    ov.autofilter(head, 0, max(head, total_row - 1), len(cols) - 1)
    ov.repeat_rows(head)

    b.table("orgs", c.orgs, "องค์กรปกครองส่วนท้องถิ่น: ผลการตรวจและการรวม (หนึ่งแถวต่อหนึ่ง อปท.)")
    b.table("items", c.items, "โครงการ/กิจกรรม/มาตรการทั้งหมด")
    b.table("risks", c.risks, "ความเสี่ยงการทุจริตทั้งหมด")
    ws_cov, cf, cl = b.table("coverage", c.coverage, "ความครอบคลุมตัวชี้วัดตามกรอบ ป.ป.ช. (จำนวนโครงการต่อตัวชี้วัด)")
    b.table("progress", c.progress, "ความก้าวหน้าการดำเนินงานรายปี")
    b.table("findings", c.findings, "ปัญหาที่พบในแต่ละไฟล์")
    b.table("ledger", c.ledger, "ทะเบียนไฟล์ที่ได้รับ (ทุกไฟล์ที่พบ)")
    del ws_cov, cf, cl
    _charts(b, c, spans, dims, years)
    wb.close()
    _add_rows(buf.getvalue(), b.bulk, out)


def _charts(
    b: _Book, c: Consolidation, spans: dict[str, tuple[int, int]], dims: list[str], years: tuple[int, ...]
) -> None:
    fw = load_framework()
    ws = b.sheet(SHEET["charts"])
    name = SHEET["charts"]
    items = c.items
    itf, itl = spans["items"]
    i_dim = _range(SHEET["items"], items, "dimension", itf, itl)
    ws.write_string(0, 0, "งบประมาณตามมิติและปี (บาท)", b.f_title)
    ws.set_row(1, 24)
    ws.write_string(1, 0, "มิติ", b.f_head)
    for k, y in enumerate(years, start=1):
        ws.write_string(1, k, f"ปี {y}", b.f_head)
    dimension = items["dimension"].astype(str)
    for i, d in enumerate(dims, start=2):
        ws.write_string(i, 0, f"มิติที่ {d}", b.f_text)
        in_dim = dimension == d
        for k, y in enumerate(years, start=1):
            rng = _range(SHEET["items"], items, f"budget_{y}", itf, itl)
            value = float(items.loc[in_dim, f"budget_{y}"].sum())
            ws.write_formula(i, k, f"=SUMIFS({rng},{i_dim},{d})", b.f_num, value)
    chart = b.wb.add_chart({"type": "column"})
    for i in range(2, 2 + len(dims)):
        chart.add_series(
            {"name": [name, i, 0], "categories": [name, 1, 1, 1, len(years)], "values": [name, i, 1, i, len(years)]}
        )
    chart.set_title({"name": "งบประมาณตามมิติและปี", "name_font": {"name": FONT}})
    chart.set_legend({"font": {"name": FONT}})
    chart.set_x_axis({"num_font": {"name": FONT}})
    chart.set_y_axis({"num_font": {"name": FONT}, "num_format": "#,##0"})
    ws.insert_chart(0, len(years) + 2, chart, {"x_scale": 1.4, "y_scale": 1.1})

    top = 20
    risks = c.risks
    rf, rl = spans["risks"]
    lvl = _range(SHEET["risks"], risks, "level", rf, rl)
    ws.write_string(top, 0, "ระดับความเสี่ยง", b.f_head)
    ws.write_string(top, 1, "จำนวน", b.f_head)
    for i, lv in enumerate(fw.risk_levels, start=top + 1):
        ws.write_string(i, 0, lv.th, b.f_text)
        ws.write_formula(i, 1, f'=COUNTIF({lvl},"{lv.th}")', b.f_int, int((risks["level"] == lv.th).sum()))
    chart = b.wb.add_chart({"type": "bar"})
    n = len(fw.risk_levels)
    chart.add_series(
        {
            "name": "จำนวนความเสี่ยง",
            "categories": [name, top + 1, 0, top + n, 0],
            "values": [name, top + 1, 1, top + n, 1],
            "points": [{"fill": {"color": lv.color}} for lv in fw.risk_levels],
        }
    )
    chart.set_title({"name": "ความเสี่ยงตามระดับ", "name_font": {"name": FONT}})
    chart.set_legend({"none": True})
    ws.insert_chart(top, len(years) + 2, chart, {"x_scale": 1.4, "y_scale": 1.0})

    top = 40
    cov = c.coverage
    cf, cl = spans["coverage"]
    ws.write_string(top, 0, "ตัวชี้วัด", b.f_head)
    ws.write_string(top, 1, "จำนวน อปท. ที่มีโครงการ", b.f_head)
    inds = [i.code for i in fw.indicators]
    for i, code in enumerate(inds, start=top + 1):
        ws.write_string(i, 0, code, b.f_text)
        rng = _range(SHEET["coverage"], cov, code, cf, cl)
        ws.write_formula(i, 1, f'=COUNTIF({rng},">0")', b.f_int, int((cov[code] > 0).sum()) if len(cov) else 0)
    chart = b.wb.add_chart({"type": "column"})
    chart.add_series(
        {
            "name": "อปท. ที่ครอบคลุม",
            "categories": [name, top + 1, 0, top + len(inds), 0],
            "values": [name, top + 1, 1, top + len(inds), 1],
        }
    )
    chart.set_title({"name": "ความครอบคลุมตัวชี้วัด", "name_font": {"name": FONT}})
    chart.set_legend({"none": True})
    ws.insert_chart(top, len(years) + 2, chart, {"x_scale": 1.4, "y_scale": 1.1})
    ws.set_column(0, 0, 22)
    ws.set_column(1, len(years), 16)
