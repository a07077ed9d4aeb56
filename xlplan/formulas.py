"""Every formula of the workbook, built from where the tables actually are.

The writer calls these with the positions it lays out; the checker calls them with the positions it finds in a
filled workbook (after staff inserted rows or columns) and compares, so "the formula is altered" is a plain string
comparison. Only functions that Excel 2007+ and LibreOffice both know are used.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from xlplan.cells import a1, col_range, quote_sheet
from xlplan.layout import COVERED_NO, COVERED_YES, GENERAL_VALUE_COL, LEVELS_SCORE_COL, SHEETS, general_field

NOT_FOUND = "(ไม่พบลำดับนี้ในแผ่นงบประมาณ)"


@dataclass(frozen=True)
class Placed:
    """Where one table is in a workbook: first data row, end-marker row, and each column's index (0-based)."""

    sheet: str
    first: int
    marker: int
    cols: dict[str, int]

    def rng(self, key: str, *, sheet: bool = False) -> str:
        """The whole column of a table, marker row included: $G$5:$G$50 (sheet-qualified on request)."""
        return _rng(self.sheet, self.cols[key], self.first, self.marker, sheet)

    def cell(self, key: str, row: int) -> str:
        return a1(row, self.cols[key])


@lru_cache(maxsize=4096)
def _rng(sheet_name: str, col: int, first: int, marker: int, qualified: bool) -> str:
    r = col_range(col, first, marker)
    return f"{quote_sheet(sheet_name)}!{r}" if qualified else r


def org_name() -> str:
    f = general_field("org_name")
    return f"={quote_sheet(SHEETS.general)}!{a1(f.row, GENERAL_VALUE_COL, abs_row=True, abs_col=True)}"


# ---------------------------------------------------------------- budget
def row_total(b: Placed, years: tuple[int, ...], row: int) -> str:
    return f"=SUM({b.cell(f'y{years[0]}', row)}:{b.cell(f'y{years[-1]}', row)})"


def dim_count(b: Placed, dimension: str) -> str:
    return f"=COUNTIF({b.rng('dimension')},{dimension})"


def dim_sum(b: Placed, dimension: str, year: int) -> str:
    return f"=SUMIF({b.rng('dimension')},{dimension},{b.rng(f'y{year}')})"


def grand_count(b: Placed) -> str:
    # every named item counts, also one whose dimension is missing or wrong (the checker then flags the gap)
    return f"=COUNTA({b.rng('name')})"


def grand_sum(b: Placed, year: int) -> str:
    return f"=SUM({b.rng(f'y{year}')})"


def summary_total(b: Placed, years: tuple[int, ...], row: int) -> str:
    return row_total(b, years, row)


def words(b: Placed, total_row: int) -> str:
    # LibreOffice (7.4) reads BAHTTEXT in a file only with the _xlfn. prefix (without it: #NAME?); Excel knows
    # the function under either name.
    return f'="("&_xlfn.BAHTTEXT({b.cell("total", total_row)})&")"'


# ---------------------------------------------------------------- risks
def risk_score(r: Placed, row: int) -> str:
    lk, im = r.cell("likelihood", row), r.cell("impact", row)
    return f'=IF(AND(ISNUMBER({lk}),ISNUMBER({im})),{lk}*{im},"")'


def risk_level(r: Placed, row: int, n_levels: int) -> str:
    sc = r.cell("score", row)
    lists = quote_sheet(SHEETS.lists)
    scores = col_range(LEVELS_SCORE_COL, 1, n_levels)
    names = col_range(LEVELS_SCORE_COL + 1, 1, n_levels)
    return f'=IF(ISNUMBER({sc}),LOOKUP({sc},{lists}!{scores},{lists}!{names}),"")'


def heat_count(r: Placed, likelihood: int, impact: int) -> str:
    return f"=COUNTIFS({r.rng('likelihood')},{likelihood},{r.rng('impact')},{impact})"


# ---------------------------------------------------------------- lookups from the budget table
def lookup(b: Placed, key_cell: str, key: str) -> str:
    found = f"INDEX({b.rng(key, sheet=True)},MATCH({key_cell},{b.rng('number', sheet=True)},0))"
    return f'=IF({key_cell}="","",IFERROR({found},"{NOT_FOUND}"))'


def item_budget(b: Placed, years: tuple[int, ...], key_cell: str) -> str:
    parts = "+".join(f"SUMIF({b.rng('number', sheet=True)},{key_cell},{b.rng(f'y{y}', sheet=True)})" for y in years)
    return f'=IF({key_cell}="","",{parts})'


def coverage_count(b: Placed, code_cell: str) -> str:
    return f"=COUNTIF({b.rng('indicator', sheet=True)},{code_cell})"


def covered(count_cell: str) -> str:
    return f'=IF({count_cell}>0,"{COVERED_YES}","{COVERED_NO}")'
