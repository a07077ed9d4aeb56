"""Value checks: required fields, ranges, dropdown lists, numbering, numbers typed as text."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from decimal import Decimal
from itertools import pairwise
from typing import Any

from xlplan import normalize as N
from xlplan.findings import Finding
from xlplan.layout import GENERAL_FIELDS, GENERAL_LABEL_COL, TARGET_COLS, Column
from xlplan.reader import ReadResult, targets_block
from xlplan.xlsx import Sheet, _accelerator

# dropdown columns checked here; indicators are checked against the framework (C604), units and owners may be
# other than the list (the workbook accepts them with a note)
_LIST_CHECKED = {"process_areas", "dimensions", "missions", "item_kinds", "measure_types", "comparisons", "statuses"}


def _where(sh: Sheet, row: int, col: int, column: Column) -> dict[str, Any]:
    return {"sheet": sh.name, "row": row, "col": col, "column_th": column.th.replace("\n", " "), "column_en": column.en}


def check(rr: ReadResult) -> Iterator[Finding]:
    fw = rr.fw
    lists = fw.lists
    years = rr.layout.years
    parsed = rr.parsed
    suspects = getattr(_accelerator(), "suspects", None)
    for loc in rr.tables.values():
        # the input cells of the data rows; each column's tests are decided once, and a finding's place is built
        # only for a finding (this runs for every cell, but where the compiled accelerator leaves it out)
        sh = rr.book.sheets[loc.sheet]
        name = sh.name
        columns = []
        for column in loc.table.columns:
            if column.input and column.key in loc.cols:
                kind, key = column.kind, column.key
                columns.append(
                    (
                        column,
                        loc.cols[key],
                        column.required,
                        kind in ("money", "number", "int"),
                        key in ("likelihood", "impact"),
                        kind == "money",
                        lists[column.list] if column.list in _LIST_CHECKED else None,  # type: ignore[index]
                        kind == "number" and key.endswith("_actual"),
                    )
                )
        for row, cells, (column, c, required_, numeric, scale, money, allowed, actual) in _cells(
            sh, loc.rows, columns, parsed, suspects
        ):
            cell = cells.get(c)
            if cell is None:
                if required_:
                    yield Finding("V307", **_where(sh, row, c, column))
                continue
            raw = cell.value
            if raw is None or raw == "" or (isinstance(raw, str) and not raw.strip()):
                if required_:
                    yield Finding("V307", **_where(sh, row, c, column))
                continue
            value = parsed.get((name, row, c))
            if value is None:
                continue  # unreadable: already reported while reading
            if numeric and isinstance(raw, str) and value not in (0, Decimal(0)):
                yield Finding("V314", **_where(sh, row, c, column), params={"value": raw, "normalised": str(value)})
            if scale and not 1 <= value <= 5:
                yield Finding("V302", **_where(sh, row, c, column), params={"value": value, "low": 1, "high": 5})
            elif money and value < 0:
                yield Finding("V303", **_where(sh, row, c, column), params={"value": value})
            elif allowed is not None:
                if str(value) not in allowed:
                    yield Finding("V306", **_where(sh, row, c, column), params={"value": value, "example": allowed[0]})
            elif actual and value < 0:
                yield Finding("V303", **_where(sh, row, c, column), params={"value": value})
    yield from _numbering(rr)
    yield from _general(rr)
    yield from _targets(rr, years)


def _cells(
    sh: Sheet, rows: list[int], columns: list[tuple[Any, ...]], parsed: dict[Any, Any], suspects: Any
) -> Iterator[tuple[int, Mapping[int, Any], tuple[Any, ...]]]:
    """(row, the row's cells, column) of every input cell of the data rows; with the compiled accelerator, only
    those where the checks may find something (it leaves out the cells where they surely find nothing)."""
    if suspects is None:
        for row in rows:
            cells = sh.row(row)
            for spec in columns:
                yield row, cells, spec
        return
    specs = [(c, req, num, sc, mon, allowed, act) for _, c, req, num, sc, mon, allowed, act in columns]
    for row, i in suspects(sh.rows_index(), rows, specs, parsed, sh.name):
        yield row, sh.row(row), columns[i]


def _numbering(rr: ReadResult) -> Iterator[Finding]:
    loc = rr.tables.get("budget")
    if loc is None or "number" not in loc.cols:
        return
    sh = rr.book.sheets[loc.sheet]
    c = loc.cols["number"]
    column = loc.table.column("number")
    seen: dict[int, int] = {}
    numbers: list[tuple[int, int]] = []
    for row in loc.rows:
        v = rr.parsed.get((sh.name, row, c))
        if not isinstance(v, int):
            continue
        if v in seen:
            yield Finding("V308", **_where(sh, row, c, column), params={"value": v, "other": seen[v] + 1})
            continue
        seen[v] = row
        numbers.append((v, row))
    numbers.sort()
    for (before, _), (n, row) in pairwise(numbers):
        if n > before + 1:
            missing = ", ".join(str(x) for x in range(before + 1, min(n, before + 6)))
            yield Finding(
                "V309", **_where(sh, row, c, column), params={"value": n, "before": before, "missing": missing}
            )
    if numbers and numbers[0][0] > 1:
        n, row = numbers[0]
        yield Finding(
            "V309",
            **_where(sh, row, c, column),
            params={"value": n, "before": 0, "missing": ", ".join(map(str, range(1, n)))},
        )


def _general(rr: ReadResult) -> Iterator[Finding]:
    sh = rr.sheet(rr.layout.sheets.general)
    if sh is None:
        return
    fw = rr.fw
    for f in GENERAL_FIELDS:
        if f.key not in rr.general:
            if f.required or f.key in ("template", "framework"):  # at the label's cell in the template
                yield Finding("S203", sheet=sh.name, row=f.row, col=GENERAL_LABEL_COL, column_th=f.th, column_en=f.en)
            continue
        row, col = rr.general[f.key]
        cell = sh.get(row, col)
        raw = None if cell is None else cell.value
        where = {"sheet": sh.name, "row": row, "col": col, "column_th": f.th, "column_en": f.en}
        if raw in (None, "") or (isinstance(raw, str) and not raw.strip()):
            if f.required:
                yield Finding("V307", **where)
            continue
        value = rr.parsed.get((sh.name, row, col))
        if value is None:
            continue
        if f.key == "org_type" and fw.org_type_full(str(value)) is None:
            yield Finding("V306", **where, params={"value": value, "example": fw.lists["org_types"][4]})
        elif f.key == "org_code" and not (str(value).isdigit() and 4 <= len(str(value)) <= 10):
            yield Finding("V311", **where, params={"value": value})
        elif f.key in ("year_first", "year_last"):
            lo, hi = fw.years
            if not lo <= value <= hi:
                yield Finding("V305", **where, params={"value": value, "low": lo, "high": hi})


def _targets(rr: ReadResult, years: tuple[int, ...]) -> Iterator[Finding]:
    loc = rr.tables.get("measures")
    if loc is None:
        return
    sh = rr.book.sheets[loc.sheet]
    found = targets_block(sh, loc)
    if found is None:
        return
    _head, rows = found
    for year, row in rows.items():
        if year not in years:
            yield Finding(
                "V305",
                sheet=sh.name,
                row=row,
                col=0,
                column_th=TARGET_COLS[0][1],
                column_en=TARGET_COLS[0][2],
                params={"value": year, "low": years[0], "high": years[-1]},
            )
            continue
        for c, (_key, th, en) in enumerate(TARGET_COLS[1:], start=1):
            where = {"sheet": sh.name, "row": row, "col": c, "column_th": th.replace("\n", " "), "column_en": en}
            raw = sh.value(row, c)
            if raw in (None, ""):
                yield Finding("V307", **where)
                continue
            v = rr.parsed.get((sh.name, row, c))
            if v is not None and not 0 <= v <= 100:
                yield Finding("V304", **where, params={"value": v})
            elif v is not None and isinstance(raw, str):
                yield Finding("V314", **where, params={"value": raw, "normalised": str(v)})


def is_blank(raw: Any) -> bool:
    return raw is None or (isinstance(raw, str) and not N.parse_text(raw).value)
