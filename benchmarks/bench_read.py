"""Benchmark: `xlplan.xlsx.read_book` per workbook, pure Python against the compiled scanner (xlplan._xlscan).

    python benchmarks/bench_read.py [--dir DIR] [--orgs 300] [--seed 7850] [--repeat 3]

Generates synthetic workbooks (xlplan.synth) into DIR unless it already holds some, sniffs each one as
`xlplan check` does (keep_parts), then times only `read_book(path, parts, complete=...)` and the index by row of
each sheet (`Sheet.rows_index()`, which the checks use and the scanner gives ready-made): the best of --repeat
passes over all files, once with XLPLAN_PURE=1 and once with the accelerator (when it is built). Also checks
that both give the same books (and indexes), and times the scanner's own calls (scan_sheet, scan_sst).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from xlplan import xlsx
from xlplan.sniff import sniff
from xlplan.synth import generate


def _pass(items: list[tuple[Path, dict[str, bytes], bool]]) -> float:
    t0 = time.perf_counter()
    for path, parts, complete in items:
        book = xlsx.read_book(path, parts, complete=complete)  # each book dropped at once, as `xlplan check` does
        for sh in book.sheets.values():
            sh.rows_index()
    return time.perf_counter() - t0


def _scan_times(items: list[tuple[Path, dict[str, bytes], bool]], repeat: int) -> tuple[float, float]:
    """The scanner alone, per workbook: scan_sheet over its worksheet parts, scan_sst over its shared strings (best
    of --repeat)."""
    scan = xlsx._xlscan
    assert scan is not None
    sheets = sst = 0.0
    for _, parts, _ in items:
        data = parts.get("xl/sharedStrings.xml", b"")
        best = float("inf")
        for _ in range(repeat):
            t0 = time.perf_counter()
            strings = scan.scan_sst(data) if data else []
            best = min(best, time.perf_counter() - t0)
        sst += best
        strings = strings or []
        for name, data in parts.items():
            if name.startswith("xl/worksheets/sheet"):
                best = float("inf")
                for _ in range(repeat):
                    t0 = time.perf_counter()
                    scan.scan_sheet(data, xlsx.MAX_ROWS, xlsx.MAX_COLS, strings, set(), xlsx.Cell)
                    best = min(best, time.perf_counter() - t0)
                sheets += best
    return sheets, sst


@contextmanager
def _pure(pure: bool) -> Iterator[None]:
    old = os.environ.get("XLPLAN_PURE")
    os.environ["XLPLAN_PURE"] = "1" if pure else "0"
    try:
        yield
    finally:
        if old is None:
            del os.environ["XLPLAN_PURE"]
        else:
            os.environ["XLPLAN_PURE"] = old


def _timed(items: list[tuple[Path, dict[str, bytes], bool]], pure: bool, repeat: int) -> float:
    with _pure(pure):
        best = float("inf")
        for _ in range(repeat):
            xlsx._memo.clear()  # each pass starts as a fresh batch would
            best = min(best, _pass(items))
        return best


def _same(items: list[tuple[Path, dict[str, bytes], bool]]) -> int:
    """How many workbooks read to the same book both ways (values compared with their types; NaN equal to NaN)."""

    def key(book: xlsx.Book) -> Any:
        return repr(book), [repr(sh.rows_index()) for sh in book.sheets.values()]

    same = 0
    for path, parts, complete in items:
        with _pure(True):
            a = xlsx.read_book(path, parts, complete=complete)
        with _pure(False):
            b = xlsx.read_book(path, parts, complete=complete)
        same += key(a) == key(b)
    return same


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--dir", type=Path, default=Path("/tmp/xlscan/inbox"))
    ap.add_argument("--orgs", type=int, default=300)
    ap.add_argument("--seed", type=int, default=7850)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    if not args.dir.exists() or not any(args.dir.rglob("*.xlsx")):
        generate(args.dir, args.orgs, seed=args.seed)
    items = []
    for p in sorted(args.dir.rglob("*.xlsx")):
        sn = sniff(p, keep_parts=True)
        if sn.readable:
            try:
                xlsx.read_book(p, sn.parts, complete=sn.parts_complete)
            except Exception:
                continue  # unreadable on purpose (synth writes some)
            items.append((p, sn.parts, sn.parts_complete))
    n = len(items)
    pure = _timed(items, True, args.repeat)
    print(f"workbooks:        {n}")
    print(f"pure Python:      {pure / n * 1000:.2f} ms/workbook")
    if xlsx._xlscan is None:
        print("accelerator:      not built (xlplan._xlscan missing)")
        return
    fast = _timed(items, False, args.repeat)
    print(f"accelerated:      {fast / n * 1000:.2f} ms/workbook  ({pure / fast:.1f}x)")
    print(f"identical books:  {_same(items)}/{n}")
    sheets, sst = _scan_times(items, args.repeat)
    print(f"scanner alone:    scan_sheet {sheets / n * 1000:.2f} ms/workbook, scan_sst {sst / n * 1000:.2f} ms")


if __name__ == "__main__":
    main()
