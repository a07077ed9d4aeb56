"""The compiled row_values (xlplan._xlscan) against the reader's own loop, xlplan.reader._row_values.

For every row the two must give the same values, fill `parsed` with the same entries in the same order, and add
the same findings in the same order: checked cell by cell on values of every kind (texts around the length the
parse cache keeps, clean and in every way _clean changes them), on whole workbooks read both ways, and on cells of
another class than xlsx.Cell.
"""

from __future__ import annotations

import copy
import io
import math
from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from accel import pure
from hypothesis import given, settings
from hypothesis import strategies as st

from xlplan import normalize as N
from xlplan import reader
from xlplan.layout import Column
from xlplan.model import Plan
from xlplan.reader import _Ctx, _row_values, read_plan
from xlplan.sniff import sniff
from xlplan.synth import generate
from xlplan.writer import render
from xlplan.xlsx import Cell, Sheet, _xlscan, read_book

ROOT = Path(__file__).resolve().parent.parent
needs_accel = pytest.mark.skipif(
    _xlscan is None or not hasattr(_xlscan, "row_values"), reason="xlplan._xlscan.row_values is not built"
)
pytestmark = needs_accel

SHEET = "ตาราง"
PARSERS = [N.parse_text, N.parse_amount, N.parse_int, N.parse_number, N.parse_code, N.parse_int_list]
LONG = reader._CACHE_TEXT


def _key(v: Any) -> tuple[str, str]:
    """A value exactly: its type and repr (1 != 1.0 != True, Decimal('5') != Decimal('5.00'), NaN == NaN)."""
    return type(v).__name__, repr(v)


def _finding_key(f: Any) -> tuple[Any, ...]:
    return f.code, f.sheet, f.row, f.col, f.column_th, f.column_en, repr(sorted(f.params.items()))


def _run(cells: dict[int, Any], columns: list[tuple[str, Column, Any, int]], fast: bool) -> tuple[Any, ...]:
    ctx = _Ctx()
    ctx.row_values = _xlscan.row_values if fast else None
    sh = Sheet(SHEET)
    sh.__dict__["_rows"] = {7: cells}
    try:
        out = _row_values(ctx, sh, None, 7, columns=columns)  # type: ignore[arg-type]
    except Exception as exc:  # the same error both ways is part of the same result
        return ("raised", type(exc).__name__, str(exc))
    return (
        [(k, _key(v)) for k, v in out.items()],
        [(k, _key(v)) for k, v in ctx.parsed.items()],
        [_finding_key(f) for f in ctx.findings],
    )


def _columns(parsers: list[Any]) -> list[tuple[str, Column, Any, int]]:
    return [(f"k{i}", Column(f"k{i}", f"หัว {i}", f"Head {i}", 10.0), p, i) for i, p in enumerate(parsers)]


def _assert_same(cells: dict[int, Any], columns: list[tuple[str, Column, Any, int]]) -> None:
    """Pure, then compiled with the parse cache empty (misses: _parse called back), then with it filled (hits)."""
    reader._cache.clear()
    pure = _run(cells, columns, fast=False)
    reader._cache.clear()
    miss = _run(cells, columns, fast=True)
    hit = _run(cells, columns, fast=True)
    assert miss == pure
    assert hit == pure


# ------------------------------------------------------------------------------------------------ cell by cell

_TEXTS = [
    "อบรมคุณธรรม",
    "  สองช่อง  ",
    "ก\u200bข",
    "tab\there",
    "nbsp\xa0here",
    "บรรทัด \nใหม่",
    "บรรทัด\nใหม่",
    "\nขึ้นต้น",
    "ลงท้าย\n",
    " ",
    "",
    "😀 อิโมจิ",
    "\x85next line",
    "\u2028sep",
    "๑๒๓",
    "19,800.50",
    "1-3, 5",
    "1.1.1",
]


def _long(text: str, length: int) -> str:
    """``text`` padded with clean Thai to exactly ``length`` characters (the padding keeps the text's ends)."""
    pad = "ก" * max(0, length - len(text))
    return text[:1] + pad + text[1:] if len(text) > 1 else text + pad


def _raws() -> list[Any]:
    out: list[Any] = [None, 0.0, -0.0, math.nan, math.inf, 5000.0, -1.5, 3, 0, True, False, datetime(2023, 5, 1)]
    for t in _TEXTS:
        out.append(t)
        for n in (LONG - 1, LONG, LONG + 1, LONG + 40):
            out.append(_long(t, n))
    return out


@pytest.mark.parametrize("parser", PARSERS, ids=lambda p: p.__name__)
def test_every_kind_of_value(parser: Any) -> None:
    raws = _raws()
    cells = {i: Cell(raw) for i, raw in enumerate(raws)}
    _assert_same(cells, _columns([parser] * len(raws)))


def test_error_cells_empty_cells_and_absent_columns() -> None:
    cells = {0: Cell("x", error="#REF!"), 1: Cell(None, formula="=A1"), 2: Cell("#N/A", error=""), 4: Cell("ok")}
    columns = _columns([N.parse_text] * 6)
    _assert_same(cells, columns)
    out = _run(cells, columns, fast=True)
    assert out[0] == [("k0", _key(None)), ("k1", _key(None)), ("k2", _key("#N/A")), ("k4", _key("ok"))]


def test_a_long_clean_text_is_taken_as_it_is() -> None:
    text = _long("โครงการอบรม\nคุณธรรม", LONG + 10)
    cells = {0: Cell(text)}
    out, parsed, findings = _run(cells, _columns([N.parse_text]), fast=True)
    assert out == [("k0", _key(text))] and parsed == [((SHEET, 7, 0), _key(text))] and findings == []


def test_a_long_unclean_text_is_noted() -> None:
    text = _long("สอง  ช่อง", LONG + 10)
    out, _, findings = _run({0: Cell(text)}, _columns([N.parse_text]), fast=True)
    assert out == [("k0", _key(text.replace("  ", " ")))]
    assert [f[:4] for f in findings] == [("N354", SHEET, 7, 0)]


@dataclass
class _OtherCell:  # not xlsx.Cell: read through its attributes
    value: Any
    error: str | None = None


def test_cells_of_another_class() -> None:
    raws = _raws()
    cells = {i: _OtherCell(raw, "#DIV/0!" if i == 3 else None) for i, raw in enumerate(raws)}
    _assert_same(cells, _columns([N.parse_amount, N.parse_text] * len(raws))[: len(raws)])


def test_a_cell_without_a_value_raises_the_same() -> None:
    class Bare:
        pass

    _assert_same({0: Bare()}, _columns([N.parse_text]))


_CHARS = st.sampled_from([" ", "\n", "\t", "\xa0", "\u200b", "ก", "a", "1", "๑", ",", ".", "-", "😀", "\x00", "\r"])


@settings(max_examples=300, deadline=None)
@given(
    texts=st.lists(st.text(_CHARS, min_size=0, max_size=LONG + 8), min_size=1, max_size=8),
    parsers=st.lists(st.sampled_from(PARSERS), min_size=8, max_size=8),
)
def test_generated_texts(texts: list[str], parsers: list[Any]) -> None:
    cells = {i: Cell(t) for i, t in enumerate(texts)}
    _assert_same(cells, _columns(parsers))


# ------------------------------------------------------------------------------------------------ whole workbooks


def _plan_key(source: Path | bytes, fast: bool) -> tuple[Any, ...]:
    """read_plan's whole result, as the reader gives it with or without row_values."""
    src = io.BytesIO(source) if isinstance(source, bytes) else source
    sn = sniff(source, keep_parts=True) if isinstance(source, Path) else None
    book = read_book(src, sn.parts if sn else None, complete=sn.parts_complete if sn else False)
    original = _Ctx.__init__

    def init(self: _Ctx) -> None:
        original(self)
        self.row_values = _xlscan.row_values if fast else None

    _Ctx.__init__ = init  # type: ignore[method-assign]
    try:
        reader._cache.clear()
        rr = read_plan(book)
    finally:
        _Ctx.__init__ = original  # type: ignore[method-assign]
    return (
        [(k, _key(v)) for k, v in rr.parsed.items()],
        [_finding_key(f) for f in rr.findings],
        repr(rr.plan),
        rr.meta_unmatched_measures,
        rr.item_rows,
    )


def _assert_same_plan(source: Path | bytes) -> None:
    assert _plan_key(source, fast=True) == _plan_key(source, fast=False)


def test_bundled_and_synthetic_workbooks(tmp_path: Path) -> None:
    paths = sorted((ROOT / "examples").glob("*.xlsx")) + sorted((ROOT / "workbook_templates").glob("*.xlsx"))
    generate(tmp_path, 24, seed=2570)
    paths += sorted(p for p in tmp_path.rglob("*.xlsx") if sniff(p).readable)
    assert len(paths) >= 20
    for p in paths:
        _assert_same_plan(p)


def test_fault_workbooks(tmp_path: Path) -> None:
    from faults import CASES

    n = 0
    for case in CASES:
        sub = tmp_path / case.id
        sub.mkdir()
        path = case.build(sub)
        if path.is_file() and sniff(path).readable:
            try:
                _plan_key(path, fast=False)
            except Exception:
                continue  # not a workbook read_plan is given (check reports it unreadable first)
            _assert_same_plan(path)
            n += 1
    assert n >= 10


def test_texts_staff_type_in_a_workbook(example_plan: Plan) -> None:
    """Long and short texts, clean and not, in every text column of the budget and details sheets."""
    plan = copy.deepcopy(example_plan)
    for i, item in enumerate(plan.items):
        t = _TEXTS[i % len(_TEXTS)]
        item.name = _long(t, LONG + 5 + i) if i % 2 else t
        item.responsible = _long(t, LONG + 1)
        if item.details is not None:
            item.details = replace(item.details, rationale=_long(_TEXTS[(i + 3) % len(_TEXTS)], LONG + 30))
    for r in plan.risks:
        r.issue = _long("ความเสี่ยง  สองช่อง ", LONG + 2)
    plan.items[0].budget = {y: Decimal("-100") for y in plan.years}
    _assert_same_plan(render(plan))


def test_no_reference_is_kept_or_lost() -> None:
    """Every object the compiled loop touches is released as often as it is taken (a leak, or a release too many,
    shows in the raw values' reference counts over many calls)."""
    import sys

    raws = [r for r in _raws() if isinstance(r, str | float)]
    cells = {i: Cell(r) for i, r in enumerate(raws)}
    columns = _columns([N.parse_text, N.parse_amount, N.parse_int_list] * len(raws))[: len(raws)]
    _run(cells, columns, fast=True)  # the parse cache now holds what it keeps
    before = [sys.getrefcount(r) for r in raws]
    for _ in range(200):
        _run(cells, columns, fast=True)
    assert [sys.getrefcount(r) for r in raws] == before


# ------------------------------------------------------------------------------------------------ fingerprint


def _fingerprint_both(values: list[Any]) -> tuple[str, str]:
    from xlplan.reader import ReadResult, fingerprint

    rr = ReadResult.__new__(ReadResult)
    rr.parsed = {("s", i, 0): v for i, v in enumerate(values)}
    out = []
    for on in (True, False):
        with pure(on):
            out.append(fingerprint(rr))
    return out[0], out[1]


class _Text(str):
    pass


_VALUES = st.one_of(
    st.text(max_size=80),
    st.integers(),
    st.booleans(),
    st.none(),
    st.floats(allow_nan=True),
    st.decimals(allow_nan=False, allow_infinity=False),
    st.lists(st.integers(0, 100), max_size=3),
    st.sampled_from([_Text("x"), b"x", (1, 2), "\ud83d", "😀", Decimal("-0"), Decimal("5.00")]),
)


@settings(max_examples=300, deadline=None)
@given(values=st.lists(_VALUES, max_size=40))
def test_fingerprint_parts_in_c_hash_the_same(values: list[Any]) -> None:
    pure, fast = _fingerprint_both(values)
    assert fast == pure


def test_fingerprint_of_whole_workbooks_in_c_is_the_same(tmp_path: Path) -> None:
    generate(tmp_path, 16, seed=2572)
    n = 0
    for p in sorted(tmp_path.rglob("*.xlsx")):
        if not sniff(p).readable:
            continue
        try:
            rr = read_plan(read_book(p))
        except Exception:
            continue
        pure, fast = _fingerprint_both(list(rr.parsed.values()))
        assert fast == pure, p
        n += 1
    assert n >= 10
