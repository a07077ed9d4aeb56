"""Faulty workbooks, one per rule of the catalogue, each made from the clean example by ONE targeted change.

Every :class:`Case` builds one file and says where ``xlplan check`` must report its rule: the sheet and the exact
A1 cell (``None`` for a finding about a whole sheet or file). Positions are derived from :mod:`xlplan.layout` in
the builders, and written out literally in the table, so the table documents where each finding lands.

A change is made the way staff or their tools make it:

- through the model (a deep copy of the example plan, one value changed, the workbook rendered as xlplan would);
- by typing over a cell (``render(plan, overrides=...)``: a value over a formula or an input cell);
- by editing the xlsx package (a cached ``<v>``, a formula, a sheet name, a merge, a column inserted) where the
  change is what another program saves and xlsxwriter cannot write;
- file-level rules (F1xx) come from :mod:`hostile`'s corpus, or from its helpers applied to the example.

``also`` lists the other ERROR codes a case honestly brings (only the corpus files that are no plan at all).
"""

from __future__ import annotations

import copy
import functools
import io
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import hostile

from xlplan import planfile
from xlplan.cells import a1, parse_a1
from xlplan.layout import (
    GENERAL_VALUE_COL,
    RISK_HEAT_OFFSET,
    SHEETS,
    SPARE_ROWS,
    Table,
    WorkbookLayout,
    general_field,
    layout_for,
)
from xlplan.model import Plan, Progress
from xlplan.writer import FIXED_CREATED, Override, render, write_atomic

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE_PLAN = ROOT / "examples" / "maehoi.plan.yaml"
FILE_NAME = "plan.xlsx"

GEN, RISKS, BUDGET, IND, DETAILS = SHEETS.general, SHEETS.risks, SHEETS.budget, SHEETS.indicators, SHEETS.details
_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


@dataclass(frozen=True)
class Case:
    rule: str
    build: Callable[[Path], Path]  # writes the faulty file into the given (empty) folder, returns its path
    sheet: str  # where the finding must be ("" for a finding about the file)
    cell: str | None  # its A1 cell; None: a finding about a whole sheet or file (no cell)
    note: str
    name: str = ""  # distinguishes several cases of one rule
    also: frozenset[str] = field(default_factory=frozenset)

    @property
    def id(self) -> str:
        return f"{self.rule}-{self.name}" if self.name else self.rule


# ------------------------------------------------------------------------------------------------ the example


@functools.cache
def _example() -> Plan:
    return planfile.load(EXAMPLE_PLAN)


def example_plan() -> Plan:
    """A fresh copy of the example plan, free to change."""
    return copy.deepcopy(_example())


@functools.cache
def example_bytes() -> bytes:
    return render(_example(), created=FIXED_CREATED)


LAYOUT: WorkbookLayout = layout_for(_example().years)


def _marker(table: Table, n: int) -> int:
    """The end-marker row of a table of the example holding ``n`` rows (as the writer places it)."""
    return table.first_row + n + SPARE_ROWS


N_RISKS = len(_example().risks)
N_ITEMS = len(_example().items)
N_MEASURES = sum(len(it.measures) for it in _example().items)
RISK_MARKER = _marker(LAYOUT.risks, N_RISKS)
BUDGET_MARKER = _marker(LAYOUT.budget, N_ITEMS)
MEASURES_MARKER = _marker(LAYOUT.measures, N_MEASURES)
DETAILS_MARKER = _marker(LAYOUT.details, N_ITEMS)


def item_row(number: int) -> int:
    """0-based row of an item of the example on the budget and details sheets (written in order)."""
    return LAYOUT.budget.first_row + [it.number for it in _example().items].index(number)


def risk_row(number: int) -> int:
    return LAYOUT.risks.first_row + [r.number for r in _example().risks].index(number)


def year_col(year: int) -> int:
    return LAYOUT.budget.col(f"y{year}")


def general_cell(key: str) -> tuple[int, int]:
    return general_field(key).row, GENERAL_VALUE_COL


def target_row(year: int) -> int:
    return LAYOUT.targets_row(MEASURES_MARKER, _example().years.index(year))


# ------------------------------------------------------------------------------------------------ builders


def _out(d: Path) -> Path:
    d.mkdir(parents=True, exist_ok=True)
    return d / FILE_NAME


def model(change: Callable[[Plan], Any]) -> Callable[[Path], Path]:
    """The example plan with one change, written as xlplan writes any plan."""

    def build(d: Path) -> Path:
        plan = example_plan()
        change(plan)
        return write_atomic(_out(d), render(plan, created=FIXED_CREATED))

    return build


def typed(*overrides: Override) -> Callable[[Path], Path]:
    """The example with cells typed over (a value over a formula, a label or an input cell)."""

    def build(d: Path) -> Path:
        return write_atomic(_out(d), render(_example(), created=FIXED_CREATED, overrides=list(overrides)))

    return build


def members(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return {i.filename: z.read(i) for i in z.infolist()}


def write_members(path: Path, parts: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            z.writestr(name, data)
    return path


def sheet_part(parts: dict[str, bytes], sheet: str) -> str:
    """The package part holding a sheet, through workbook.xml and its relationships."""
    wb = parts["xl/workbook.xml"].decode()
    m = re.search(rf'<sheet name="{re.escape(sheet)}"[^>]*r:id="(rId\d+)"', wb)
    assert m, sheet
    rels = parts["xl/_rels/workbook.xml.rels"].decode()
    t = re.search(rf'<Relationship Id="{m.group(1)}"[^>]*Target="([^"]+)"', rels)
    assert t, m.group(1)
    return "xl/" + t.group(1).lstrip("/").removeprefix("xl/")


def zipped(edit: Callable[[dict[str, bytes]], None]) -> Callable[[Path], Path]:
    """The example's package with its parts edited."""

    def build(d: Path) -> Path:
        parts = members(example_bytes())
        edit(parts)
        return write_members(_out(d), parts)

    return build


def sheet_xml(sheet: str, edit: Callable[[str], str]) -> Callable[[Path], Path]:
    """The example with one sheet's XML edited."""

    def change(parts: dict[str, bytes]) -> None:
        part = sheet_part(parts, sheet)
        before = parts[part].decode()
        after = edit(before)
        assert after != before, f"the edit changed nothing in {sheet}"
        parts[part] = after.encode()

    return zipped(change)


def workbook_xml(edit: Callable[[str], str]) -> Callable[[Path], Path]:
    def change(parts: dict[str, bytes]) -> None:
        before = parts["xl/workbook.xml"].decode()
        after = edit(before)
        assert after != before
        parts["xl/workbook.xml"] = after.encode()

    return zipped(change)


def _cell_re(ref: str) -> re.Pattern[str]:
    return re.compile(rf'<c r="{ref}"(?P<attrs>[^>]*?)(?:/>|>(?P<body>.*?)</c>)', re.S)


def on_cell(ref: str, edit: Callable[[str, str], str]) -> Callable[[str], str]:
    """An edit of one cell element: ``edit(attrs, body)`` returns the new element."""

    def change(xml: str) -> str:
        found = list(_cell_re(ref).finditer(xml))
        assert len(found) == 1, f"{ref}: {len(found)} cells"
        m = found[0]
        return xml[: m.start()] + edit(m["attrs"], m["body"] or "") + xml[m.end() :]

    return change


def _cached_value(ref: str, value: str | None, error: bool = False) -> Callable[[str], str]:
    """A formula cell whose saved value is ``value`` (None: no saved value; ``error``: an error value)."""

    def edit(attrs: str, body: str) -> str:
        f = re.search(r"<f\b[^>]*>.*?</f>", body, re.S)
        assert f, f"{ref} holds no formula"
        attrs = re.sub(r' t="[a-z]+"', "", attrs) + (' t="e"' if error else "")
        v = "" if value is None else f"<v>{value}</v>"
        return f'<c r="{ref}"{attrs}>{f.group(0)}{v}</c>'

    return on_cell(ref, edit)


def _formula(ref: str, new: str) -> Callable[[str], str]:
    def edit(attrs: str, body: str) -> str:
        changed = re.sub(r"<f>.*?</f>", f"<f>{new}</f>", body, count=1, flags=re.S)
        assert changed != body
        return f'<c r="{ref}"{attrs}>{changed}</c>'

    return on_cell(ref, edit)


def _insert_column(at: int) -> Callable[[str], str]:
    """An empty column inserted before column ``at`` (0-based): cells and merges to its right move one along."""

    def shift(ref: str) -> str:
        r, c = parse_a1(ref)
        return a1(r, c + 1) if c >= at else ref

    def change(xml: str) -> str:
        xml = re.sub(r'(<c r=")([A-Z]+[0-9]+)(")', lambda m: m[1] + shift(m[2]) + m[3], xml)
        return re.sub(
            r'(<mergeCell ref=")([A-Z]+[0-9]+):([A-Z]+[0-9]+)(")',
            lambda m: f"{m[1]}{shift(m[2])}:{shift(m[3])}{m[4]}",
            xml,
        )

    return change


def _merge(ref: str) -> Callable[[str], str]:
    def change(xml: str) -> str:
        m = re.search(r'<mergeCells count="(\d+)">', xml)
        assert m
        return xml.replace(m.group(0), f'<mergeCells count="{int(m[1]) + 1}"><mergeCell ref="{ref}"/>', 1)

    return change


def _clear_row(row: int) -> Callable[[str], str]:
    """Every cell of a row deleted (a row whose contents staff cleared)."""

    def change(xml: str) -> str:
        return re.sub(rf'<row r="{row + 1}"[^>]*>.*?</row>', "", xml, count=1, flags=re.S)

    return change


def _far_cell(ref: str) -> Callable[[str], str]:
    r, _c = parse_a1(ref)
    return lambda xml: xml.replace("</sheetData>", f'<row r="{r + 1}"><c r="{ref}"><v>1</v></c></row></sheetData>', 1)


def _drop_sheet(sheet: str) -> Callable[[str], str]:
    return lambda xml: re.sub(rf'<sheet name="{re.escape(sheet)}"[^>]*/>', "", xml, count=1)


def _rename_sheet(old: str, new: str) -> Callable[[str], str]:
    return lambda xml: xml.replace(f'<sheet name="{old}"', f'<sheet name="{new}"', 1)


# ------------------------------------------------------------------------------------------------ file-level


@functools.cache
def _corpus(d: Path) -> dict[str, Path]:
    return hostile.build_corpus(d)


def corpus(name: str) -> Callable[[Path], Path]:
    """A file of the hostile corpus (built once per folder, beside the cases' folders)."""

    def build(d: Path) -> Path:
        return _corpus(d.parent / "_hostile")[name]

    return build


def _example_file(d: Path) -> Path:
    path = d.parent / "_example" / FILE_NAME
    if not path.exists():
        write_atomic(path, example_bytes())
    return path


def from_example(make: Callable[[Path, Path], Path], suffix: str = ".xlsx") -> Callable[[Path], Path]:
    """One of :mod:`hostile`'s helpers (``make(ok, dst)``) applied to the example instead of its toy workbook."""

    def build(d: Path) -> Path:
        d.mkdir(parents=True, exist_ok=True)
        return make(_example_file(d), d / f"plan{suffix}")

    return build


def _missing(d: Path) -> Path:
    d.mkdir(parents=True, exist_ok=True)
    return d / "no-such-plan.xlsx"


def _folder(d: Path) -> Path:
    (d / FILE_NAME).mkdir(parents=True, exist_ok=True)
    return d / FILE_NAME


def _truncated(ok: Path, dst: Path) -> Path:
    data = ok.read_bytes()
    dst.write_bytes(data[: len(data) * 6 // 10])
    return dst


def _entities(ok: Path, dst: Path) -> Path:
    return hostile._rezip(ok, dst, {"xl/sharedStrings.xml": hostile._BILLION_LAUGHS})


def _strict(ok: Path, dst: Path) -> Path:
    wb = hostile._read(ok, "xl/workbook.xml")
    return hostile._rezip(ok, dst, {"xl/workbook.xml": wb.replace(_NS.encode(), hostile._STRICT_NS.encode())})


# ------------------------------------------------------------------------------------------------ model changes


def _set_item(number: int, /, **values: Any) -> Callable[[Plan], None]:
    def change(plan: Plan) -> None:
        it = plan.item(number)
        assert it is not None
        for k, v in values.items():
            assert hasattr(it, k), k
            setattr(it, k, v)

    return change


def _set_risk(number: int, /, **values: Any) -> Callable[[Plan], None]:
    def change(plan: Plan) -> None:
        r = next(r for r in plan.risks if r.number == number)
        for k, v in values.items():
            assert hasattr(r, k), k
            setattr(r, k, v)

    return change


def _set_details(number: int, /, **values: Any) -> Callable[[Plan], None]:
    def change(plan: Plan) -> None:
        it = plan.item(number)
        assert it is not None
        for k, v in values.items():
            setattr(it.details, k, v)

    return change


def _set_budget(number: int, year: int, amount: int) -> Callable[[Plan], None]:
    def change(plan: Plan) -> None:
        it = plan.item(number)
        assert it is not None
        it.budget[year] = Decimal(amount)

    return change


def _duplicate_last_item(plan: Plan) -> None:
    plan.items.append(copy.deepcopy(plan.items[-1]))  # a row copied below the last one, not renumbered


def _drop_dimension(dimension: int) -> Callable[[Plan], None]:
    def change(plan: Plan) -> None:
        plan.items = [it for it in plan.items if it.dimension != dimension]

    return change


def _progress(number: int, *entries: Progress) -> Callable[[Plan], None]:
    def change(plan: Plan) -> None:
        it = plan.item(number)
        assert it is not None
        it.measures[0].progress = list(entries)

    return change


def _measure_names_list(plan: Plan) -> str:
    """Risk 1's control measures written as a numbered list of item names that skips a number (1, 2, 3, 5)."""
    numbers = _example().risks[0].measures
    names = [_example().item(n).name for n in numbers]  # type: ignore[union-attr]
    assert not any(ch.isdigit() for name in names for ch in name)
    labels = [1, 2, 3, 5][: len(names)]
    return " ".join(f"{label}. {name}" for label, name in zip(labels, names, strict=True))


# ------------------------------------------------------------------------------------------------ positions
_B = LAYOUT.budget
_R = LAYOUT.risks
_M = LAYOUT.measures
_D = LAYOUT.details
_Y1 = _example().years[0]
ITEM1 = item_row(1)  # budget/details row of item 1
RISK1 = risk_row(1)
DIM1 = LAYOUT.summary_row(BUDGET_MARKER, 0)
GRAND = LAYOUT.summary_row(BUDGET_MARKER, LAYOUT.n_dimensions)
WORDS = LAYOUT.words_row(BUDGET_MARKER)
MEASURE1 = _M.first_row  # the first measure row: item 1's first measure
_TOTAL = a1(ITEM1, _B.col("total"))  # L5
ITEM1_TOTAL = _example().items[0].total()
_HEAT_BELOW = RISK_MARKER + RISK_HEAT_OFFSET + 9  # the row right below the heat map's legend colours


# ------------------------------------------------------------------------------------------------ the cases
CASES: tuple[Case, ...] = (
    # ---------------------------------------------------------------- file (F)
    Case("F101", corpus("empty"), "", None, "corpus: an empty (0-byte) file; no workbook change can empty a file"),
    Case("F102", corpus("random_bytes"), "", None, "corpus: random bytes named .xlsx", "random"),
    Case("F102", corpus("csv_renamed"), "", None, "corpus: a CSV file renamed .xlsx", "csv"),
    Case("F102", corpus("html_renamed"), "", None, "corpus: an HTML table renamed .xlsx", "html"),
    Case("F102", corpus("docx_renamed"), "", None, "corpus: a Word document renamed .xlsx", "docx"),
    Case("F102", corpus("plain_zip"), "", None, "corpus: a zip archive renamed .xlsx", "zip"),
    Case("F103", corpus("xls"), "", None, "corpus: an Excel 97-2003 file; not producible from an .xlsx"),
    Case("F104", corpus("ods"), "", None, "corpus: an OpenDocument spreadsheet; not producible from an .xlsx"),
    Case("F105", corpus("encrypted"), "", None, "corpus: a password-encrypted package (compound file)"),
    Case("F106", corpus("truncated"), "", None, "corpus: a workbook cut at 60%", "truncated"),
    Case("F106", corpus("bad_crc"), "", None, "corpus: a workbook with damaged compressed bytes", "bad-crc"),
    Case("F106", from_example(_truncated), "", None, "the example cut at 60% (an interrupted download)", "example"),
    Case("F107", corpus("excel_lock"), "", None, "corpus: Excel's ~$ owner file", "excel"),
    Case("F107", corpus("lo_lock"), "", None, "corpus: LibreOffice's .~lock file", "libreoffice"),
    Case("F108", from_example(hostile._macro, ".xlsm"), "", None, "the example with a VBA project added (warning)"),
    Case(
        "F108",
        corpus("macro"),
        "",
        None,
        "corpus: a toy macro workbook; no plan in it, so every plan sheet is missing (S201)",
        "corpus",
        frozenset({"S201"}),
    ),
    Case("F109", corpus("entities"), "", None, "corpus: entity expansion in sharedStrings", "corpus"),
    Case("F109", from_example(_entities), "", None, "the example with entities in its sharedStrings part", "example"),
    Case("F110", corpus("zip_bomb"), "", None, "corpus: a sheet unpacking to 1 GB; not producible by an edit"),
    Case(
        "F111",
        sheet_xml(BUDGET, _far_cell("XFD1048576")),
        BUDGET,
        None,
        "the example with a value in the budget sheet's last cell XFD1048576 (one keystroke at Ctrl+End)",
    ),
    Case(
        "F111",
        corpus("far_corner"),
        "Sheet1",
        None,
        "corpus: a toy sheet with XFD1048576 filled; not a plan (S201)",
        "far-corner",
        frozenset({"S201"}),
    ),
    Case(
        "F111",
        corpus("million_rows"),
        "Sheet1",
        None,
        "corpus: a toy sheet of a million rows; not a plan (S201)",
        "million-rows",
        frozenset({"S201"}),
    ),
    Case("F112", from_example(hostile._external_link), "", None, "the example with a link to another workbook"),
    Case(
        "F112",
        corpus("external_link"),
        "",
        None,
        "corpus: a toy workbook with an external link; not a plan (S201)",
        "corpus",
        frozenset({"S201"}),
    ),
    Case("F113", corpus("strict"), "", None, "corpus: a Strict Open XML workbook", "corpus"),
    Case("F113", from_example(_strict), "", None, "the example's workbook part in the Strict namespace", "example"),
    Case("F114", _missing, "", None, "a path that does not exist: no change inside a workbook can make it unopenable"),
    Case("F114", _folder, "", None, "a folder named plan.xlsx", "folder"),
    Case(
        "F115",
        sheet_xml(BUDGET, lambda x: x.replace("</sheetData>", "</sheetDat>", 1)),
        "",
        None,
        "the example with its budget sheet's XML not well-formed (a broken writer); sniffing cannot see it",
    ),
    # ---------------------------------------------------------------- structure (S)
    Case(
        "S201",
        workbook_xml(_drop_sheet(DETAILS)),
        DETAILS,
        None,
        "the details sheet deleted (its entry removed from workbook.xml; nothing refers to it)",
    ),
    Case(
        "S202",
        workbook_xml(_rename_sheet(DETAILS, "Sheet6")),
        "Sheet6",
        None,
        "the details sheet renamed Sheet6 (no formula refers to it, so nothing else changes)",
    ),
    Case(
        "S203",
        typed((BUDGET, _B.header_row, _B.col("responsible"), "ผู้รับผิดชอบโครงการ")),
        BUDGET,
        a1(_B.header_row, _B.col("responsible")),
        "the budget header หน่วยงานรับผิดชอบ retyped; the finding is at the header cell where the column would be "
        "(right of the header before it). The retyped header also shows as an added column (S210, info)",
        "budget",
    ),
    Case(
        "S203",
        typed((GEN, general_field("subdistrict").row, 0, "ตำบลที่ตั้ง")),
        GEN,
        a1(general_field("subdistrict").row, 0),
        "the general sheet's label ตำบล retyped: the field cannot be found (at the label's cell in the template)",
        "general",
    ),
    Case(
        "S204",
        sheet_xml(DETAILS, _insert_column(_D.col("outputs"))),
        DETAILS,
        "K4",
        "an empty column inserted before ผลผลิต on the details sheet (nothing refers to the columns it moves)",
    ),
    Case(
        "S205",
        typed((GEN, *general_cell("template"), None)),
        GEN,
        None,
        "the template version on the general sheet cleared",
    ),
    Case("S206", typed((GEN, *general_cell("template"), "xlplan-lao-acp/0.9")), GEN, "B16", "another template version"),
    Case(
        "S207",
        typed((BUDGET, ITEM1 + 5, _B.col("note") + 1, "ของบเพิ่ม")),
        BUDGET,
        "O10",
        "a note typed beside the budget table, in a column without a header",
        "beside",
    ),
    Case(
        "S207",
        typed((RISKS, _HEAT_BELOW, 0, "ทบทวนทุกปี")),
        RISKS,
        "A40",
        "a note typed in the row right below the heat map's legend",
        "below-heat-map",
    ),
    Case(
        "S207",
        typed((BUDGET, WORDS + 1, 0, "ขออนุมัติเพิ่มเติม")),
        BUDGET,
        "A58",
        "a note typed in the row right below the amount in words",
        "below-words",
    ),
    Case(
        "S208",
        sheet_xml(BUDGET, _merge(f"{a1(ITEM1, _B.col('note'))}:{a1(ITEM1 + 1, _B.col('note'))}")),
        BUDGET,
        "N5",
        "two empty note cells of the budget table merged (no value lost)",
    ),
    Case(
        "S209",
        typed((DETAILS, DETAILS_MARKER, 0, None)),
        DETAILS,
        a1(_D.header_row, 0),
        "the details sheet's end-marker text deleted (no formula ranges over that table); at the table's first "
        "header cell",
    ),
    Case(
        "S210",
        typed((BUDGET, _B.header_row, _B.col("note") + 1, "ความเห็น")),
        BUDGET,
        "O4",
        "a column header added right of the budget table (info)",
    ),
    # ---------------------------------------------------------------- values (V)
    Case(
        "V301",
        typed((IND, MEASURE1, _M.col("target"), "ครบทุกคน")),
        IND,
        "F5",
        "words typed as a measure's target value",
        "target",
    ),
    Case(
        "V301",
        typed((BUDGET, ITEM1, year_col(_Y1), "ประมาณสองหมื่น")),
        BUDGET,
        "G5",
        "words typed as an amount; the totals' saved values are then stale (X403 warnings)",
        "amount",
    ),
    Case("V302", model(_set_risk(1, likelihood=7)), RISKS, "D5", "likelihood 7 on a 1-5 scale"),
    Case("V303", model(_set_budget(1, _Y1, -19800)), BUDGET, "G5", "a negative amount"),
    Case(
        "V304",
        model(lambda p: p.targets.ita_score.__setitem__(_Y1, Decimal(120))),
        IND,
        "C114",
        "an ITA target of 120 (out of 100)",
    ),
    Case(
        "V305",
        typed((IND, target_row(_Y1), 0, _Y1 - 1)),
        IND,
        "A114",
        "the first targets row's year typed as the year before the plan (a copy of an old plan)",
    ),
    Case("V306", model(_set_item(1, kind="แผนงาน")), BUDGET, "E5", "a kind that is not in the list", "kind"),
    Case("V306", model(_set_risk(1, area="การเงิน")), RISKS, "B5", "a process area not in the list", "area"),
    Case("V307", model(_set_details(1, rationale="")), DETAILS, "E5", "an item's rationale left empty", "details"),
    Case(
        "V307", model(lambda p: setattr(p.org, "subdistrict", "")), GEN, "B7", "the sub-district left empty", "general"
    ),
    Case(
        "V308",
        model(_duplicate_last_item),
        BUDGET,
        "A34",
        "the last item's row copied below it without renumbering (every sheet carries the copy)",
    ),
    Case(
        "V309",
        model(_set_item(28, number=30)),
        BUDGET,
        "A33",
        "item 28 renumbered 30 on every sheet: 27 jumps to 29, reported on the row of 29",
        "budget",
    ),
    Case(
        "V309",
        typed((RISKS, RISK1, _R.col("measures"), _measure_names_list(_example()))),
        RISKS,
        "I5",
        "risk 1's control measures typed as a numbered list of item names that skips 4",
        "measure-list",
    ),
    Case(
        "V310",
        typed((RISKS, RISK1, _R.col("level"), "ต่ำ ปานกลาง")),
        RISKS,
        "G5",
        "two levels typed over the level formula",
        "level",
    ),
    Case("V310", typed((IND, MEASURE1, _M.col("target"), "80 90")), IND, "F5", "two numbers as one target", "target"),
    Case("V311", model(lambda p: setattr(p.org, "code", "65-01")), GEN, "B6", "a government code with a dash"),
    Case(
        "V312",
        typed((RISKS, RISK1, _R.col("measures"), "5-3")),
        RISKS,
        "I5",
        "a control-measure range running backwards",
    ),
    Case(
        "V313",
        model(lambda p: setattr(p.announcement, "date", "2565-02-31")),
        GEN,
        "B12",
        "an announcement date that does not exist (31/02/2565)",
    ),
    Case(
        "V314",
        typed((IND, MEASURE1 + 1, _M.col("target"), "80")),
        IND,
        "F6",
        "a target typed as the text '80' (also N352, info)",
    ),
    # ---------------------------------------------------------------- normalisation (N), info
    Case("N351", model(lambda p: setattr(p.org, "code", "๖๕๐๑๐๐๑")), GEN, "B6", "the government code in Thai digits"),
    Case(
        "N352",
        typed((BUDGET, item_row(2), year_col(_Y1), "0 บาท")),
        BUDGET,
        "G6",
        "'0 บาท' typed as a no-budget amount (0, so no V314)",
    ),
    Case("N353", typed((BUDGET, item_row(2), year_col(_Y1), "xxx")), BUDGET, "G6", "'xxx' for no budget"),
    Case(
        "N354",
        model(lambda p: setattr(p.risks[0], "issue", p.risks[0].issue + "  ")),
        RISKS,
        "C5",
        "trailing spaces after a risk issue",
    ),
    Case(
        "N355",
        typed((IND, target_row(_Y1), 0, _Y1 - 543)),
        IND,
        "A114",
        "the first targets year typed in the Common Era (2023)",
        "targets",
    ),
    Case(
        "N355",
        typed((GEN, *general_cell("year_first"), _Y1 - 543)),
        GEN,
        "B10",
        "the first plan year typed in the Common Era (2023): read as 2566, the layout is unchanged",
        "general",
    ),
    # ---------------------------------------------------------------- formulas (X)
    Case(
        "X401", typed((BUDGET, ITEM1, _B.col("total"), ITEM1_TOTAL)), BUDGET, "L5", "the right total typed as a value"
    ),
    Case(
        "X402",
        sheet_xml(BUDGET, _formula(_TOTAL, f"SUM(G{ITEM1 + 1}:J{ITEM1 + 1})")),
        BUDGET,
        "L5",
        "the row total's formula edited to leave out the last year (saved value unchanged)",
    ),
    Case(
        "X403",
        sheet_xml(BUDGET, _cached_value(_TOTAL, str(ITEM1_TOTAL - 1000))),
        BUDGET,
        "L5",
        "the row total's saved value not recalculated",
    ),
    Case(
        "X404",
        sheet_xml(BUDGET, _cached_value(_TOTAL, "#REF!", error=True)),
        BUDGET,
        "L5",
        "the row total shows #REF!",
    ),
    Case("X405", sheet_xml(BUDGET, _cached_value(_TOTAL, None)), BUDGET, "L5", "the row total saved without a value"),
    Case("X406", typed((BUDGET, ITEM1, _B.col("total"), None)), BUDGET, "L5", "the row total's formula deleted"),
    # ---------------------------------------------------------------- arithmetic (A)
    Case("A501", typed((BUDGET, ITEM1, _B.col("total"), 12345)), BUDGET, "L5", "a wrong row total typed", "budget"),
    Case(
        "A501",
        typed((DETAILS, ITEM1, _D.col("budget"), 1)),
        DETAILS,
        "C5",
        "a wrong item budget typed on the details sheet",
        "details",
    ),
    Case(
        "A502",
        typed((BUDGET, DIM1, year_col(_Y1), 1)),
        BUDGET,
        "G52",
        "a wrong dimension subtotal typed (the dimension's 5-year total is then stale: X403)",
    ),
    Case(
        "A503",
        typed((BUDGET, GRAND, year_col(_Y1), 1)),
        BUDGET,
        "G56",
        "a wrong grand total typed (the 5-year grand total is then stale: X403)",
    ),
    Case("A504", typed((BUDGET, DIM1, _B.col("kind"), 99)), BUDGET, "E52", "a wrong item count typed", "count"),
    Case(
        "A504",
        typed((RISKS, RISK_MARKER + RISK_HEAT_OFFSET + 1, 3, 9)),
        RISKS,
        "D32",
        "a wrong heat-map count typed (likelihood 1, impact 5)",
        "heat-map",
    ),
    Case("A505", typed((RISKS, RISK1, _R.col("level"), "สูงมาก")), RISKS, "G5", "a wrong risk level typed", "level"),
    Case(
        "A505",
        typed((RISKS, RISK1, _R.col("score"), 99)),
        RISKS,
        "F5",
        "a wrong risk score typed (its level is then stale: X403)",
        "score",
    ),
    Case("A506", typed((BUDGET, WORDS, _B.col("kind"), "(หนึ่งบาทถ้วน)")), BUDGET, "E57", "wrong amount in words typed"),
    # ---------------------------------------------------------------- across sheets (C)
    Case("C601", model(_set_risk(1, measures=[1, 2, 7, 99])), RISKS, "I5", "a control measure naming item 99"),
    Case(
        "C602",
        sheet_xml(DETAILS, _clear_row(item_row(29))),
        BUDGET,
        "A33",
        "the details row of the last item cleared",
    ),
    Case(
        "C603",
        typed((BUDGET, 1, 0, "องค์การบริหารส่วนตำบลแม่ฮ้อ")),
        BUDGET,
        "A2",
        "the budget sheet's title typed with another spelling of the name",
    ),
    Case("C604", model(_set_item(1, indicator="1.1.9")), BUDGET, "D5", "an indicator code the framework lacks"),
    Case("C605", model(_set_item(1, mission="1.2")), BUDGET, "C5", "mission 1.2 for indicator 1.1.1"),
    Case(
        "C606",
        model(_set_details(1, name="โครงการอบรมผู้บริหาร")),
        DETAILS,
        "B5",
        "a shorter name typed over the details sheet's name formula",
    ),
    Case(
        "C607",
        typed((IND, MEASURE1, _M.col("number"), 99)),
        IND,
        "A5",
        "a measure row naming item 99 (its name lookup is then stale: X403)",
    ),
    Case("C608", model(_set_item(1, kind="กิจกรรม")), BUDGET, "E5", "kind กิจกรรม for a name starting โครงการ"),
    # ---------------------------------------------------------------- the plan (P)
    Case(
        "P701",
        model(_drop_dimension(3)),
        BUDGET,
        "B4",
        "the plan without its two dimension-3 items (their indicators then uncovered: P703 warnings)",
    ),
    Case("P702", model(_set_risk(5, measures=[])), RISKS, "I9", "a high risk (3 x 4) without control measures"),
    Case(
        "P703",
        model(_set_item(6, indicator="1.2.2")),
        IND,
        "A123",
        "the only item of indicator 1.2.1 moved to 1.2.2",
    ),
    Case(
        "P704",
        model(lambda p: p.targets.case_reduction.__setitem__(2568, Decimal(15))),
        IND,
        "B116",
        "the 2568 case-reduction target below 2567's",
    ),
    Case(
        "P705",
        model(_progress(1, Progress(_Y1, 6, "ดำเนินการแล้ว"))),
        IND,
        "J5",
        "a measure marked done with no actual value",
    ),
    Case(
        "P706",
        model(_progress(1, Progress(_Y1, 6, "อยู่ระหว่างดำเนินการ", Decimal(50000)))),
        IND,
        "I5",
        "50,000 spent on an item budgeted 19,800 that year",
    ),
    Case("P707", model(lambda p: setattr(p, "risks", [])), RISKS, a1(_R.header_row + 1, 0), "no risk assessed"),
)


def by_id() -> dict[str, Case]:
    out: dict[str, Case] = {}
    for c in CASES:
        assert c.id not in out, f"duplicate case id {c.id}"
        out[c.id] = c
    return out


__all__ = ["CASES", "LAYOUT", "Case", "by_id", "example_bytes", "example_plan"]
