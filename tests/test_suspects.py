"""The compiled filter of the value checks (xlplan._xlscan.suspects) against checking every cell in Python.

With the accelerator, xlplan.checks.values looks only at the cells the filter keeps; the findings must be exactly
those of looking at every cell: on whole workbooks, and on tables filled at random with raw and parsed values of
every kind (consistent with each other or not: the filter may keep a cell it is unsure of, never leave out one
with a finding, and a check that fails must fail at the same cell).
"""

from __future__ import annotations

import copy
import io
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from accel import pure as _pure
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from xlplan.checks import values
from xlplan.reader import ReadResult, read_plan
from xlplan.sniff import sniff
from xlplan.synth import generate
from xlplan.writer import render
from xlplan.xlsx import Cell, Sheet, _xlscan, read_book

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.skipif(
    _xlscan is None or not hasattr(_xlscan, "suspects"), reason="xlplan._xlscan.suspects is not built"
)


def _findings(rr: ReadResult) -> tuple[Any, ...]:
    out: list[Any] = []
    try:
        for f in values.check(rr):
            out.append((f.code, f.sheet, f.row, f.col, f.column_th, repr(sorted(f.params.items()))))
    except Exception as exc:  # failing at the same cell, after the same findings, is the same result
        return ("raised", type(exc).__name__, str(exc), out)
    return ("found", out)


def _assert_same(rr: ReadResult) -> tuple[Any, ...]:
    with _pure(True):
        every = _findings(rr)
    with _pure(False):
        kept = _findings(rr)
    assert kept == every
    return every


def _read(source: Path | bytes) -> ReadResult:
    if isinstance(source, bytes):
        return read_plan(read_book(io.BytesIO(source)))
    sn = sniff(source, keep_parts=True)
    return read_plan(read_book(source, sn.parts, complete=sn.parts_complete))


# ------------------------------------------------------------------------------------------------ whole workbooks


def test_bundled_synthetic_and_fault_workbooks(tmp_path: Path) -> None:
    from faults import CASES

    paths = sorted((ROOT / "examples").glob("*.xlsx")) + sorted((ROOT / "workbook_templates").glob("*.xlsx"))
    generate(tmp_path / "synth", 24, seed=2571)
    paths += sorted(p for p in (tmp_path / "synth").rglob("*.xlsx") if sniff(p).readable)
    for case in CASES:
        sub = tmp_path / case.id
        sub.mkdir()
        path = case.build(sub)
        if path.is_file() and path.suffix == ".xlsx" and sniff(path).readable:
            paths.append(path)
    codes: set[str] = set()
    n = 0
    for p in paths:
        try:
            rr = _read(p)
        except Exception:
            continue  # not a workbook check gives to read_plan
        result = _assert_same(rr)
        codes |= {f[0] for f in result[-1]}
        n += 1
    assert n >= 40
    assert {"V302", "V303", "V306", "V307"} <= codes  # the fault cases reach the checks the filter decides


# ------------------------------------------------------------------------------------------------ at random

_RAWS = [None, "", "   ", "\u3000", "ข้อความ", "5", "๕", "-3", "1,000", 0, 1, 3, 5, 6, -2, 0.0, -0.0, 2.5, -0.01]
_RAWS += [True, False, datetime(2024, 1, 2), 10**30, float("nan")]
_PARSED = [None, 0, 1, 3, 5, 6, -1, 10**30, Decimal("0"), Decimal("-0"), Decimal("-0.01"), Decimal("120000")]
_PARSED += [0.5, -2.5, True, "ข้อความ", "1", "ไม่ได้ดำเนินการ", "ดำเนินการแล้วเสร็จ", [1, 2], float("nan")]

_ABSENT = object()


@pytest.fixture(scope="module")
def base() -> ReadResult:
    from xlplan import planfile

    return _read(render(planfile.load(ROOT / "examples" / "maehoi.plan.yaml")))


def _copy_sheet(sh: Sheet) -> Sheet:
    """A sheet whose cells (and index by row) can be changed without changing ``sh``."""
    out = copy.copy(sh)
    out.cells = dict(sh.cells)
    out.__dict__["_rows"] = {r: dict(cells) for r, cells in sh.rows_index().items()}
    return out


def _input_columns(rr: ReadResult) -> list[tuple[str, list[int], int]]:
    """(sheet, data rows, column) of every input column: cells are drawn column first, so that every column's
    tests are reached as often (a plan has many more budget and follow-up cells than risk cells)."""
    out = []
    for loc in rr.tables.values():
        out += [(loc.sheet, loc.rows, loc.cols[c.key]) for c in loc.table.columns if c.input and c.key in loc.cols]
    return out


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_cells_filled_at_random(base: ReadResult, data: st.DataObject) -> None:
    rr = copy.copy(base)
    rr.book = copy.copy(base.book)
    rr.book.sheets = {name: _copy_sheet(sh) for name, sh in base.book.sheets.items()}
    rr.parsed = dict(base.parsed)
    columns = _input_columns(rr)
    picked = set()
    for _ in range(data.draw(st.integers(1, 12))):
        sheet, rows, c = data.draw(st.sampled_from(columns))
        picked.add((sheet, data.draw(st.sampled_from(rows)), c))
    for sheet, row, c in sorted(picked):
        sh = rr.book.sheets[sheet]
        raw = data.draw(st.sampled_from([*_RAWS, _ABSENT]))
        index = sh.rows_index()
        if raw is _ABSENT:
            sh.cells.pop((row, c), None)
            index.get(row, {}).pop(c, None)
        else:
            cell = Cell(raw, error=data.draw(st.sampled_from([None, None, "#REF!"])))
            sh.cells[(row, c)] = cell
            index.setdefault(row, {})[c] = cell
        value = data.draw(st.sampled_from([*_PARSED, _ABSENT]))
        if value is _ABSENT:
            rr.parsed.pop((sheet, row, c), None)
        else:
            rr.parsed[(sheet, row, c)] = value
    _assert_same(rr)


def test_the_filter_keeps_few_cells_of_a_good_plan(base: ReadResult) -> None:
    """It is worth having: in a plan without value findings it keeps no cell at all."""
    assert _assert_same(base) == ("found", [])
    kept = 0
    for loc in base.tables.values():
        sh = base.book.sheets[loc.sheet]
        specs = [
            (loc.cols[c.key], c.required, False, False, False, None, False)
            for c in loc.table.columns
            if c.input and c.key in loc.cols
        ]
        kept += len(_xlscan.suspects(sh.rows_index(), loc.rows, specs, base.parsed, sh.name))
    assert kept == 0


def test_no_reference_is_kept_or_lost(base: ReadResult) -> None:
    import sys

    loc = base.tables["budget"]
    sh = base.book.sheets[loc.sheet]
    specs = [
        (loc.cols[c.key], True, True, False, True, ["x"], False)
        for c in loc.table.columns
        if c.input and c.key in loc.cols
    ]
    index = sh.rows_index()
    # (not the shared None, booleans and small ints, whose counts move with everything else)
    probes = [index, loc.rows, base.parsed, sh.name, *specs, *base.parsed.values()]
    probes = [p for p in probes if sys.getrefcount(p) < 1_000_000]
    _xlscan.suspects(index, loc.rows, specs, base.parsed, sh.name)
    before = [sys.getrefcount(p) for p in probes]
    for _ in range(200):
        _xlscan.suspects(index, loc.rows, specs, base.parsed, sh.name)
    assert [sys.getrefcount(p) for p in probes] == before
