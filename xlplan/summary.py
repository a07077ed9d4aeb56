"""The consolidation's summary workbook: Thai, Excel-native, every formula written with its value.

Sheets: overview by province and district (formulas over the detail sheets), one row per organisation with its
verdict, all items, all risks, indicator coverage, progress, all findings, the file ledger, and charts. Written in
xlsxwriter's constant-memory mode (rows stream to disk), so a country-wide summary does not need the memory of
all its cells at once.
"""

from __future__ import annotations

import html
import io
import math
import re
from datetime import datetime
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape as xml_escape

import pandas as pd
import xlsxwriter

from xlplan.cells import a1, col_index, col_letter, col_range, quote_sheet
from xlplan.consolidate import OUTPUT_MARKER, Consolidation
from xlplan.framework import load as load_framework
from xlplan.layout import FONT
from xlplan.writer import write_atomic

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
        self.bulk: dict[str, tuple[int, pd.DataFrame]] = {}  # sheet -> (first data row, its table)

    def sheet(self, name: str, landscape: bool = True) -> Any:
        ws = self.wb.add_worksheet(name)
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
        added to the sheet's XML afterwards by :func:`_add_rows`, about ten times faster per cell, which is what
        a country-wide summary of 200,000 items needs.
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
            self.bulk[SHEET[key]] = (head + 1, df)
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
    """The table's cells as staff read them: Thai verdicts and statuses, ใช่/ไม่ for booleans, None for empty."""
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


_CELL_STYLE = re.compile(rb'<c r="([A-Z]+)[0-9]+" s="([0-9]+)"')


def _rows_xml(start: int, rows: list[list[Any]], styles: dict[int, bytes]) -> bytes:
    """Sheet XML for ``rows``, the first of them on sheet row ``start`` (1-based), in the given cell formats."""
    width = max((len(r) for r in rows), default=0)
    # per column: the fixed pieces of its cells, so that each cell is a few string joins
    pre = [f'<c r="{col_letter(c)}' for c in range(width)]
    text_mid = [
        f'" s="{styles.get(c, b"0").decode()}" t="inlineStr"><is><t xml:space="preserve">' for c in range(width)
    ]
    num_mid = [f'" s="{styles.get(c, b"0").decode()}"><v>' for c in range(width)]
    parts: list[str] = []
    add = parts.append
    for i, row in enumerate(rows, start=start):
        n = str(i)
        add(f'<row r="{n}">')
        for c, v in enumerate(row):
            if v is None:
                continue
            if isinstance(v, str):
                if "&" in v or "<" in v or ">" in v:
                    v = xml_escape(v)
                add(pre[c] + n + text_mid[c] + v + "</t></is></c>")
            elif v == v and v not in (math.inf, -math.inf):
                add(pre[c] + n + num_mid[c] + repr(v) + "</v></c>")
        add("</row>")
    return "".join(parts).encode("utf-8")


CHUNK = 5000  # rows converted and compressed at a time: memory stays flat however large the table


def _add_rows(data: bytes, bulk: dict[str, tuple[int, pd.DataFrame]]) -> bytes:
    """Put the rows after each detail sheet's first record into its XML, streamed a chunk at a time."""
    import zipfile

    src = zipfile.ZipFile(io.BytesIO(data))
    wb_xml = src.read("xl/workbook.xml").decode("utf-8")
    rels = src.read("xl/_rels/workbook.xml.rels").decode("utf-8")
    targets = dict(re.findall(r'Id="(rId[0-9]+)"[^>]*Target="([^"]+)"', rels))
    targets |= {k: v for v, k in re.findall(r'Target="([^"]+)"[^>]*Id="(rId[0-9]+)"', rels)}
    parts: dict[str, tuple[int, pd.DataFrame]] = {}
    for name, rid in re.findall(r'<sheet name="([^"]+)" sheetId="[0-9]+" r:id="(rId[0-9]+)"', wb_xml):
        name = html.unescape(name)
        if name in bulk and len(bulk[name][1]) > 1:
            parts["xl/" + targets[rid].lstrip("/").removeprefix("xl/")] = bulk[name]
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for info in src.infolist():
            content = src.read(info)
            if info.filename not in parts:
                z.writestr(info, content)
                continue
            first, df = parts[info.filename]
            start = content.index(f'<row r="{first + 1}"'.encode())
            stop = content.index(b"</row>", start) + len(b"</row>")
            styles = {col_index(m.group(1).decode()): m.group(2) for m in _CELL_STYLE.finditer(content[start:stop])}
            last_row = first + len(df)
            head = re.sub(
                rb'<dimension ref="([A-Z]+[0-9]+):([A-Z]+)[0-9]+"/>',
                lambda m, n=last_row: b'<dimension ref="' + m.group(1) + b":" + m.group(2) + str(n).encode() + b'"/>',
                content[:stop],
                count=1,
            )
            part = zipfile.ZipInfo(info.filename, info.date_time)
            part.compress_type = zipfile.ZIP_DEFLATED
            with z.open(part, "w", force_zip64=True) as f:
                f.write(head)
                for k in range(1, len(df), CHUNK):
                    f.write(_rows_xml(first + 1 + k, _values(df.iloc[k : k + CHUNK]), styles))
                f.write(content[stop:])
    return out.getvalue()


def _range(sheet: str, df: pd.DataFrame, col: str, first: int, last: int) -> str:
    return f"{quote_sheet(sheet)}!{col_range(list(df.columns).index(col), first, max(first, last))}"


def render_summary(c: Consolidation, title: str = "") -> bytes:
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
    ov.write_string(9, 0, "องค์กรที่ยังไม่ส่ง", b.f_head)
    not_sub = int((c.orgs["status"] == "not_submitted").sum())
    of, ol = spans["orgs"]
    ov.write_formula(
        9,
        1,
        f'=COUNTIF({_range(SHEET["orgs"], c.orgs, "status", of, ol)},"{STATUS_TH["not_submitted"]}")',
        b.f_int,
        not_sub,
    )

    # by province and district
    head = 11
    ov.set_row(head, 64)
    cols = list(c.overview.columns)
    for k, col in enumerate(cols):
        ov.write_string(head, k, _label(col), b.f_head)
        ov.set_column(k, k, 13 if k > 1 else 18)
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
    r = head
    for r, row in enumerate(c.overview.itertuples(index=False), start=head + 1):
        vals = dict(zip(cols, row, strict=True))
        pa, da = a1(r, 0), a1(r, 1)
        ov.write_string(r, 0, str(vals["province"]), b.f_text)
        ov.write_string(r, 1, str(vals["district"]), b.f_text)
        where_o = f"{o_prov},{pa},{o_dist},{da}"
        where_i = f"{i_prov},{pa},{i_dist},{da}"
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
            rng = _range(SHEET["items"], items, f"budget_{y}", itf, itl)
            formulas[f"budget_{y}"] = (f"=SUMIFS({rng},{where_i})", vals[f"budget_{y}"])
        formulas["budget_total"] = (f"=SUMIFS({i_tot},{where_i})", vals["budget_total"])
        for k, col in enumerate(cols[2:], start=2):
            formula, value = formulas[col]
            value = _clean(value)
            fmt = b.f_num if col.startswith("budget") else b.f_int
            if col == "expected" and value is None:
                ov.write_string(r, k, "-", b.f_text)  # no roster given
                continue
            ov.write_formula(r, k, formula, fmt, value if value is not None else 0)
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
    return _add_rows(buf.getvalue(), b.bulk)


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
    for i, d in enumerate(dims, start=2):
        ws.write_string(i, 0, f"มิติที่ {d}", b.f_text)
        for k, y in enumerate(years, start=1):
            rng = _range(SHEET["items"], items, f"budget_{y}", itf, itl)
            value = float(items.loc[items["dimension"].astype(str) == d, f"budget_{y}"].sum())
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


def write_summary(c: Consolidation, out: str | Path, title: str = "") -> Path:
    return write_atomic(out, render_summary(c, title))
