"""A small, safe, streaming reader of .xlsx files: every cell's formula AND its cached value, in one pass.

Why not openpyxl here: it gives either formulas or cached values per load (two loads), trusts a sheet's declared
size, and grows past a gigabyte on a cell at XFD1048576. This reader streams each sheet's XML (expat, which stops
entity expansion), keeps only the area a plan can occupy (``MAX_ROWS`` x ``MAX_COLS``), counts what lies beyond,
and never reads more than ``MAX_PART_BYTES`` of any part. File-level dangers (bombs, entities, encryption) are
turned away before this runs (:mod:`xlplan.sniff`).

Speed: where the optional compiled scanner ``xlplan._xlscan`` is built (``setup.py``; it needs a C compiler at
install), worksheets and shared strings in the usual shapes are checked and read by it in one pass; it answers
only where it gives exactly what the Python code below gives, and says "unsure" otherwise (the Python code then
reads the part, raising what it always raised). ``XLPLAN_PURE=1`` in the environment (read at every part) turns
it off.
"""

from __future__ import annotations

import html
import io
import os
import posixpath
import re
import zipfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import lru_cache
from types import MappingProxyType
from typing import IO, Any
from xml.etree.ElementTree import XMLPullParser, iterparse
from xml.parsers.expat import ExpatError, ParserCreate

from xlplan.cells import a1
from xlplan.cells import parse_a1 as _parse_a1

try:
    from xlplan import _xlscan  # the optional compiled scanner (see setup.py)
except ImportError:  # built without a C compiler: everything is read in Python
    _xlscan = None

parse_a1 = lru_cache(maxsize=65536)(_parse_a1)


@lru_cache(maxsize=8192)
def _merged_range(ref: str) -> tuple[int, int, int, int]:
    """'A5:C5' -> (4, 0, 4, 2): a merged range's corners (r0, c0, r1, c1). Plans of one template merge the same
    ranges, ~50 a workbook: each is taken apart once."""
    first, last = ref.split(":")
    return (*parse_a1(first), *parse_a1(last))


MAX_ROWS = 5_000  # a plan has tens of rows; a national roll-up stays far below this
MAX_COLS = 200
MAX_PART_BYTES = 150 * 1024 * 1024

NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
NS_R = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
NS_PKG = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_EPOCH = datetime(1899, 12, 30)
_DATE_FMT = re.compile(r"(?<![\\\"])[dmyeb]|วว|ดด|ปป", re.IGNORECASE)
_BUILTIN_DATE_FMTS = set(range(14, 23)) | set(range(27, 37)) | set(range(45, 48)) | set(range(50, 59)) | {71, 72, 73}


def _accelerator() -> Any:
    """The compiled scanner, unless it is not built or XLPLAN_PURE=1 (read at every use, so tests can switch)."""
    if _xlscan is None or os.environ.get("XLPLAN_PURE") == "1":
        return None
    return _xlscan


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


_NO_CELLS: Mapping[int, Cell] = MappingProxyType({})  # the cells of a row without any (one, read-only, for all)


@dataclass
class Sheet:
    """A worksheet's cells, held one of two ways: by position ({(row, col): cell}, ``cells``), with the index by row
    ({row: {col: cell}}, ``rows_index``) built from it on first use, as the pure-Python paths read a sheet; or by
    row only, as the compiled scanner reads it (see _sheet_scanned), with ``cells`` built from the index on first
    use, which reading and checking a plan never asks for (see get). The scanner's way spares a (row, col) tuple
    and a second dict (two, with the copy _sheet_scanned made) per cell, and their freeing: read_book 1.88 -> 1.52
    ms of CPU a workbook of ~1,700 cells, freeing included, and read_one ~0.3-0.7 ms less a file (397 corpus
    workbooks; ×8,084 for the country). Either way the index flattened row by row gives the cells in the order of
    ``cells``: document order (the scanner leaves a sheet whose rows come back after others to Python)."""

    name: str
    state: str = "visible"
    # {(row, col): cell}, or None while the cells are held by row only (the "_rows" entry of __dict__ then)
    _cells: dict[tuple[int, int], Cell] | None = field(default_factory=dict, repr=False)
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)  # r0, c0, r1, c1 (inclusive)
    max_row: int = -1  # of the cells kept
    max_col: int = -1
    beyond: str = ""  # the farthest cell outside the kept area, if any ("XFD1048576")
    truncated: bool = False  # reading stopped at MAX_ROWS

    @property
    def cells(self) -> dict[tuple[int, int], Cell]:
        """{(row, col): cell} in document order (for a sheet held by row: built from the index on first use, then
        kept; like the index, not to be changed once the other is built)."""
        cells = self._cells
        if cells is None:
            cells = self._cells = {(r, c): cell for r, c, cell in self.each()}
        return cells

    def each(self) -> Iterator[tuple[int, int, Cell]]:
        """(row, col, cell) of every cell, in the order of ``cells``, from the index (never builds ``cells``)."""
        for r, in_row in self.rows_index().items():
            for c, cell in in_row.items():
                yield r, c, cell

    @cells.setter
    def cells(self, cells: dict[tuple[int, int], Cell]) -> None:
        self._cells = cells

    def _held_by_row(self, rows: dict[int, dict[int, Cell]]) -> None:
        """Make rows (in document order, without empty rows) the sheet's one store of its cells."""
        self._cells = None
        self.__dict__["_rows"] = rows

    # what the generated __eq__ and __repr__ took (cells included): kept, whichever way a sheet holds its cells
    _SHOWN = ("name", "state", "cells", "merged", "max_row", "max_col", "beyond", "truncated")

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Sheet):
            return NotImplemented
        return all(getattr(self, k) == getattr(other, k) for k in self._SHOWN)

    def __repr__(self) -> str:
        return f"{type(self).__qualname__}({', '.join(f'{k}={getattr(self, k)!r}' for k in self._SHOWN)})"

    def get(self, row: int, col: int) -> Cell | None:
        """The cell at (row, col), or None. Looked up in the index where there is one, so that reading and checking
        a plan the scanner read never builds ``cells`` (the checks of formulas look up ~1,000 cells a plan)."""
        index = self.__dict__.get("_rows")
        if index is None:
            return self.cells.get((row, col))
        in_row = index.get(row)
        return None if in_row is None else in_row.get(col)

    def row(self, row: int) -> Mapping[int, Cell]:
        """The cells of one row by column (an index built on first use; not to be changed)."""
        index = self.__dict__.get("_rows")
        if index is None:
            index = self.rows_index()
        return index.get(row, _NO_CELLS)

    def rows_index(self) -> dict[int, dict[int, Cell]]:
        """Row -> its cells by column, for the rows that have cells (built on first use; not to be changed)."""
        index = self.__dict__.get("_rows")
        if index is None:
            index = {}
            for (r, c), cell in self.cells.items():
                if r in index:
                    index[r][c] = cell
                else:
                    index[r] = {c: cell}
            self.__dict__["_rows"] = index
        return index

    def value(self, row: int, col: int) -> Any:
        c = self.get(row, col)
        return None if c is None else c.value

    def rows(self) -> list[int]:
        return sorted(self.rows_index())


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


class _Package:
    """The zip, and the parts :func:`xlplan.sniff.sniff` already decompressed (and CRC-checked) while looking at
    them: each part is decompressed once per check instead of twice. With every part at hand, no zip (``z`` None)."""

    def __init__(self, z: zipfile.ZipFile | None, parts: Mapping[str, bytes] | None) -> None:
        self.z = z
        self.parts = parts or {}
        self._names: dict[str, str] | None = None

    def find(self, name: str) -> str | None:
        """Part names are case-insensitive in OOXML; some writers capitalise differently."""
        if self._names is None:
            self._names = {n.lower(): n for n in (self.z.namelist() if self.z is not None else self.parts)}
        return self._names.get(name.lstrip("/").lower())

    def open(self, name: str) -> IO[bytes]:
        data = self.parts.get(name)
        # sniff keeps only parts far below MAX_PART_BYTES, so the cap cannot apply to them
        return io.BytesIO(data) if data is not None or self.z is None else _open(self.z, name)

    def read(self, name: str, limit: int) -> bytes | None:
        """The whole part when it is at most ``limit`` bytes (read capped: declared sizes can lie), else None."""
        data = self.parts.get(name)
        if data is None:
            if self.z is None or self.z.getinfo(name).file_size > limit:
                return None
            with _open(self.z, name) as f:
                data = f.read(limit + 1)
        return data if len(data) <= limit else None


# Small parts that the workbooks of one template share byte for byte (relationships, the workbook part, styles):
# what was read from them is kept by their bytes, and the next workbook of a batch skips parsing them again.
_MEMO_PART = 64 * 1024
_MEMO_SIZE = 64
_memo: dict[tuple[str, str, bytes], Any] = {}


def _memo_put(key: tuple[str, str, bytes], value: Any) -> Any:
    if len(_memo) >= _MEMO_SIZE:
        _memo.clear()
    _memo[key] = value
    return value


def _rels(z: _Package, part: str) -> dict[str, str]:
    base, fname = posixpath.split(part)
    rel = z.find(posixpath.join(base, "_rels", fname + ".rels"))
    if rel is None:
        return {}
    data = z.read(rel, _MEMO_PART)
    if data is None:
        return _rels_parse(z.open(rel), base)
    key = ("rels", base, data)
    found = _memo.get(key)
    if found is None:
        found = _memo_put(key, _rels_parse(io.BytesIO(data), base))
    return dict(found)


def _rels_parse(stream: IO[bytes], base: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for _, el in iterparse(stream):
        if el.tag == f"{NS_PKG}Relationship":
            target = el.get("Target", "")
            path = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join(base, target))
            out[el.get("Id", "")] = path
    return out


def _workbook(z: _Package, part: str) -> tuple[list[tuple[str, str, str]], dict[str, str]]:
    """(name, relationship id, state) of each sheet, and the defined names."""
    data = z.read(part, _MEMO_PART)
    if data is None:
        return _workbook_parse(z.open(part))
    key = ("workbook", "", data)
    found = _memo.get(key)
    if found is None:
        found = _memo_put(key, _workbook_parse(io.BytesIO(data)))
    return list(found[0]), dict(found[1])


def _workbook_parse(stream: IO[bytes]) -> tuple[list[tuple[str, str, str]], dict[str, str]]:
    sheets: list[tuple[str, str, str]] = []
    names: dict[str, str] = {}
    for _, el in iterparse(stream):
        if el.tag == f"{NS}sheet":
            sheets.append((el.get("name", ""), el.get(f"{NS_R}id", ""), el.get("state", "visible")))
        elif el.tag == f"{NS}definedName":
            names[el.get("name", "")] = el.text or ""
    return sheets, names


def _shared_strings(z: _Package, part: str | None) -> list[str]:
    if part is None:
        return []
    data = z.read(part, FAST_LIMIT)
    if data is not None:
        scan = _accelerator()
        fast = scan.scan_sst(data) if scan is not None else None  # None: unsure, Python decides
        if fast is None:
            fast = _shared_strings_fast(data)
        if fast is not None:
            return fast
    out: list[str] = []
    buf: list[str] = []
    skip = 0  # inside <rPh> (phonetic runs), whose text is not part of the value
    for event, el in iterparse(z.open(part), events=("start", "end")):
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


# The shared strings as Excel, LibreOffice and xlsxwriter write them: each <si> one plain <t>, in UTF-8. Such a
# part (checked well-formed by expat first) is read with two regular expressions, several times faster than the
# element tree; anything else (rich text runs, phonetic runs, prefixes, other encodings) takes the parser above.
_SST_RE = re.compile(
    rb"(?:\xef\xbb\xbf)?"
    rb'(?:<\?xml version="1\.0"(?: encoding="(?i:utf-8)")?(?: standalone="(?:yes|no)")?\?>)?\s*'
    rb'<sst xmlns="http://schemas\.openxmlformats\.org/spreadsheetml/2006/main"(?: [\w:]+="[^"<]*")*>'
    rb'((?:<si><t(?: xml:space="preserve")?(?:/>|>[^<]*</t>)</si>)*)</sst>\s*'
)
_SI_TEXT = re.compile(r'<si><t(?: xml:space="preserve")?(?:/>|>([^<]*)</t>)</si>')
_XML_REF = re.compile(r"&(?:#x([0-9a-fA-F]+)|#([0-9]+)|(amp|lt|gt|quot|apos));")
_XML_NAMED = {"amp": "&", "lt": "<", "gt": ">", "quot": '"', "apos": "'"}


def _xml_ref(m: re.Match[str]) -> str:
    if m[1]:
        return chr(int(m[1], 16))
    if m[2]:
        return chr(int(m[2]))
    return _XML_NAMED[m[3]]


def _shared_strings_fast(data: bytes) -> list[str] | None:
    try:
        ParserCreate().Parse(data, True)
    except ExpatError:
        return None  # the element tree reports it, as it always did
    m = _SST_RE.fullmatch(data)
    if m is None:
        return None
    # the items' character data as an XML parser gives it: line ends normalised (the items hold no markup that
    # could have one), then references resolved (expat has checked that every '&' starts a valid one)
    body = data[m.start(1) : m.end(1)]
    if b"\r" in body:
        body = body.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
    texts = _SI_TEXT.findall(body.decode("utf-8"))
    if b"&" in body:
        texts = [_XML_REF.sub(_xml_ref, t) if "&" in t else t for t in texts]
    return texts


def _date_styles(z: _Package, part: str | None) -> set[int]:
    if part is None:
        return set()
    data = z.read(part, FAST_LIMIT)
    key = ("styles", "", data) if data is not None and len(data) <= _MEMO_PART else None
    if key is not None and key in _memo:
        return set(_memo[key])
    found = _styles_fast(data) if data is not None else None
    if found is not None:
        custom, xfs = found
    else:
        custom, xfs = _styles_tree(z, part)
    dates = set()
    for i, fmt_id in enumerate(xfs):
        if fmt_id in _BUILTIN_DATE_FMTS or (fmt_id in custom and _DATE_FMT.search(_strip_fmt(custom[fmt_id]))):
            dates.add(i)
    if key is not None:
        _memo_put(key, frozenset(dates))
    return dates


def _styles_tree(z: _Package, part: str) -> tuple[dict[int, str], list[int]]:
    custom: dict[int, str] = {}
    xfs: list[int] = []
    in_cellxfs = False
    for event, el in iterparse(z.open(part), events=("start", "end")):
        if el.tag == f"{NS}numFmt" and event == "end":
            custom[int(el.get("numFmtId", "0"))] = el.get("formatCode", "")
        elif el.tag == f"{NS}cellXfs":
            in_cellxfs = event == "start"
        elif el.tag == f"{NS}xf" and event == "end" and in_cellxfs:
            xfs.append(int(el.get("numFmtId", "0")))
    return custom, xfs


def _styles_fast(data: bytes) -> tuple[dict[int, str], list[int]] | None:
    """What _styles_tree reads, from expat's callbacks (no element objects), taken at the same end events; None
    sends the part to _styles_tree, which then raises whatever it always raised (malformed XML, a number format
    id that is not a number)."""
    uri = NS[1:-1]
    numfmt_tag, cellxfs_tag, xf_tag = f"{uri}}}numFmt", f"{uri}}}cellXfs", f"{uri}}}xf"
    custom: list[tuple[str, str]] = []
    xfs: list[str] = []
    open_attrs: list[dict[str, str]] = []  # of the numFmt and xf elements open (expat keeps them nested)
    in_cellxfs = [False]

    def start(name: str, attrs: dict[str, str]) -> None:
        if name in (numfmt_tag, xf_tag):
            open_attrs.append(attrs)
        elif name == cellxfs_tag:
            in_cellxfs[0] = True

    def end(name: str) -> None:
        if name == numfmt_tag:
            attrs = open_attrs.pop()
            custom.append((attrs.get("numFmtId", "0"), attrs.get("formatCode", "")))
        elif name == xf_tag:
            attrs = open_attrs.pop()
            if in_cellxfs[0]:
                xfs.append(attrs.get("numFmtId", "0"))
        elif name == cellxfs_tag:
            in_cellxfs[0] = False

    parser = ParserCreate(namespace_separator="}")
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    try:
        parser.Parse(data, True)
        return {int(k): v for k, v in custom}, [int(x) for x in xfs]
    except (ExpatError, ValueError):
        return None


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


# The shape nearly every writer gives a cell (xlsxwriter, Excel, LibreOffice): r, s, t in that order, and either an
# optional formula and an optional value, or nothing (a formatted empty cell, exactly as _EMPTY_CELL strips them).
# All cells are taken in one findall (C speed) over the sheet as it is, with no stripping pass: a run of empty cells
# is one match whose last group holds it (minus its first '<c r="'), so they cost no tuple each. A sheet where any
# cell has another shape goes through the general expressions below. Text is [^<]*: in well-formed XML (expat has
# checked) only markup (a comment, CDATA) puts a '<' there, and such a cell then fails this expression and sends the
# sheet to the general path, as a lazy '.*?' would not.
_EMPTY_CELL_BODY = rb'[A-Z]{1,3}[0-9]{1,7}"(?: s="[0-9]+")?(?: t="[a-z]+")?/>'
_SIMPLE_CELL_RE = re.compile(
    rb'<c r="(?:([A-Z]{1,3})([0-9]{1,7})"(?: s="([0-9]+)")?(?: t="([a-zA-Z]+)")?>'
    rb"(?:(<f)([^>]*)(?:>([^<]*)</f>|/>))?(?:(<v)(?:>([^<]*)</v>|/>))?</c>"
    rb"|(" + _EMPTY_CELL_BODY + rb'(?:<c r="' + _EMPTY_CELL_BODY + rb")*))"
)
_COLS: dict[bytes, int] = {}  # column letters -> index (at most 18,278 keys: 1-3 capital letters)


def _number(v: bytes, style: bytes, dates: set[int]) -> Any:
    """The value of a number cell's non-empty <v>, as _cell reads it."""
    if v.isdigit():  # ASCII digits: the usual whole number
        num: int | float = int(v)
    else:
        text = v.decode("utf-8")
        if "&" in text:
            text = html.unescape(text)
        try:
            num = int(text) if text.lstrip("-").isdigit() else float(text)
        except ValueError:
            num = float("nan")
    if dates and (int(style) if style else 0) in dates and 0 <= num < 2958466:
        return _EPOCH + timedelta(days=float(num))
    return num


def _covers(found: list[tuple[bytes, ...]], data: bytes) -> bool:
    """Whether the matches of _SIMPLE_CELL_RE take every cell ('<c ') of the sheet."""
    return sum(1 + e.count(b"<c ") if e else 1 for *_, e in found) == data.count(b"<c ")


def _sheet_simple(data: bytes, sh: Sheet, strings: list[str], dates: set[int]) -> bool:
    """Cells in the usual shape, read straight from the expression's groups. The common cases (a shared string, a
    number, a formula-less text, a plain formula) are decided here exactly as :func:`_cell` decides them, without
    building a Cell for the empty ones; everything else goes through :func:`_cell`. False, with ``sh`` untouched,
    when a cell has another shape (the general path then reads the sheet, as it did when this path checked the shape
    first: so an error _cell raises here is raised only if that path would not be taken)."""
    found = _SIMPLE_CELL_RE.findall(data)
    cells: dict[tuple[int, int], Cell] = {}
    shared: dict[str, tuple[str, str]] = {}
    far_row = far_col = max_row = max_col = -1
    truncated = False
    n_strings = len(strings)
    cols = _COLS
    taken = len(found)  # cells matched: one a match, and the rest of each run of empty cells (_covers counts all)
    for letters, digits, style, t, f_open, f_attrs, f_text, v_open, v, empties in found:
        if empties:
            taken += empties.count(b"<c ")
            continue
        row = int(digits) - 1
        col = cols.get(letters)
        if col is None:
            col = cols[letters] = _col_index(letters)
        if row >= MAX_ROWS or col >= MAX_COLS:
            far_row, far_col = max(far_row, row), max(far_col, col)
            if row >= MAX_ROWS:
                truncated = True
                taken = -1  # the rest is not read: _covers decides below
                break
            continue
        if not f_open:
            if t == b"s" and (not v or v.isdigit()):  # bytes.isdigit: ASCII digits only, as int() reads them
                k = int(v) if v else n_strings
                if k >= n_strings or not strings[k]:
                    continue  # no value: not kept
                cell = Cell(strings[k])
            elif not t or t == b"n":
                if not v:
                    continue
                cell = Cell(_number(v, style, dates))
            elif t == b"str":
                text = (_text(v) or "") if v_open else ""
                if not text:
                    continue
                cell = Cell(text)
            else:
                raw = (_text(v) or "") if v_open else None
                try:
                    cell = _cell(
                        row, col, t.decode(), int(style or 0), None, None, None, raw, None, strings, dates, shared
                    )
                except Exception:
                    if _covers(found, data):
                        raise
                    return False
                if cell.value is None or cell.value == "":
                    continue
        elif not f_attrs.strip() and (not t or t == b"str" or t == b"n"):
            # what _cell makes of a plain formula in a number or text cell
            formula = "=" + (_text(f_text) or "")
            if t == b"str":
                text = (_text(v) or "") if v_open else None
                cell = Cell(text if text is not None else "", formula, None, text is not None)
            elif not v:  # no value saved, or <v></v> (no value in a number cell)
                cell = Cell(None, formula, None, False)
            else:
                cell = Cell(_number(v, style, dates), formula, None, True)
        else:  # shared formulas, other types
            try:
                cell = _other_formula(row, col, style, t, f_attrs, f_text, v_open, v, strings, dates, shared)
            except Exception:
                if _covers(found, data):
                    raise
                return False
        cells[(row, col)] = cell
        if row > max_row:
            max_row = row
        if col > max_col:
            max_col = col
    if taken != data.count(b"<c ") and not (taken < 0 and _covers(found, data)):
        return False  # a cell of another shape
    sh.cells.update(cells)
    sh.max_row, sh.max_col = max(sh.max_row, max_row), max(sh.max_col, max_col)
    sh.truncated = sh.truncated or truncated
    if far_row >= 0:
        sh.beyond = a1(min(far_row, 1_048_575), min(far_col, 16_383))
    return True


_PREFIXED_CELL = re.compile(rb"<[A-Za-z_][\w.-]*:c[\s/>]")


def _prefixed_cells(data: bytes) -> bool:
    """Whether cells are written with a namespace prefix (<x:c>, as some writers do): the simple path, which counts
    '<c ', cannot see them; the general expressions read them."""
    at = data.find(b":c")  # one quick scan; the expression confirms (a prefix holds no '<')
    return at >= 0 and _PREFIXED_CELL.search(data, max(0, data.rfind(b"<", 0, at))) is not None


def _sheet_fast(data: bytes, sh: Sheet, strings: list[str], dates: set[int]) -> bool:
    """Parse a sheet's XML with regular expressions; False when it holds something only the full parser reads."""
    scan = _accelerator()
    if scan is not None and _sheet_scanned(scan, data, sh, strings, dates):
        return True
    if b"<![CDATA[" in data:
        return False
    expat = ParserCreate()
    expat.Parse(data, True)  # malformed XML raises here, as the streaming parser would (F115)
    # merged ranges: the expression may only start at the '<' before the first "mergeCell" (a prefix holds no '<'),
    # which spares it trying every tag of the sheet
    at = data.find(b"mergeCell")
    if at >= 0:
        for ref in _MERGE_RE.findall(data, max(0, data.rfind(b"<", 0, at))):
            text = ref.decode()
            if ":" in text:
                sh.merged.append(_merged_range(text))
    if not _prefixed_cells(data) and _sheet_simple(data, sh, strings, dates):
        return True
    data = _EMPTY_CELL.sub(b"", data)
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


def _sheet_scanned(scan: Any, data: bytes, sh: Sheet, strings: list[str], dates: set[int]) -> bool:
    """The sheet as the compiled scanner reads it: the very Sheet the Python path above gives. The scanner answers
    only for a well-formed sheet whose every cell has _SIMPLE_CELL_RE's shape (one the Python path reads with
    _sheet_simple), builds the common cells as _sheet_simple decides them, and hands over the expression's groups of
    the others, which _simple_cell decides as _sheet_simple does. False (sh untouched) when it is unsure.

    The scanner gives the cells by row only ({row: {col: cell}}, in document order: it is unsure of a row met again
    after another), the index Sheet.rows_index would build from the pure path's cells: kept in step here with the
    cells Python decides, it becomes the sheet's one store of its cells (Sheet.cells is built from it if asked for),
    unless the sheet held cells already."""
    found = scan.scan_sheet(data, MAX_ROWS, MAX_COLS, strings, dates, Cell)
    if found is None:
        return False
    rows, hard, max_row, max_col, far_row, far_col, truncated, merges = found
    for text in merges:  # the ref texts, as _MERGE_RE takes them
        if ":" in text:
            sh.merged.append(_merged_range(text))
    if hard:
        shared: dict[str, tuple[str, str]] = {}
        for key, *groups in hard:  # in document order; each holds its place in rows (None there)
            row, col = key
            cell = _simple_cell(row, col, *groups, strings, dates, shared)
            in_row = rows[row]
            if cell is None:
                # rows_index places a row at its first kept cell; each row's cells come together, so the row keeps
                # its place among the others whichever of its cells goes
                if len(in_row) == 1:
                    del rows[row]
                else:
                    del in_row[col]
                continue
            in_row[col] = cell
            max_row, max_col = max(max_row, row), max(max_col, col)
    if sh.cells:  # the index would have to cover the cells there before: rows_index builds it from them all
        sh.cells.update({(r, c): cell for r, in_row in rows.items() for c, cell in in_row.items()})
    else:
        sh._held_by_row(rows)
    sh.max_row, sh.max_col = max(sh.max_row, max_row), max(sh.max_col, max_col)
    sh.truncated = sh.truncated or truncated
    if far_row >= 0:
        sh.beyond = a1(min(far_row, 1_048_575), min(far_col, 16_383))
    return True


def _simple_cell(
    row: int,
    col: int,
    style: bytes,
    t: bytes,
    f_open: bytes,
    f_attrs: bytes,
    f_text: bytes,
    v_open: bytes,
    v: bytes,
    strings: list[str],
    dates: set[int],
    shared: dict[str, tuple[str, str]],
) -> Cell | None:
    """One cell from _SIMPLE_CELL_RE's groups, decided exactly as the loop of _sheet_simple decides it (None: not
    kept). Only for cells the compiled scanner leaves to Python; the two must stay in step."""
    if not f_open:
        if t == b"s" and (not v or v.isdigit()):
            n_strings = len(strings)
            k = int(v) if v else n_strings
            return None if k >= n_strings or not strings[k] else Cell(strings[k])
        if not t or t == b"n":
            return Cell(_number(v, style, dates)) if v else None
        if t == b"str":
            text = (_text(v) or "") if v_open else ""
            return Cell(text) if text else None
        raw = (_text(v) or "") if v_open else None
        cell = _cell(row, col, t.decode(), int(style or 0), None, None, None, raw, None, strings, dates, shared)
        return None if cell.value is None or cell.value == "" else cell
    if not f_attrs.strip() and (not t or t == b"str" or t == b"n"):
        formula = "=" + (_text(f_text) or "")
        if t == b"str":
            text = (_text(v) or "") if v_open else None
            return Cell(text if text is not None else "", formula, None, text is not None)
        if not v:
            return Cell(None, formula, None, False)
        return Cell(_number(v, style, dates), formula, None, True)
    return _other_formula(row, col, style, t, f_attrs, f_text, v_open, v, strings, dates, shared)


def _other_formula(
    row: int,
    col: int,
    style: bytes,
    t: bytes,
    f_attrs: bytes,
    f_text: bytes,
    v_open: bytes,
    v: bytes,
    strings: list[str],
    dates: set[int],
    shared: dict[str, tuple[str, str]],
) -> Cell:
    """A formula cell of _SIMPLE_CELL_RE's groups other than a plain one (shared formulas, other types), as
    :func:`_cell` reads it; for :func:`_sheet_simple` and :func:`_simple_cell` alike."""
    formula = _text(f_text) or ""
    f_type = f_si = None
    if f_attrs.strip():
        attrs = dict(_ATTR_RE.findall(f_attrs))
        f_type = attrs[b"t"].decode() if b"t" in attrs else None
        f_si = attrs[b"si"].decode() if b"si" in attrs else None
    raw = (_text(v) or "") if v_open else None
    return _cell(
        row, col, t.decode() if t else "n", int(style or 0), formula, f_type, f_si, raw, None, strings, dates, shared
    )


@lru_cache(maxsize=4096)
def _col_index(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + (ch - 64)
    return n - 1


def _sheet(z: _Package, part: str, name: str, state: str, strings: list[str], dates: set[int]) -> Sheet:
    sh = Sheet(name, state)
    data = z.read(part, FAST_LIMIT)
    if data is not None:
        if _sheet_fast(data, sh, strings, dates):
            return sh
        sh = Sheet(name, state)
    return _sheet_stream(z, part, sh, strings, dates)


def _sheet_stream(z: _Package, part: str, sh: Sheet, strings: list[str], dates: set[int]) -> Sheet:
    """The streaming parser: any well-formed sheet, stopping at MAX_ROWS (a million-row sheet stops early)."""
    shared: dict[str, tuple[str, str]] = {}
    far_row = far_col = -1
    c_tag, f_tag, v_tag, row_tag = f"{NS}c", f"{NS}f", f"{NS}v", f"{NS}row"
    is_tag, t_tag, merge_tag = f"{NS}is", f"{NS}t", f"{NS}mergeCell"
    next_row = -1
    next_col = 0
    for event, el in _elements(z.open(part)):
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
                sh.merged.append(_merged_range(ref))
    if far_row >= 0:
        sh.beyond = a1(min(far_row, 1_048_575), min(far_col, 16_383))
    return sh


def read_book(source: str | Any, parts: Mapping[str, bytes] | None = None, *, complete: bool = False) -> Book:
    """Read every sheet of an .xlsx (path or file object).

    ``parts``: the bytes of parts already read from this very file (by name as in the zip), as
    :func:`xlplan.sniff.sniff` keeps them with ``keep_parts``; they are used instead of decompressing again.
    ``complete``: ``parts`` holds every part of the package, so the zip is not opened again at all.
    """
    if complete and parts is not None:
        return _read_book(_Package(None, parts))
    try:
        zf = zipfile.ZipFile(source)
    except (zipfile.BadZipFile, OSError) as exc:
        raise XlsxError(f"not a zip package: {exc}") from None
    with zf:
        return _read_book(_Package(zf, parts))


def _read_book(z: _Package) -> Book:
    """The book in a package (the zip, or the parts sniff kept)."""
    wb_part = z.find("xl/workbook.xml")
    if wb_part is None:
        # the main part may live elsewhere: ask the package relationships
        root = _rels(z, "")
        wb_part = next((t for t in root.values() if t.endswith(".xml")), None)
        if wb_part is None or z.find(wb_part) is None:
            raise XlsxError("no workbook part (xl/workbook.xml)")
        wb_part = z.find(wb_part)
    assert wb_part is not None
    rels = _rels(z, wb_part)
    declared, names = _workbook(z, wb_part)
    sheets_decl = [(name, rels.get(rid, ""), state) for name, rid, state in declared]
    ss_part = next((p for p in rels.values() if p.lower().endswith("sharedstrings.xml")), None)
    st_part = next((p for p in rels.values() if p.lower().endswith("styles.xml")), None)
    strings = _shared_strings(z, z.find(ss_part) if ss_part else None)
    dates = _date_styles(z, z.find(st_part) if st_part else None)
    sheets: dict[str, Sheet] = {}
    for name, target, state in sheets_decl:
        part = z.find(target) if target else None
        if part is None:
            sheets[name] = Sheet(name, state)  # a chart sheet or a dangling reference: no cells
            continue
        sheets[name] = _sheet(z, part, name, state, strings, dates)
    return Book(sheets, names, [n for n, _, _ in sheets_decl])
