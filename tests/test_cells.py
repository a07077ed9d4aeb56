from __future__ import annotations

import pytest

from xlplan.cells import a1, col_index, col_letter, col_range, parse_a1, quote_sheet

CASES = [
    (0, 0, "A1"),
    (0, 25, "Z1"),
    (0, 26, "AA1"),
    (9, 51, "AZ10"),
    (0, 52, "BA1"),
    (0, 701, "ZZ1"),
    (0, 702, "AAA1"),
    (1_048_575, 16_383, "XFD1048576"),
]


@pytest.mark.parametrize(("row", "col", "ref"), CASES)
def test_a1_round_trip(row: int, col: int, ref: str) -> None:
    assert a1(row, col) == ref
    assert parse_a1(ref) == (row, col)
    assert parse_a1(ref.lower()) == (row, col)


def test_absolute_refs_and_ranges() -> None:
    assert a1(4, 6, abs_row=True, abs_col=True) == "$G$5"
    assert parse_a1("$G$5") == (4, 6)
    assert col_range(6, 4, 49) == "$G$5:$G$50"
    assert col_range(6, 4, 49, absolute=False) == "G5:G50"


@pytest.mark.parametrize("bad", ["", "A0", "1A", "XFE1", "A1048577", "A-1", "AAAA1"])
def test_bad_refs_raise(bad: str) -> None:
    with pytest.raises(ValueError):
        parse_a1(bad)


def test_out_of_range_indexes_raise() -> None:
    with pytest.raises(ValueError):
        col_letter(16_384)
    with pytest.raises(ValueError):
        col_letter(-1)
    with pytest.raises(ValueError):
        a1(1_048_576, 0)
    assert col_index("XFD") == 16_383


def test_quote_sheet() -> None:
    assert quote_sheet("งบประมาณ 5 ปี") == "'งบประมาณ 5 ปี'"
    assert quote_sheet("O'Neil") == "'O''Neil'"
