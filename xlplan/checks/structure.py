"""Structure checks: data outside the tables, merged cells over inputs, sheets read only in part."""

from __future__ import annotations

from collections.abc import Iterator

from xlplan.cells import a1
from xlplan.findings import Finding
from xlplan.layout import RISK_HEAT_OFFSET
from xlplan.reader import Located, ReadResult

_HEAT_ROWS = 9  # title, five impact rows, likelihood labels, legend text, legend colours


def _block_end(rr: ReadResult, loc: Located) -> int:
    """The last row of the fixed blocks below a table's end marker."""
    m = loc.marker if loc.marker is not None else loc.end + 1
    L = rr.layout
    if loc.table.key == "budget":
        return L.words_row(m)  # summary header, one row per dimension, the grand total, the amount in words
    if loc.table.key == "risks":
        return m + RISK_HEAT_OFFSET + _HEAT_ROWS - 1
    if loc.table.key == "measures":
        return L.coverage_row(m, len(rr.fw.indicators) - 1)
    return m


def check(rr: ReadResult) -> Iterator[Finding]:
    for sheet in rr.book.sheets.values():
        if sheet.truncated or sheet.beyond:
            yield Finding("F111", sheet=sheet.name, params={"extent": sheet.beyond or "?"})
    for loc in rr.tables.values():
        sh = rr.book.sheets[loc.sheet]
        width = max(loc.cols.values()) if loc.cols else 0
        header = sh.row(loc.header_row)
        extra_cols = {c for c, cell in header.items() if cell.value not in (None, "")} - set(loc.cols.values())
        # merged cells over the table's input area
        input_cols = {loc.cols[c.key] for c in loc.table.columns if c.input and c.key in loc.cols}
        for r0, c0, r1, c1 in sh.merged:
            if r1 >= loc.first and r0 <= loc.end and any(c0 <= c <= c1 for c in input_cols) and (r0, c0) != (r1, c1):
                yield Finding("S208", sheet=sh.name, row=r0, col=c0, params={"range": f"{a1(r0, c0)}:{a1(r1, c1)}"})
        # data beside the table rows, and below its blocks
        end = _block_end(rr, loc)
        # in (row, col) order, the first cell of each row that holds something beside the table rows or below
        # its blocks; only rows from the table's first on can have one
        # (a table row with nothing right of the table, most rows, is passed over by its largest column)
        rows = sorted(
            r
            for r, cells in sh.rows_index().items()
            if r >= loc.first and (r > end or (r <= loc.end and cells and max(cells) > width))
        )
        for row in rows:
            below = row > end
            cells = sh.row(row)
            # beside a table row only the columns right of the table count (the table's own are read as data)
            cols = sorted(cells) if below else sorted(c for c in cells if c > width and c not in extra_cols)
            for col in cols:
                cell = cells[col]
                if cell.empty:
                    continue
                text = cell.formula if cell.formula else str(cell.value)
                yield Finding("S207", sheet=sh.name, row=row, col=col, params={"value": text[:40]})
                break
