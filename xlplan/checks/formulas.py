"""Formula and arithmetic checks: every formula cell of the layout, where the tables really are.

For each formula cell the expected formula comes from :mod:`xlplan.formulas` (with the table positions found in
the file) and the expected value is recomputed here the way a spreadsheet would, from the cells as they are
(text in a number column is not a number to SUM; a formula cell counts with the value it shows). Then:

- no formula, no value, in a row that has data: X406 (formula missing);
- an error value (#REF!, #DIV/0!): X404;
- a formula other than expected: X402; the expected formula with no saved value: X405; with a saved value
  that differs from the recomputed one: X403 (stale, recalculate);
- a typed value instead of the formula: X401 when it equals what the formula would give, otherwise the rule
  of that cell (A501 row total, A502 subtotal, A503 grand total, A504 count, A505 risk score/level,
  A506 amount in words, C603 organisation name, C606 item name).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from xlplan import formulas as F
from xlplan.cells import a1, col_letter
from xlplan.findings import Finding
from xlplan.layout import (
    COVERAGE_COLS,
    COVERED_NO,
    COVERED_YES,
    GENERAL_FIELDS,
    RISK_HEAT_LABEL_COL,
    SHEETS,
    Column,
)
from xlplan.reader import Located, ReadResult, coverage_block, norm_label
from xlplan.thai import bahttext
from xlplan.xlsx import Cell, Sheet

TOLERANCE = 0.005  # half a satang


@dataclass(slots=True)
class Expect:
    sheet: Sheet
    row: int
    col: int
    formula: str
    value: Any  # what the formula computes; a tuple means any of these texts
    mismatch: str  # rule for a typed value that differs
    column_th: str
    column_en: str
    required: bool = True  # a missing formula is reported (X406)
    several: tuple[str, ...] = ()  # values of which a typed cell holding two is V310 rather than ``mismatch``


_STRING = re.compile(r'"[^"]*"')


@lru_cache(maxsize=8192)
def canonical(formula: str) -> str:
    """A formula compared as spreadsheets rewrite it: no '=', spaces, $, _xlfn. prefixes, letter case or quotes
    around sheet names (LibreOffice drops them where a name needs none: 'ข้อมูลทั่วไป'!B4 -> ข้อมูลทั่วไป!B4)."""
    f = formula.lstrip("=")
    parts = []
    last = 0
    for m in _STRING.finditer(f):
        parts.append(_canon_code(f[last : m.start()]))
        parts.append(m.group(0))
        last = m.end()
    parts.append(_canon_code(f[last:]))
    return "".join(parts)


def _canon_code(code: str) -> str:
    code = re.sub(r"\s+", "", code).replace("$", "").replace("'", "").upper()
    return code.replace("_XLFN._XLWS.", "").replace("_XLFN.", "").replace("_XLWS.", "")


def num(v: Any) -> float | None:
    cls = v.__class__
    if cls is float:  # the exact types first: this runs for every number the checks add up
        return v
    if cls is int:
        return float(v)
    if cls is bool or not isinstance(v, int | float):
        return None
    return float(v)


def shown(cell: Cell | None, fallback: Any = None) -> Any:
    """What a cell shows: its saved value, or (a formula saved without one) what it would compute."""
    if cell is None:
        return None
    if cell.formula is not None and not cell.cached:
        return fallback
    return cell.value


_NUMBER = (int, float)  # exactly these classes (bool is an int, and is not a number here)


def _same(found: Any, expected: Any) -> bool:
    fc, ec = found.__class__, expected.__class__
    if fc in _NUMBER and ec in _NUMBER:  # the usual cases, decided as below
        return abs(found - expected) < TOLERANCE
    if fc is str and ec is str:
        return found.strip() == expected.strip()
    if isinstance(expected, tuple):
        return any(_same(found, e) for e in expected)
    fn, en = num(found), num(expected)
    if fn is not None and en is not None:
        return abs(fn - en) < TOLERANCE
    if found in (None, "") and expected in (None, ""):
        return True
    if isinstance(found, str) and isinstance(expected, str):
        return found.strip() == expected.strip()
    return False


def _show(v: Any) -> str:
    if isinstance(v, tuple):
        v = v[0]
    if v is None or v == "":
        return "-"
    n = num(v)
    if n is not None:
        return f"{n:,.2f}".rstrip("0").rstrip(".") if n != int(n) else f"{int(n):,}"
    return "" if v is None else str(v)


def evaluate(e: Expect) -> Iterator[Finding]:
    cell = e.sheet.get(e.row, e.col)
    where = {"sheet": e.sheet.name, "row": e.row, "col": e.col, "column_th": e.column_th, "column_en": e.column_en}
    if cell is None or cell.empty:
        if e.required:
            yield Finding("X406", **where)
        return
    if cell.error:
        yield Finding("X404", **where, params={"value": cell.error})
        return
    if cell.formula is not None:
        if canonical(cell.formula) != canonical(e.formula):
            yield Finding("X402", **where, params={"found": cell.formula, "expected": e.formula})
        elif not cell.cached:
            if not _same("", e.value):  # a formula that shows nothing anyway needs no saved value
                yield Finding("X405", **where)
        elif not _same(cell.value, e.value):
            yield Finding("X403", **where, params={"found": _show(cell.value), "expected": _show(e.value)})
        return
    if _same(cell.value, e.value):
        yield Finding("X401", **where, params={"value": _show(cell.value)})
    elif isinstance(cell.value, str) and sum(1 for w in e.several if w in cell.value.split()) >= 2:
        yield Finding("V310", **where, params={"value": cell.value})
    else:
        yield Finding(
            e.mismatch,
            **where,
            params={"found": _show(cell.value), "expected": _show(e.value), "value": _show(cell.value)},
        )


# ------------------------------------------------------------------------------------------------ spreadsheet-like


def _rows_matching(values: Iterable[tuple[int, Any]], keys: Iterable[int]) -> dict[int, list[int]]:
    """Whole number -> the rows whose value equals it as COUNTIF/SUMIF compare (a number within 1e-9, a text
    that spells it), all keys in one pass."""
    out: dict[int, list[int]] = {k: [] for k in keys}
    texts: dict[str, int] | None = None
    for r, v in values:
        if v is None:  # the usual empty cell, which nothing matches
            continue
        if texts is None:  # at the first value, as COUNTIF first compares (a key too large for a float fails here)
            texts = {_show(k): k for k in out}
        n = num(v)
        if n is not None:
            if -1e15 < n < 1e15:  # only the nearest whole number can be within 1e-9: looked up, not searched
                k = round(n)
                rows = out.get(k)
                if rows is not None and abs(n - k) < 1e-9:
                    rows.append(r)
                continue
            for k, rows in out.items():
                if abs(n - k) < 1e-9:
                    rows.append(r)
        elif isinstance(v, str):
            k = texts.get(v.strip())
            if k is not None:
                out[k].append(r)
    return out


def _col_values(sh: Sheet, loc: Located, key: str) -> list[tuple[int, Any]]:
    c = loc.cols.get(key)
    if c is None:
        return []
    marker = loc.marker if loc.marker is not None else loc.end + 1
    row = sh.row
    return [(r, shown(row(r).get(c))) for r in range(loc.first, marker + 1)]


def _addend(cell: Cell | None) -> float:
    """What SUM adds for a cell: ``num(shown(cell)) or 0`` in one call (this runs for every year amount)."""
    if cell is None or (cell.formula is not None and not cell.cached):
        return 0
    v = cell.value
    cls = v.__class__
    if cls is float:
        return v or 0
    if cls is int:
        return float(v) or 0
    return num(v) or 0


def _year_amounts(rr: ReadResult) -> dict[int, list[float]] | None:
    """Each budget row's year amounts as SUM adds them (what each cell shows, text as 0), marker row included:
    taken once for the sums of the budget sheet and the item budgets of the details. None without a budget table
    or with a year column missing."""
    loc = rr.tables.get("budget")
    if loc is None:
        return None
    ycols = [loc.cols.get(f"y{y}") for y in rr.layout.years]
    if None in ycols:
        return None
    sh = rr.book.sheets[loc.sheet]
    last = loc.marker if loc.marker is not None else loc.end + 1
    amounts: dict[int, list[float]] = {}
    for row in range(loc.first, last + 1):
        cells = sh.row(row)
        amounts[row] = [_addend(cells.get(c)) for c in ycols] if cells else [0] * len(ycols)
    return amounts


def _key(v: Any) -> Any:
    """The identity MATCH/SUMIF compare by: a number's value, a text's lower case."""
    n = num(v)
    if n is not None:
        return n
    return v.strip().lower() if isinstance(v, str) else None


class _BudgetIndex:
    """Item number (as _key gives it) -> first budget row (MATCH ..., 0) and -> rows (SUMIF), built once per check."""

    def __init__(self, sh: Sheet, b: Located, amounts: dict[int, list[float]] | None) -> None:
        self.row_cells = sh.row  # row -> its cells by column
        self.amounts = amounts
        self.first: dict[Any, int] = {}
        self.rows: dict[Any, list[int]] = {}
        for r, v in _col_values(sh, b, "number"):
            if v is None:
                continue
            k = _key(v)
            if k is None:
                continue
            self.first.setdefault(k, r)
            self.rows.setdefault(k, []).append(r)
            if isinstance(v, str) and num(_show_num(v)) is not None:
                self.rows.setdefault(float(v.strip()), []).append(r)  # SUMIF: text "5" counts for 5

    def budget(self, key: Any) -> float:
        """The SUMIF of each year over the item's rows, added up (the year columns are all there)."""
        assert self.amounts is not None
        total = 0.0
        rows = self.rows.get(key)
        if rows is None:
            return total
        if len(rows) == 1:  # the usual case, and the sum() of one amount is that amount
            for a in self.amounts[rows[0]]:
                total += a
            return total
        for column in zip(*[self.amounts[r] for r in rows], strict=True):  # a year's amounts of the rows
            total += sum(column)
        return total


def _show_num(v: str) -> Any:
    try:
        return float(v.strip())
    except ValueError:
        return None


def _label(col: Column) -> tuple[str, str]:
    return col.th.replace("\n", " "), col.en


# ------------------------------------------------------------------------------------------------ expectations
#
# Each part adds to ``out`` only the expectations whose cell is not plainly fine (_ok): nearly every formula cell
# of a filled plan is, and for those nothing is built, labelled or evaluated.


def _ok(cell: Cell | None, formula: str, value: Any) -> bool:
    """The usual case, decided without building anything: the expected formula (as written, or as spreadsheets
    rewrite it) with a saved value equal to the recomputed one. evaluate() yields nothing for such a cell."""
    if cell is None or cell.error or not cell.cached:
        return False
    found = cell.formula
    if found != formula and (found is None or canonical(found) != canonical(formula)):
        return False
    v = cell.value
    if v.__class__ is str and value.__class__ is str:  # _same() of two texts, without the call
        return v == value or v.strip() == value.strip()
    return _same(v, value)


def _want(
    out: list[Expect],
    sh: Sheet,
    row: int,
    col: int,
    formula: str,
    value: Any,
    rule: str,
    th: str,
    en: str,
    several: tuple[str, ...] = (),
) -> None:
    """An Expect added to ``out``, built only when its cell is not plainly fine."""
    if not _ok(sh.get(row, col), formula, value):
        out.append(Expect(sh, row, col, formula, value, rule, th, en, several=several))


def unsettled(rr: ReadResult) -> list[Expect]:
    """The expectations of the workbook that a glance does not settle (see _ok), in the order of the findings."""
    out: list[Expect] = []
    _titles(rr, out)
    amounts = _year_amounts(rr)
    _budget(rr, amounts, out)
    _risks(rr, out)
    _lookups(rr, amounts, out)
    _coverage(rr, out)
    return out


def _titles(rr: ReadResult, out: list[Expect]) -> None:
    gen = rr.sheet(SHEETS.general)
    name_field = next(f for f in GENERAL_FIELDS if f.key == "org_name")
    if gen is None or "org_name" not in rr.general:
        return
    r, c = rr.general["org_name"]
    org = shown(gen.get(r, c)) or ""
    formula = F.org_name()
    if (r, c) != (name_field.row, 1):  # the general sheet's rows moved: the formula follows them
        formula = f"='{SHEETS.general}'!${a1(r, c)[0]}${r + 1}"
    for declared in (SHEETS.risks, SHEETS.budget, SHEETS.indicators, SHEETS.details):
        sh = rr.sheet(declared)
        if sh is not None:
            _want(out, sh, 1, 0, formula, org, "C603", "ชื่อ อปท. (หัวแผ่นงาน)", "Organisation name (title)")


def _budget(rr: ReadResult, amounts: dict[int, list[float]] | None, out: list[Expect]) -> None:
    loc = rr.tables.get("budget")
    if loc is None or amounts is None or "total" not in loc.cols:
        return
    sh = rr.book.sheets[loc.sheet]
    get = sh.get
    p = loc.placed()
    years = rr.layout.years
    ycols = [loc.cols[f"y{y}"] for y in years]
    total_col = loc.cols["total"]
    for row in loc.rows:
        formula, value = F.row_total(p, years, row), sum(amounts[row])
        if not _ok(get(row, total_col), formula, value):
            th, en = _label(loc.table.column("total"))
            out.append(Expect(sh, row, total_col, formula, value, "A501", th, en))

    # per-dimension summary and grand total: found by their labels below the table
    start = (loc.marker if loc.marker is not None else loc.end) + 1
    labels: dict[str, int] = {}
    for row in range(start, sh.max_row + 1):
        lab = norm_label(sh.value(row, 0))
        if lab and lab not in labels:
            labels[lab] = row
    count_col = loc.cols.get("kind")
    if count_col is None:
        return
    if not {"dimension", "name"} <= loc.cols.keys():
        return  # a header is missing (S203 says which): the summary's formulas cannot be rebuilt
    # COUNTIF/SUMIF of each dimension: the rows whose dimension cell matches it, found in one pass
    matching = _rows_matching(_col_values(sh, loc, "dimension"), [int(d.code) for d in rr.fw.dimensions])
    for d in rr.fw.dimensions:
        row = labels.get(f"มิติที่ {d.code}")
        if row is None:
            continue
        rows_of_dim = set(matching[int(d.code)])
        th, en = f"จำนวนรายการ มิติที่ {d.code}", f"Item count, dimension {d.code}"
        _want(out, sh, row, count_col, F.dim_count(p, d.code), len(rows_of_dim), "A504", th, en)
        # the dimension's amounts by year, each year's summed in the set's order (a float sum depends on the order)
        by_year = list(zip(*[amounts[r] for r in rows_of_dim], strict=True)) or [()] * len(ycols)
        for y, c, column in zip(years, ycols, by_year, strict=True):
            _want(
                out,
                sh,
                row,
                c,
                F.dim_sum(p, d.code, y),
                sum(column),
                "A502",
                f"มิติที่ {d.code} ปี {y}",
                f"Dimension {d.code}, {y}",
            )
        cells = sh.row(row)
        shown_years = sum([_addend(cells.get(c)) for c in ycols])
        th, en = f"มิติที่ {d.code} รวม", f"Dimension {d.code}, total"
        _want(out, sh, row, total_col, F.summary_total(p, years, row), shown_years, "A502", th, en)
    g = labels.get("รวมทั้งสิ้น")
    if g is not None:
        names = _col_values(sh, loc, "name")
        count = sum(1 for _, v in names if v not in (None, ""))
        _want(out, sh, g, count_col, F.grand_count(p), count, "A504", "จำนวนรายการทั้งสิ้น", "Item count, all")
        by_year = list(zip(*amounts.values(), strict=True)) or [()] * len(ycols)
        for y, c, column in zip(years, ycols, by_year, strict=True):
            _want(out, sh, g, c, F.grand_sum(p, y), sum(column), "A503", f"รวมทั้งสิ้น ปี {y}", f"Grand total {y}")
        cells = sh.row(g)
        grand = sum([_addend(cells.get(c)) for c in ycols])
        _want(out, sh, g, total_col, F.summary_total(p, years, g), grand, "A503", "รวมทั้งสิ้น", "Grand total")
        w = labels.get("ตัวอักษร")
        if w is not None:
            total = num(shown(cells.get(total_col), grand)) or 0
            formula, words = F.words(p, g), f"({bahttext(total)})"
            if not _ok(get(w, count_col), formula, words):  # bahttext is slow: Excel's wording only when needed
                words2 = (words, f"({bahttext(total, style='excel')})")
                _want(out, sh, w, count_col, formula, words2, "A506", "จำนวนเงินตัวอักษร", "Amount in words")


def _risks(rr: ReadResult, out: list[Expect]) -> None:
    loc = rr.tables.get("risks")
    if loc is None or not {"likelihood", "impact", "score", "level"} <= loc.cols.keys():
        return
    sh = rr.book.sheets[loc.sheet]
    p = loc.placed()
    fw = rr.fw
    levels = fw.risk_levels
    several = tuple(lv.th for lv in levels)
    lk_col, im_col, score_col, level_col = (loc.cols[k] for k in ("likelihood", "impact", "score", "level"))
    for row in loc.rows:
        cells = sh.row(row)
        lk = num(shown(cells.get(lk_col)))
        im = num(shown(cells.get(im_col)))
        score: Any = lk * im if lk is not None and im is not None else ""
        formula = F.risk_score(p, row)
        score_cell = cells.get(score_col)
        if not _ok(score_cell, formula, score):
            th, en = _label(loc.table.column("score"))
            out.append(Expect(sh, row, score_col, formula, score, "A505", th, en))
        shown_score = num(shown(score_cell, score))
        level = fw.level_for(int(shown_score)).th if shown_score is not None and shown_score >= 1 else ""
        if shown_score is not None and shown_score < levels[0].min_score:
            level = "#N/A"
        formula = F.risk_level(p, row, len(levels))
        if not _ok(cells.get(level_col), formula, level):
            th, en = _label(loc.table.column("level"))
            out.append(Expect(sh, row, level_col, formula, level, "A505", th, en, several=several))
    # the heat map below the table: a row per impact (found by its label), a column per likelihood
    start = (loc.marker if loc.marker is not None else loc.end) + 1
    lc = RISK_HEAT_LABEL_COL
    heat: list[tuple[int, int]] = []
    for row in range(start, sh.max_row + 1):
        lab = norm_label(sh.value(row, lc))
        if not lab.startswith("ผลกระทบ "):
            continue
        try:
            heat.append((row, int(lab.split()[-1])))
        except ValueError:
            continue
    if not heat:
        return
    # COUNTIFS: the rows matching each likelihood, and each impact, found once
    lk_rows = _rows_matching(_col_values(sh, loc, "likelihood"), range(1, 6))
    im_rows = {k: set(v) for k, v in _rows_matching(_col_values(sh, loc, "impact"), [i for _, i in heat]).items()}
    for row, impact in heat:
        cells = sh.row(row)
        for likelihood in range(1, 6):
            col = lc + likelihood
            formula = F.heat_count(p, likelihood, impact)
            count = len(im_rows[impact].intersection(lk_rows[likelihood]))
            if not _ok(cells.get(col), formula, count):  # the labels only when needed
                th = f"แผนภาพความเสี่ยง โอกาส {likelihood} ผลกระทบ {impact}"
                en = f"Heat map, likelihood {likelihood}, impact {impact}"
                out.append(Expect(sh, row, col, formula, count, "A504", th, en))


def _lookups(rr: ReadResult, amounts: dict[int, list[float]] | None, out: list[Expect]) -> None:
    b = rr.tables.get("budget")
    if b is None or not {"number", "name", "responsible"} <= b.cols.keys():
        return
    bp = b.placed()
    index = _BudgetIndex(rr.book.sheets[b.sheet], b, amounts)
    first, brow = index.first, index.row_cells
    for key in ("measures", "details"):
        loc = rr.tables.get(key)
        if loc is None or "number" not in loc.cols:
            continue
        sh = rr.book.sheets[loc.sheet]
        # (column, the formula split where the row's item-number cell goes, the budget column it shows or None for
        # the item's budget, rule, column key): the formulas are built once with a stand-in for that cell, then
        # joined around each row's cell
        lookups: list[tuple[int, list[str], int | None, str, str]] = []
        if "name" in loc.cols:
            lookups.append((loc.cols["name"], _split(F.lookup(bp, _KEY_CELL, "name")), b.cols["name"], "C606", "name"))
        if key == "details":
            if "responsible" in loc.cols:
                parts = _split(F.lookup(bp, _KEY_CELL, "responsible"))
                lookups.append((loc.cols["responsible"], parts, b.cols["responsible"], "C606", "responsible"))
            if "budget" in loc.cols and amounts is not None:  # every year column is there
                parts = _split(F.item_budget(bp, rr.layout.years, _KEY_CELL))
                lookups.append((loc.cols["budget"], parts, None, "A501", "budget"))
        number_col = loc.cols["number"]
        letter = col_letter(number_col)
        for row in loc.rows:
            cells = sh.row(row)
            k = shown(cells.get(number_col))
            key_cell = f"{letter}{row + 1}"  # a1(row, number_col)
            blank = k in (None, "")  # every lookup of the row shows ""
            item = None if blank else _key(k)
            found = None if blank else first.get(item)  # MATCH(item, numbers, 0)
            for col, parts, bcol, rule, col_key in lookups:
                if blank:
                    value: Any = ""
                elif bcol is None:
                    value = index.budget(item)
                elif found is None:
                    value = F.NOT_FOUND
                else:
                    value = shown(brow(found).get(bcol))
                    if value is None:
                        value = 0  # INDEX of an empty cell shows 0
                formula = key_cell.join(parts)
                if not _ok(cells.get(col), formula, value):
                    th, en = _label(loc.table.column(col_key))
                    out.append(Expect(sh, row, col, formula, value, rule, th, en))


_KEY_CELL = "\x00"  # a stand-in no formula holds


def _split(formula: str) -> list[str]:
    return formula.split(_KEY_CELL)


def _coverage(rr: ReadResult, out: list[Expect]) -> None:
    b, m = rr.tables.get("budget"), rr.tables.get("measures")
    if b is None or m is None or "indicator" not in b.cols:
        return
    sh = rr.book.sheets[m.sheet]
    bsh = rr.book.sheets[b.sheet]
    bp = b.placed()
    # COUNTIF of a code (a text: compared stripped, case-insensitively), tallied once
    tally: dict[str, int] = {}
    for _, v in _col_values(bsh, b, "indicator"):
        if isinstance(v, str):
            k = v.strip().lower()
            tally[k] = tally.get(k, 0) + 1
    code_col, count_col, covered_col = COVERAGE_COLS["code"], COVERAGE_COLS["count"], COVERAGE_COLS["covered"]
    # each row's formulas: built once around a stand-in for the cell they name, then joined around the row's cell
    count_parts, covered_parts = _split(F.coverage_count(bp, _KEY_CELL)), _split(F.covered(_KEY_CELL))
    code_letter, count_letter = col_letter(code_col), col_letter(count_col)
    for code, row in coverage_block(sh, m, rr.fw).items():
        count = tally.get(code.strip().lower(), 0)
        formula = f"{code_letter}{row + 1}".join(count_parts)
        cells = sh.row(row)
        count_cell = cells.get(count_col)
        if not _ok(count_cell, formula, count):
            th, en = f"จำนวนรายการ ตัวชี้วัด {code}", f"Items for indicator {code}"
            out.append(Expect(sh, row, count_col, formula, count, "A504", th, en))
        shown_count = num(shown(count_cell, count)) or 0
        formula = f"{count_letter}{row + 1}".join(covered_parts)
        value = COVERED_YES if shown_count > 0 else COVERED_NO
        if not _ok(cells.get(covered_col), formula, value):
            th, en = f"ครอบคลุม ตัวชี้วัด {code}", f"Covered, indicator {code}"
            out.append(Expect(sh, row, covered_col, formula, value, "A504", th, en))


def check(rr: ReadResult) -> Iterator[Finding]:
    for e in unsettled(rr):
        yield from evaluate(e)
