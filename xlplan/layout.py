"""The workbook layout, declared once: sheets, fields, tables, columns, header texts and where each block sits.

The writer (:mod:`xlplan.writer`) lays the workbook out from these declarations and the reader finds the tables
again through the same header texts, so the two cannot drift apart. Rows and columns are 0-based
(:mod:`xlplan.cells` converts).

Every sheet has the same shape: two title rows, the header of its one growing table on row 4 (frozen), the table's
rows with some spare empty rows, and a locked *end-marker row* that every formula range includes; fixed blocks
(per-dimension totals, the heat map, targets, indicator coverage) stand below the marker, where they move down
as the table grows. Rows inserted anywhere inside a table, above the marker, or typed into its spare rows are
inside every SUM/COUNTIF range, in Excel and LibreOffice alike.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache

from xlplan.framework import Framework
from xlplan.framework import load as load_framework
from xlplan.model import DEFAULT_YEARS, ROUNDS

TEMPLATE_ID = "xlplan-lao-acp"
TEMPLATE_VERSION = "1.0"
TEMPLATE_REF = f"{TEMPLATE_ID}/{TEMPLATE_VERSION}"

FONT = "TH Sarabun New"
END_MARKER = "▲ สิ้นสุดตาราง: แทรกแถวใหม่เหนือแถวนี้ / end of table: insert new rows above this line"


@dataclass(frozen=True)
class Column:
    key: str
    th: str  # the header text staff see (and the reader looks for)
    en: str
    width: float
    input: bool = True  # False: a locked formula cell
    list: str | None = None  # dropdown list (framework list name)
    kind: str = "text"  # text | int | money | number | longtext
    required: bool = False
    note: str | None = None  # Thai input message shown when the cell is selected


@dataclass(frozen=True)
class Field:
    """One labelled value of the general-information sheet (label in column A, value in column B)."""

    key: str
    th: str
    en: str
    row: int
    input: bool = True
    list: str | None = None
    required: bool = False
    note: str | None = None


@dataclass(frozen=True)
class Table:
    key: str
    sheet: str
    header_row: int  # first data row is header_row + 1
    columns: tuple[Column, ...]
    name: str  # defined name of the data range
    th: str
    en: str

    @property
    def first_row(self) -> int:
        return self.header_row + 1

    def col(self, key: str) -> int:
        for i, c in enumerate(self.columns):
            if c.key == key:
                return i
        raise KeyError(f"{self.key} has no column {key!r}")

    def column(self, key: str) -> Column:
        return self.columns[self.col(key)]


@dataclass(frozen=True)
class Sheets:
    instructions: str = "คำแนะนำ"
    general: str = "ข้อมูลทั่วไป"
    risks: str = "ความเสี่ยง"
    budget: str = "งบประมาณ 5 ปี"
    indicators: str = "ตัวชี้วัด"
    details: str = "รายละเอียดโครงการ"
    lists: str = "รายการเลือก"

    def order(self) -> tuple[str, ...]:
        return (self.instructions, self.general, self.risks, self.budget, self.indicators, self.details, self.lists)


SHEETS = Sheets()
SHEET_EN = {
    SHEETS.instructions: "Instructions",
    SHEETS.general: "General information",
    SHEETS.risks: "Risk matrix",
    SHEETS.budget: "Five-year budget",
    SHEETS.indicators: "Indicator checklist",
    SHEETS.details: "Project details",
    SHEETS.lists: "Lists",
}

# ----------------------------------------------------------------------------------------------- general
GENERAL_FIELDS: tuple[Field, ...] = (
    Field(
        "org_name",
        "ชื่อองค์กรปกครองส่วนท้องถิ่น",
        "Organisation name",
        3,
        required=True,
        note="ชื่อเต็ม เช่น องค์การบริหารส่วนตำบลแม่ฮ้อย",
    ),
    Field("org_type", "ประเภท อปท.", "Organisation type", 4, list="org_types", required=True),
    Field("org_code", "รหัส อปท.", "Government code", 5, required=True, note="รหัสองค์กรปกครองส่วนท้องถิ่น (ตัวเลข)"),
    Field("subdistrict", "ตำบล", "Sub-district", 6, required=True),
    Field("district", "อำเภอ", "District", 7, required=True),
    Field("province", "จังหวัด", "Province", 8, required=True),
    Field("year_first", "ปีแรกของแผน (พ.ศ.)", "First plan year (B.E.)", 9, input=False),
    Field("year_last", "ปีสุดท้ายของแผน (พ.ศ.)", "Last plan year (B.E.)", 10, input=False),
    Field("ann_date", "วันที่ประกาศใช้แผน", "Date of announcement", 11, note="วัน/เดือน/ปี พ.ศ. เช่น 23/08/2565"),
    Field("signer", "ผู้ลงนามประกาศ", "Signed by", 12, note="ชื่อ-สกุล ผู้บริหารท้องถิ่น"),
    Field("position", "ตำแหน่งผู้ลงนาม", "Signer's position", 13),
    Field("template", "รุ่นแม่แบบ (ห้ามแก้ไข)", "Template version (do not edit)", 15, input=False),
    Field("framework", "กรอบแผนฯ ป.ป.ช. (ห้ามแก้ไข)", "NACC framework version (do not edit)", 16, input=False),
)
GENERAL_LABEL_COL = 0
GENERAL_VALUE_COL = 1
GENERAL_EN_COL = 2


def general_field(key: str) -> Field:
    return next(f for f in GENERAL_FIELDS if f.key == key)


# ----------------------------------------------------------------------------------------------- risks
TABLE_HEADER_ROW = 3
SPARE_ROWS = 15  # empty input rows after the last item, inside the table

# Below each table's end marker (offsets from the marker row):
RISK_HEAT_OFFSET = 2  # title row of the 5x5 heat map; impact 5..1 on the next five rows, likelihood labels below
RISK_HEAT_LABEL_COL = 2  # "ผลกระทบ 5" labels; likelihood 1..5 in the five columns to its right
RISK_TABLE = Table(
    key="risks",
    sheet=SHEETS.risks,
    header_row=TABLE_HEADER_ROW,
    name="tbl_risks",
    th="ตารางประเมินความเสี่ยงการทุจริต",
    en="Risk assessment table",
    columns=(
        Column("number", "ลำดับ", "No.", 7, kind="int", required=True),
        Column("area", "ขั้นตอนการดำเนินงาน", "Process area", 30, list="process_areas", required=True),
        Column("issue", "ประเด็นความเสี่ยงการทุจริต", "Risk issue", 46, kind="longtext", required=True),
        Column(
            "likelihood",
            "โอกาส\n(1-5)",
            "Likelihood (1-5)",
            12,
            list="scale",
            kind="int",
            required=True,
            note="โอกาสที่จะเกิด 1 = น้อยมาก … 5 = สูงมาก",
        ),
        Column(
            "impact",
            "ผลกระทบ\n(1-5)",
            "Impact (1-5)",
            12,
            list="scale",
            kind="int",
            required=True,
            note="ความรุนแรงของผลกระทบ 1 = น้อยมาก … 5 = สูงมาก",
        ),
        Column("score", "คะแนน\nความเสี่ยง", "Risk score", 12, input=False, kind="int"),
        Column("level", "ระดับ\nความเสี่ยง", "Risk level", 12, input=False),
        Column("owner", "ผู้รับผิดชอบ", "Owner", 14, list="responsible_units"),
        Column(
            "measures",
            "มาตรการควบคุม\n(ลำดับโครงการในแผน)",
            "Control measures (item numbers)",
            26,
            note="ใส่ลำดับโครงการ/กิจกรรม/มาตรการในแผน คั่นด้วยจุลภาค เช่น 1, 2, 21",
        ),
    ),
)

# ----------------------------------------------------------------------------------------------- budget
BUDGET_SUMMARY_OFFSET = 2  # header of the per-dimension summary; one row per dimension, the grand total, words


def budget_table(years: tuple[int, ...]) -> Table:
    year_cols = tuple(
        Column(f"y{y}", f"ปี {y}\n(บาท)", f"{y} (baht)", 13, kind="money", note="งบประมาณ (บาท) ไม่ใช้งบประมาณใส่ 0")
        for y in years
    )
    return Table(
        key="budget",
        sheet=SHEETS.budget,
        header_row=TABLE_HEADER_ROW,
        name="tbl_budget",
        th="บัญชีโครงการ/กิจกรรม/มาตรการ",
        en="Items and budget",
        columns=(
            Column("number", "ลำดับ", "No.", 7, kind="int", required=True),
            Column("dimension", "มิติ", "Dimension", 7, list="dimensions", kind="int", required=True),
            Column("mission", "ภารกิจ", "Mission", 8, list="missions", required=True),
            Column("indicator", "ตัวชี้วัด", "Indicator", 9, list="indicators", required=True),
            Column("kind", "ประเภท", "Kind", 10, list="item_kinds", required=True),
            Column("name", "ชื่อโครงการ/กิจกรรม/มาตรการ", "Name", 50, kind="longtext", required=True),
            *year_cols,
            Column(
                "total",
                "รวม 5 ปี\n(บาท)" if len(years) == 5 else "รวมทุกปี\n(บาท)",
                "Total (baht)",
                14,
                input=False,
                kind="money",
            ),
            Column("responsible", "หน่วยงานรับผิดชอบ", "Responsible unit", 19, list="responsible_units", required=True),
            Column("note", "หมายเหตุ", "Note", 14),
        ),
    )


# ----------------------------------------------------------------------------------------------- indicators
TARGETS_OFFSET = 2  # header row of the targets block: one row per plan year below it
TARGET_COLS: tuple[tuple[str, str, str], ...] = (
    ("year", "ปี พ.ศ.", "Year (B.E.)"),
    ("case_reduction", "คดีทุจริตลดลง\n(ร้อยละ เทียบกับปี 2565)", "Corruption cases reduced (% from 2565)"),
    ("ita_score", "คะแนน ITA\n(เต็ม 100)", "ITA score (out of 100)"),
)
COVERAGE_COLS = {"code": 0, "text": 1, "count": 4, "covered": 5}
COVERED_YES = "มี"
COVERED_NO = "ไม่มี"

STATUS_FIELDS: tuple[tuple[str, str, str, str], ...] = (
    ("status", "สถานะ", "status", "text"),
    ("spent", "ใช้จ่ายจริง (บาท)", "spent (baht)", "money"),
    ("actual", "ผลที่ได้", "actual value", "number"),
)


def progress_key(year: int, rnd: int, fld: str) -> str:
    return f"p{year}_{rnd}_{fld}"


def measures_table(years: tuple[int, ...]) -> Table:
    follow = []
    for y in years:
        for rnd in ROUNDS:
            for fld, th, en, kind in STATUS_FIELDS:
                follow.append(
                    Column(
                        progress_key(y, rnd, fld),
                        f"ปี {y} รอบ {rnd} เดือน\n{th}",
                        f"{y} {rnd}-month {en}",
                        13 if fld != "status" else 15,
                        list="statuses" if fld == "status" else None,
                        kind=kind,
                    )
                )
    return Table(
        key="measures",
        sheet=SHEETS.indicators,
        header_row=TABLE_HEADER_ROW,
        name="tbl_measures",
        th="ตัวชี้วัดผลผลิต/ผลลัพธ์ของโครงการ และการติดตามผล",
        en="Item outputs/outcomes and follow-up",
        columns=(
            Column("number", "ลำดับ\nโครงการ", "Item no.", 9, kind="int", required=True),
            Column("name", "ชื่อโครงการ/กิจกรรม/มาตรการ", "Item name", 34, input=False),
            Column("type", "ผลผลิต/\nผลลัพธ์", "Output/outcome", 10, list="measure_types", required=True),
            Column("description", "ตัวชี้วัด", "Indicator", 40, kind="longtext", required=True),
            Column("comparison", "เกณฑ์", "Comparison", 12, list="comparisons"),
            Column("target", "ค่าเป้าหมาย", "Target", 10, kind="number"),
            Column("unit", "หน่วยนับ", "Unit", 12, list="measure_units"),
            *follow,
        ),
    )


# ----------------------------------------------------------------------------------------------- details
DETAILS_TABLE = Table(
    key="details",
    sheet=SHEETS.details,
    header_row=TABLE_HEADER_ROW,
    name="tbl_details",
    th="รายละเอียดโครงการ/กิจกรรม/มาตรการ",
    en="Item details",
    columns=(
        Column("number", "ลำดับ", "No.", 7, kind="int", required=True),
        Column("name", "ชื่อโครงการ/กิจกรรม/มาตรการ\n(จากแผ่นงบประมาณ)", "Name (from the budget sheet)", 28, input=False),
        Column("budget", "งบประมาณรวม\n(บาท)", "Total budget (baht)", 13, input=False, kind="money"),
        Column("responsible", "หน่วยงาน\nรับผิดชอบ", "Responsible unit", 12, input=False),
        Column("rationale", "หลักการและเหตุผล", "Rationale", 44, kind="longtext", required=True),
        Column("objectives", "วัตถุประสงค์", "Objectives", 34, kind="longtext", required=True),
        Column("target_group", "กลุ่มเป้าหมาย", "Target group", 20, kind="longtext", required=True),
        Column("method", "วิธีดำเนินการ", "Method", 34, kind="longtext", required=True),
        Column("period", "ระยะเวลาดำเนินการ", "Period", 13, kind="longtext", required=True),
        Column("outputs", "ผลผลิต", "Outputs", 26, kind="longtext"),
        Column("outcomes", "ผลลัพธ์", "Outcomes", 26, kind="longtext"),
    ),
)

# ----------------------------------------------------------------------------------------------- lists sheet
LIST_NAMES: tuple[str, ...] = (
    "org_types",
    "process_areas",
    "scale",
    "dimensions",
    "missions",
    "indicators",
    "item_kinds",
    "responsible_units",
    "measure_types",
    "comparisons",
    "measure_units",
    "statuses",
    "risk_levels",
)
LEVELS_SCORE_COL = len(LIST_NAMES) + 1  # risk-level threshold table: min score | level (rows 1..)


def list_range_name(name: str) -> str:
    return f"list_{name}"


# ----------------------------------------------------------------------------------------------- whole workbook
@dataclass(frozen=True)
class WorkbookLayout:
    years: tuple[int, ...]
    framework: Framework
    budget: Table
    measures: Table
    risks: Table = RISK_TABLE
    details: Table = DETAILS_TABLE
    sheets: Sheets = field(default=SHEETS)

    @property
    def tables(self) -> tuple[Table, ...]:
        return (self.risks, self.budget, self.measures, self.details)

    @property
    def n_dimensions(self) -> int:
        return len(self.framework.dimensions)

    def summary_row(self, marker: int, i: int) -> int:
        """Row of the i-th dimension in the budget summary; i = n_dimensions is the grand total."""
        return marker + BUDGET_SUMMARY_OFFSET + 1 + i

    def words_row(self, marker: int) -> int:
        return self.summary_row(marker, self.n_dimensions) + 1

    def targets_row(self, marker: int, i: int) -> int:
        """Row of the i-th plan year in the targets block (i = -1: its header)."""
        return marker + TARGETS_OFFSET + 1 + i

    def coverage_row(self, marker: int, i: int) -> int:
        """Row of the i-th framework indicator in the coverage block (i = -1: its header)."""
        return self.targets_row(marker, len(self.years)) + 2 + i


@cache
def layout_for(years: tuple[int, ...] = DEFAULT_YEARS, framework: Framework | None = None) -> WorkbookLayout:
    fw = framework or load_framework()
    return WorkbookLayout(
        years=years,
        framework=fw,
        budget=budget_table(years),
        measures=measures_table(years),
    )
