"""Read a filled workbook back into the plan model, finding its tables through the layout declaration.

Sheets are found by name (or, renamed, by their headers), tables by their header texts (so inserted rows and
moved or added columns are fine), the end of each table by its end-marker row, and the blocks below it by their
labels. Every cell staff typed goes through :mod:`xlplan.normalize`; each normalisation and each value that cannot
be read becomes a finding, so nothing is changed silently. Checks (:mod:`xlplan.checks`) work on the result.
"""

from __future__ import annotations

import hashlib
import re
from array import array
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from itertools import compress, pairwise, repeat
from operator import is_
from typing import Any

from xlplan import normalize as N
from xlplan.cells import a1
from xlplan.findings import Finding
from xlplan.formulas import Placed
from xlplan.framework import Framework
from xlplan.framework import load as load_framework
from xlplan.layout import (
    COVERAGE_COLS,
    END_MARKER,
    GENERAL_FIELDS,
    GENERAL_LABEL_COL,
    GENERAL_VALUE_COL,
    SHEETS,
    TARGET_COLS,
    TEMPLATE_REF,
    Column,
    Table,
    WorkbookLayout,
    layout_for,
    progress_key,
)
from xlplan.model import DEFAULT_YEARS, ROUNDS, Announcement, Details, Item, Measure, Org, Plan, Progress, Risk, Targets
from xlplan.xlsx import _NO_CELLS, Book, Cell, Sheet, _accelerator

HEADER_SCAN_ROWS = 60


def norm_label(text: Any) -> str:
    """Header and label text compared without line breaks, repeated spaces or a trailing '*'."""
    if not isinstance(text, str):
        return ""
    return _norm_label(text)


_LABEL_SPACES = re.compile(r"[\s\u200b\u200c\u200d\ufeff\u00a0]+")


@lru_cache(maxsize=16384)
def _norm_label(text: str) -> str:
    # Most texts (every text cell of a sheet's first rows is looked at) need nothing: printable ones hold no white
    # space but the ASCII space, and no zero-width character (str.isprintable), so only the spaces can change.
    if text.isprintable() and "  " not in text and text[:1] != " " and text[-1:] not in (" ", "*"):
        return text
    t = _LABEL_SPACES.sub(" ", text).strip()
    return t.rstrip("*").strip()


def is_marker(value: Any) -> bool:
    return isinstance(value, str) and value.strip().startswith(END_MARKER[:1]) and "สิ้นสุดตาราง" in value


@dataclass
class Located:
    """One table as found in a file."""

    table: Table
    sheet: str  # the sheet's actual name
    header_row: int
    cols: dict[str, int]  # column key -> column index found
    marker: int | None  # end-marker row, None when missing
    end: int  # last row that belongs to the table (marker - 1 when there is a marker)
    rows: list[int] = field(default_factory=list)  # data rows: rows with any typed value
    # the blocks found below the table (targets_block, coverage_block), by kind: (what it was found from, block)
    blocks: dict[str, tuple[tuple[Any, ...], Any]] = field(default_factory=dict, repr=False, compare=False)

    @property
    def first(self) -> int:
        return self.header_row + 1

    def finding(self, code: str, row: int | None, key: str, **params: Any) -> Finding:
        """A finding at this table's column ``key`` in ``row``, labelled as staff see the column."""
        col = self.table.column(key)
        return Finding(
            code,
            sheet=self.sheet,
            row=row,
            col=self.cols.get(key),
            column_th=col.th.replace("\n", " "),
            column_en=col.en,
            params=params,
        )

    def placed(self) -> Placed:
        return Placed(self.sheet, self.first, self.marker if self.marker is not None else self.end + 1, self.cols)


@dataclass
class ReadResult:
    book: Book
    layout: WorkbookLayout
    plan: Plan
    findings: list[Finding]
    sheets: dict[str, str]  # declared sheet name -> actual name in the file
    tables: dict[str, Located]
    general: dict[str, tuple[int, int]]  # field key -> (row, col) of its value
    parsed: dict[tuple[str, int, int], Any]  # (sheet, row, col) -> clean value, for cross checks
    template: str = ""
    item_rows: dict[int, int] = field(default_factory=dict)  # item number -> budget row (first occurrence)
    # control measures written as names that match no item: (text, risk row)
    meta_unmatched_measures: list[tuple[str, int]] = field(default_factory=list)

    @property
    def fw(self) -> Framework:
        return self.layout.framework

    def sheet(self, declared: str) -> Sheet | None:
        actual = self.sheets.get(declared)
        return self.book.sheets.get(actual) if actual else None


class _Ctx:
    """Collects findings while reading; knows the labels of the column a value came from."""

    def __init__(self) -> None:
        self.findings: list[Finding] = []
        self.parsed: dict[tuple[str, int, int], Any] = {}
        acc = _accelerator()  # looked at once per workbook
        self.row_values: Any = getattr(acc, "row_values", None)  # _row_values in C, where built

    def add(
        self,
        code: str,
        sheet: str = "",
        row: int | None = None,
        col: int | None = None,
        column: Column | None = None,
        th: str = "",
        en: str = "",
        **params: Any,
    ) -> None:
        self.findings.append(
            Finding(
                code,
                sheet=sheet,
                row=row,
                col=col,
                column_th=(column.th.replace("\n", " ") if column else th),
                column_en=(column.en if column else en),
                params=params,
            )
        )

    def take(
        self, p: N.Parsed, sheet: str, row: int, col: int, column: Column | None = None, th: str = "", en: str = ""
    ) -> Any:
        for code, params in p.notes:
            self.add(code, sheet, row, col, column, th, en, **params)
        if p.error is not None:
            code, params = p.error
            self.add(code, sheet, row, col, column, th, en, **params)
            return None
        self.parsed[(sheet, row, col)] = p.value
        return p.value


_PARSERS = {
    "int": N.parse_int,
    "money": N.parse_amount,
    "number": N.parse_number,
    "text": N.parse_text,
    "longtext": N.parse_text,
}


def _parser(column: Column) -> Any:
    if column.list in ("scale", "dimensions"):
        return N.parse_int
    if column.list in ("missions", "indicators"):
        return N.parse_code
    if column.key == "measures":
        return N.parse_int_list
    return _PARSERS[column.kind]


def _parse_cell(ctx: _Ctx, sheet: str, row: int, col: int, column: Column, cell: Cell | None) -> Any:
    raw = None if cell is None else cell.value
    if raw is None or (cell is not None and cell.error):
        return None  # empty; error values are reported by the formula checks
    return ctx.take(_parse(_parser(column), raw), sheet, row, col, column)


# Parsed values of the short cells, shared by every workbook a process reads: dropdown choices, statuses, units,
# amounts and numbers repeat from plan to plan, and parsing is a pure function of the raw value. Long texts are
# seldom typed twice alike, so they are not kept. Parsed is frozen; its notes are never changed by the reader.
_CACHE_TEXT = 64
_CACHE_SIZE = 20_000
_cache: dict[tuple[Any, type, Any], N.Parsed] = {}


def _parse(parser: Any, raw: Any) -> N.Parsed:
    cls = raw.__class__
    if parser is N.parse_int_list or (cls is str and len(raw) > _CACHE_TEXT):
        return parser(raw)  # parse_int_list gives a list, which callers may keep
    if cls is float and (raw == 0 or raw != raw):
        return parser(raw)  # -0.0 equals 0.0, and NaN equals nothing
    key = (parser, cls, raw)
    p = _cache.get(key)
    if p is None:
        if len(_cache) >= _CACHE_SIZE:
            _cache.clear()
        p = _cache[key] = parser(raw)
    return p


# ------------------------------------------------------------------------------------------------ sheets


def _find_sheets(book: Book, layout: WorkbookLayout, ctx: _Ctx) -> dict[str, str]:
    """Declared sheet name -> actual name; renamed sheets are recognised by their table headers or labels."""
    found: dict[str, str] = {}
    signatures: dict[str, set[str]] = {t.sheet: {norm_label(c.th) for c in t.columns} for t in layout.tables}
    signatures[SHEETS.general] = {norm_label(f.th) for f in GENERAL_FIELDS}
    unclaimed = [n for n in book.order if n not in SHEETS.order()]
    for declared in SHEETS.order():
        if declared in book.sheets:
            found[declared] = declared
            continue
        if declared not in signatures:
            continue  # instructions and lists: not needed to read a plan
        best, score = None, 0
        for name in unclaimed:
            texts = {norm_label(c.value) for _r, _c, c in book.sheets[name].each() if isinstance(c.value, str)}
            hits = len(signatures[declared] & texts)
            if hits > score:
                best, score = name, hits
        if best is not None and score >= max(3, len(signatures[declared]) // 2):
            found[declared] = best
            unclaimed.remove(best)
            ctx.add("S202", sheet=best, found=best, expected=declared)
        else:
            ctx.add("S201", sheet=declared)
    return found


# ------------------------------------------------------------------------------------------------ general


def _read_general(sh: Sheet | None, fw: Framework, ctx: _Ctx) -> tuple[dict[str, Any], dict[str, tuple[int, int]]]:
    values: dict[str, Any] = {}
    where: dict[str, tuple[int, int]] = {}
    if sh is None:
        return values, where
    labels = {norm_label(f.th): f for f in GENERAL_FIELDS}
    for row, col, cell in sh.each():  # in the order of sh.cells, without building it (see xlsx.Sheet)
        f = labels.get(norm_label(cell.value)) if row < HEADER_SCAN_ROWS else None
        if f is None or f.key in where:
            continue
        vcol = col + (GENERAL_VALUE_COL - GENERAL_LABEL_COL)
        where[f.key] = (row, vcol)
        raw_cell = sh.get(row, vcol)
        raw = None if raw_cell is None else raw_cell.value
        if f.key in ("year_first", "year_last"):
            p = N.parse_year(raw)
        elif f.key == "ann_date":
            p = N.parse_date(raw)
        elif f.key == "org_code":
            p = N.parse_code(raw)
        else:
            p = N.parse_text(raw)
        values[f.key] = ctx.take(p, sh.name, row, vcol, th=f.th, en=f.en)
    return values, where


# ------------------------------------------------------------------------------------------------ tables


_WANTED: dict[int, tuple[Table, dict[str, str]]] = {}  # id(table) -> (table, its header texts -> column keys)


def _wanted(table: Table) -> dict[str, str]:
    """A table's header texts (as norm_label gives them) -> column keys, made once per table: layouts are cached,
    so every plan of the same years has the same tables (the table is kept with it, so its id stays its own)."""
    got = _WANTED.get(id(table))
    if got is None or got[0] is not table:
        if len(_WANTED) >= 64:  # tables made outside the cached layouts (tests): kept a while only
            _WANTED.clear()
        got = _WANTED[id(table)] = (table, {norm_label(c.th): c.key for c in table.columns})
    return got[1]


def _locate(sh: Sheet, table: Table, ctx: _Ctx, stop_labels: tuple[str, ...] = ()) -> Located | None:
    wanted = _wanted(table)
    index = sh.rows_index()

    def hits(row: int) -> int:
        return sum(1 for c in index[row].values() if isinstance(c.value, str) and _norm_label(c.value) in wanted)

    # The header row is the one with the most header texts (the first of equals). The declared row is counted
    # first: a row with no more cells than it has hits (fewer, above it) cannot win, and is not looked at.
    guess = table.header_row
    guess_hits = hits(guess) if guess in index and guess < HEADER_SCAN_ROWS else 0
    hits_by_row: dict[int, int] = {}
    for row in range(min(HEADER_SCAN_ROWS, sh.max_row + 1)):  # the first rows that have cells (the order is free)
        if row not in index:
            continue
        if row == guess:
            n = guess_hits
        elif len(index[row]) < guess_hits or (row > guess and len(index[row]) == guess_hits):
            continue
        else:
            n = hits(row)
        if n:
            hits_by_row[row] = n
    best_row, best_hits = -1, 0
    for row in sorted(hits_by_row):
        if hits_by_row[row] > best_hits:
            best_row, best_hits = row, hits_by_row[row]
    if best_hits < max(2, len(table.columns) // 3):
        for i, col in enumerate(table.columns):
            if col.required or not col.input:  # at the header cell the template has for it
                ctx.add("S203", sheet=sh.name, row=table.header_row, col=i, column=col)
        return None
    cols: dict[str, int] = {}
    header = sh.row(best_row)
    for c in sorted(header):  # an absent cell is neither a header nor an unknown one
        v = header[c].value
        key = wanted.get(norm_label(v))
        if key is not None and key not in cols:
            cols[key] = c
        elif v not in (None, "") and key is None:
            ctx.add("S210", sheet=sh.name, row=best_row, col=c, value=str(v)[:40])
    taken = set(cols.values())
    after = -1  # the column of the last header found, in the table's order
    for i, col in enumerate(table.columns):
        if col.key not in cols:
            # where it would be: right of the header found before it (the cell that holds something else, or
            # nothing), unless another known header sits there
            at = after + 1 if after >= 0 else i
            ctx.add("S203", sheet=sh.name, row=best_row, col=None if at in taken else at, column=col)
            after = at
            continue
        after = cols[col.key]
        if cols[col.key] != i and _first_moved(table, cols) == col.key:
            ctx.add(
                "S204",
                sheet=sh.name,
                row=best_row,
                col=cols[col.key],
                column=col,
                expected=a1(best_row, i),
                found=a1(best_row, cols[col.key]),
            )
    marker = None
    end = sh.max_row
    stops = {norm_label(s) for s in stop_labels}
    for row in range(best_row + 1, sh.max_row + 1):
        v0 = index.get(row, _NO_CELLS).get(0)
        if v0 is None:
            continue  # no cell in column A: neither the marker nor a stop label
        v0 = v0.value
        if not isinstance(v0, str):
            continue
        if is_marker(v0):
            marker, end = row, row - 1
            break
        if stops and norm_label(v0) in stops:
            end = row - 1
            break
    if marker is None:  # at the table's first header cell: where the table whose end is missing starts
        ctx.add("S209", sheet=sh.name, row=best_row, col=0)
    loc = Located(table, sh.name, best_row, cols, marker, end)
    input_set = {cols[c.key] for c in table.columns if c.input and c.key in cols}
    for row in range(loc.first, end + 1):
        # a row with anything typed in an input column (Cell.empty, inlined: this runs for every row's cells)
        cells = index.get(row)
        if cells is None:
            continue
        for c, cell in cells.items():
            if c in input_set and (cell.formula is not None or (cell.value is not None and cell.value != "")):
                loc.rows.append(row)
                break
    return loc


def _first_moved(table: Table, cols: dict[str, int]) -> str | None:
    """Only the first column out of place is reported: one move shifts everything after it."""
    for i, col in enumerate(table.columns):
        if col.key in cols and cols[col.key] != i:
            return col.key
    return None


def _input_columns(loc: Located, skip: tuple[str, ...]) -> list[tuple[str, Column, Any, int]]:
    """(key, column, parser, column index) of the input columns found, in the table's order: made once per table."""
    out = []
    for col in loc.table.columns:
        if col.input and col.key in loc.cols and col.key not in skip:
            out.append((col.key, col, _parser(col), loc.cols[col.key]))
    return out


def _row_values(
    ctx: _Ctx, sh: Sheet, loc: Located, row: int, skip: tuple[str, ...] = (), columns: list | None = None
) -> dict[str, Any]:
    """The clean value of each input column with a cell in one row (what _parse_cell gives, inlined: this runs for
    every cell); a column without one has no key (read with .get). Columns are taken in the table's order, so
    findings come in that order. Where the compiled accelerator is built, its row_values does this loop in C, with
    _parse and _Ctx.take called back for every case but a plain hit of the parse cache."""
    if columns is None:
        columns = _input_columns(loc, skip)
    cells = sh.row(row)
    name = sh.name
    if ctx.row_values is not None and cells.__class__ is dict:
        return ctx.row_values(
            cells, columns, _cache, ctx.parsed, name, row, _parse, ctx.take, N.parse_int_list, _CACHE_TEXT, N.parse_text
        )
    out: dict[str, Any] = {}
    parsed = ctx.parsed
    for key, column, parser, c in columns:
        cell = cells.get(c)
        if cell is None:
            continue
        raw = cell.value
        if raw is None or cell.error:
            out[key] = None  # empty; error values are reported by the formula checks
            continue
        p = _parse(parser, raw)
        if p.notes or p.error is not None:
            out[key] = ctx.take(p, name, row, c, column)
        else:
            parsed[(name, row, c)] = out[key] = p.value
    return out


def _text(v: Any) -> str:
    return "" if v is None else str(v)


NO_BAHT = Decimal(0)  # the one amount the reader gives for every empty or zero budget cell (callers may test "is")


def _dec(v: Any) -> Decimal | None:
    if v is None or v.__class__ is Decimal:
        return v  # Decimals are immutable: the parsed amount itself
    return Decimal(v)


# a value's kind, as one byte of the hash (any other class: "?")
_KIND: defaultdict[type, int] = defaultdict(
    lambda: ord("?"), {str: ord("s"), Decimal: ord("d"), int: ord("i"), list: ord("l")}
)
_OTHER = frozenset({ord("i"), ord("l"), ord("?")})


def fingerprint(rr: ReadResult) -> str:
    """What a plan says, as a hash: every value read from a cell staff type (cleaned, in reading order; amounts by
    value, so 5000 and 5,000.00 agree), not the file's bytes, nor where the rows are. Copies of one plan, re-saved
    or sent twice, share it; copies that say different things differ.

    Hashed by kind, each part unambiguous: the kind of every value in order, then the texts' lengths, the other
    values' repr, the amounts' numeric hashes, and the texts as UTF-16 (with the lengths in code points, a lone
    surrogate cannot pass for half of a pair). Every pass is a C-level map over the values (a comprehension per
    part took ~0.8 ms a plan of ~1,000 values). A Decimal's hash is Python's numeric hash: equal for equal values
    (5000 and 5000.00), the same in every process, cached in the Decimal, and ~2.5x quicker than a float() of it;
    two amounts share it only when they differ by a multiple of 2**61 - 1 baht."""
    values = list(rr.parsed.values())
    acc = getattr(_accelerator(), "fingerprint_parts", None)
    if acc is not None:  # the same parts, in one pass in C
        kinds, lengths, texts, others, amounts = acc(values, Decimal)
    else:
        classes = list(map(type, values))
        kinds = bytes(map(_KIND.__getitem__, classes))
        texts = list(compress(values, map(is_, classes, repeat(str))))
        lengths = array("Q", map(len, texts)).tobytes()
        amounts = array("q", map(hash, compress(values, map(is_, classes, repeat(Decimal))))).tobytes()
        others = list(compress(values, map(_OTHER.__contains__, kinds)))
    h = hashlib.sha256(kinds)
    for part in (lengths, repr(others).encode(), amounts):
        h.update(b"\x00")
        h.update(part)
    h.update(b"\x00")
    h.update("".join(texts).encode("utf-16-le", "surrogatepass"))
    return h.hexdigest()


# ------------------------------------------------------------------------------------------------ whole book


def read_plan(book: Book, framework: Framework | None = None) -> ReadResult:
    """The plan in a workbook, with every finding about what staff typed."""
    fw = framework or load_framework()
    ctx = _Ctx()
    base = layout_for(DEFAULT_YEARS, fw)
    sheets = _find_sheets(book, base, ctx)
    general_sheet = book.sheets.get(sheets.get(SHEETS.general, ""), None)
    gen, gen_where = _read_general(general_sheet, fw, ctx)
    template = _text(gen.get("template"))
    if general_sheet is not None and not template:
        ctx.add("S205", sheet=general_sheet.name)
    elif template and template != TEMPLATE_REF:
        r, c = gen_where["template"]
        ctx.add(
            "S206",
            sheet=general_sheet.name if general_sheet else "",
            row=r,
            col=c,
            found=template,
            expected=TEMPLATE_REF,
        )
    y0, y1 = gen.get("year_first"), gen.get("year_last")
    years = tuple(range(y0, y1 + 1)) if isinstance(y0, int) and isinstance(y1, int) and 0 <= y1 - y0 < 20 else None
    layout = layout_for(years or DEFAULT_YEARS, fw)
    years = layout.years

    org = Org(
        name=_text(gen.get("org_name")),
        type=_text(gen.get("org_type")),
        code=_text(gen.get("org_code")),
        subdistrict=_text(gen.get("subdistrict")),
        district=_text(gen.get("district")),
        province=_text(gen.get("province")),
    )
    ann = Announcement(
        date=_text(gen.get("ann_date")), signer=_text(gen.get("signer")), position=_text(gen.get("position"))
    )
    plan = Plan(org=org, years=years, announcement=ann, framework=_text(gen.get("framework")))
    tables: dict[str, Located] = {}

    # budget first: other sheets refer to its items
    stop = {
        "risks": (),
        "budget": ("มิติ",),
        "measures": (TARGET_COLS[0][1],),
        "details": (),
    }
    for table in layout.tables:
        sh = book.sheets.get(sheets.get(table.sheet, ""), None)
        if sh is None:
            continue
        loc = _locate(sh, table, ctx, stop[table.key])
        if loc is not None:
            tables[table.key] = loc

    item_rows: dict[int, int] = {}
    if "budget" in tables:
        loc = tables["budget"]
        sh = book.sheets[loc.sheet]
        columns = _input_columns(loc, ())
        year_keys = [(y, f"y{y}") for y in years]
        for row in loc.rows:
            v = _row_values(ctx, sh, loc, row, columns=columns)
            number = v.get("number")
            budget = {y: (_dec(v.get(k)) or NO_BAHT) for y, k in year_keys}
            item = Item(
                number=number if isinstance(number, int) else 0,
                dimension=v.get("dimension") if isinstance(v.get("dimension"), int) else 0,
                mission=_text(v.get("mission")),
                indicator=_text(v.get("indicator")),
                kind=_text(v.get("kind")),
                name=_text(v.get("name")),
                budget=budget,
                responsible=_text(v.get("responsible")),
                note=_text(v.get("note")),
            )
            plan.items.append(item)
            if isinstance(number, int):
                item_rows.setdefault(number, row)

    unmatched: list[tuple[str, int]] = []
    if "risks" in tables:
        loc = tables["risks"]
        sh = book.sheets[loc.sheet]
        columns = _input_columns(loc, ("measures",))
        for row in loc.rows:
            v = _row_values(ctx, sh, loc, row, columns=columns)
            measures = _read_measures(ctx, sh, loc, row, plan, unmatched)
            plan.risks.append(
                Risk(
                    number=v.get("number") if isinstance(v.get("number"), int) else 0,
                    area=_text(v.get("area")),
                    issue=_text(v.get("issue")),
                    likelihood=v.get("likelihood") if isinstance(v.get("likelihood"), int) else None,
                    impact=v.get("impact") if isinstance(v.get("impact"), int) else None,
                    measures=list(measures) if isinstance(measures, list) else [],
                    owner=_text(v.get("owner")),
                )
            )

    items_by_number: dict[int, Item] = {}  # plan.item(number), looked up once per row
    for it in plan.items:
        items_by_number.setdefault(it.number, it)
    if "details" in tables:
        loc = tables["details"]
        sh = book.sheets[loc.sheet]
        columns = _input_columns(loc, ())
        detail_keys = [k for k in vars(Details()) if k != "name"]
        for row in loc.rows:
            v = _row_values(ctx, sh, loc, row, columns=columns)
            number = v.get("number")
            item = items_by_number.get(number) if isinstance(number, int) else None
            if item is None:
                continue  # reported by the cross-sheet checks
            d = Details(**{k: _text(v.get(k)) for k in detail_keys})
            name_cell = sh.get(row, loc.cols["name"]) if "name" in loc.cols else None
            if name_cell is not None and name_cell.formula is None and isinstance(name_cell.value, str):
                typed = N.parse_text(name_cell.value).value
                if typed and typed != item.name:
                    d.name = typed
            item.details = d

    type_by_th = {t["th"]: t["code"] for t in fw.raw["measure_types"]}
    if "measures" in tables:
        loc = tables["measures"]
        sh = book.sheets[loc.sheet]
        columns = _input_columns(loc, ())
        follow_cols = frozenset(c for k, c in loc.cols.items() if k.startswith("p"))
        # each round's keys of its status, spending and actual value, made once
        rounds = [
            (y, rnd, progress_key(y, rnd, "status"), progress_key(y, rnd, "spent"), progress_key(y, rnd, "actual"))
            for y in years
            for rnd in ROUNDS
        ]
        for row in loc.rows:
            v = _row_values(ctx, sh, loc, row, columns=columns)
            number = v.get("number")
            item = items_by_number.get(number) if isinstance(number, int) else None
            if item is None:
                continue
            progress = []
            cells = sh.row(row)
            has_progress = not follow_cols.isdisjoint(cells)
            for y, rnd, k_status, k_spent, k_actual in rounds if has_progress else ():
                status, spent, actual = v.get(k_status), v.get(k_spent), v.get(k_actual)
                if status not in (None, "") or spent not in (None, "") or actual not in (None, ""):
                    progress.append(Progress(y, rnd, _text(status), _dec(spent), _dec(actual)))
            mtype = _text(v.get("type"))
            item.measures.append(
                Measure(
                    type=type_by_th.get(mtype, mtype),
                    description=_text(v.get("description")),
                    comparison=_text(v.get("comparison")),
                    target=_dec(v.get("target")),
                    unit=_text(v.get("unit")),
                    progress=progress,
                )
            )
        _read_targets(book.sheets[loc.sheet], loc, plan, ctx)

    return ReadResult(
        book, layout, plan, ctx.findings, sheets, tables, gen_where, ctx.parsed, template, item_rows, unmatched
    )


_LIST_MARK = re.compile(r"(?:^|\s)(?:\d{1,2}[.)]|[-•])\s+")
_LIST_LABEL = re.compile(r"(?:^|\s)(\d{1,2})[.)]\s")
_NAME_NOISE = re.compile(r"[\s\"“”'‘’]+")


def _read_measures(
    ctx: _Ctx, sh: Sheet, loc: Located, row: int, plan: Plan, unmatched: list[tuple[str, int]]
) -> list[int] | None:
    """Item numbers of a risk's control measures; names that staff typed instead are matched to items."""
    if "measures" not in loc.cols:
        return None
    c = loc.cols["measures"]
    column = loc.table.column("measures")
    cell = sh.get(row, c)
    raw = None if cell is None else cell.value
    p = N.parse_int_list(raw)
    if p.error is None or not isinstance(raw, str):
        return ctx.take(p, sh.name, row, c, column)
    labels = [int(m) for m in _LIST_LABEL.findall(raw)]
    for before, label in pairwise(labels):
        if label > before + 1:  # a numbered list that skips (1, 2, 3, 4, 6, 7)
            missing = ", ".join(str(x) for x in range(before + 1, label))
            ctx.add("V309", sh.name, row, c, column, value=label, before=before, missing=missing)
    pieces = [x.strip() for x in _LIST_MARK.split(raw.replace("\n", " \n ")) if x and x.strip()]
    names = {_NAME_NOISE.sub("", it.name): it.number for it in plan.items if it.name}
    found: list[int] = []
    missing: list[str] = []
    for piece in pieces:
        key = _NAME_NOISE.sub("", piece)
        number = names.get(key) or next((n for k, n in names.items() if key and (key in k or k in key)), None)
        if number is None:
            missing.append(piece)
        elif number not in found:
            found.append(number)
    if not found:
        return ctx.take(p, sh.name, row, c, column)
    unmatched.extend((m, row) for m in missing)
    ctx.parsed[(sh.name, row, c)] = found
    return found


def _below(kind: str, loc: Located, source: tuple[Any, ...], find: Callable[[], Any]) -> Any:
    """A block below ``loc``, looked for once from the same ``source`` objects (the sheet...): the reader and three
    checks ask for the same blocks (~0.15 ms a plan when each looked again). The block is shared: not to be
    changed."""
    got = loc.blocks.get(kind)
    if got is None or len(got[0]) != len(source) or any(a is not b for a, b in zip(got[0], source, strict=True)):
        got = loc.blocks[kind] = (source, find())
    return got[1]


def targets_block(sh: Sheet, loc: Located) -> tuple[int, dict[int, int]] | None:
    """The targets block below the measures table: its header row and the row of each year."""
    return _below("targets", loc, (sh,), lambda: _targets_block(sh, loc))


def _targets_block(sh: Sheet, loc: Located) -> tuple[int, dict[int, int]] | None:
    head_text = norm_label(TARGET_COLS[0][1])
    start = (loc.marker if loc.marker is not None else loc.end) + 1
    for row in range(start, sh.max_row + 1):
        if norm_label(sh.value(row, 0)) == head_text:
            rows: dict[int, int] = {}
            r = row + 1
            while r <= sh.max_row:
                p = N.parse_year(sh.value(r, 0))
                if p.error is not None or p.value is None:
                    break
                rows[p.value] = r
                r += 1
            return row, rows
    return None


def coverage_block(sh: Sheet, loc: Located, fw: Framework) -> dict[str, int]:
    """Framework indicator code -> its row in the coverage block."""
    return _below("coverage", loc, (sh, fw), lambda: _coverage_block(sh, loc, fw))


def _coverage_block(sh: Sheet, loc: Located, fw: Framework) -> dict[str, int]:
    codes = {i.code for i in fw.indicators}
    start = (loc.marker if loc.marker is not None else loc.end) + 1
    out: dict[str, int] = {}
    for row in range(start, sh.max_row + 1):
        v = sh.value(row, COVERAGE_COLS["code"])
        if isinstance(v, str) and v.strip() in codes:
            out.setdefault(v.strip(), row)
    return out


def _read_targets(sh: Sheet, loc: Located, plan: Plan, ctx: _Ctx) -> None:
    found = targets_block(sh, loc)
    if found is None:
        ctx.add("S203", sheet=sh.name, th=TARGET_COLS[0][1], en=TARGET_COLS[0][2])
        return
    _head, rows = found
    case: dict[int, Decimal] = {}
    ita: dict[int, Decimal] = {}
    for year, row in rows.items():
        # the year as typed: its normalisations (a Common-Era year, digits typed as text) are reported too
        ctx.take(N.parse_year(sh.value(row, 0)), sh.name, row, 0, th=TARGET_COLS[0][1], en=TARGET_COLS[0][2])
        for c, (key, th, en) in enumerate(TARGET_COLS[1:], start=1):
            p = N.parse_number(sh.value(row, c))
            v = ctx.take(p, sh.name, row, c, th=th.replace("\n", " "), en=en)
            if v is not None:
                (case if key == "case_reduction" else ita)[year] = Decimal(v)
    plan.targets = Targets(case, ita)
