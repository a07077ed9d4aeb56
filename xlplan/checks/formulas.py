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
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from xlplan import formulas as F
from xlplan.cells import a1
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
    if fc in _NUMBER and ec in _NUMBER:  # the usual case, decided as below
        return abs(found - expected) < TOLERANCE
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


def _matches(v: Any, key: Any) -> bool:
    """COUNTIF/SUMIF/MATCH equality: numbers by value, text by text (case-insensitive)."""
    kn, vn = num(key), num(v)
    if kn is not None:
        if vn is not None:
            return abs(vn - kn) < 1e-9
        return isinstance(v, str) and v.strip() == _show(key)
    if isinstance(key, str) and isinstance(v, str):
        return v.strip().lower() == key.strip().lower()
    return False


def _col_values(sh: Sheet, loc: Located, key: str) -> list[tuple[int, Any]]:
    c = loc.cols.get(key)
    if c is None:
        return []
    marker = loc.marker if loc.marker is not None else loc.end + 1
    return [(r, shown(sh.get(r, c))) for r in range(loc.first, marker + 1)]


def _key(v: Any) -> Any:
    """The identity MATCH/SUMIF compare by: a number's value, a text's lower case."""
    n = num(v)
    if n is not None:
        return n
    return v.strip().lower() if isinstance(v, str) else None


class _BudgetIndex:
    """Item number -> first budget row (MATCH ..., 0) and -> rows (SUMIF), built once per check."""

    def __init__(self, rr: ReadResult) -> None:
        self.rr = rr
        self.b = rr.tables.get("budget")
        self.first: dict[Any, int] = {}
        self.rows: dict[Any, list[int]] = {}
        self._totals: dict[Any, float] = {}
        if self.b is None:
            return
        sh = rr.book.sheets[self.b.sheet]
        for r, v in _col_values(sh, self.b, "number"):
            k = _key(v)
            if k is None:
                continue
            self.first.setdefault(k, r)
            self.rows.setdefault(k, []).append(r)
            if isinstance(v, str) and num(_show_num(v)) is not None:
                self.rows.setdefault(float(v.strip()), []).append(r)  # SUMIF: text "5" counts for 5

    def lookup(self, key_value: Any, result_key: str) -> Any:
        if key_value in (None, ""):
            return ""
        if self.b is None:
            return F.NOT_FOUND
        r = self.first.get(_key(key_value))
        if r is None:
            return F.NOT_FOUND
        sh = self.rr.book.sheets[self.b.sheet]
        res = shown(sh.get(r, self.b.cols[result_key])) if result_key in self.b.cols else None
        return 0 if res is None else res  # INDEX of an empty cell shows 0

    def budget(self, key_value: Any) -> Any:
        if key_value in (None, ""):
            return ""
        assert self.b is not None
        k = _key(key_value)
        total = self._totals.get(k)  # several measures and the details row name the same item
        if total is None:
            sh = self.rr.book.sheets[self.b.sheet]
            rows = self.rows.get(k, [])
            total = 0.0
            for y in self.rr.layout.years:
                c = self.b.cols.get(f"y{y}")
                if c is not None:
                    total += sum(num(shown(sh.get(r, c))) or 0 for r in rows)
            self._totals[k] = total
        return total


def _show_num(v: str) -> Any:
    try:
        return float(v.strip())
    except ValueError:
        return None


def _label(col: Column) -> tuple[str, str]:
    return col.th.replace("\n", " "), col.en


# ------------------------------------------------------------------------------------------------ expectations


def expectations(rr: ReadResult) -> list[Expect]:
    out: list[Expect] = []
    out += _titles(rr)
    out += _budget(rr)
    out += _risks(rr)
    out += _lookups(rr)
    out += _coverage(rr)
    return out


def _titles(rr: ReadResult) -> list[Expect]:
    gen = rr.sheet(SHEETS.general)
    name_field = next(f for f in GENERAL_FIELDS if f.key == "org_name")
    if gen is None or "org_name" not in rr.general:
        return []
    r, c = rr.general["org_name"]
    org = shown(gen.get(r, c)) or ""
    formula = F.org_name()
    if (r, c) != (name_field.row, 1):  # the general sheet's rows moved: the formula follows them
        formula = f"='{SHEETS.general}'!${a1(r, c)[0]}${r + 1}"
    out = []
    for declared in (SHEETS.risks, SHEETS.budget, SHEETS.indicators, SHEETS.details):
        sh = rr.sheet(declared)
        if sh is not None:
            out.append(Expect(sh, 1, 0, formula, org, "C603", "ชื่อ อปท. (หัวแผ่นงาน)", "Organisation name (title)"))
    return out


def _budget(rr: ReadResult) -> list[Expect]:
    loc = rr.tables.get("budget")
    if loc is None:
        return []
    sh = rr.book.sheets[loc.sheet]
    p = loc.placed()
    years = rr.layout.years
    ycols = [loc.cols.get(f"y{y}") for y in years]
    if "total" not in loc.cols or None in ycols:
        return []
    tcol = loc.table.column("total")
    th, en = _label(tcol)
    out = []
    # each row's year amounts as SUM adds them (what each cell shows, text as 0), taken once for all the sums below
    last = loc.marker if loc.marker is not None else loc.end + 1
    amounts: dict[int, list[float]] = {}
    for row in range(loc.first, last + 1):
        cells = sh.row(row)
        amounts[row] = [num(shown(cells.get(c))) or 0 for c in ycols] if cells else [0] * len(ycols)
    total_col = loc.cols["total"]
    for row in loc.rows:
        out.append(Expect(sh, row, total_col, F.row_total(p, years, row), sum(amounts[row]), "A501", th, en))

    # per-dimension summary and grand total: found by their labels below the table
    start = (loc.marker if loc.marker is not None else loc.end) + 1
    labels: dict[str, int] = {}
    for row in range(start, sh.max_row + 1):
        lab = norm_label(sh.value(row, 0))
        if lab and lab not in labels:
            labels[lab] = row
    count_col = loc.cols.get("kind")
    if count_col is None:
        return out
    if not {"dimension", "name"} <= loc.cols.keys():
        return out  # a header is missing (S203 says which): the summary's formulas cannot be rebuilt
    dims = _col_values(sh, loc, "dimension")
    names = _col_values(sh, loc, "name")
    # COUNTIF/SUMIF of each dimension: the rows whose dimension cell matches it, found in one pass
    by_dim: dict[str, set[int]] = {d.code: set() for d in rr.fw.dimensions}
    codes = [(d.code, int(d.code)) for d in rr.fw.dimensions]
    for r, v in dims:
        if v is None or v == "":
            continue
        for code, n in codes:
            if _matches(v, n):
                by_dim[code].add(r)
    for d in rr.fw.dimensions:
        row = labels.get(f"มิติที่ {d.code}")
        if row is None:
            continue
        rows_of_dim = by_dim[d.code]
        out.append(
            Expect(
                sh,
                row,
                count_col,
                F.dim_count(p, d.code),
                len(rows_of_dim),
                "A504",
                f"จำนวนรายการ มิติที่ {d.code}",
                f"Item count, dimension {d.code}",
            )
        )
        for i, (y, c) in enumerate(zip(years, ycols, strict=True)):
            assert c is not None
            value = sum(amounts[r][i] for r in rows_of_dim)
            out.append(
                Expect(
                    sh,
                    row,
                    c,
                    F.dim_sum(p, d.code, y),
                    value,
                    "A502",
                    f"มิติที่ {d.code} ปี {y}",
                    f"Dimension {d.code}, {y}",
                )
            )
        shown_years = sum(num(shown(sh.get(row, c))) or 0 for c in ycols if c is not None)
        out.append(
            Expect(
                sh,
                row,
                loc.cols["total"],
                F.summary_total(p, years, row),
                shown_years,
                "A502",
                f"มิติที่ {d.code} รวม",
                f"Dimension {d.code}, total",
            )
        )
    g = labels.get("รวมทั้งสิ้น")
    if g is not None:
        out.append(
            Expect(
                sh,
                g,
                count_col,
                F.grand_count(p),
                sum(1 for _, v in names if v not in (None, "")),
                "A504",
                "จำนวนรายการทั้งสิ้น",
                "Item count, all",
            )
        )
        for i, (y, c) in enumerate(zip(years, ycols, strict=True)):
            assert c is not None
            value = sum(a[i] for a in amounts.values())
            out.append(Expect(sh, g, c, F.grand_sum(p, y), value, "A503", f"รวมทั้งสิ้น ปี {y}", f"Grand total {y}"))
        grand = sum(num(shown(sh.get(g, c))) or 0 for c in ycols if c is not None)
        out.append(
            Expect(sh, g, loc.cols["total"], F.summary_total(p, years, g), grand, "A503", "รวมทั้งสิ้น", "Grand total")
        )
        w = labels.get("ตัวอักษร")
        if w is not None:
            total = num(shown(sh.get(g, loc.cols["total"]), grand)) or 0
            words = (f"({bahttext(total)})", f"({bahttext(total, style='excel')})")
            out.append(Expect(sh, w, count_col, F.words(p, g), words, "A506", "จำนวนเงินตัวอักษร", "Amount in words"))
    return out


def _risks(rr: ReadResult) -> list[Expect]:
    loc = rr.tables.get("risks")
    if loc is None or not {"likelihood", "impact", "score", "level"} <= loc.cols.keys():
        return []
    sh = rr.book.sheets[loc.sheet]
    p = loc.placed()
    fw = rr.fw
    out = []
    s_th, s_en = _label(loc.table.column("score"))
    l_th, l_en = _label(loc.table.column("level"))
    for row in loc.rows:
        lk = num(shown(sh.get(row, loc.cols["likelihood"])))
        im = num(shown(sh.get(row, loc.cols["impact"])))
        score: Any = lk * im if lk is not None and im is not None else ""
        out.append(Expect(sh, row, loc.cols["score"], F.risk_score(p, row), score, "A505", s_th, s_en))
        shown_score = num(shown(sh.get(row, loc.cols["score"]), score))
        level = fw.level_for(int(shown_score)).th if shown_score is not None and shown_score >= 1 else ""
        if shown_score is not None and shown_score < fw.risk_levels[0].min_score:
            level = "#N/A"
        out.append(
            Expect(
                sh,
                row,
                loc.cols["level"],
                F.risk_level(p, row, len(fw.risk_levels)),
                level,
                "A505",
                l_th,
                l_en,
                several=tuple(lv.th for lv in fw.risk_levels),
            )
        )
    # the heat map below the table
    start = (loc.marker if loc.marker is not None else loc.end) + 1
    lc = RISK_HEAT_LABEL_COL
    lks = _col_values(sh, loc, "likelihood")
    ims = dict(_col_values(sh, loc, "impact"))
    # COUNTIFS: the rows matching each likelihood, and each impact (on first use), found once
    lk_rows = {lk: [r for r, v in lks if v is not None and _matches(v, lk)] for lk in range(1, 6)}
    im_rows: dict[int, set[int]] = {}
    for row in range(start, sh.max_row + 1):
        lab = norm_label(sh.value(row, lc))
        if not lab.startswith("ผลกระทบ "):
            continue
        try:
            impact = int(lab.split()[-1])
        except ValueError:
            continue
        if impact not in im_rows:
            im_rows[impact] = {r for r, v in ims.items() if v is not None and _matches(v, impact)}
        for likelihood in range(1, 6):
            count = sum(1 for r in lk_rows[likelihood] if r in im_rows[impact])
            out.append(
                Expect(
                    sh,
                    row,
                    lc + likelihood,
                    F.heat_count(p, likelihood, impact),
                    count,
                    "A504",
                    f"แผนภาพความเสี่ยง โอกาส {likelihood} ผลกระทบ {impact}",
                    f"Heat map, likelihood {likelihood}, impact {impact}",
                )
            )
    return out


def _lookups(rr: ReadResult) -> list[Expect]:
    b = rr.tables.get("budget")
    if b is None or not {"number", "name", "responsible"} <= b.cols.keys():
        return []
    bp = b.placed()
    years = rr.layout.years
    index = _BudgetIndex(rr)
    out = []
    for key in ("measures", "details"):
        loc = rr.tables.get(key)
        if loc is None or "number" not in loc.cols:
            continue
        sh = rr.book.sheets[loc.sheet]
        # (column key, formula of the row's item-number cell, value of its item number, rule)
        # (column key, the formula split where the row's item-number cell goes, value of its item number, rule):
        # the formulas are built once with a stand-in for that cell, then joined around each row's cell
        lookups: list[tuple[str, list[str], Callable[[Any], Any], str]] = []
        if "name" in loc.cols:
            lookups.append(("name", _split(F.lookup(bp, _KEY_CELL, "name")), lambda k: index.lookup(k, "name"), "C606"))
        if key == "details":
            if "responsible" in loc.cols:
                lookups.append(
                    (
                        "responsible",
                        _split(F.lookup(bp, _KEY_CELL, "responsible")),
                        lambda k: index.lookup(k, "responsible"),
                        "C606",
                    )
                )
            if "budget" in loc.cols and all(f"y{y}" in b.cols for y in years):
                lookups.append(("budget", _split(F.item_budget(bp, years, _KEY_CELL)), index.budget, "A501"))
        labels = {col_key: _label(loc.table.column(col_key)) for col_key, *_ in lookups}
        number_col = loc.cols["number"]
        for row in loc.rows:
            k = shown(sh.get(row, number_col))
            key_cell = a1(row, number_col)
            for col_key, parts, value, rule in lookups:
                th, en = labels[col_key]
                out.append(Expect(sh, row, loc.cols[col_key], key_cell.join(parts), value(k), rule, th, en))
    return out


_KEY_CELL = "\x00"  # a stand-in no formula holds


def _split(formula: str) -> list[str]:
    return formula.split(_KEY_CELL)


def _coverage(rr: ReadResult) -> list[Expect]:
    b, m = rr.tables.get("budget"), rr.tables.get("measures")
    if b is None or m is None or "indicator" not in b.cols:
        return []
    sh = rr.book.sheets[m.sheet]
    bsh = rr.book.sheets[b.sheet]
    bp = b.placed()
    # COUNTIF of a code (a text: _matches compares texts stripped, case-insensitively), tallied once
    tally: dict[str, int] = {}
    for _, v in _col_values(bsh, b, "indicator"):
        if isinstance(v, str):
            k = v.strip().lower()
            tally[k] = tally.get(k, 0) + 1
    out = []
    cc = COVERAGE_COLS
    for code, row in coverage_block(sh, m, rr.fw).items():
        count = tally.get(code.strip().lower(), 0)
        out.append(
            Expect(
                sh,
                row,
                cc["count"],
                F.coverage_count(bp, a1(row, cc["code"])),
                count,
                "A504",
                f"จำนวนรายการ ตัวชี้วัด {code}",
                f"Items for indicator {code}",
            )
        )
        shown_count = num(shown(sh.get(row, cc["count"]), count)) or 0
        out.append(
            Expect(
                sh,
                row,
                cc["covered"],
                F.covered(a1(row, cc["count"])),
                COVERED_YES if shown_count > 0 else COVERED_NO,
                "A504",
                f"ครอบคลุม ตัวชี้วัด {code}",
                f"Covered, indicator {code}",
            )
        )
    return out


def _fine(e: Expect) -> bool:
    """The usual case, decided without building anything: the expected formula (as written, or as spreadsheets
    rewrite it) with a saved value equal to the recomputed one. evaluate() yields nothing for such a cell."""
    cell = e.sheet.cells.get((e.row, e.col))
    if cell is None or cell.formula is None or cell.error or not cell.cached:
        return False
    if cell.formula != e.formula and canonical(cell.formula) != canonical(e.formula):
        return False
    return _same(cell.value, e.value)


def check(rr: ReadResult) -> Iterator[Finding]:
    for e in expectations(rr):
        if not _fine(e):
            yield from evaluate(e)
