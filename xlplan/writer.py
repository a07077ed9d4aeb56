"""Write the plan workbook staff fill in (xlsxwriter), laid out from :mod:`xlplan.layout`.

Every formula is written with the value it computes (:mod:`xlplan.calc`): LibreOffice does not recalculate
xlsxwriter files on opening, and pandas, calamine and file previews never do.
"""

from __future__ import annotations

import functools
import io
import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import xlsxwriter
from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

from xlplan import calc
from xlplan import formulas as F
from xlplan.cells import a1, col_range, quote_sheet
from xlplan.framework import Framework
from xlplan.layout import (
    BUDGET_SUMMARY_OFFSET,
    COVERAGE_COLS,
    COVERED_NO,
    COVERED_YES,
    END_MARKER,
    FONT,
    GENERAL_EN_COL,
    GENERAL_FIELDS,
    GENERAL_LABEL_COL,
    GENERAL_VALUE_COL,
    LEVELS_SCORE_COL,
    LIST_NAMES,
    RISK_HEAT_LABEL_COL,
    RISK_HEAT_OFFSET,
    SHEET_EN,
    SHEETS,
    SPARE_ROWS,
    STATUS_FIELDS,
    TARGET_COLS,
    TEMPLATE_REF,
    Column,
    Table,
    WorkbookLayout,
    layout_for,
    list_range_name,
    progress_key,
)
from xlplan.model import ROUNDS, Plan
from xlplan.paths import write_atomic

FONT_SIZE = 14
LINE_HEIGHT = 21.0  # points per line of 14 pt TH Sarabun New (its line gap is generous)
FIXED_CREATED = datetime(2022, 10, 1)  # for byte-stable committed workbooks

INPUT_FILL = "#FFF8DC"
FORMULA_FILL = "#EDEDED"
HEADER_FILL = "#D9E1F2"
BORDER_COLOR = "#A6A6A6"

NUM_FORMATS = {"money": '#,##0.00;-#,##0.00;"-"', "int": "0", "number": "#,##0.##", "text": "@", "longtext": "@"}


def ymd_to_thai(date: str) -> str:
    """Buddhist-era ISO date 2565-08-23 -> 23/08/2565, as staff type it."""
    parts = date.split("-")
    return f"{parts[2]}/{parts[1]}/{parts[0]}" if len(parts) == 3 else date


# Thai vowel and tone marks written above or below a consonant (U+0E31, U+0E34-0E3A, U+0E47-0E4E) take no width
_NO_WIDTH = dict.fromkeys([0x0E31, *range(0x0E34, 0x0E3B), *range(0x0E47, 0x0E4F)])


def _display_len(text: str) -> int:
    """Width of Thai text in characters: vowel and tone marks above and below take no width."""
    return len(text.translate(_NO_WIDTH))


@functools.lru_cache(maxsize=4096)
def lines_needed(text: str, width: float) -> int:
    per_line = max(3, int(width * 0.75))  # characters of TH Sarabun New 14 pt per unit of column width
    return sum(max(1, math.ceil(_display_len(part) / per_line)) for part in str(text).split("\n"))


class PlanWorksheet(Worksheet):
    """A worksheet that takes formulas as written.

    xlsxwriter runs ~30 regular expressions over every formula to prefix Excel 365 functions (_xlfn.); the plan
    uses only Excel 2007 functions, and skipping that pass halves the time to write a workbook.
    """

    def _prepare_formula(self, formula: str, expand_future_functions: bool = False) -> str:
        return formula[1:] if formula.startswith("=") else formula


class Formats:
    """All cell formats of one workbook, created once each."""

    def __init__(self, wb: xlsxwriter.Workbook) -> None:
        self.wb = wb
        self._cache: dict[tuple, Format] = {}

    def get(self, role: str, kind: str = "text", **extra: Any) -> Format:
        key = (role, kind, tuple(sorted(extra.items()))) if extra else (role, kind)
        found = self._cache.get(key)
        if found is not None:
            return found
        if key not in self._cache:
            props: dict[str, Any] = {"font_name": FONT, "font_size": FONT_SIZE, "valign": "top"}
            if role in ("input", "formula", "header", "marker", "label", "heat"):
                props.update(border=1, border_color=BORDER_COLOR)
            if role == "input":
                props.update(bg_color=INPUT_FILL, locked=False, num_format=NUM_FORMATS[kind])
            elif role == "formula":
                props.update(bg_color=FORMULA_FILL, locked=True, num_format=NUM_FORMATS[kind])
            elif role == "header":
                props.update(bold=True, bg_color=HEADER_FILL, align="center", valign="vcenter", text_wrap=True)
            elif role == "title":
                props.update(bold=True, font_size=18, valign="vcenter")
            elif role == "subtitle":
                props.update(font_size=FONT_SIZE, italic=False, valign="vcenter")
            elif role == "marker":
                props.update(bg_color="#BFBFBF", italic=True, font_size=12, locked=True)
            elif role == "label":
                props.update(bold=True, bg_color=FORMULA_FILL, text_wrap=True)
            elif role == "heat":
                props.update(bg_color="#F2F2F2", align="center", valign="vcenter", bold=True, num_format='0;;""')
            if kind in ("longtext", "text") and role in ("input", "formula"):
                props["text_wrap"] = True
            if kind in ("int", "money", "number") and role in ("input", "formula"):
                props["align"] = "right" if kind != "int" else "center"
            props.update(extra)
            self._cache[key] = self.wb.add_format(props)
        return self._cache[key]


@dataclass
class _Sheet:
    ws: Worksheet
    heights: dict[int, float]

    def need(self, row: int, lines: int) -> None:
        self.heights[row] = max(self.heights.get(row, LINE_HEIGHT), lines * LINE_HEIGHT)


class PlanWriter:
    def __init__(self, plan: Plan, layout: WorkbookLayout, wb: xlsxwriter.Workbook) -> None:
        self.plan = plan
        self.L = layout
        self.fw: Framework = layout.framework
        self.wb = wb
        self.fmt = Formats(wb)
        self.blank = not plan.items and not plan.risks
        # where each table's end marker lands, fixed before writing so cross-sheet formulas can point at it
        self.placed: dict[str, F.Placed] = {}
        n_measures = sum(len(it.measures) for it in plan.items)
        for table, n in (
            (layout.risks, len(plan.risks)),
            (layout.budget, len(plan.items)),
            (layout.measures, n_measures),
            (layout.details, len(plan.items)),
        ):
            marker = table.first_row + n + SPARE_ROWS
            self.placed[table.key] = F.Placed(
                table.sheet, table.first_row, marker, {c.key: i for i, c in enumerate(table.columns)}
            )

    # ------------------------------------------------------------------ shared pieces
    def _sheet(self, name: str) -> _Sheet:
        ws = self.wb.add_worksheet(name, worksheet_class=PlanWorksheet)
        ws.hide_gridlines(2)
        ws.set_paper(9)  # A4
        ws.set_landscape()
        ws.set_margins(left=0.4, right=0.4, top=0.6, bottom=0.6)
        org = self.plan.org.name.replace("&", "&&")  # "&" starts a control code in page headers
        ws.set_header(f'&L&"{FONT}"&12{org}&R&"{FONT}"&12&A')
        ws.set_footer(f'&C&"{FONT}"&12หน้า &P / &N')
        ws.fit_to_pages(1, 0)
        ws.set_default_row(LINE_HEIGHT)
        return _Sheet(ws, {})

    def _titles(self, sh: _Sheet, title: str, last_col: int) -> None:
        sh.ws.merge_range(0, 0, 0, last_col, title, self.fmt.get("title"))
        sh.ws.set_row(0, 30)
        org = self.plan.org.name
        sh.ws.merge_range(1, 0, 1, last_col, "", self.fmt.get("subtitle"))
        sh.ws.write_formula(1, 0, F.org_name(), self.fmt.get("subtitle"), org)

    def _protect(self, ws: Worksheet) -> None:
        ws.protect(
            "",
            {
                "insert_rows": True,
                "delete_rows": True,
                "format_columns": True,
                "format_rows": True,
                "autofilter": True,
                "sort": True,
                "select_locked_cells": True,
                "select_unlocked_cells": True,
            },
        )

    def _header(self, sh: _Sheet, table: Table) -> None:
        ws = sh.ws
        lines = 1
        for c, col in enumerate(table.columns):
            ws.set_column(c, c, col.width)
            ws.write_string(table.header_row, c, col.th, self.fmt.get("header"))
            lines = max(lines, lines_needed(col.th, col.width))
        sh.need(table.header_row, lines)
        ws.freeze_panes(table.first_row, 0)
        ws.repeat_rows(table.header_row)
        placed = self.placed[table.key]
        self.wb.define_name(
            table.name,
            f"={quote_sheet(table.sheet)}!"
            f"{a1(table.header_row, 0, abs_row=True, abs_col=True)}:"
            f"{a1(placed.marker, len(table.columns) - 1, abs_row=True, abs_col=True)}",
        )

    def _validations(self, ws: Worksheet, table: Table) -> None:
        """Dropdowns, number rules and input messages for every input column, spare rows included."""
        p = self.placed[table.key]
        last = p.marker - 1
        for c, col in enumerate(table.columns):
            if not col.input:
                continue
            opts: dict[str, Any] = {}
            if col.list:
                opts = {"validate": "list", "source": f"={list_range_name(col.list)}"}
                if col.list == "responsible_units":
                    opts["error_type"] = "information"  # a unit missing from the list is allowed
                opts.update(error_title="ไม่อยู่ในรายการ", error_message="กรุณาเลือกจากรายการ (คลิกลูกศรท้ายช่อง)")
            elif col.kind in ("money", "number"):
                opts = {
                    "validate": "decimal",
                    "criteria": ">=",
                    "value": 0,
                    "error_title": "ต้องเป็นตัวเลข",
                    "error_message": 'ใส่ตัวเลขไม่ติดลบ ไม่ต้องใส่ "บาท" หรือเครื่องหมายอื่น (ไม่ใช้งบประมาณ ใส่ 0)',
                }
            elif col.kind == "int":
                opts = {
                    "validate": "integer",
                    "criteria": ">=",
                    "value": 1,
                    "error_title": "ต้องเป็นเลขจำนวนเต็ม",
                    "error_message": "ใส่เลขลำดับเป็นจำนวนเต็ม เช่น 1, 2, 3",
                }
            if col.note:
                opts.update(input_title=col.th.replace("\n", " ")[:32], input_message=col.note[:255])
            if opts:
                if "validate" not in opts:
                    opts["validate"] = "any"
                ws.data_validation(p.first, c, last, c, opts)

    def _cell(self, sh: _Sheet, row: int, col: Column, c: int, value: Any) -> None:
        """One input cell of a table row."""
        fmt = self.fmt.get("input", col.kind)
        ws = sh.ws
        if value is None or value == "":
            ws.write_blank(row, c, None, fmt)
        elif isinstance(value, Decimal | int | float) and not isinstance(value, bool):
            ws.write_number(row, c, float(value), fmt)
        else:
            text = str(value)
            ws.write_string(row, c, text, fmt)
            if col.kind in ("longtext", "text"):
                sh.need(row, lines_needed(text, col.width))

    def _formula(self, sh: _Sheet, row: int, c: int, formula: str, value: Any, kind: str = "text") -> None:
        cached: Any = float(value) if isinstance(value, Decimal) else value
        sh.ws.write_formula(row, c, formula, self.fmt.get("formula", kind), "" if cached is None else cached)

    def _marker(self, sh: _Sheet, table: Table) -> None:
        p = self.placed[table.key]
        sh.ws.merge_range(p.marker, 0, p.marker, len(table.columns) - 1, END_MARKER, self.fmt.get("marker"))

    def _spare(self, sh: _Sheet, table: Table, first: int, formula_cells: Callable[[int], None]) -> None:
        """Empty input rows up to the marker, formulas included, so that typing there just works."""
        for row in range(first, self.placed[table.key].marker):
            for c, col in enumerate(table.columns):
                if col.input:
                    sh.ws.write_blank(row, c, None, self.fmt.get("input", col.kind))
            formula_cells(row)

    def _finish(self, sh: _Sheet) -> None:
        for row, h in sh.heights.items():
            sh.ws.set_row(row, min(h, 409))
        self._protect(sh.ws)

    # ------------------------------------------------------------------ sheets
    def write(self) -> None:
        self._instructions()
        self._general()
        self._risks()
        self._budget()
        self._indicators()
        self._details()
        self._lists()
        self.wb.get_worksheet_by_name(SHEETS.general).activate()

    def _instructions(self) -> None:
        from xlplan.instructions import instruction_lines

        sh = self._sheet(SHEETS.instructions)
        ws = sh.ws
        ws.set_column(0, 0, 4)
        ws.set_column(1, 1, 95)
        ws.fit_to_pages(1, 0)
        ws.set_portrait()
        ws.merge_range(0, 0, 0, 1, "คำแนะนำการกรอกแผนปฏิบัติการป้องกันการทุจริต", self.fmt.get("title"))
        ws.set_row(0, 30)
        row = 2
        for kind, text in instruction_lines(self.L):
            if kind == "h":
                ws.merge_range(row, 0, row, 1, text, self.fmt.get("header", align="left"))
            elif kind == "legend-input":
                ws.write_blank(row, 0, None, self.fmt.get("input"))
                ws.write_string(row, 1, text, self.fmt.get("plain", text_wrap=True))
            elif kind == "legend-formula":
                ws.write_blank(row, 0, None, self.fmt.get("formula"))
                ws.write_string(row, 1, text, self.fmt.get("plain", text_wrap=True))
            else:
                ws.write_string(row, 1, text, self.fmt.get("plain", text_wrap=True))
            sh.need(row, lines_needed(text, 95))
            row += 1
        self._finish(sh)

    def _general(self) -> None:
        sh = self._sheet(SHEETS.general)
        ws = sh.ws
        ws.set_portrait()
        ws.set_column(GENERAL_LABEL_COL, GENERAL_LABEL_COL, 34)
        ws.set_column(GENERAL_VALUE_COL, GENERAL_VALUE_COL, 56)
        ws.set_column(GENERAL_EN_COL, GENERAL_EN_COL, 34)
        ws.merge_range(
            0, 0, 0, 2, "ข้อมูลทั่วไป: แผนปฏิบัติการป้องกันการทุจริตเพื่อยกระดับคุณธรรมและความโปร่งใส", self.fmt.get("title")
        )
        ws.set_row(0, 30)
        ws.merge_range(1, 0, 1, 2, "กรอกช่องสีเหลือง ช่องสีเทาคำนวณหรือกำหนดให้อัตโนมัติ", self.fmt.get("subtitle"))
        p = self.plan
        values = {
            "org_name": p.org.name,
            "org_type": p.org.type,
            "org_code": p.org.code,
            "subdistrict": p.org.subdistrict,
            "district": p.org.district,
            "province": p.org.province,
            "year_first": p.years[0],
            "year_last": p.years[-1],
            "ann_date": ymd_to_thai(p.announcement.date) if p.announcement.date else "",
            "signer": p.announcement.signer,
            "position": p.announcement.position,
            "template": TEMPLATE_REF,
            "framework": self.fw.ref,
        }
        for f in GENERAL_FIELDS:
            ws.write_string(f.row, GENERAL_LABEL_COL, f.th + (" *" if f.required else ""), self.fmt.get("label"))
            ws.write_string(f.row, GENERAL_EN_COL, f.en, self.fmt.get("plain", font_color="#595959"))
            v = values[f.key]
            role = "input" if f.input else "formula"
            fmt = self.fmt.get(role, "int" if isinstance(v, int) else "text", align="left")
            if isinstance(v, int):
                ws.write_number(f.row, GENERAL_VALUE_COL, v, fmt)
            elif v:
                ws.write_string(f.row, GENERAL_VALUE_COL, v, fmt)
            else:
                ws.write_blank(f.row, GENERAL_VALUE_COL, None, fmt)
            self.wb.define_name(
                f"info_{f.key}",
                f"={quote_sheet(SHEETS.general)}!{a1(f.row, GENERAL_VALUE_COL, abs_row=True, abs_col=True)}",
            )
            opts: dict[str, Any] = {}
            if f.list:
                opts = {"validate": "list", "source": f"={list_range_name(f.list)}"}
            if f.note:
                opts.update(input_title=f.th[:32], input_message=f.note)
            if opts and f.input:
                opts.setdefault("validate", "any")
                ws.data_validation(f.row, GENERAL_VALUE_COL, f.row, GENERAL_VALUE_COL, opts)
        ws.write_string(GENERAL_FIELDS[-1].row + 2, 0, "* ต้องกรอก / required", self.fmt.get("plain"))
        self._finish(sh)

    def _risks(self) -> None:
        L, fw = self.L, self.fw
        t = L.risks
        p = self.placed[t.key]
        sh = self._sheet(t.sheet)
        ws = sh.ws
        self._titles(sh, "ส่วนที่ 1 การประเมินความเสี่ยงการทุจริต (Risk matrix)", len(t.columns) - 1)
        self._header(sh, t)
        n_levels = len(fw.risk_levels)

        def formulas(row: int, likelihood: int | None = None, impact: int | None = None) -> None:
            score = likelihood * impact if likelihood is not None and impact is not None else None
            self._formula(sh, row, p.cols["score"], F.risk_score(p, row), score, "int")
            self._formula(sh, row, p.cols["level"], F.risk_level(p, row, n_levels), calc.risk_level(score, fw))

        row = p.first
        for r in self.plan.risks:
            values = {
                "number": r.number,
                "area": r.area,
                "issue": r.issue,
                "likelihood": r.likelihood,
                "impact": r.impact,
                "owner": r.owner,
                "measures": ", ".join(str(m) for m in r.measures),
            }
            for c, col in enumerate(t.columns):
                if col.input:
                    self._cell(sh, row, col, c, values[col.key])
            formulas(row, r.likelihood, r.impact)
            row += 1
        self._spare(sh, t, row, formulas)
        self._marker(sh, t)
        self._validations(ws, t)
        # level colours on the level column
        for lv in fw.risk_levels:
            ws.conditional_format(
                p.first,
                p.cols["level"],
                p.marker - 1,
                p.cols["level"],
                {
                    "type": "cell",
                    "criteria": "==",
                    "value": f'"{lv.th}"',
                    "format": self.wb.add_format({"bg_color": lv.color}),
                },
            )
        self._heat_map(sh, p)
        self._finish(sh)

    def _heat_map(self, sh: _Sheet, p: F.Placed) -> None:
        ws, fw = sh.ws, self.fw
        top = p.marker + RISK_HEAT_OFFSET
        lc = RISK_HEAT_LABEL_COL
        ws.merge_range(
            top, lc, top, lc + 5, "แผนภาพความเสี่ยง: จำนวนความเสี่ยงในแต่ละช่อง (โอกาส × ผลกระทบ)", self.fmt.get("header")
        )
        counts = calc.heat_counts(self.plan)
        for k, impact in enumerate(range(5, 0, -1)):
            row = top + 1 + k
            ws.write_string(row, lc, f"ผลกระทบ {impact}", self.fmt.get("label", align="right"))
            for likelihood in range(1, 6):
                c = lc + likelihood
                level = fw.level_for(likelihood * impact)
                self._formula(
                    sh, row, c, F.heat_count(p, likelihood, impact), counts.get((likelihood, impact), 0), "int"
                )
                ws.conditional_format(
                    row,
                    c,
                    row,
                    c,
                    {
                        "type": "cell",
                        "criteria": ">",
                        "value": 0,
                        "format": self.wb.add_format({"bg_color": level.color, "bold": True}),
                    },
                )
            sh.need(row, 1)
        row = top + 6
        ws.write_string(row, lc, "โอกาสที่จะเกิด →", self.fmt.get("label", align="right"))
        for likelihood in range(1, 6):
            ws.write_number(row, lc + likelihood, likelihood, self.fmt.get("header"))
        row += 1
        legend = "  ".join(
            f"{lv.th} = คะแนน {lv.min_score}" + (f"-{nxt.min_score - 1}" if nxt else "-25")
            for lv, nxt in zip(fw.risk_levels, (*fw.risk_levels[1:], None), strict=True)
        )
        ws.merge_range(row, lc, row, lc + 5, f"ระดับความเสี่ยง: {legend}", self.fmt.get("plain", text_wrap=True))
        for i, lv in enumerate(fw.risk_levels):
            ws.conditional_format(
                row + 1,
                lc + 1 + i,
                row + 1,
                lc + 1 + i,
                {"type": "no_errors", "format": self.wb.add_format({"bg_color": lv.color})},
            )
            ws.write_string(
                row + 1,
                lc + 1 + i,
                lv.th,
                self.fmt.get("plain", align="center", bg_color=lv.color, border=1, border_color=BORDER_COLOR),
            )

    def _budget(self) -> None:
        L, fw, plan = self.L, self.fw, self.plan
        t = L.budget
        p = self.placed[t.key]
        sh = self._sheet(t.sheet)
        ws = sh.ws
        self._titles(
            sh,
            f"ส่วนที่ 2 โครงการ/กิจกรรม/มาตรการ และงบประมาณ (พ.ศ. {plan.years[0]} - {plan.years[-1]})",
            len(t.columns) - 1,
        )
        self._header(sh, t)
        years = plan.years

        def formulas(row: int, total: Decimal | None = None) -> None:
            self._formula(sh, row, p.cols["total"], F.row_total(p, years, row), total or Decimal(0), "money")

        row = p.first
        for it in plan.items:
            values: dict[str, Any] = {
                "number": it.number,
                "dimension": it.dimension,
                "mission": it.mission,
                "indicator": it.indicator,
                "kind": it.kind,
                "name": it.name,
                "responsible": it.responsible,
                "note": it.note,
            }
            values.update({f"y{y}": it.budget.get(y, Decimal(0)) for y in years})
            for c, col in enumerate(t.columns):
                if col.input:
                    self._cell(sh, row, col, c, values[col.key])
            formulas(row, it.total())
            row += 1
        self._spare(sh, t, row, formulas)
        self._marker(sh, t)
        self._validations(ws, t)
        ws.autofilter(t.header_row, 0, p.marker - 1, len(t.columns) - 1)

        # per-dimension summary below the table
        s = calc.budget_summary(plan, fw)
        head = p.marker + BUDGET_SUMMARY_OFFSET
        label_end = p.cols["kind"]
        ws.merge_range(head, 0, head, label_end - 1, "มิติ", self.fmt.get("header"))
        ws.write_string(head, label_end, "จำนวน\n(รายการ)", self.fmt.get("header"))
        ws.write_string(head, p.cols["name"], "สรุปงบประมาณตามมิติ", self.fmt.get("header"))
        for y in years:
            ws.write_string(head, p.cols[f"y{y}"], f"ปี {y}\n(บาท)", self.fmt.get("header"))
        ws.write_string(head, p.cols["total"], t.column("total").th, self.fmt.get("header"))
        sh.need(head, 2)
        for i, d in enumerate(s.dimensions):
            row = L.summary_row(p.marker, i)
            dim = fw.dimensions[i]
            ws.merge_range(row, 0, row, label_end - 1, f"มิติที่ {dim.code}", self.fmt.get("label"))
            self._formula(sh, row, label_end, F.dim_count(p, dim.code), d.count, "int")
            ws.write_string(row, p.cols["name"], dim.th, self.fmt.get("label"))
            for y in years:
                self._formula(sh, row, p.cols[f"y{y}"], F.dim_sum(p, dim.code, y), d.by_year[y], "money")
            self._formula(sh, row, p.cols["total"], F.summary_total(p, years, row), d.total, "money")
        g = L.summary_row(p.marker, len(s.dimensions))
        bold = {"bold": True}
        ws.merge_range(g, 0, g, label_end - 1, "รวมทั้งสิ้น", self.fmt.get("label"))
        self._formula(sh, g, label_end, F.grand_count(p), s.count, "int")
        ws.write_string(g, p.cols["name"], "รวมทั้งสิ้น", self.fmt.get("label"))
        for y in years:
            sh.ws.write_formula(
                g, p.cols[f"y{y}"], F.grand_sum(p, y), self.fmt.get("formula", "money", **bold), float(s.by_year[y])
            )
        sh.ws.write_formula(
            g, p.cols["total"], F.summary_total(p, years, g), self.fmt.get("formula", "money", **bold), float(s.total)
        )
        w = L.words_row(p.marker)
        ws.merge_range(w, 0, w, label_end - 1, "ตัวอักษร", self.fmt.get("label"))
        ws.merge_range(w, label_end, w, p.cols["note"], "", self.fmt.get("formula", align="center"))
        self._formula(sh, w, label_end, F.words(p, g), s.words)
        self._finish(sh)

    def _indicators(self) -> None:
        L, fw, plan = self.L, self.fw, self.plan
        t = L.measures
        p = self.placed[t.key]
        b = self.placed["budget"]
        sh = self._sheet(t.sheet)
        ws = sh.ws
        self._titles(sh, "ตัวชี้วัด ค่าเป้าหมาย และการติดตามผล (Indicator checklist)", 6)
        self._header(sh, t)
        # Only the checklist (columns A-G) and the blocks under it are printed: the 30 follow-up columns at one
        # page width would be unreadable. A progress report prints them by changing the print area.
        last_printed = L.coverage_row(p.marker, len(fw.indicators) - 1)
        ws.print_area(0, 0, last_printed, p.cols["unit"])
        type_th = {t_["code"]: t_["th"] for t_ in fw.raw["measure_types"]}

        def formulas(row: int, name: str = "") -> None:
            self._formula(sh, row, p.cols["name"], F.lookup(b, p.cell("number", row), "name"), name)

        row = p.first
        for it in plan.items:
            for m in it.measures:
                values: dict[str, Any] = {
                    "number": it.number,
                    "type": type_th.get(m.type, m.type),
                    "description": m.description,
                    "comparison": m.comparison,
                    "target": m.target,
                    "unit": m.unit,
                }
                for pr in m.progress:
                    for fld, *_ in STATUS_FIELDS:
                        values[progress_key(pr.year, pr.round, fld)] = getattr(pr, fld)
                for c, col in enumerate(t.columns):
                    if col.input:
                        self._cell(sh, row, col, c, values.get(col.key))
                found = calc.item_by_number(plan, it.number)
                formulas(row, found.name if found else "")
                sh.need(row, lines_needed(found.name if found else "", t.column("name").width))
                row += 1
        self._spare(sh, t, row, formulas)
        self._marker(sh, t)
        self._validations(ws, t)
        # a visible band per year of follow-up columns
        for y_i, y in enumerate(plan.years):
            if y_i % 2 == 0:
                c0 = p.cols[progress_key(y, ROUNDS[0], STATUS_FIELDS[0][0])]
                c1 = p.cols[progress_key(y, ROUNDS[-1], STATUS_FIELDS[-1][0])]
                ws.conditional_format(
                    t.header_row,
                    c0,
                    t.header_row,
                    c1,
                    {"type": "no_errors", "format": self.wb.add_format({"bg_color": "#FCE4D6"})},
                )

        # targets block: one row per plan year
        head = L.targets_row(p.marker, -1)
        for c, (_key, th, _en) in enumerate(TARGET_COLS):
            ws.write_string(head, c, th, self.fmt.get("header"))
        sh.need(head, 2)
        for k, y in enumerate(plan.years):
            row = L.targets_row(p.marker, k)
            ws.write_number(row, 0, y, self.fmt.get("label", align="center"))
            for c, (key, _th, _en) in enumerate(TARGET_COLS[1:], start=1):
                v = getattr(plan.targets, key).get(y)
                fmt = self.fmt.get("input", "number")
                if v is None:
                    ws.write_blank(row, c, None, fmt)
                else:
                    ws.write_number(row, c, float(v), fmt)
        first_t, last_t = L.targets_row(p.marker, 0), L.targets_row(p.marker, len(plan.years) - 1)
        ws.data_validation(
            first_t,
            1,
            last_t,
            len(TARGET_COLS) - 1,
            {
                "validate": "decimal",
                "criteria": "between",
                "minimum": 0,
                "maximum": 100,
                "error_title": "ต้องเป็นตัวเลข 0-100",
                "error_message": "ใส่ตัวเลขระหว่าง 0 ถึง 100",
            },
        )
        for c, (key, _th, _en) in enumerate(TARGET_COLS[1:], start=1):
            self.wb.define_name(f"targets_{key}", f"={quote_sheet(t.sheet)}!{col_range(c, first_t, last_t)}")

        # framework indicator coverage block
        head = L.coverage_row(p.marker, -1)
        cc = COVERAGE_COLS
        ws.write_string(head, cc["code"], "รหัส", self.fmt.get("header"))
        ws.merge_range(head, cc["text"], head, cc["count"] - 1, "ตัวชี้วัดตามกรอบ ป.ป.ช.", self.fmt.get("header"))
        ws.write_string(head, cc["count"], "จำนวนรายการ\nในแผน", self.fmt.get("header"))
        ws.write_string(head, cc["covered"], "ครอบคลุม", self.fmt.get("header"))
        sh.need(head, 2)
        counts = calc.coverage(plan, fw)
        for i, ind in enumerate(fw.indicators):
            row = L.coverage_row(p.marker, i)
            ws.write_string(row, cc["code"], ind.code, self.fmt.get("label", align="center"))
            ws.merge_range(row, cc["text"], row, cc["count"] - 1, ind.th, self.fmt.get("label", bold=False))
            sh.need(row, lines_needed(ind.th, sum(t.columns[c].width for c in range(cc["text"], cc["count"]))))
            self._formula(sh, row, cc["count"], F.coverage_count(b, a1(row, cc["code"])), counts[ind.code], "int")
            n = counts[ind.code]
            self._formula(sh, row, cc["covered"], F.covered(a1(row, cc["count"])), COVERED_YES if n else COVERED_NO)
        first_cov, last_cov = L.coverage_row(p.marker, 0), L.coverage_row(p.marker, len(fw.indicators) - 1)
        for text, fill, font in ((COVERED_NO, "#FFC7CE", "#9C0006"), (COVERED_YES, "#C6EFCE", "#006100")):
            fmt = self.wb.add_format({"bg_color": fill, "font_color": font})
            rule = {"type": "cell", "criteria": "==", "value": f'"{text}"', "format": fmt}
            ws.conditional_format(first_cov, cc["covered"], last_cov, cc["covered"], rule)
        self._finish(sh)

    def _details(self) -> None:
        L, plan = self.L, self.plan
        t = L.details
        p = self.placed[t.key]
        b = self.placed["budget"]
        sh = self._sheet(t.sheet)
        ws = sh.ws
        self._titles(sh, "ส่วนที่ 3 รายละเอียดโครงการ/กิจกรรม/มาตรการ", len(t.columns) - 1)
        self._header(sh, t)
        ws.freeze_panes(t.first_row, 2)

        def formulas(
            row: int, name: str = "", budget: Decimal | str = "", responsible: str = "", typed_name: str | None = None
        ) -> None:
            key = p.cell("number", row)
            if typed_name is not None:  # a plan whose details page names the item differently, as written
                ws.write_string(row, p.cols["name"], typed_name, self.fmt.get("input", "longtext"))
            else:
                self._formula(sh, row, p.cols["name"], F.lookup(b, key, "name"), name)
            self._formula(sh, row, p.cols["budget"], F.item_budget(b, plan.years, key), budget, "money")
            self._formula(sh, row, p.cols["responsible"], F.lookup(b, key, "responsible"), responsible)

        row = p.first
        for it in plan.items:
            values = vars(it.details) | {"number": it.number}
            for c, col in enumerate(t.columns):
                if col.input:
                    self._cell(sh, row, col, c, values[col.key])
            formulas(row, it.name, it.total(), it.responsible, it.details.name)
            sh.need(row, lines_needed(it.details.name or it.name, t.column("name").width))
            row += 1
        self._spare(sh, t, row, formulas)
        self._marker(sh, t)
        self._validations(ws, t)
        self._finish(sh)

    def _lists(self) -> None:
        ws = self.wb.add_worksheet(SHEETS.lists)
        fmt = self.fmt.get("plain")
        for c, name in enumerate(LIST_NAMES):
            values = self.fw.lists[name]
            ws.write_string(0, c, name, fmt)
            for r, v in enumerate(values, start=1):
                if name in ("scale", "dimensions"):
                    ws.write_number(r, c, int(v), fmt)
                else:
                    ws.write_string(r, c, v, fmt)
            ws.set_column(c, c, 24)
            self.wb.define_name(
                list_range_name(name), f"={quote_sheet(SHEETS.lists)}!{col_range(c, 1, max(1, len(values)))}"
            )
        ws.write_string(0, LEVELS_SCORE_COL, "min_score", fmt)
        ws.write_string(0, LEVELS_SCORE_COL + 1, "risk_level", fmt)
        for r, lv in enumerate(self.fw.risk_levels, start=1):
            ws.write_number(r, LEVELS_SCORE_COL, lv.min_score, fmt)
            ws.write_string(r, LEVELS_SCORE_COL + 1, lv.th, fmt)
        ws.write_string(0, LEVELS_SCORE_COL + 3, "sheet", fmt)
        ws.write_string(0, LEVELS_SCORE_COL + 4, "sheet_en", fmt)
        for r, (th, en) in enumerate(SHEET_EN.items(), start=1):
            ws.write_string(r, LEVELS_SCORE_COL + 3, th, fmt)
            ws.write_string(r, LEVELS_SCORE_COL + 4, en, fmt)
        ws.protect("")
        ws.hide()


Override = tuple[str, int, int, Any]  # (sheet, row, col, value): a cell typed over, as staff do


def render(
    plan: Plan,
    *,
    framework: Framework | None = None,
    created: datetime | None = None,
    overrides: list[Override] | None = None,
) -> bytes:
    """The workbook of ``plan`` as the bytes of an .xlsx file.

    ``overrides`` replace cells after the layout is written (a typed value over a formula or an input), to build
    workbooks as real staff leave them: the as-written example and the checker's test files.
    """
    layout = layout_for(tuple(plan.years), framework)
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(
        buf,
        {
            "in_memory": True,
            "strings_to_formulas": False,  # staff text starting with "=" stays text
            "strings_to_numbers": False,
            "strings_to_urls": False,
            "default_format_properties": {"font_name": FONT, "font_size": FONT_SIZE},
        },
    )
    wb.set_properties(
        {
            "title": f"แผนปฏิบัติการป้องกันการทุจริต {plan.org.name}".strip(),
            "subject": layout.framework.title_th,
            "author": plan.org.name or "xlplan",
            "keywords": f"{TEMPLATE_REF}; {layout.framework.ref}",
            "comments": f"Generated by xlplan. Template {TEMPLATE_REF}, framework {layout.framework.ref}.",
            "created": created or datetime.now(),
        }
    )
    wb.set_calc_mode("auto")
    writer = PlanWriter(plan, layout, wb)
    writer.write()
    for sheet, row, col, value in overrides or []:
        ws = wb.get_worksheet_by_name(sheet)
        fmt = writer.fmt.get("input", "longtext" if isinstance(value, str) else "number")
        if value is None:
            ws.write_blank(row, col, None, fmt)
        elif isinstance(value, str):
            ws.write_string(row, col, value, fmt)
        else:
            ws.write_number(row, col, float(value), fmt)
    wb.close()
    return buf.getvalue()


def write_workbook(
    plan: Plan,
    path: str | Path,
    *,
    framework: Framework | None = None,
    created: datetime | None = None,
) -> Path:
    """Write ``plan`` as the workbook staff fill in; atomically (a reader never sees half a file)."""
    return write_atomic(path, render(plan, framework=framework, created=created))


__all__ = ["FIXED_CREATED", "render", "write_atomic", "write_workbook"]
