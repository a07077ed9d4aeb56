"""A small, safe, streaming reader of .xlsx files: every cell's formula AND its cached value, in one pass.

Why not openpyxl here: it gives either formulas or cached values per load (two loads), trusts a sheet's declared
size, and grows past a gigabyte on a cell at XFD1048576. This reader streams each sheet's XML (expat, which stops
entity expansion), keeps only the area a plan can occupy (``MAX_ROWS`` x ``MAX_COLS``), counts what lies beyond,
and never reads more than ``MAX_PART_BYTES`` of any part. File-level dangers (bombs, entities, encryption) are
turned away before this runs (:mod:`xlplan.sniff`).
"""

from __future__ import annotations

import html
import io
import posixpath
import re
import zipfile
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import lru_cache
from typing import IO, Any
from xml.etree.ElementTree import XMLPullParser, iterparse
from xml.parsers.expat import ParserCreate

from xlplan.cells import a1
from xlplan.cells import parse_a1 as _parse_a1

parse_a1 = lru_cache(maxsize=65536)(_parse_a1)

MAX_ROWS = 5_000  # a plan has tens of rows; a national roll-up stays far below this
MAX_COLS = 200
MAX_PART_BYTES = 150 * 1024 * 1024

NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
NS_R = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
NS_PKG = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_EPOCH = datetime(1899, 12, 30)
_DATE_FMT = re.compile(r"(?<![\\\"])[dmyeb]|วว|ดด|ปป", re.IGNORECASE)
_BUILTIN_DATE_FMTS = set(range(14, 23)) | set(range(27, 37)) | set(range(45, 48)) | set(range(50, 59)) | {71, 72, 73}


class XlsxError(Exception):
    """The package is not a readable workbook (a part is missing or malformed)."""


@dataclass(slots=True)
class Cell:
    value: Any = None  # cached value for formulas; None, bool, int, float, str or datetime
    formula: str | None = None  # "=SUM(G5:K5)"
    error: str | None = None  # "#REF!" when the cell holds an error value
    cached: bool = True  # False: a formula saved without its value

    @property
    def empty(self) -> bool:
        return self.formula is None and (self.value is None or self.value == "")


@dataclass
class Sheet:
    name: str
    state: str = "visible"
    cells: dict[tuple[int, int], Cell] = field(default_factory=dict)
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)  # r0, c0, r1, c1 (inclusive)
    max_row: int = -1  # of the cells kept
    max_col: int = -1
    beyond: str = ""  # the farthest cell outside the kept area, if any ("XFD1048576")
    truncated: bool = False  # reading stopped at MAX_ROWS

    def get(self, row: int, col: int) -> Cell | None:
        return self.cells.get((row, col))

    def row(self, row: int) -> dict[int, Cell]:
        """The cells of one row by column (an index built on first use)."""
        index = self.__dict__.get("_rows")
        if index is None:
            index = {}
            for (r, c), cell in self.cells.items():
                index.setdefault(r, {})[c] = cell
            self.__dict__["_rows"] = index
        return index.get(row, {})

    def value(self, row: int, col: int) -> Any:
        c = self.cells.get((row, col))
        return None if c is None else c.value

    def rows(self) -> list[int]:
        return sorted({r for r, _ in self.cells})


@dataclass
class Book:
    sheets: dict[str, Sheet]
    defined_names: dict[str, str]
    order: list[str]

    def sheet(self, name: str) -> Sheet | None:
        return self.sheets.get(name)


class _Capped(io.RawIOBase):
    """A stream that refuses to yield more than ``limit`` bytes (declared sizes in a zip can lie)."""

    def __init__(self, raw: IO[bytes], limit: int) -> None:
        self.raw = raw
        self.left = limit

    def readable(self) -> bool:
        return True

    def readinto(self, b: Any) -> int:
        if self.left <= 0:
            raise XlsxError("part larger than the reading limit")
        data = self.raw.read(min(len(b), self.left))
        self.left -= len(data)
        b[: len(data)] = data
        return len(data)


def _open(z: zipfile.ZipFile, name: str) -> IO[bytes]:
    return io.BufferedReader(_Capped(z.open(name), MAX_PART_BYTES))


def _find(z: zipfile.ZipFile, name: str) -> str | None:
    """Part names are case-insensitive in OOXML; some writers capitalise differently."""
    names = {n.lower(): n for n in z.namelist()}
    return names.get(name.lstrip("/").lower())


def _rels(z: zipfile.ZipFile, part: str) -> dict[str, str]:
    base, fname = posixpath.split(part)
    rel = _find(z, posixpath.join(base, "_rels", fname + ".rels"))
    out: dict[str, str] = {}
    if rel is None:
        return out
    for _, el in iterparse(_open(z, rel)):
        if el.tag == f"{NS_PKG}Relationship":
            target = el.get("Target", "")
            path = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join(base, target))
            out[el.get("Id", "")] = path
    return out


def _shared_strings(z: zipfile.ZipFile, part: str | None) -> list[str]:
    if part is None:
        return []
    out: list[str] = []
    buf: list[str] = []
    skip = 0  # inside <rPh> (phonetic runs), whose text is not part of the value
    for event, el in iterparse(_open(z, part), events=("start", "end")):
        tag = el.tag
        if tag == f"{NS}rPh":
            skip += 1 if event == "start" else -1
        elif event == "end":
            if tag == f"{NS}t" and not skip:
                buf.append(el.text or "")
            elif tag == f"{NS}si":
                out.append("".join(buf))
                buf = []
                el.clear()
    return out


def _date_styles(z: zipfile.ZipFile, part: str | None) -> set[int]:
    if part is None:
        return set()
    custom: dict[int, str] = {}
    xfs: list[int] = []
    in_cellxfs = False
    for event, el in iterparse(_open(z, part), events=("start", "end")):
        if el.tag == f"{NS}numFmt" and event == "end":
            custom[int(el.get("numFmtId", "0"))] = el.get("formatCode", "")
        elif el.tag == f"{NS}cellXfs":
            in_cellxfs = event == "start"
        elif el.tag == f"{NS}xf" and event == "end" and in_cellxfs:
            xfs.append(int(el.get("numFmtId", "0")))
    dates = set()
    for i, fmt_id in enumerate(xfs):
        if fmt_id in _BUILTIN_DATE_FMTS or (fmt_id in custom and _DATE_FMT.search(_strip_fmt(custom[fmt_id]))):
            dates.add(i)
    return dates


def _strip_fmt(code: str) -> str:
    """A number format without its quoted literals, [colour]/[$-locale] parts and the keyword General (whose 'e'
    is no era: LibreOffice saves General as a custom format, numFmtId 164 "General")."""
    return re.sub(r'"[^"]*"|\[[^\]]*\]|\\.|(?i:general)', "", code)


# A formatted empty cell, as templates hold thousands of: dropped before parsing (with r= present, nothing depends
# on it). Cut only after a '>', so no match can straddle two chunks.
_EMPTY_CELL = re.compile(rb'<c r="[A-Z]{1,3}[0-9]{1,7}"(?: s="[0-9]+")?(?: t="[a-z]+")?/>')


def _elements(stream: IO[bytes]) -> Any:
    """(event, element) of the sheet: "start" of rows (to count them), "end" of everything, without empty cells."""
    parser = XMLPullParser(events=("start", "end"))
    row_tag = f"{NS}row"
    tail = b""
    while True:
        chunk = stream.read(1 << 16)
        if not chunk:
            break
        data = tail + chunk
        cut = data.rfind(b">") + 1
        data, tail = data[:cut], data[cut:]
        parser.feed(_EMPTY_CELL.sub(b"", data))
        for event, el in parser.read_events():
            if event == "end" or el.tag == row_tag:
                yield event, el
    parser.feed(tail)
    parser.close()
    for event, el in parser.read_events():
        if event == "end" or el.tag == row_tag:
            yield event, el


def _translate(master: str, origin: str, target: str) -> str:
    from openpyxl.formula.translate import Translator  # only shared formulas need it (Excel fill-down)

    return Translator(master, origin=origin).translate_formula(target)


def _cell(
    row: int,
    col: int,
    t: str,
    style: int,
    formula: str | None,
    f_type: str | None,
    f_si: str | None,
    raw: str | None,
    inline: str | None,
    strings: list[str],
    dates: set[int],
    shared: dict[str, tuple[str, str]],
) -> Cell:
    """One cell from its parsed parts (both sheet parsers end here)."""
    cell = Cell()
    if formula is not None:
        text = formula
        if f_type == "shared" and f_si is not None:
            if text:
                shared[f_si] = ("=" + text, a1(row, col))
            elif f_si in shared:
                master, origin = shared[f_si]
                text = _translate(master, origin, a1(row, col))[1:]
        cell.formula = "=" + text
        # <v></v> is a saved empty text only in a text cell (t="str"); in a number cell it is no value at all,
        # as openpyxl saves every formula (and xlsxwriter one written without a value)
        cell.cached = raw is not None and (raw != "" or t in ("str", "inlineStr"))
    if t == "s":
        cell.value = strings[int(raw)] if raw is not None and raw.isdigit() and int(raw) < len(strings) else None
    elif t == "inlineStr":
        cell.value = inline if inline is not None else ""
    elif t == "str":
        cell.value = raw if raw is not None else ""
    elif t == "b":
        cell.value = raw == "1" if raw is not None else None
    elif t == "e":
        cell.error = raw
        cell.value = raw
    elif t == "d":
        cell.value = raw
    elif raw is not None and raw != "":
        try:
            num: int | float = int(raw) if raw.lstrip("-").isdigit() else float(raw)
        except ValueError:
            num = float("nan")
        if style in dates and 0 <= num < 2958466:
            cell.value = _EPOCH + timedelta(days=float(num))
        else:
            cell.value = num
    return cell


def _keep(sh: Sheet, row: int, col: int, cell: Cell) -> None:
    if cell.formula is not None or cell.value not in (None, ""):
        sh.cells[(row, col)] = cell
        if row > sh.max_row:
            sh.max_row = row
        if col > sh.max_col:
            sh.max_col = col


# The fast path: a plan's sheet XML (well under FAST_LIMIT bytes) is scanned with regular expressions, which run
# in C; the streaming parser below takes the large or unusual sheets (no r= on cells, CDATA).
FAST_LIMIT = 16 * 1024 * 1024
_P = rb"(?:[A-Za-z_][\w.-]*:)?"  # an optional namespace prefix (x:c from some writers)
_CELL_RE = re.compile(rb"<" + _P + rb"c(\s[^>]*?)?(?:/>|>(.*?)</" + _P + rb"c>)", re.S)
_ATTR_RE = re.compile(rb'([\w:]+)\s*=\s*"([^"]*)"')
_F_RE = re.compile(rb"<" + _P + rb"f(\s[^>]*?)?(?:/>|>(.*?)</" + _P + rb"f>)", re.S)
_V_RE = re.compile(rb"<" + _P + rb"v(?:\s[^>]*?)?(?:/>|>(.*?)</" + _P + rb"v>)", re.S)
_T_RE = re.compile(rb"<" + _P + rb"t(?:\s[^>]*?)?(?:/>|>(.*?)</" + _P + rb"t>)", re.S)
_RPH_RE = re.compile(rb"<" + _P + rb"rPh\b.*?</" + _P + rb"rPh>", re.S)
_MERGE_RE = re.compile(rb"<" + _P + rb'mergeCell\s[^>]*?ref="([^"]+)"')
_REF_RE = re.compile(rb"^([A-Z]{1,3})([0-9]{1,7})$")


def _text(raw: bytes | None) -> str | None:
    if raw is None:
        return None
    text = raw.decode("utf-8")
    return html.unescape(text) if "&" in text else text


# The shape nearly every writer gives a cell (xlsxwriter, Excel, LibreOffice): r, s, t in that order, an optional
# formula, an optional value. All such cells are taken in one findall (C speed); a sheet where any cell has
# another shape goes through the general expressions below.
_SIMPLE_CELL_RE = re.compile(
    rb'<c r="([A-Z]{1,3})([0-9]{1,7})"(?: s="([0-9]+)")?(?: t="([a-zA-Z]+)")?>'
    rb"(?:(<f)([^>]*)(?:>(.*?)</f>|/>))?(?:(<v)(?:>(.*?)</v>|/>))?</c>",
    re.S,
)


def _sheet_simple(data: bytes, sh: Sheet, strings: list[str], dates: set[int]) -> bool:
    cells = _SIMPLE_CELL_RE.findall(data)
    if len(cells) != data.count(b"<c "):
        return False
    shared: dict[str, tuple[str, str]] = {}
    far_row = far_col = -1
    for letters, digits, style, t, f_open, f_attrs, f_text, v_open, v in cells:
        row, col = int(digits) - 1, _col_index(letters)
        if row >= MAX_ROWS or col >= MAX_COLS:
            far_row, far_col = max(far_row, row), max(far_col, col)
            if row >= MAX_ROWS:
                sh.truncated = True
                break
            continue
        formula = f_type = f_si = None
        if f_open:
            formula = _text(f_text) or ""
            if f_attrs.strip():
                attrs = dict(_ATTR_RE.findall(f_attrs))
                f_type = attrs[b"t"].decode() if b"t" in attrs else None
                f_si = attrs[b"si"].decode() if b"si" in attrs else None
        raw = (_text(v) or "") if v_open else None
        cell = _cell(row, col, t.decode() if t else "n", int(style or 0), formula, f_type, f_si, raw, None, strings,
                     dates, shared)
        _keep(sh, row, col, cell)
    if far_row >= 0:
        sh.beyond = a1(min(far_row, 1_048_575), min(far_col, 16_383))
    return True


def _sheet_fast(data: bytes, sh: Sheet, strings: list[str], dates: set[int]) -> bool:
    """Parse a sheet's XML with regular expressions; False when it holds something only the full parser reads."""
    if b"<![CDATA[" in data:
        return False
    expat = ParserCreate()
    expat.Parse(data, True)  # malformed XML raises here, as the streaming parser would (F115)
    data = _EMPTY_CELL.sub(b"", data)
    for ref in _MERGE_RE.findall(data):
        text = ref.decode()
        if ":" in text:
            (r0, c0), (r1, c1) = (parse_a1(x) for x in text.split(":"))
            sh.merged.append((r0, c0, r1, c1))
    if _sheet_simple(data, sh, strings, dates):
        return True
    sh.cells.clear()
    shared: dict[str, tuple[str, str]] = {}
    far_row = far_col = -1
    for m in _CELL_RE.finditer(data):
        attrs = dict(_ATTR_RE.findall(m.group(1) or b""))
        ref = attrs.get(b"r")
        if ref is None:
            sh.cells.clear()
            return False  # cells placed by position: the streaming parser counts them
        inner = m.group(2)
        if not inner:
            continue
        rm = _REF_RE.match(ref)
        if rm is None:
            sh.cells.clear()
            return False
        row, col = int(rm.group(2)) - 1, _col_index(rm.group(1))
        if row >= MAX_ROWS or col >= MAX_COLS:
            far_row, far_col = max(far_row, row), max(far_col, col)
            if row >= MAX_ROWS:
                sh.truncated = True
                break
            continue
        t = attrs.get(b"t", b"n").decode()
        formula = f_type = f_si = None
        fm = _F_RE.search(inner)
        if fm is not None:
            formula = _text(fm.group(2)) or ""
            fa = dict(_ATTR_RE.findall(fm.group(1) or b""))
            f_type = fa[b"t"].decode() if b"t" in fa else None
            f_si = fa[b"si"].decode() if b"si" in fa else None
        vm = _V_RE.search(inner)
        raw = (_text(vm.group(1)) or "") if vm is not None else None
        inline = None
        if t == "inlineStr":
            body = _RPH_RE.sub(b"", inner)
            inline = "".join(_text(x) or "" for x in _T_RE.findall(body))
        style = int(attrs.get(b"s", b"0") or 0)
        _keep(sh, row, col, _cell(row, col, t, style, formula, f_type, f_si, raw, inline, strings, dates, shared))
    if far_row >= 0:
        sh.beyond = a1(min(far_row, 1_048_575), min(far_col, 16_383))
    return True


@lru_cache(maxsize=4096)
def _col_index(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + (ch - 64)
    return n - 1


def _sheet(z: zipfile.ZipFile, part: str, name: str, state: str, strings: list[str], dates: set[int]) -> Sheet:
    sh = Sheet(name, state)
    if z.getinfo(part).file_size <= FAST_LIMIT:
        with _open(z, part) as f:
            data = f.read(FAST_LIMIT + 1)
        if len(data) <= FAST_LIMIT and _sheet_fast(data, sh, strings, dates):
            return sh
        sh = Sheet(name, state)
    return _sheet_stream(z, part, sh, strings, dates)


def _sheet_stream(z: zipfile.ZipFile, part: str, sh: Sheet, strings: list[str], dates: set[int]) -> Sheet:
    """The streaming parser: any well-formed sheet, stopping at MAX_ROWS (a million-row sheet stops early)."""
    shared: dict[str, tuple[str, str]] = {}
    far_row = far_col = -1
    c_tag, f_tag, v_tag, row_tag = f"{NS}c", f"{NS}f", f"{NS}v", f"{NS}row"
    is_tag, t_tag, merge_tag = f"{NS}is", f"{NS}t", f"{NS}mergeCell"
    next_row = -1
    next_col = 0
    for event, el in _elements(_open(z, part)):
        tag = el.tag
        if event == "start":  # a row begins: cells without r= are placed from here
            r = el.get("r")
            next_row = int(r) - 1 if r and r.isdigit() else next_row + 1
            next_col = 0
            continue
        if tag == c_tag:
            ref = el.get("r")
            if ref and not len(el):  # a formatted empty cell: most cells of a template
                el.clear()
                continue
            if ref:
                row, col = parse_a1(ref)
            else:  # r is optional: cells then follow one another
                row, col = next_row, next_col
            next_col = col + 1
            if row >= MAX_ROWS or col >= MAX_COLS:
                far_row, far_col = max(far_row, row), max(far_col, col)
                el.clear()
                if row >= MAX_ROWS:
                    sh.truncated = True
                    break
                continue
            t = el.get("t", "n")
            f_el = el.find(f_tag)
            v_el = el.find(v_tag)
            raw = (v_el.text or "") if v_el is not None else None  # <v></v>: a saved empty value
            inline = None
            if t == "inlineStr":
                is_el = el.find(is_tag)
                inline = "".join(x.text or "" for x in is_el.iter(t_tag)) if is_el is not None else ""
            formula = f_el.text or "" if f_el is not None else None
            f_type = f_el.get("t") if f_el is not None else None
            f_si = f_el.get("si") if f_el is not None else None
            style = int(el.get("s", "0"))
            _keep(sh, row, col, _cell(row, col, t, style, formula, f_type, f_si, raw, inline, strings, dates, shared))
            el.clear()
        elif tag == row_tag:
            el.clear()
        elif tag == merge_tag:
            ref = el.get("ref", "")
            if ":" in ref:
                (r0, c0), (r1, c1) = (parse_a1(x) for x in ref.split(":"))
                sh.merged.append((r0, c0, r1, c1))
    if far_row >= 0:
        sh.beyond = a1(min(far_row, 1_048_575), min(far_col, 16_383))
    return sh


def read_book(source: str | Any) -> Book:
    """Read every sheet of an .xlsx (path or file object)."""
    try:
        z = zipfile.ZipFile(source)
    except (zipfile.BadZipFile, OSError) as exc:
        raise XlsxError(f"not a zip package: {exc}") from None
    with z:
        wb_part = _find(z, "xl/workbook.xml")
        if wb_part is None:
            # the main part may live elsewhere: ask the package relationships
            root = _rels(z, "")
            wb_part = next((t for t in root.values() if t.endswith(".xml")), None)
            if wb_part is None or _find(z, wb_part) is None:
                raise XlsxError("no workbook part (xl/workbook.xml)")
            wb_part = _find(z, wb_part)
        assert wb_part is not None
        rels = _rels(z, wb_part)
        sheets_decl: list[tuple[str, str, str]] = []
        names: dict[str, str] = {}
        for _, el in iterparse(_open(z, wb_part)):
            if el.tag == f"{NS}sheet":
                rid = el.get(f"{NS_R}id", "")
                sheets_decl.append((el.get("name", ""), rels.get(rid, ""), el.get("state", "visible")))
            elif el.tag == f"{NS}definedName":
                names[el.get("name", "")] = el.text or ""
        ss_part = next((p for p in rels.values() if p.lower().endswith("sharedstrings.xml")), None)
        st_part = next((p for p in rels.values() if p.lower().endswith("styles.xml")), None)
        strings = _shared_strings(z, _find(z, ss_part) if ss_part else None)
        dates = _date_styles(z, _find(z, st_part) if st_part else None)
        sheets: dict[str, Sheet] = {}
        for name, target, state in sheets_decl:
            part = _find(z, target) if target else None
            if part is None:
                sheets[name] = Sheet(name, state)  # a chart sheet or a dangling reference: no cells
                continue
            sheets[name] = _sheet(z, part, name, state, strings, dates)
        return Book(sheets, names, [n for n, _, _ in sheets_decl])
