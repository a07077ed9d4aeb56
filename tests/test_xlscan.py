"""The compiled scanner (xlplan._xlscan) against the pure-Python reader it accelerates.

Whatever the scanner answers must be exactly what the Python path gives (the very same Sheet: cells with their
values, formulas, errors and cached flags, the key order, max_row, max_col, beyond, truncated, merged), and it
must never call well-formed a document expat refuses. Checked on every workbook the tests can reach, on real
sheets mutated at random, on generated sheets in the shapes writers use and around them, and case by case.

XLPLAN_REQUIRE_ACCEL=1 (scripts/test.sh sets it) makes a missing accelerator a failure instead of a skip.
"""

from __future__ import annotations

import copy
import io
import os
import pickle
import resource
import sys
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from xml.parsers.expat import ExpatError, ParserCreate

import pytest
from accel import pure as _pure
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from xlplan import xlsx
from xlplan.sniff import sniff
from xlplan.synth import generate
from xlplan.writer import render

ROOT = Path(__file__).resolve().parent.parent
X = xlsx._xlscan
needs_accel = pytest.mark.skipif(X is None, reason="xlplan._xlscan is not built (no C compiler at install)")
NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
STRINGS = ["", "ข้อความ", "a&b", "x", "<tag>", "สอง\nบรรทัด"]
DATES = {3}


# ------------------------------------------------------------------------------------------------ helpers


@contextmanager
def _limits(rows: int, cols: int) -> Iterator[None]:
    old = xlsx.MAX_ROWS, xlsx.MAX_COLS
    xlsx.MAX_ROWS, xlsx.MAX_COLS = rows, cols
    try:
        yield
    finally:
        xlsx.MAX_ROWS, xlsx.MAX_COLS = old


def _cell_key(c: xlsx.Cell) -> tuple[Any, ...]:
    """A cell exactly: the value's type and repr (1 != 1.0 != True; NaN equal to NaN), formula, error, cached; a
    text also as itself (str equality compares the internal kind too: a text built in a wider kind than CPython's
    decoder gives would not be equal)."""
    text = c.value if isinstance(c.value, str) else None
    return type(c.value).__name__, repr(c.value), text, c.formula, c.error, c.cached


def _rows_key(sh: xlsx.Sheet) -> list[Any]:
    """The index by row (as the scanner gives it, or as rows_index builds it), checked to hold the very cells."""
    index = sh.rows_index()
    assert sum(len(in_row) for in_row in index.values()) == len(sh.cells)
    assert all(sh.cells[(r, c)] is cell for r, in_row in index.items() for c, cell in in_row.items())
    return [(r, [(c, _cell_key(cell)) for c, cell in in_row.items()]) for r, in_row in index.items()]  # in order


def _lookups_key(sh: xlsx.Sheet) -> list[Any]:
    """What get, value, row and rows give, at every cell and around it, taken before sh.cells is first asked for
    (a sheet the scanner read holds its cells by row only until then)."""
    index = sh.rows_index()
    at = {(r + dr, c + dc) for r, in_row in index.items() for c in in_row for dr, dc in ((0, 0), (0, 1), (1, 0))}
    out: list[Any] = [sh.rows(), [list(sh.row(r)) for r in range(-1, sh.max_row + 2)]]
    for r, c in sorted(at):
        cell = sh.get(r, c)
        assert cell is sh.row(r).get(c)
        out.append((r, c, None if cell is None else _cell_key(cell), repr(sh.value(r, c))))
    return out


def _sheet_key(sh: xlsx.Sheet) -> tuple[Any, ...]:
    lookups = _lookups_key(sh)
    cells = [(k, _cell_key(c)) for k, c in sh.cells.items()]  # in order
    return sh.name, sh.state, sh.max_row, sh.max_col, sh.beyond, sh.truncated, sh.merged, cells, _rows_key(sh), lookups


def _book_key(book: xlsx.Book) -> tuple[Any, ...]:
    sheets = [(name, _sheet_key(sh)) for name, sh in book.sheets.items()]
    return book.order, list(book.defined_names.items()), sheets


def _outcome(read: Any) -> tuple[Any, ...]:
    try:
        return ("read", read())
    except Exception as exc:  # the same error both ways is part of the same result
        return ("raised", type(exc).__name__, str(exc))


def _book_both(source: Path | bytes, parts: dict[str, bytes] | None = None, complete: bool = False) -> list[Any]:
    def read() -> tuple[Any, ...]:
        src = io.BytesIO(source) if isinstance(source, bytes) else source
        return _book_key(xlsx.read_book(src, parts, complete=complete))

    out = []
    for pure in (True, False):
        with _pure(pure):
            out.append(_outcome(read))
    return out


def _sheet_read(data: bytes, strings: list[str] | None = None, dates: set[int] | None = None) -> xlsx.Sheet:
    z = xlsx._Package(None, {"xl/worksheets/sheet1.xml": data})
    return xlsx._sheet(z, "xl/worksheets/sheet1.xml", "S", "visible", STRINGS if strings is None else strings,
                       DATES if dates is None else dates)  # fmt: skip


def _sheet_both(data: bytes, strings: list[str] | None = None, dates: set[int] | None = None) -> list[Any]:
    out = []
    for pure in (True, False):
        with _pure(pure):
            out.append(_outcome(lambda: _sheet_key(_sheet_read(data, strings, dates))))
    return out


def _expat_ok(data: bytes) -> bool:
    try:
        ParserCreate().Parse(data, True)
    except ExpatError:
        return False
    return True


def _scan(data: bytes) -> Any:
    return X.scan_sheet(data, xlsx.MAX_ROWS, xlsx.MAX_COLS, STRINGS, DATES, xlsx.Cell)


def _doc(
    cells: str, merges: str = "", head: str = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
) -> bytes:
    """A worksheet part holding the given cells (and mergeCell elements)."""
    merged = f'<mergeCells count="1">{merges}</mergeCells>' if merges else ""
    return (
        f'{head}<worksheet xmlns="{NS}" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        f'<dimension ref="A1"/><sheetData><row r="1">{cells}</row></sheetData>{merged}</worksheet>'
    ).encode()


def _cells(data: bytes, **kw: Any) -> dict[tuple[int, int], tuple[Any, ...]]:
    """The cells as the accelerated reader gives them, after checking that the scanner answered and that the pure
    reader gives the very same sheet."""
    assert _scan(data) is not None, "the scanner was unsure"
    pure, fast = _sheet_both(data, **kw)
    assert pure == fast
    with _pure(False):
        sh = _sheet_read(data, **kw)
    return {k: (c.value, c.formula, c.error, c.cached) for k, c in sh.cells.items()}


# ------------------------------------------------------------------------------------------------ the build


def test_accelerator_is_built_where_required() -> None:
    if os.environ.get("XLPLAN_REQUIRE_ACCEL") == "1":
        assert xlsx._xlscan is not None, "XLPLAN_REQUIRE_ACCEL=1 but xlplan._xlscan did not build or import"
    elif xlsx._xlscan is None:
        pytest.skip("xlplan._xlscan is not built")
    assert {"scan_sheet", "scan_sst", "well_formed", "row_values", "suspects", "fingerprint_parts"} <= set(
        dir(xlsx._xlscan)
    )


@needs_accel
def test_xlplan_pure_turns_it_off() -> None:
    with _pure(True):
        assert xlsx._accelerator() is None
    with _pure(False):
        assert xlsx._accelerator() is X


# ------------------------------------------------------------------------------------------------ (a) every workbook


def _workbooks() -> list[Path]:
    found = sorted((ROOT / "examples").rglob("*.xls*")) + sorted((ROOT / "workbook_templates").glob("*.xlsx"))
    return [p for p in found if p.is_file()]


def _assert_same_book(path: Path) -> None:
    """Read as `xlplan check` reads (the parts sniff kept), and straight from the zip; files sniff turns away (a
    zip bomb) are not read, as check does not read them."""
    sn = sniff(path, keep_parts=True)
    if sn.readable:
        pure, fast = _book_both(path, sn.parts, sn.parts_complete)
        assert pure == fast, path
        pure, fast = _book_both(path)
        assert pure == fast, path


@needs_accel
@pytest.mark.parametrize("path", _workbooks(), ids=lambda p: p.name)
def test_bundled_workbooks_read_the_same(path: Path) -> None:
    _assert_same_book(path)


@needs_accel
def test_bundled_workbooks_are_read_by_the_scanner() -> None:
    """The files xlplan writes (xlsxwriter) are all in the scanner's subset: it is really used on them."""
    for path in [ROOT / "examples" / "maehoi.xlsx", *sorted((ROOT / "workbook_templates").glob("*.xlsx"))]:
        with zipfile.ZipFile(path) as z:
            for name in z.namelist():
                if name.startswith("xl/worksheets/sheet"):
                    assert _scan(z.read(name)) is not None, (path.name, name)
                elif name == "xl/sharedStrings.xml":
                    assert X.scan_sst(z.read(name)) is not None, path.name


@pytest.fixture(scope="module")
def synth_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("xlscan-synth")
    generate(out, 30, seed=2566)
    return out


@needs_accel
def test_synthetic_workbooks_read_the_same(synth_dir: Path) -> None:
    paths = sorted(p for p in synth_dir.rglob("*") if p.is_file())
    assert len(paths) >= 30
    for p in paths:
        _assert_same_book(p)


@needs_accel
def test_fault_workbooks_read_the_same(tmp_path_factory: pytest.TempPathFactory) -> None:
    from faults import CASES

    d = tmp_path_factory.mktemp("xlscan-faults")
    for case in CASES:
        sub = d / case.id
        sub.mkdir()
        path = case.build(sub)
        if path.is_file():
            _assert_same_book(path)


@needs_accel
def test_hostile_workbooks_read_the_same(tmp_path_factory: pytest.TempPathFactory) -> None:
    from hostile import build_corpus

    corpus = build_corpus(tmp_path_factory.mktemp("xlscan-hostile"))
    for path in corpus.values():
        _assert_same_book(path)


@needs_accel
def test_openpyxl_resaved_workbook_reads_the_same(tmp_path: Path) -> None:
    import openpyxl

    wb = openpyxl.load_workbook(ROOT / "examples" / "maehoi.xlsx")
    wb.save(tmp_path / "resaved.xlsx")
    _assert_same_book(tmp_path / "resaved.xlsx")


@needs_accel
@pytest.mark.libreoffice
def test_libreoffice_resaved_workbook_reads_the_same(tmp_path: Path, example_xlsx: Path) -> None:
    from libreoffice import available, run_job

    if not available():
        pytest.skip("LibreOffice (headless) with python3-uno is not installed")
    out = tmp_path / "lo-resaved.xlsx"
    run_job(example_xlsx, recalc=False, save_xlsx=out)
    _assert_same_book(out)
    with zipfile.ZipFile(out) as z:  # LibreOffice's shapes (aca="false" on formulas) are in the subset too
        for name in z.namelist():
            if name.startswith("xl/worksheets/sheet"):
                found = _scan(z.read(name))
                assert found is not None and found[1] == [], name


# ------------------------------------------------------------------------------------------------ (c) case by case


@needs_accel
def test_entities_and_thai_text() -> None:
    data = _doc(
        '<c r="A1" t="str"><v>a&amp;b &lt;&gt; &quot;&apos; &#3585;&#x0E01;&#x0e01;</v></c>'
        '<c r="B1"><f>IF(A2&lt;&gt;"",A2&amp;"x",&quot;&quot;)</f><v>1</v></c>'
        '<c r="C1" t="str"><f>"ก"&amp;"ข"</f><v>กข</v></c>'
        '<c r="D1" t="str"><v>ภาษาไทย\r\nสองบรรทัด</v></c>'
    )
    assert _cells(data) == {
        (0, 0): ("a&b <> \"' กกก", None, None, True),
        (0, 1): (1, '=IF(A2<>"",A2&"x","")', None, True),
        (0, 2): ("กข", '="ก"&"ข"', None, True),
        (0, 3): ("ภาษาไทย\r\nสองบรรทัด", None, None, True),  # as the regular expressions read it: no line-end change
    }


@needs_accel
def test_references_html_reads_differently_are_left_to_python() -> None:
    """xlsx._text resolves references with html.unescape, which maps &#128; to the euro sign and &#127; to
    nothing: the scanner leaves such cells to Python, so the result stays the pure path's."""
    data = _doc('<c r="A1" t="str"><v>&#128;&#127;x&#xFDD0;</v></c><c r="B1"><f>"&#x9F;"</f><v>2</v></c>')
    found = _scan(data)
    assert found is not None and len(found[1]) == 2
    assert _cells(data) == {(0, 0): ("€x", None, None, True), (0, 1): (2, '="Ÿ"', None, True)}


@needs_accel
def test_types_of_cells() -> None:
    data = _doc(
        '<c r="A1" t="s"><v>1</v></c>'  # shared string
        '<c r="B1" t="s"><v>0</v></c>'  # an empty shared string: not kept
        '<c r="C1" t="s"><v>99</v></c>'  # no such string: not kept
        '<c r="D1" t="s"><v>0003</v></c>'
        '<c r="E1" t="b"><v>1</v></c>'
        '<c r="F1" t="b"><v>0</v></c>'
        '<c r="G1" t="e"><v>#REF!</v></c>'
        '<c r="H1" t="str"><v></v></c>'  # an empty text: not kept
        '<c r="I1" t="d"><v>2024-01-31</v></c>'
        '<c r="J1" t="n"><v>-12</v></c>'
        '<c r="K1"><v>19800.5</v></c>'
        '<c r="L1" s="3"><v>45000</v></c>'  # a date style
        '<c r="M1" s="3"><v>-1</v></c>'  # a date style, out of the dates' range
        '<c r="N1"><v>1E3</v></c>'
        '<c r="O1"><v>abc</v></c>'
        '<c r="P1"><v>+5</v></c>'
        '<c r="Q1"><v>--5</v></c>'
        '<c r="R1"><v>007</v></c>'
        '<c r="S1"><v>.5</v></c>'
        '<c r="T1"><v>๑๒</v></c>'  # Thai digits: int() reads them
        '<c r="U1"><v>12345678901234567890123</v></c>'
    )
    cells = _cells(data)
    for nan_at in (14, 16):  # "abc" and "--5": NaN
        nan = cells.pop((0, nan_at))
        assert nan[0] != nan[0] and nan[1:] == (None, None, True)
    assert cells == {
        (0, 0): ("ข้อความ", None, None, True),
        (0, 3): ("x", None, None, True),
        (0, 4): (True, None, None, True),
        (0, 5): (False, None, None, True),
        (0, 6): ("#REF!", None, "#REF!", True),
        (0, 8): ("2024-01-31", None, None, True),
        (0, 9): (-12, None, None, True),
        (0, 10): (19800.5, None, None, True),
        (0, 11): (datetime(2023, 3, 15), None, None, True),
        (0, 12): (-1, None, None, True),
        (0, 13): (1000.0, None, None, True),
        (0, 15): (5.0, None, None, True),
        (0, 17): (7, None, None, True),
        (0, 18): (0.5, None, None, True),
        (0, 19): (12, None, None, True),
        (0, 20): (12345678901234567890123, None, None, True),
    }
    assert type(cells[(0, 13)][0]) is float and type(cells[(0, 17)][0]) is int


@needs_accel
def test_formulas_and_saved_values() -> None:
    data = _doc(
        '<c r="A1"><f>SUM(B1:C1)</f><v>3</v></c>'
        '<c r="B1"><f>1+1</f><v></v></c>'  # no value in a number cell: not cached
        '<c r="C1"><f>1+2</f><v/></c>'
        '<c r="D1"><f>1+3</f></c>'
        '<c r="E1" t="str"><f>""</f><v></v></c>'  # a saved empty text
        '<c r="F1" t="str"><f>"x"</f></c>'  # a text formula without its value
        '<c r="G1" t="str"><f aca="false">"y"</f><v>y</v></c>'  # LibreOffice
        '<c r="H1"><f aca="true">NOW()</f><v>45000.5</v></c>'
        '<c r="I1"><f/><v>1</v></c>'
        '<c r="J1" t="b"><f>TRUE()</f><v>1</v></c>'
        '<c r="K1" t="e"><f>1/0</f><v>#DIV/0!</v></c>'
        '<c r="L1" s="3"><f>DATE(2024,1,1)</f><v>45292</v></c>'
        '<c r="M1" t="s"><f>A1</f><v>1</v></c>'
    )
    assert _cells(data) == {
        (0, 0): (3, "=SUM(B1:C1)", None, True),
        (0, 1): (None, "=1+1", None, False),
        (0, 2): (None, "=1+2", None, False),
        (0, 3): (None, "=1+3", None, False),
        (0, 4): ("", '=""', None, True),
        (0, 5): ("", '="x"', None, False),
        (0, 6): ("y", '="y"', None, True),
        (0, 7): (45000.5, "=NOW()", None, True),
        (0, 8): (1, "=", None, True),
        (0, 9): (True, "=TRUE()", None, True),
        (0, 10): ("#DIV/0!", "=1/0", "#DIV/0!", True),
        (0, 11): (datetime(2024, 1, 1), "=DATE(2024,1,1)", None, True),
        (0, 12): ("ข้อความ", "=A1", None, True),
    }


@needs_accel
def test_shared_formulas() -> None:
    rows = (
        f'<?xml version="1.0"?><worksheet xmlns="{NS}"><sheetData>'
        '<row r="1"><c r="B1"><f t="shared" ref="B1:B3" si="0">A1*2</f><v>2</v></c></row>'
        '<row r="2"><c r="B2"><f t="shared" si="0"/><v>4</v></c></row>'
        '<row r="3"><c r="B3"><f t="shared" si="0"></f><v>6</v></c></row>'
        "</sheetData></worksheet>"
    ).encode()
    assert _cells(rows) == {
        (0, 1): (2, "=A1*2", None, True),
        (1, 1): (4, "=A2*2", None, True),
        (2, 1): (6, "=A3*2", None, True),
    }


@needs_accel
def test_inline_strings_and_other_shapes_are_left_to_python() -> None:
    cases = [
        '<c r="A1" t="inlineStr"><is><t>ข้อความ</t></is></c>',
        '<c r="A1" t="inlineStr"/>',  # the empty-cell branch takes lower-case types only
        '<c r="A1" s="1" t="str">\n<v>x</v></c>',  # whitespace inside the cell
        '<c t="s" r="A1"><v>1</v></c>',  # another attribute order
        "<c r='A1'><v>1</v></c>",
        '<c r="A1" ><v>1</v></c>',
        "<c><v>1</v></c>",  # no r=
        '<c r="a1"><v>1</v></c>',
        '<c r="AAAA1"><v>1</v></c>',
        '<c r="A12345678"><v>1</v></c>',
        '<c r="A1"><v t="x">1</v></c>',
        '<c r="A1"><f>1</f><f>2</f></c>',
        '<c r="A1"><v>1</v><f>2</f></c>',
        '<x:c r="A1" xmlns:x="urn:x"><x:v>1</x:v></x:c>',
        '<c r="A1"><v>1</v></c><c r="A1"><v>2</v></c>',  # one position twice
        '<c r="A1"><v>1</v><!-- note --></c>',
        '<c r="A1"><v><![CDATA[1]]></v></c>',
        '<c r="A1"><v>1</v></c><?pi x?>',
    ]
    for cells in cases:
        data = _doc(cells)
        assert _scan(data) is None, cells
        pure, fast = _sheet_both(data)
        assert pure == fast, cells
    inline = _doc('<c r="A1" t="inlineStr"><is><t>ข้อ</t><t>ความ</t></is></c>')
    with _pure(False):
        assert _sheet_read(inline).cells[(0, 0)].value == "ข้อความ"


@needs_accel
def test_limits_of_rows_and_columns() -> None:
    cells = (
        '<c r="A1"><v>1</v></c><c r="B1"><v>2</v></c><c r="C1"><v>3</v></c>'  # C1: beyond MAX_COLS = 2
        '<c r="D1" s="1"/>'
        '<c r="A2"><v>4</v></c><c r="ZZ2"></c>'  # an empty cell written <c></c> counts toward beyond
        '<c r="A3"><v>5</v></c>'  # row 3: MAX_ROWS = 2, reading stops
        '<c r="A4"><v>6</v></c><c r="XFD1048576"><v>7</v></c>'
    )
    rows = f'<?xml version="1.0"?><worksheet xmlns="{NS}"><sheetData><row r="1">{cells}</row></sheetData></worksheet>'
    with _limits(2, 2):
        data = rows.encode()
        assert _cells(data) == {
            (0, 0): (1, None, None, True),
            (0, 1): (2, None, None, True),
            (1, 0): (4, None, None, True),
        }
        with _pure(False):
            sh = _sheet_read(data)
        assert (sh.max_row, sh.max_col, sh.beyond, sh.truncated) == (1, 1, "ZZ3", True)
        # the rest after the stop is still checked: a malformed end is the pure path's error
        broken = data.replace(b"<v>7</v>", b"<v>7</w>")
        assert _scan(broken) is None
        pure, fast = _sheet_both(broken)
        assert pure == fast and pure[0] == "raised"
    far = _doc('<c r="A1"><v>1</v></c><c r="XFD1048576"><v>7</v></c>')
    assert _cells(far) == {(0, 0): (1, None, None, True)}
    with _pure(False):
        sh = _sheet_read(far)
    assert (sh.beyond, sh.truncated, sh.max_row, sh.max_col) == ("XFD1048576", True, 0, 0)
    wide = _doc('<c r="A1"><v>1</v></c><c r="GS1"><v>7</v></c><c r="GR1"><v>8</v></c>')  # GS = column 201
    assert _cells(wide) == {(0, 0): (1, None, None, True), (0, 199): (8, None, None, True)}
    with _pure(False):
        sh = _sheet_read(wide)
    assert (sh.beyond, sh.truncated) == ("GS1", False)


@needs_accel
def test_merged_cells() -> None:
    data = _doc(
        '<c r="A1" t="s"><v>1</v></c>',
        merges='<mergeCell ref="A1:C1"/><mergeCell ref="B5:D9"></mergeCell><mergeCell ref="E5"/>',
    )
    assert _scan(data)[7] == ["A1:C1", "B5:D9", "E5"]
    assert _cells(data) == {(0, 0): ("ข้อความ", None, None, True)}
    with _pure(False):
        assert _sheet_read(data).merged == [(0, 0, 0, 2), (4, 1, 8, 3)]
    for odd in ['<mergeCell ref="A1:B2" x="1"/>', "<mergeCell ref='A1:B2'/>", '<mergeCell ref = "A1:B2"/>']:
        odd_data = _doc('<c r="A1"><v>1</v></c>', merges=odd)
        assert _scan(odd_data) is None
        assert _sheet_both(odd_data)[0] == _sheet_both(odd_data)[1]
    bad = _doc('<c r="A1"><v>1</v></c>', merges='<mergeCell ref="A1:B2:C3"/>')  # the pure path's ValueError
    pure, fast = _sheet_both(bad)
    assert pure == fast and pure[0] == "raised" and pure[1] == "ValueError"


@needs_accel
def test_shared_strings() -> None:
    sst = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<sst xmlns="{NS}" count="4" uniqueCount="4"><si><t>ก&amp;ข</t></si><si><t/></si>'
        '<si><t xml:space="preserve"> a\r\nb\rc &#13; </t></si><si><t>&#x80;&#128;</t></si></sst>'
    ).encode()
    assert X.scan_sst(sst) == ["ก&ข", "", " a\nb\nc \r ", "\x80\x80"] == xlsx._shared_strings_fast(sst)
    rich = sst.replace(b"<si><t/></si>", b"<si><r><t>x</t></r></si>")
    assert X.scan_sst(rich) is None and xlsx._shared_strings_fast(rich) is None
    assert X.scan_sst(sst.replace(b"</sst>", b"</sst")) is None


@needs_accel
def test_shared_strings_are_checked_as_they_are_read() -> None:
    """scan_sst checks the part while it reads it (no separate pass): whatever it takes must be well-formed, and the
    same as the pure path reads."""
    head = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    root = f'<sst xmlns="{NS}" count="2" uniqueCount="2">'
    body = "<si><t>ก</t></si><si><t>x</t></si></sst>"
    cases = [
        head + root + body,
        head + root + body + "\n\t ",
        head + root + body + "\x0b",  # \s of the expression, not XML whitespace
        head + "\x0c" + root + body,
        "\ufeff" + head + root + body,
        '<?xml version="1.0"?>' + root + body,
        '<?xml version="1.0" encoding="utf-8"?>' + root + body,
        root + body,
        head + root.replace('count="2"', 'count="2" count="3"') + body,  # an attribute twice
        head + root.replace('count="2"', 'a:b:c="2"') + body,  # outside the subset
        head + root.replace('count="2"', 'x:count="2>1"') + body,  # '>' in a value: well-formed
        head + root.replace('count="2"', 'count="&bogus;"') + body,
        head + root.replace('count="2"', 'count="\x01"') + body,
        head + root + body.replace("ก", "]]>"),
        head + root + body.replace("ก", "]]&gt;"),
        head + root + body.replace("ก", "a\x01"),
        head + root + body.replace("ก", "&#xFFFE;"),
        head + root + body.replace("ก", "ภาษาไทย ภาษาไทย ภาษาไทย"),
        head + root + body.replace("</sst>", "</sst><sst/>"),
    ]
    for text in cases:
        data = text.encode()
        for doc in (data, data.replace(b"\xe0\xb8\x81", b"\xe0\x80\x81"), data.replace(b"\xb8\xa0", b"\xb8")):
            texts = X.scan_sst(doc)
            if texts is not None:
                assert _expat_ok(doc), doc
                assert texts == xlsx._shared_strings_fast(doc), doc
            elif _expat_ok(doc) and b"a:b:c" not in doc:
                assert xlsx._shared_strings_fast(doc) is None or b"\x0b" in doc or b"\x0c" in doc, doc
    assert X.scan_sst((head + root + body).encode()) == ["ก", "x"]


@needs_accel
def test_rows_index_from_the_scanner() -> None:
    """The scanner gives the cells by row too (None for the cells left to Python); _sheet_scanned keeps it in step
    with what Python decides of those, and makes it the sheet's index: the very one rows_index would build."""
    rows = (
        '<row r="1"><c r="A1" t="s"><v>1</v></c><c r="B1" t="e"></c><c r="C1" t="b"><v>1</v></c>'  # B1 dropped
        '<c r="D1"><v>4</v></c></row>'
        '<row r="2"><c r="A2" t="d"><v/></c></row>'  # the row's only cell dropped: no row 2
        '<row r="3"><c r="B3" s="3"><v>45000</v></c><c r="A3" t="str"><v>x</v></c></row>'  # a date: Python's
    )
    data = f'<?xml version="1.0"?><worksheet xmlns="{NS}"><sheetData>{rows}</sheetData></worksheet>'.encode()
    found = _scan(data)
    assert found is not None
    rows_found, hard = found[0], found[1]
    assert [k for k, *_ in hard] == [(0, 1), (0, 2), (1, 0), (2, 1)]
    assert list(rows_found) == [0, 1, 2] and list(rows_found[0]) == [0, 1, 2, 3] and list(rows_found[2]) == [1, 0]
    assert rows_found[0][1] is None and rows_found[1][0] is None and rows_found[0][0].value == "ข้อความ"
    with _pure(False):
        sh = _sheet_read(data)
    assert sh._cells is None and "_rows" in sh.__dict__  # held by row only
    assert list(sh.rows_index()) == [0, 2] and list(sh.row(0)) == [0, 2, 3] and list(sh.row(2)) == [1, 0]
    assert sh.row(1) == {} and sh.row(0)[2].value is True and sh.row(2)[1].value == datetime(2023, 3, 15)
    assert sh.get(0, 2) is sh.row(0)[2] and sh.get(0, 1) is None and sh.get(1, 0) is None and sh.value(2, 0) == "x"
    assert sh.rows() == [0, 2]
    assert sh._cells is None  # none of these built the cells by position
    assert list(sh.cells) == [(0, 0), (0, 2), (0, 3), (2, 1), (2, 0)] and sh.cells is sh.cells  # built once, kept
    pure, fast = _sheet_both(data)
    assert pure == fast

    # a row whose first cell is dropped: the row keeps its place (its cells all come before the next row's)
    odd = (
        '<row r="5"><c r="A5" t="e"></c><c r="C5" t="e"><v></v></c><c r="B5"><v>2</v></c></row>'
        '<row r="4"><c r="A4"><v>1</v></c></row>'
    )
    data = f'<?xml version="1.0"?><worksheet xmlns="{NS}"><sheetData>{odd}</sheetData></worksheet>'.encode()
    assert _scan(data) is not None
    with _pure(False):
        sh = _sheet_read(data)
    assert sh._cells is None and {r: list(d) for r, d in sh.rows_index().items()} == {4: [1], 3: [0]}
    assert list(sh.cells) == [(4, 1), (3, 0)]
    pure, fast = _sheet_both(data)
    assert pure == fast

    # a row met again after another: the index would not keep the document's order, the pure path reads it
    odd = (
        '<row r="5"><c r="A5"><v>1</v></c></row><row r="4"><c r="A4"><v>1</v></c></row>'
        '<row r="5"><c r="B5"><v>2</v></c></row>'
    )
    data = f'<?xml version="1.0"?><worksheet xmlns="{NS}"><sheetData>{odd}</sheetData></worksheet>'.encode()
    assert _scan(data) is None
    pure, fast = _sheet_both(data)
    assert pure == fast
    with _pure(True):
        assert list(_sheet_read(data).cells) == [(4, 0), (3, 0), (4, 1)]
    # so too one met again whose earlier cells were all dropped (Python would see no cell of it before)
    odd = odd.replace('<c r="A5"><v>1</v></c>', '<c r="A5" t="e"></c>')
    data = f'<?xml version="1.0"?><worksheet xmlns="{NS}"><sheetData>{odd}</sheetData></worksheet>'.encode()
    assert _scan(data) is None
    pure, fast = _sheet_both(data)
    assert pure == fast

    # a sheet that held cells already: its index is built from all of them, when first asked for
    sh = xlsx.Sheet("S")
    sh.cells[(9, 9)] = xlsx.Cell(1)
    assert xlsx._sheet_scanned(X, _doc('<c r="A1"><v>1</v></c><c r="B1"><v>2</v></c>'), sh, STRINGS, DATES)
    assert "_rows" not in sh.__dict__
    assert {r: list(d) for r, d in sh.rows_index().items()} == {9: [9], 0: [0, 1]}


@needs_accel
def test_a_workbook_held_by_row(example_plan: Any) -> None:
    """Every sheet the scanner reads holds its cells by row only, and is the pure path's sheet all the same: its
    cells (built from the index when asked for) in the same order, get/value/row/rows, ==, copies and pickles."""
    data = render(example_plan)
    with _pure(True):
        pure = xlsx.read_book(io.BytesIO(data))
    with _pure(False):
        fast = xlsx.read_book(io.BytesIO(data))
    assert list(fast.sheets) == list(pure.sheets)
    for name, sh in fast.sheets.items():
        p = pure.sheets[name]
        assert sh._cells is None and p._cells is not None, name
        assert _lookups_key(sh) == _lookups_key(p) and sh._cells is None  # answered from the index
        held = copy.deepcopy(sh)
        assert held._cells is None and held.rows_index() == sh.rows_index()
        assert pickle.loads(pickle.dumps(sh))._cells is None
        assert sh == p and held == p and sh._cells is not None  # == compares the cells: built
        assert [(k, _cell_key(c)) for k, c in sh.cells.items()] == [(k, _cell_key(c)) for k, c in p.cells.items()]
        assert list(sh.cells) == list(p.cells) and _rows_key(sh) == _rows_key(p)
    assert repr(fast) == repr(pure)  # the cells shown as before
    other = copy.deepcopy(fast.sheets[name])
    other.cells[(0, 0)] = xlsx.Cell("changed")
    assert other != fast.sheets[name]


@needs_accel
def test_no_reference_left_when_unsure_of_a_row() -> None:
    """The scanner's ways out when it meets a position twice or a row again (after building part of the index)
    free everything they made: no memory block is left over many calls."""
    rows = "".join(
        f'<row r="{r}">' + "".join(f'<c r="{c}{r}"><v>{r}</v></c>' for c in "ABCDEF") + "</row>" for r in range(1, 60)
    )
    again = '<row r="3"><c r="H3"><v>1</v></c></row>'
    twice = '<row r="70"><c r="A70"><v>1</v></c><c r="A70"><v>2</v></c></row>'
    docs = [
        f'<?xml version="1.0"?><worksheet xmlns="{NS}"><sheetData>{rows}{tail}</sheetData></worksheet>'.encode()
        for tail in (again, twice)
    ]
    for _ in range(50):
        assert all(_scan(d) is None for d in docs)
    before = sys.getallocatedblocks()
    for _ in range(2000):
        assert all(_scan(d) is None for d in docs)
    assert sys.getallocatedblocks() - before < 100


@needs_accel
def test_cells_taken_whole_or_the_general_way() -> None:
    """Cells of the expression's shape are checked and taken whole; those whose parts the general tokenizer reads
    otherwise (a '>' in a formula's attribute, a longer name than f, an empty f with text) go the general way: the
    same sheet as the pure path either way, and never well-formed where expat says not."""
    cases = [
        '<c r="A1"><f t="shared" ref="A1>B2" si="0">1+1</f><v>2</v></c>',
        '<c r="A1"><f t="shared" ref="A1" si="0"/><v>2</v></c>',
        '<c r="A1"><f/>x</f></c>',
        '<c r="A1"><fx>1</fx></c>',
        '<c r="A1"><f:x>1</f:x></c>',
        '<c r="A1"><f a="1"b="2">1</f></c>',
        '<c r="A1"><f a="1" a="2">1</f></c>',
        '<c r="A1"><f a="&bogus;">1</f></c>',
        '<c r="A1"><f>1]]>2</f></c>',
        '<c r="A1"><f>1]]&gt;2</f><v>3</v></c>',
        '<c r="A1" t="str"><v>\x01</v></c>',
        '<c r="A1" t="str"><v>a]]>b</v></c>',
        '<c r="A1"><f>SUM(@)</f></c>',  # a sequence cut short (below)
        '<c r="A1" s="1"/><c r="B1" s="2" t="s"/>',
        '<c r="A1" t="Str"/>',
    ]
    for cells in cases:
        data = _doc(cells).replace(b"@", b"\xe0\xb8")
        found = _scan(data)
        if found is not None:
            assert _expat_ok(data), cells
        assert X.well_formed(data) == _expat_ok(data) or b'ref="A1>B2"' in data or b"f:x" in data, cells
        pure, fast = _sheet_both(data)
        assert pure == fast, cells


@needs_accel
def test_texts_in_every_kind() -> None:
    """Texts decoded without a second check come out as CPython's decoder gives them, in the same internal kind
    (ASCII, Latin-1, two or four bytes; str equality in _cell_key compares it), with or without references."""
    texts = ["abc", "é", "aé", "ก", "aก", "éก", "Ā", "🙂", "a🙂ก", "x" * 40 + "ก", "ก" * 41, "€" * 3 + "a" * 17,
             "&#233;", "a&#233;", "&#x1F642;", "a&amp;ก", "&#x0E01;" * 5, "\t\r\n", "ÿ", "&#255;x"]  # fmt: skip
    cells = "".join(f'<c r="{chr(65 + k)}1" t="str"><v>{t}</v></c>' for k, t in enumerate(texts))
    cells += "".join(f'<c r="{chr(65 + k)}2"><f>"{t}"</f><v>1</v></c>' for k, t in enumerate(texts))
    got = _cells(_doc(cells))
    assert [got[(0, k)][0] for k in range(len(texts))][:4] == ["abc", "é", "aé", "ก"]
    assert got[(0, 7)][0] == "🙂" and got[(0, 12)][0] == "é" and got[(1, 3)][1] == '="ก"'


# ------------------------------------------------------------------------------------------------ well-formedness


MALFORMED = [
    b"",
    b"   ",
    b"<a>",
    b"<a></b>",
    b"<a/><b/>",
    b"<a/>x",
    b"x<a/>",
    b'<a x="1" x="2"/>',
    b'<a x="1"y="2"/>',
    b'<a x="<"/>',
    b"<a x=1/>",
    b"<a>&</a>",
    b"<a>&amp</a>",
    b"<a>&foo;</a>",
    b"<a>&#0;</a>",
    b"<a>&#xD800;</a>",
    b"<a>&#x110000;</a>",
    b"<a>&#99999999999999999999;</a>",
    b"<a>&#X41;</a>",
    b"<a>\x01</a>",
    b"<a>\x0c</a>",
    b"<a>\xff</a>",
    b"<a>\xc0\x80</a>",
    b"<a>\xed\xa0\x80</a>",
    b"<a>\xef\xbf\xbe</a>",
    b"<a>\xf4\x90\x80\x80</a>",
    b"<a>\xe0\xb8</a>",
    b"<a>]]></a>",
    b"<a><b></a></b>",
    b"<1a/>",
    b"< a/>",
    b"<a:b:c/>",
    b'<?xml version="1.1"?><a/>',
    b' <?xml version="1.0"?><a/>',
    b'<?xml version="1.0" encoding="latin-1"?><a/>',
    b'<?xml encoding="UTF-8"?><a/>',
    b"<a><!-- comment --></a>",
    b"<!DOCTYPE a><a/>",
    b"<a><![CDATA[x]]></a>",
    b"<a><?pi?></a>",
    b"<\xe0\xb8\x81/>",
    b"<a" + b"><a" * 300 + b">",
    b"<a>" * 300 + b"</a>" * 300,  # deeper than the scanner goes: unsure
]

WELL_FORMED = [
    b"<a/>",
    b"\xef\xbb\xbf<a/>",
    b'<?xml version="1.0"?>\n<a/>\n',
    b"<?xml version='1.0' encoding='utf-8' standalone='no' ?><a/>",
    b'<x:a xmlns:x="urn:x" b=\'"\' c="\'" d = "&amp;&#9;&#xA;>"><x:b/>text &lt;&gt;&quot;&apos; ]] ></x:a>',
    "<a>ภาษาไทย \t\r\n &#3585;&#x10FFFF; \U0001f600</a>".encode(),
    b"<a>" * 200 + b"</a>" * 200,
]


@needs_accel
@pytest.mark.parametrize("doc", MALFORMED)
def test_not_well_formed_or_outside_the_subset(doc: bytes) -> None:
    assert X.well_formed(doc) is False
    assert X.scan_sheet(doc, 5000, 200, [], set(), xlsx.Cell) is None
    assert X.scan_sst(doc) is None


@needs_accel
@pytest.mark.parametrize("doc", WELL_FORMED)
def test_well_formed(doc: bytes) -> None:
    assert X.well_formed(doc) is True
    assert _expat_ok(doc)


# ------------------------------------------------------------------------------------------------ (b) properties


def _example_parts() -> dict[str, bytes]:
    with zipfile.ZipFile(ROOT / "examples" / "maehoi.xlsx") as z:
        return {n: z.read(n) for n in z.namelist()}


_PARTS = _example_parts()
_SHEETS = [d for n, d in sorted(_PARTS.items()) if n.startswith("xl/worksheets/sheet") and len(d) < 40_000]
_SST = _PARTS["xl/sharedStrings.xml"]
_NASTY = [
    b"<", b">", b"&", b"&amp;", b"&#0;", b"&#x80;", b"&#3585;", b"&bogus;", b"\x00", b"\x01", b"\x0b", b"\xff",
    b"\xc0\x80", b"\xed\xa0\x80", b"\xef\xbf\xbe", b"\xe0\xb8\x81", b"\xe0\xb8", b"]]>", b"<!--x-->",
    b"<![CDATA[x]]>", b"<?pi?>", b"</c>", b"</v>", b"<c>", b'<c r="A1">', b"<v>1</v>", b"<v/>", b"<f>A1</f>",
    b'<x:c r="B2"/>', b'"', b"'", b" ", b"\r", b"\n", b"\t", b"/", b"=", b'<mergeCell ref="A1:B2"/>', b"x",
    b"1", b"-", b".", b"e", b"s", b"t", b"str", b't="s"', b' s="3"', b"A", b"XFD1048576",
]  # fmt: skip


@st.composite
def _mutated(draw: st.DrawFn, base: bytes) -> bytes:
    data = bytearray(base)
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(data)))
        op = draw(st.sampled_from(["insert", "replace", "delete", "truncate", "swap"]))
        payload = draw(st.one_of(st.sampled_from(_NASTY), st.binary(min_size=1, max_size=4)))
        if op == "insert":
            data[at:at] = payload
        elif op == "replace":
            data[at : at + len(payload)] = payload
        elif op == "delete":
            del data[at : at + draw(st.integers(1, 16))]
        elif op == "truncate":
            del data[at:]
        else:  # replace one byte equal to the one at `at` elsewhere: shifts tags and quotes around
            if at < len(data):
                data[at] = draw(st.sampled_from(b'<>&"=/ cvfr'))
    return bytes(data)


@needs_accel
@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(data=st.sampled_from(range(len(_SHEETS))).flatmap(lambda i: _mutated(_SHEETS[i])))
def test_mutated_sheets(data: bytes) -> None:
    wf = X.well_formed(data)
    if wf:
        assert _expat_ok(data)
    found = _scan(data)
    if found is not None:
        assert wf
    pure, fast = _sheet_both(data)
    assert pure == fast


@needs_accel
@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(data=_mutated(_SST[:6000] + _SST[_SST.rfind(b"</si>") + 5 :] if len(_SST) > 6000 else _SST))
def test_mutated_shared_strings(data: bytes) -> None:
    texts = X.scan_sst(data)
    if texts is not None:
        assert _expat_ok(data)
        assert texts == xlsx._shared_strings_fast(data)


# Generated sheets: cells in the shapes writers use and around them, with values, references and types that
# take every branch; whatever the scanner answers must be the pure path's sheet.
_TEXT = st.lists(
    st.sampled_from(
        ["a", "ก", "1", "-", ".", "5", "e", "E", "+", " ", "\r\n", "\t", "&amp;", "&lt;", "&gt;", "&quot;",
         "&apos;", "&#3585;", "&#x0E01;", "&#128;", "&#127;", "&#xFDD0;", "&#13;", "&#65;", "🙂", "=", ">", "]"]
    ),
    max_size=6,
).map("".join)  # fmt: skip
_NUMBER = st.one_of(
    st.integers(-(10**20), 10**20).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.sampled_from(["", "0", "-0", "007", "1E3", "1e-3", ".5", "5.", "--5", "+5", "nan", "1_0", "๑", "²", "45000"]),
    _TEXT,
)


@dataclass
class _Gen:
    ref: str
    style: str | None
    t: str | None
    f: str | None  # the whole <f ...> element, or None
    v: str | None  # the whole <v> element, or None
    empty: bool


@st.composite
def _gen_cell(draw: st.DrawFn) -> str:
    col = draw(st.sampled_from(["A", "B", "C", "Z", "AA", "GR", "GS", "XFD", "a"]))
    row = draw(st.sampled_from(["1", "2", "3", "4", "0", "0002", "5001", "1048576"]))
    style = draw(st.sampled_from([None, "0", "1", "3", "03", "99999999999"]))
    t = draw(st.sampled_from([None, None, "s", "n", "str", "b", "e", "d", "inlineStr", "x", "S"]))
    attrs = f' r="{col}{row}"' + (f' s="{style}"' if style is not None else "") + (f' t="{t}"' if t else "")
    if draw(st.integers(0, 9)) == 0:  # another attribute order or quoting
        attrs = draw(st.sampled_from([f"{attrs} ", attrs.replace('"', "'"), f' t="s"{attrs}', f'{attrs} x="1"']))
    if draw(st.integers(0, 5)) == 0:
        return f"<c{attrs}/>"
    f_el = draw(
        st.one_of(
            st.none(),
            _TEXT.map(lambda x: f"<f>{x}</f>"),
            st.sampled_from(
                ['<f t="shared" ref="A1:A4" si="0">B1+1</f>', '<f t="shared" si="0"/>', '<f t="shared" si="1"/>',
                 '<f aca="false">1+1</f>', '<f aca="true"/>', '<f ca="1">NOW()</f>', "<f/>", "<f />", "<f></f>",
                 '<f t="array" ref="A1">1</f>']
            ),
        )
    )  # fmt: skip
    v = draw(st.one_of(st.none(), st.just("<v/>"), _NUMBER.map(lambda x: f"<v>{x}</v>")))
    inner = (f_el or "") + (v or "")
    if t == "inlineStr" and draw(st.booleans()):
        inner = f"<is><t>{draw(_TEXT)}</t></is>"
    return f"<c{attrs}>{inner}</c>"


@st.composite
def _gen_sheet(draw: st.DrawFn) -> bytes:
    cells = draw(st.lists(_gen_cell(), max_size=12))
    rows = "".join(f'<row r="{i + 1}">{c}</row>' for i, c in enumerate(cells))
    merges = draw(st.lists(st.sampled_from(['<mergeCell ref="A1:B2"/>', '<mergeCell ref="C3"/>']), max_size=2))
    merge_xml = f'<mergeCells count="{len(merges)}">{"".join(merges)}</mergeCells>' if merges else ""
    return f'<?xml version="1.0"?><worksheet xmlns="{NS}"><sheetData>{rows}</sheetData>{merge_xml}</worksheet>'.encode()


@needs_accel
@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=_gen_sheet(), limits=st.sampled_from([(xlsx.MAX_ROWS, xlsx.MAX_COLS), (3, 2), (1, 200)]))
def test_generated_sheets(data: bytes, limits: tuple[int, int]) -> None:
    with _limits(*limits):
        if _scan(data) is not None:
            assert _expat_ok(data)
        pure, fast = _sheet_both(data)
    assert pure == fast


# Texts made of pieces around what the scanner's shortcuts take at once (runs of ASCII 8 bytes at a time, runs of
# Thai two characters at a time) and what they must stop at, at every offset: in text and in attribute values, the
# scanner must say well-formed exactly where expat does (but for "]]>" in a value, which it refuses to be safe).
_GOOD = [
    b"a", b"Z", b"0", b"abcdefgh", b" ", b"\t", b"\n", b"\r", b"\r\n", "ก".encode(), "ข้อความภาษาไทย".encode(),
    "é".encode(), "Ā".encode(), "€".encode(), "🙂".encode(), "\ufdd0".encode(), "\ufffd".encode(), b"\x7f",
    b"\xe0\xa0\x80", b"\xed\x9f\xbf", b"\xc2\x80", b"\xf4\x8f\xbf\xbf", b"\xf0\x90\x80\x80", b"&amp;", b"&lt;",
    b"&#3585;", b"&#x0E01;", b"&#x10FFFF;", b">", b"]", b"]]", b"'", b"=", b"$A$1",
]  # fmt: skip
_BAD = [
    b"\xe0\x80\x80", b"\xe0\x9f\xbf", b"\xed\xa0\x80", b"\xed\xbf\xbf", b"\xef\xbf\xbe", b"\xef\xbf\xbf",
    b"\xc0\x80", b"\xc1\xbf", b"\xf4\x90\x80\x80", b"\xf0\x8f\xbf\xbf", b"\xf5\x80\x80\x80", b"\x80", b"\xbf",
    b"\xe0\xb8", b"\xe0\xb8A", b"\xe0\xb8\xe0\xb8\x81", b"\xc3", b"\x00", b"\x01", b"\x0b", b"\x1f", b"&#0;",
    b"&#xFFFE;", b"&#xD800;", b"&#x110000;", b"&#65", b"&bogus;", b"&", b"&amp", b"]]>", b"\xe0\xb8\xff",
    b"\xe0\xc0\x80", b"\xe0\xb8\x3c",
]  # fmt: skip
_THAI = [c.encode() for c in "กขคฅฆไย่้๊๋ำ"] + [b"\xe0\xa0\x80", b"\xe0\xbf\xbf"]
_ASCII = [b"a", b"Z", b"0", b"$", b" ", b"'", b"abcdefg"]


def _around(pieces: list[bytes]) -> st.SearchStrategy[bytes]:
    """Pieces, and mostly one bad one among them (more would hide each other), at any offset."""
    return st.tuples(
        st.lists(st.sampled_from(pieces), max_size=16),
        st.one_of(st.just(b""), st.sampled_from(_BAD), st.sampled_from(_BAD)),
        st.lists(st.sampled_from(pieces), max_size=16),
    ).map(lambda t: b"".join(t[0]) + t[1] + b"".join(t[2]))


_BAD_THAI = [
    b"\xe0\x80\x80", b"\xe0\x9f\xbf", b"\xe0\xb8\xff", b"\xe0\xb8\xc0", b"\xe0\xc0\x80", b"\xe0\xb8\x41",
    b"\xe0\xb8", b"\xe0", b"\xb8\x81", b"\xed\xa0\x80", b"\xef\xbf\xbe", b"\xe0\xb8\xe0\xb8", b"\xf0\xb8\x81",
]  # fmt: skip
_THAI_AROUND_BAD = st.tuples(
    st.lists(st.sampled_from(_THAI), max_size=9),
    st.sampled_from(_BAD_THAI),
    st.lists(st.sampled_from(_THAI), max_size=9),
).map(lambda t: b"".join(t[0]) + t[1] + b"".join(t[2]))
_PIECED = st.one_of(_around(_GOOD), _around(_THAI), _around(_ASCII), _THAI_AROUND_BAD)
_PLACES = {
    "value": '<c r="A1" t="str"><v>@</v></c>',
    "formula": '<c r="A1"><f>@</f><v>1</v></c>',
    "text": (
        '<c r="A1"><v>1</v></c></row></sheetData><headerFooter><oddHeader>@</oddHeader></headerFooter><sheetData><row>'
    ),
    "attribute": '<c r="A1"><v>1</v></c></row><row r="2" spans="@">',
}


@needs_accel
def test_every_offset_in_runs() -> None:
    """Each bad piece (and some good ones) at every offset of a run of ASCII and of Thai, in each place: the runs
    are taken 8 bytes (ASCII) or two characters (Thai) at a time, and what stops them must be seen wherever it is."""
    pieces = [b"&", b"&bogus;", b"]]>", b"\x01", b"\x1f", b"\x00", b"\x80", b"\xc3", b"\xe0\x80\x80",
              b"\xe0\xb8\xff", b"\xed\xa0\x80", b"\xef\xbf\xbe", b"\xe0\xb8", b"]]&gt;", b"&amp;", b"\t", b"\r\n", b"]",
              b">", "é".encode(), "ก".encode()]  # fmt: skip
    for fill in (b"abcdefghijklmnopqrstuvwx", "กขคงจฉชซฌญฎฏ".encode()):
        for piece in pieces:
            for at in range(0, 25):
                text = fill[:at] + piece + fill[at:]
                for place in _PLACES:
                    data = _doc(_PLACES[place]).replace(b"@", text)
                    ok = _expat_ok(data)
                    assert X.well_formed(data) == ok or (place == "attribute" and b"]]>" in text), (place, text)
                    found = _scan(data)
                    assert found is None or ok
                    if place == "value" and found is not None:
                        pure, fast = _sheet_both(data)
                        assert pure == fast, text


@needs_accel
def test_every_kind_at_every_offset() -> None:
    """Texts of each kind, their widest character at every offset (the kind is found 8 bytes at a time, and in the
    bytes left over one by one)."""
    cells, formulas = [], []  # each row's cells together (a row met again after another is left to Python)
    for k, wide in enumerate(["é", "ÿ", "Ā", "ſ", "ߡ", "ก", "€", "\uffee", "🙂"]):
        for at in range(0, 19):
            text = "abcdefghijklmnopqr"[:at] + wide + "abcdefghijklmnopqr"[at:]
            cells.append(f'<c r="{"ABCDEFGHIJKLMNOPQRST"[at]}{k + 1}" t="str"><v>{text}</v></c>')
            formulas.append(f'<c r="{"ABCDEFGHIJKLMNOPQRST"[at]}{k + 11}"><f>"{text}"</f><v>1</v></c>')
    got = _cells(_doc("".join(cells + formulas)))
    assert got[(2, 0)][0] == "Āabcdefghijklmnopqr" and got[(18, 5)][1] == '="abcde🙂fghijklmnopqr"'


@needs_accel
@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=_PIECED, place=st.sampled_from(sorted(_PLACES)))
def test_pieced_texts(text: bytes, place: str) -> None:
    data = _doc(_PLACES[place]).replace(b"@", text)
    ok = _expat_ok(data)
    if place == "attribute" and b"]]>" in text:
        assert not X.well_formed(data) or ok
    else:
        assert X.well_formed(data) == ok
    if _scan(data) is not None:
        assert ok
    pure, fast = _sheet_both(data)
    assert pure == fast


@needs_accel
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(texts=st.lists(_PIECED, min_size=1, max_size=3))
def test_pieced_shared_strings(texts: list[bytes]) -> None:
    items = b"".join(b"<si><t>" + t + b"</t></si>" for t in texts)
    data = b'<?xml version="1.0" encoding="UTF-8"?>\n<sst xmlns="' + NS.encode() + b'">' + items + b"</sst>"
    found = X.scan_sst(data)
    assert (found is not None) == _expat_ok(data)
    if found is not None:
        assert found == xlsx._shared_strings_fast(data)


# ------------------------------------------------------------------------------------------------ robustness


@needs_accel
def test_cells_of_another_class_are_called() -> None:
    """Cells of a class that is not a plain slots dataclass are built by calling it: the same cells."""

    @dataclass
    class Loose:  # no __slots__
        value: Any = None
        formula: str | None = None
        error: str | None = None
        cached: bool = True

    data = _SHEETS[0]
    a = X.scan_sheet(data, 5000, 200, STRINGS * 100, DATES, xlsx.Cell)
    b = X.scan_sheet(data, 5000, 200, STRINGS * 100, DATES, Loose)
    assert a is not None and b is not None and len(a[0]) > 10
    cells_a = [(r, c, _cell_key(cell)) for r, in_row in a[0].items() for c, cell in in_row.items() if cell is not None]
    cells_b = [(r, c, _cell_key(cell)) for r, in_row in b[0].items() for c, cell in in_row.items() if cell is not None]
    assert cells_a == cells_b
    assert all(type(cell) is Loose for in_row in b[0].values() for cell in in_row.values() if cell is not None)


@needs_accel
def test_large_sheet_up_to_the_fast_limit() -> None:
    row = "".join(f'<c r="{c}{{r}}" s="1"/>' for c in "ABCDEFGH") + '<c r="I{r}"><f>A{r}+1</f><v>{r}</v></c>'
    body, size, r = [], 0, 1
    while size < xlsx.FAST_LIMIT - 400:
        chunk = f'<row r="{r}">' + row.format(r=r) + "</row>"
        if size + len(chunk) > xlsx.FAST_LIMIT - 400:
            break
        body.append(chunk)
        size += len(chunk)
        r += 1
    data = f'<?xml version="1.0"?><worksheet xmlns="{NS}"><sheetData>{"".join(body)}</sheetData></worksheet>'.encode()
    assert len(data) <= xlsx.FAST_LIMIT
    found = _scan(data)
    assert found is not None
    rows, hard, max_row, max_col, far_row, far_col, truncated, _ = found
    assert list(rows) == list(range(xlsx.MAX_ROWS)) and all(list(in_row) == [8] for in_row in rows.values())
    assert (hard, max_row, max_col, truncated) == ([], xlsx.MAX_ROWS - 1, 8, True)
    assert far_row == xlsx.MAX_ROWS and far_col == 8


def _rss_kb() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * resource.getpagesize() // 1024


@needs_accel
@pytest.mark.skipif(not Path("/proc/self/statm").exists(), reason="needs /proc")
def test_no_leak_over_many_calls() -> None:
    sheet = max(_SHEETS, key=len)
    refs = sheet.replace(b"</sheetData>", b'<row r="999"><c r="A999" t="str"><v>&#128;</v></c></row></sheetData>')
    broken = sheet[: len(sheet) // 2]
    strings = ["x"] * 2000

    def once() -> None:
        assert X.scan_sheet(sheet, 5000, 200, strings, DATES, xlsx.Cell) is not None
        assert X.scan_sheet(refs, 5000, 200, strings, DATES, xlsx.Cell) is not None
        assert X.scan_sheet(broken, 5000, 200, strings, DATES, xlsx.Cell) is None
        assert X.scan_sst(_SST) is not None
        assert X.scan_sst(_SST[:-20]) is None
        X.well_formed(sheet)

    for _ in range(200):
        once()
    before = _rss_kb()
    for _ in range(2000):
        once()
    assert _rss_kb() - before < 2048, "memory grew over 2,000 calls"


def test_render_round_trip_reads_the_same(example_plan: Any) -> None:
    data = render(example_plan)
    pure, fast = _book_both(data)
    assert pure == fast
