"""Cell references in one place.

Everything in xlplan counts rows and columns from 0, as xlsxwriter does; openpyxl's 1-based numbers and A1 text
are converted here and nowhere else.
"""

from __future__ import annotations

import re

MAX_ROW = 1_048_576  # Excel's last row (1-based)
MAX_COL = 16_384  # Excel's last column, XFD (1-based)

_A1 = re.compile(r"^\$?([A-Za-z]{1,3})\$?([0-9]{1,7})$")


def col_letter(col: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA, 16383 -> XFD."""
    if 0 <= col < _NEAR_COLS:
        return _NEAR[col]
    if not 0 <= col < MAX_COL:
        raise ValueError(f"column index out of range: {col}")
    return _letters(col)


def _letters(col: int) -> str:
    letters = ""
    col += 1
    while col:
        col, rem = divmod(col - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


_NEAR_COLS = 702  # A..ZZ, every column a plan or a summary uses: looked up, not computed (this runs per cell)
_NEAR = tuple(_letters(c) for c in range(_NEAR_COLS))


def col_index(letters: str) -> int:
    """A -> 0, XFD -> 16383."""
    n = 0
    for ch in letters.upper():
        if not "A" <= ch <= "Z":
            raise ValueError(f"not a column name: {letters!r}")
        n = n * 26 + (ord(ch) - 64)
    if not 1 <= n <= MAX_COL:
        raise ValueError(f"column out of range: {letters!r}")
    return n - 1


def a1(row: int, col: int, *, abs_row: bool = False, abs_col: bool = False) -> str:
    """(0, 0) -> A1; with abs flags, $A$1."""
    if not 0 <= row < MAX_ROW:
        raise ValueError(f"row index out of range: {row}")
    if not (abs_row or abs_col):
        return f"{col_letter(col)}{row + 1}"
    return f"{'$' if abs_col else ''}{col_letter(col)}{'$' if abs_row else ''}{row + 1}"


def parse_a1(ref: str) -> tuple[int, int]:
    """A1 or $A$1 -> (0, 0)."""
    m = _A1.match(ref.strip())
    if not m:
        raise ValueError(f"not an A1 cell reference: {ref!r}")
    row = int(m.group(2))
    if not 1 <= row <= MAX_ROW:
        raise ValueError(f"row out of range: {ref!r}")
    return row - 1, col_index(m.group(1))


def col_range(col: int, first_row: int, last_row: int, *, absolute: bool = True) -> str:
    """A column span as $G$14:$G$64 (0-based rows, inclusive)."""
    top = a1(first_row, col, abs_row=absolute, abs_col=absolute)
    return f"{top}:{a1(last_row, col, abs_row=absolute, abs_col=absolute)}"


def quote_sheet(name: str) -> str:
    """A sheet name as formulas need it: 'งบประมาณ 5 ปี' (quotes doubled inside)."""
    return "'" + name.replace("'", "''") + "'"


def sheet_ref(sheet: str, ref: str) -> str:
    return f"{quote_sheet(sheet)}!{ref}"
