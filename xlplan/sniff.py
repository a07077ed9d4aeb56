"""What a received file really is, decided before any spreadsheet parser touches it.

District offices receive junk by e-mail along with plans: empty files, CSV/HTML/Word files renamed .xlsx, old
.xls, .ods, password-protected and truncated files, lock files, macro files, zip bombs, XML entity attacks. Parsers
(openpyxl, lxml, zlib) meet such files with tracebacks, hangs or gigabytes of memory, so :func:`sniff` looks only at
magic bytes, the zip directory and capped, streamed part contents, and turns every problem into an F1xx finding.
It never raises, never runs or expands anything, and reads the file in chunks.

A file of at most CHUNK bytes is read whole (it is one chunk anyway) and everything after the hash works on those
very bytes; the plain parts of such a zip (stored or deflated, headers agreeing) are decompressed straight from them
(:func:`_plain_part`), capped as zipfile would cap them, everything else goes through zipfile.
"""

from __future__ import annotations

import codecs
import functools
import hashlib
import io
import os
import re
import stat
import struct
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any
from urllib.parse import unquote
from xml.etree import ElementTree

from xlplan.findings import Finding
from xlplan.paths import shown
from xlplan.rules import Severity
from xlplan.xlsx import _accelerator

try:  # zlib-ng inflates the same bytes about 40% faster, and its CRC-32 is several times faster (measured)
    from zlib_ng import zlib_ng as _zlib
except ImportError:  # pragma: no cover - a dependency; zlib gives the very same bytes
    _zlib = zlib  # type: ignore[no-redef]

_ZLIB_ERRORS = (zlib.error, _zlib.error)

try:  # libdeflate inflates a whole part into a buffer of its declared size ~30% faster again than zlib-ng (measured)
    from deflate import DeflateError as _DeflateError
    from deflate import deflate_decompress as _inflate_whole
except ImportError:  # pragma: no cover - a dependency; zlib-ng (or zlib) gives the very same bytes
    _inflate_whole = None
    _DeflateError = zlib.error  # type: ignore[assignment,misc]

KB = 1024
MB = 1024 * KB

# Limits. Real plan workbooks are well under 5 MB on disk and 50 MB unpacked; these leave a wide margin while
# keeping the worst case (streaming every part to check its CRC) well under a second.
MAX_FILE_SIZE = 100 * MB  # bigger files are not analysed (only hashed)
MAX_TOTAL_UNCOMPRESSED = 200 * MB  # sum of the sizes the zip directory declares
MAX_RATIO = 200  # uncompressed / compressed, checked for parts declaring more than RATIO_MIN_SIZE
RATIO_MIN_SIZE = 1 * MB
MAX_ENTRIES = 2_000  # parts in the zip: a plan has tens, a workbook full of sheets and pictures a few hundred
MAX_CENTRAL_DIRECTORY = 512 * KB  # zipfile parses the whole directory (~12 us and ~0.5 KB an entry): bound it first
XML_HEAD = 64 * KB  # how much of a part is kept to look at (workbook namespace, link targets)
MAX_CONTENT_TYPES = 1 * MB  # [Content_Types].xml is read (capped) before the streaming pass
# With keep_parts, the parts read through are kept for the workbook reader (which then needs not decompress them
# again): each up to KEEP_PART bytes (the reader's fast-path limit), at most KEEP_TOTAL in all.
KEEP_PART = 16 * MB
KEEP_TOTAL = 64 * MB
LOCK_MAX_SIZE = 4 * KB  # lock files are one short line (LibreOffice) or 165 bytes (Excel)
CHUNK = 1 * MB

KINDS = (
    "xlsx",
    "xlsm",
    "xls",
    "ods",
    "encrypted",
    "lock",
    "empty",
    "csv",
    "html",
    "docx",
    "pptx",
    "zip",
    "pdf",
    "text",
    "binary",
    "missing",
    "strict",
)
_WORKBOOK_KINDS = frozenset({"xlsx", "xlsm"})

# F102 kind descriptions, Thai then English: the one param shows in both the Thai and the English message.
KIND_TEXT = "ไฟล์ข้อความ/CSV (text/CSV file)"
KIND_HTML = "หน้าเว็บ HTML (an HTML page)"
KIND_PDF = "เอกสาร PDF (a PDF document)"
KIND_WORD = "เอกสาร Word (a Word document)"
KIND_WORD97 = "เอกสาร Word 97-2003 (a Word 97-2003 document)"
KIND_PPT = "งานนำเสนอ PowerPoint (a PowerPoint presentation)"
KIND_PPT97 = "งานนำเสนอ PowerPoint 97-2003 (a PowerPoint 97-2003 presentation)"
KIND_XLSB = "สมุดงาน Excel แบบไบนารี .xlsb (an Excel binary workbook, .xlsb)"
KIND_ODF = "เอกสาร OpenDocument ที่ไม่ใช่ตารางคำนวณ (an OpenDocument file that is not a spreadsheet)"
KIND_ZIP = "ไฟล์บีบอัด ZIP (a ZIP archive)"
KIND_XML2003 = "ไฟล์ XML Spreadsheet 2003 (an XML Spreadsheet 2003 file)"
KIND_RTF = "เอกสาร RTF (an RTF document)"
KIND_PICTURE = "รูปภาพ (a picture)"
KIND_ARCHIVE = "ไฟล์บีบอัด (a compressed archive)"
KIND_UNKNOWN = "ไฟล์ชนิดที่ไม่รู้จัก (a file of unknown type)"

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")
_MAGICS: tuple[tuple[bytes, str, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "binary", KIND_PICTURE),
    (b"\xff\xd8\xff", "binary", KIND_PICTURE),
    (b"GIF87a", "binary", KIND_PICTURE),
    (b"GIF89a", "binary", KIND_PICTURE),
    (b"II*\x00", "binary", KIND_PICTURE),
    (b"MM\x00*", "binary", KIND_PICTURE),
    (b"\x1f\x8b", "binary", KIND_ARCHIVE),
    (b"Rar!\x1a\x07", "binary", KIND_ARCHIVE),
    (b"7z\xbc\xaf\x27\x1c", "binary", KIND_ARCHIVE),
)


def _ole_name(name: str) -> bytes:
    """A stream name as the compound-file directory stores it: UTF-16LE, NUL-terminated."""
    return (name + "\0").encode("utf-16-le")


# Directory names told apart by a byte search over the whole file (done while hashing, so it costs nothing).
_OLE_ENCRYPTED = frozenset({_ole_name("EncryptionInfo"), _ole_name("EncryptedPackage")})
_OLE_BOOK = _ole_name("Book")  # also the tail of "Workbook" (Excel 97-2003; Excel 5/95 used "Book")
_OLE_WORD = _ole_name("WordDocument")
_OLE_PPT = _ole_name("PowerPoint Document")
_OLE_NAMES = (*_OLE_ENCRYPTED, _OLE_BOOK, _OLE_WORD, _OLE_PPT)

_LOCK_NAME = re.compile(r"^(?:~\$.*|\.~lock\..*#)$", re.DOTALL)
_LO_FIELD = r"(?:[^,\\\r\n]|\\.)*"
_LO_LOCK = re.compile(rf"^{_LO_FIELD},{_LO_FIELD},{_LO_FIELD},\d{{2}}\.\d{{2}}\.\d{{4}} \d{{2}}:\d{{2}},[^\r\n]*;\s*$")
_HTML = re.compile(r"<(?:!doctype\s+html|html|head|body|table|meta)\b")

_ODS_MIME = "application/vnd.oasis.opendocument.spreadsheet"  # also the prefix of the -template type
_STRICT_NS = "http://purl.oclc.org/ooxml/spreadsheetml/main"
_WORKBOOK_TYPES = frozenset(
    {
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.template.main+xml",
        "application/vnd.ms-excel.sheet.macroenabled.main+xml",
        "application/vnd.ms-excel.template.macroenabled.main+xml",
        "application/vnd.ms-excel.addin.macroenabled.main+xml",
    }
)
_XML_DECLS = ("<!DOCTYPE", "<!ENTITY")
_DTD_BYTES = re.compile(rb"<!(?:DOCTYPE|ENTITY)")  # one pass for both of _XML_DECLS, as bytes
# The usual head: the standard UTF-8 declaration (or none), blanks, the root element. _unsafe_xml would decode it as
# UTF-8 and find the root element at once; this says so without decoding anything.
_PLAIN_PROLOG = re.compile(
    rb'(?:<\?xml version="1\.0" encoding="(?:UTF|utf)-8"(?: standalone="(?:yes|no)")?\?>)?[ \t\r\n]*<[A-Za-z_:]'
)
_ENCODING_DECL = re.compile(rb"\s*<\?xml[^>]{0,200}?encoding\s*=\s*[\"']([A-Za-z][A-Za-z0-9._-]{0,39})[\"']")
_EXTERNAL_LINK = re.compile(r"^xl/externallinks/([^/]+\.xml)$")

_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_BINARY", 0) | getattr(os, "O_NONBLOCK", 0)  # a FIFO must not block


@dataclass
class Sniffed:
    """What a file turned out to be, and whether the workbook reader may open it."""

    path: Path
    kind: str  # one of KINDS
    size: int  # bytes (0 when missing)
    sha256: str  # hex digest of the bytes ("" when they could not be read)
    findings: list[Finding] = field(default_factory=list)
    readable: bool = False  # True only for an OOXML workbook that is safe to parse further
    mtime: float = 0.0  # st_mtime (0 when missing)
    # with keep_parts and a readable workbook: the bytes of its parts by name as in the zip (CRC-checked)
    parts: dict[str, bytes] = field(default_factory=dict, repr=False, compare=False)
    parts_complete: bool = field(default=False, repr=False, compare=False)  # parts holds every part of the zip
    keep_parts: bool = field(default=False, repr=False, compare=False)

    def add(self, code: str, **params: Any) -> None:
        self.findings.append(Finding(code=code, file=shown(self.path), params=params))


def sniff(path: str | os.PathLike[str], *, keep_parts: bool = False) -> Sniffed:
    """Identify the file at ``path`` and report file-level problems (F101-F114); never raises.

    ``keep_parts``: keep the decompressed parts of a readable workbook in ``Sniffed.parts``, for
    :func:`xlplan.xlsx.read_book` (every check happens as without it; only memory is traded for time).
    """
    try:
        p = Path(os.fsdecode(path))
    except Exception:  # not a path at all (None, a number): report it rather than fail the batch
        p = Path(repr(path))
    s = Sniffed(p, "binary", 0, "", keep_parts=keep_parts)
    try:
        _sniff(s)
    except Exception as exc:  # the contract: a hostile file becomes a finding, never a traceback
        s.findings = [Finding(code="F106", file=shown(p), params={"detail": _class_name(exc)})]
    s.readable = s.kind in _WORKBOOK_KINDS and not any(f.severity is Severity.ERROR for f in s.findings)
    if not s.readable:
        s.parts, s.parts_complete = {}, False
    return s


def _class_name(exc: BaseException) -> str:
    cls = type(exc)
    return cls.__qualname__ if cls.__module__ == "builtins" else f"{cls.__module__}.{cls.__qualname__}"


def human_size(n: int) -> str:
    """1073741824 -> '1.0 GB' (binary units, as file managers show them)."""
    value = float(n)
    for unit in ("bytes", "KB", "MB", "GB"):
        if value < 1024:
            return f"{n} bytes" if unit == "bytes" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{value:.1f} TB"


def _both(th: str, en: str) -> str:
    return f"{th} ({en})"


# ------------------------------------------------------------------------------------------------ the file


def _sniff(s: Sniffed) -> None:
    try:
        fd = os.open(s.path, _OPEN_FLAGS)
    except (OSError, ValueError) as exc:  # ValueError: a NUL in the path
        _cannot_open(s, exc)
        return
    try:
        st = os.fstat(fd)  # of what was opened, not of whatever the name points to by now
    except OSError as exc:
        os.close(fd)
        _cannot_open(s, exc)
        return
    if not stat.S_ISREG(st.st_mode):  # a folder, a FIFO, a device: nothing to read
        os.close(fd)
        _cannot_open(s, IsADirectoryError() if stat.S_ISDIR(st.st_mode) else None)
        return
    with open(fd, "rb", closefd=True) as f:
        s.mtime = st.st_mtime
        try:
            head, ole_names, whole = _hash(f, s)
        except OSError as exc:
            _cannot_open(s, exc)
            return
        # A file read whole is looked at in memory: no more system calls, and exactly the bytes that were hashed.
        _classify(f if whole is None else io.BytesIO(whole), s, head, ole_names, whole)


def _cannot_open(s: Sniffed, exc: BaseException | None) -> None:
    s.kind, s.size, s.sha256, s.mtime = "missing", 0, "", 0.0
    if isinstance(exc, IsADirectoryError) or (isinstance(exc, PermissionError) and os.path.isdir(s.path)):
        detail = _both("เป็นโฟลเดอร์ ไม่ใช่ไฟล์", "a folder, not a file")
    elif isinstance(exc, FileNotFoundError):
        detail = _both("ไม่พบไฟล์", "no such file")
    elif isinstance(exc, PermissionError):
        detail = _both("ไม่มีสิทธิ์อ่านไฟล์", "permission denied")
    elif exc is None:
        detail = _both("ไม่ใช่ไฟล์ปกติ", "not a regular file")
    else:
        detail = _both("ระบบแจ้งข้อผิดพลาด", getattr(exc, "strerror", None) or type(exc).__name__)
    s.add("F114", detail=detail)


def _hash(f: IO[bytes], s: Sniffed) -> tuple[bytes, frozenset[bytes], bytes | None]:
    """Hash the file in chunks; keep its head, for compound files which directory names occur, and the whole file
    when it was a single chunk (None otherwise)."""
    h = hashlib.sha256()
    size = 0
    head = b""
    first: bytes | None = b""  # the first chunk, as long as it is the only one
    scanner: _Scanner | None = None
    while chunk := f.read(CHUNK):
        if not size:
            first = chunk
            head = chunk[:XML_HEAD]
            if head.startswith(_OLE_MAGIC):
                scanner = _Scanner(_OLE_NAMES)
        else:
            first = None  # a bigger file is only ever held a chunk at a time
        h.update(chunk)
        size += len(chunk)
        if scanner is not None:
            scanner.feed(chunk)
    s.size, s.sha256 = size, h.hexdigest()
    return head, frozenset(scanner.found) if scanner else frozenset(), first


def _classify(f: IO[bytes], s: Sniffed, head: bytes, ole_names: frozenset[bytes], whole: bytes | None) -> None:
    is_zip = head[:4] in _ZIP_MAGICS
    is_ole = head.startswith(_OLE_MAGIC)
    if _LOCK_NAME.match(s.path.name) and not (is_zip or is_ole):  # a real workbook under a ~$ name is read
        s.kind = "lock"
        s.add("F107")
    elif s.size == 0:
        s.kind = "empty"
        s.add("F101")
    elif s.size > MAX_FILE_SIZE:
        s.kind = "zip" if is_zip else "binary"
        s.add("F110", size=human_size(s.size))
    elif is_ole:
        _sniff_ole(s, ole_names)
    elif is_zip:
        _sniff_zip(f, s, whole)
    elif s.size <= LOCK_MAX_SIZE and _is_lock_content(head):
        s.kind = "lock"
        s.add("F107")
    else:
        _sniff_other(s, head)


def _is_lock_content(data: bytes) -> bool:
    """LibreOffice's lock (one CSV-like line ending in ';') or an Office owner file, told by content alone.

    The owner file (162 bytes from Word, 165 from Excel) holds the user name twice: length-prefixed in the ANSI
    code page and space-padded to 54 bytes, then length-prefixed in UTF-16. Both copies are required, so that a
    short CSV starting with '5' (0x35 = 53) is not taken for one.
    """
    if _LO_LOCK.match(data.decode("utf-8", "replace")):
        return True
    if len(data) not in (162, 165):
        return False
    n, m = data[0], int.from_bytes(data[54:56], "little")
    ansi, wide = data[1 : 1 + n], data[56 : 56 + 2 * m]
    if not (1 <= n <= 53 and 1 <= m <= 53) or any(b < 0x20 for b in ansi) or data[1 + n : 54].strip(b" "):
        return False
    try:
        return all(ch >= " " for ch in wide.decode("utf-16-le"))
    except UnicodeDecodeError:
        return False


def _sniff_ole(s: Sniffed, names: frozenset[bytes]) -> None:
    """Compound files: an encrypted OOXML package, an old .xls, or another Office 97 document."""
    if names & _OLE_ENCRYPTED:
        s.kind = "encrypted"
        s.add("F105")
    elif _OLE_BOOK not in names and _OLE_WORD in names:
        s.add("F102", kind=KIND_WORD97)
    elif _OLE_BOOK not in names and _OLE_PPT in names:
        s.add("F102", kind=KIND_PPT97)
    else:
        s.kind = "xls"
        s.add("F103")


def _sniff_other(s: Sniffed, head: bytes) -> None:
    """Not a zip or compound file: say what it is instead (text/CSV, HTML, PDF, a picture...)."""
    for magic, kind, desc in _MAGICS:
        if head.startswith(magic):
            s.kind = kind
            s.add("F102", kind=desc)
            return
    if head.find(b"%PDF-", 0, 1024) >= 0:
        s.kind = "pdf"
        s.add("F102", kind=KIND_PDF)
        return
    text = _as_text(head)
    if text is None:
        s.add("F102", kind=KIND_UNKNOWN)
        return
    low = text.lstrip("\ufeff \t\r\n").lower()[:4096]
    if "urn:schemas-microsoft-com:office:spreadsheet" in low:
        s.kind, desc = "text", KIND_XML2003
    elif _HTML.search(low) or low.startswith("mime-version:"):  # .htm or Excel's single-file web page (.mht)
        s.kind, desc = "html", KIND_HTML
    elif low.startswith("{\\rtf"):
        s.kind, desc = "text", KIND_RTF
    else:
        first = low.split("\n", 1)[0]
        s.kind, desc = ("csv" if any(c in first for c in ",;\t") else "text"), KIND_TEXT
    s.add("F102", kind=desc)


def _as_text(head: bytes) -> str | None:
    """The head decoded as text (UTF-8, UTF-16 as Excel's 'Unicode text' export, or Thai Windows-874), or None."""
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encodings: tuple[str, ...] = ("utf-16",)
    elif b"\x00" in head:
        even, odd = head[0::2], head[1::2]
        if odd.count(0) > 0.9 * len(odd) and even.count(0) < 0.1 * len(even):
            encodings = ("utf-16-le",)
        elif even.count(0) > 0.9 * len(even) and odd.count(0) < 0.1 * len(odd):
            encodings = ("utf-16-be",)
        else:
            return None
    else:
        encodings = ("utf-8-sig", "cp874")
    for enc in encodings:
        try:
            text = codecs.getincrementaldecoder(enc)().decode(head, final=False)
        except UnicodeDecodeError:
            continue
        controls = sum(1 for ch in text if ch < " " and ch not in "\t\r\n\f\x1a")
        return text if controls <= len(text) // 100 else None
    return None


# ------------------------------------------------------------------------------------------------ zip files


class _Damaged(Exception):
    """A part cannot be read back as written: becomes F106 with this detail."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class _Encrypted(Exception):
    """A part is encrypted at zip level: becomes F105."""


class _TooLarge(Exception):
    """A part gave more bytes than allowed: becomes F110."""

    def __init__(self, size: int) -> None:
        super().__init__(size)
        self.size = size


class _Scanner:
    """Finds a few byte patterns in a stream fed chunk by chunk, also across chunk boundaries, without copying."""

    def __init__(self, patterns: tuple[bytes, ...]) -> None:
        self.patterns = patterns
        self.keep = max(len(p) for p in patterns) - 1
        self.tail = b""
        self.found: set[bytes] = set()

    def feed(self, chunk: bytes) -> None:
        edge = self.tail + chunk[: self.keep]
        for p in self.patterns:
            if p not in self.found and (p in edge or p in chunk):
                self.found.add(p)
        self.tail = (self.tail + chunk)[-self.keep :] if len(chunk) < self.keep else chunk[-self.keep :]


def _sniff_zip(f: IO[bytes], s: Sniffed, whole: bytes | None) -> None:
    s.kind = "zip"
    directory = _end_record(f, s.size)
    if directory is None:
        s.add("F106", detail=_both("ไฟล์ถูกตัดหรือสารบัญ ZIP เสียหาย", "cut short, or its zip directory is damaged"))
        return
    entries, directory_size = directory
    if directory_size > s.size:
        s.add("F106", detail=_both("สารบัญ ZIP ระบุขนาดเกินตัวไฟล์", "the zip directory claims more than the file"))
        return
    if entries > MAX_ENTRIES:
        s.add("F110", size=_parts(entries))
        return
    if directory_size > MAX_CENTRAL_DIRECTORY:
        s.add(
            "F110", size=_both(f"สารบัญ ZIP {human_size(directory_size)}", f"a {human_size(directory_size)} directory")
        )
        return
    f.seek(0)
    try:
        zf = zipfile.ZipFile(f)
    except Exception as exc:  # BadZipFile, struct.error, ValueError... all mean the directory is unusable
        s.add("F106", detail=_both("สารบัญ ZIP เสียหาย", f"damaged zip directory, {_class_name(exc)}"))
        return
    with zf:
        try:
            _sniff_package(zf, s, whole)
        except _Damaged as exc:  # corruption outranks whatever else was found
            s.findings = []
            s.add("F106", detail=exc.detail)
        except _TooLarge as exc:
            s.findings = []
            s.add("F110", size=f"> {human_size(exc.size)}")
        except _Encrypted:
            s.kind, s.findings = "encrypted", []
            s.add("F105")


def _parts(n: int) -> str:
    return _both(f"{n:,} ส่วนย่อย", f"{n:,} parts")


def _end_record(f: IO[bytes], size: int) -> tuple[int, int] | None:
    """(entries, directory bytes) as the end-of-directory record declares them, found as zipfile finds it."""
    tail_size = min(size, 22 + 0xFFFF + 20)
    f.seek(size - tail_size)
    tail = f.read(tail_size)
    at = tail.rfind(b"PK\x05\x06")
    if at < 0 or len(tail) - at < 22:
        return None
    entries, directory_size, offset = struct.unpack("<10xHLL", tail[at : at + 20])
    if entries == 0xFFFF or directory_size == 0xFFFFFFFF or offset == 0xFFFFFFFF:
        # Zip64: take the largest claim of the zip64 end record, wherever a reader might look for it.
        record_at = size - tail_size + at - 20 - 56
        spots = [record_at]
        locator = tail[at - 20 : at] if at >= 20 else b""
        if locator[:4] == b"PK\x06\x07":
            spots.append(struct.unpack("<Q", locator[8:16])[0])
        for spot in spots:
            if 0 <= spot <= size - 56:
                f.seek(spot)
                record = f.read(56)
                if record[:4] == b"PK\x06\x06":
                    n, nbytes = struct.unpack("<QQ", record[32:48])
                    entries, directory_size = max(entries, n), max(directory_size, nbytes)
    return entries, directory_size


def _sniff_package(zf: zipfile.ZipFile, s: Sniffed, whole: bytes | None) -> None:
    """A zip that opened: bombs first (from declared sizes only), then what the package is, then its parts.

    ``whole``: the file's bytes, when it was read whole (its plain parts are then decompressed straight from them).
    """
    infos = zf.infolist()
    lower = {i.filename.lower(): i for i in infos}
    if "xl/workbook.xml" in lower:
        s.kind = "xlsx"
    total = sum(i.file_size for i in infos)
    # Per part, and over the whole file: many parts just under RATIO_MIN_SIZE must not add up to a bomb.
    bomb = any(i.file_size > RATIO_MIN_SIZE and i.file_size > MAX_RATIO * max(i.compress_size, 1) for i in infos)
    bomb = bomb or (total > RATIO_MIN_SIZE and total > MAX_RATIO * max(sum(i.compress_size for i in infos), 1))
    if len(infos) > MAX_ENTRIES:
        s.add("F110", size=_parts(len(infos)))
        return
    if total > MAX_TOTAL_UNCOMPRESSED or bomb:
        s.add("F110", size=human_size(total))
        return

    if "mimetype" in lower:
        mime = _read_head(zf, lower["mimetype"], 256, whole)[0].strip().decode("ascii", "replace")
        if mime.startswith(_ODS_MIME):
            s.kind = "ods"
            s.add("F104")
            return
        if mime.startswith("application/vnd.oasis.opendocument"):
            s.kind = "zip"
            s.add("F102", kind=KIND_ODF)
            return

    types: tuple[dict[str, str], dict[str, str]] | None = None
    unsafe: list[str] = []  # XML parts that declare (or may hide) a DTD: never handed to an XML parser
    ct_info = lower.get("[content_types].xml")
    ct_part: bytes | None = None  # the whole part, when _read_head could read it straight (and checked its CRC)
    if ct_info is not None:
        data, ct_part = _read_head(zf, ct_info, MAX_CONTENT_TYPES, whole)
        if _unsafe_xml(data, whole=len(data) >= ct_info.file_size):
            unsafe.append(ct_info.filename)
        else:
            types = _content_types(data)
    workbook, workbook_type = _workbook_part(lower, types)
    if workbook is None:
        s.kind, desc = _other_package(lower)
        s.add("F102", kind=desc)
        return
    s.kind = "xlsx"
    if types is None and not unsafe:
        raise _Damaged(_both("ไม่มีหรืออ่าน [Content_Types].xml ไม่ได้", "[Content_Types].xml missing or damaged"))

    # Read every part through (zipfile checks its CRC at the end), capped; look at the heads of the XML parts.
    link_rels = {
        f"xl/externallinks/_rels/{m.group(1)}.rels": name
        for name in lower
        if (m := _EXTERNAL_LINK.match(name)) is not None
    }
    heads: dict[str, bytes] = {}
    budget = MAX_TOTAL_UNCOMPRESSED
    keep_left = KEEP_TOTAL if s.keep_parts else 0
    s.parts_complete = s.keep_parts
    for info in infos:
        name = info.filename.lower()
        keep: list[bytes] | None = [] if info.file_size <= min(KEEP_PART, keep_left) else None
        # Straight from the file's bytes when the part is plain: the whole part at once, so at most KEEP_PART when
        # it is kept anyway, else CHUNK (what _stream holds at a time); and never more than the budget.
        part = None
        if whole is not None and info.file_size <= min(budget, CHUNK if keep is None else KEEP_PART):
            part = ct_part if info is ct_info and ct_part is not None else _plain_part(whole, info)
        if part is not None:
            head, size = part[:XML_HEAD], len(part)
            if keep is not None:
                keep.append(part)
        else:
            head, size = _stream(zf, info, min(info.file_size, budget), keep)
        budget -= size
        if keep is not None and size <= KEEP_PART:
            s.parts[info.filename] = keep[0] if len(keep) == 1 else b"".join(keep)
            keep_left -= size
        else:
            s.parts_complete = False
        if _is_xml_part(name, types) and info.filename not in unsafe and _unsafe_xml(head, whole=size <= len(head)):
            unsafe.append(info.filename)
        if name == workbook or name in link_rels:
            heads[name] = head

    if unsafe:
        s.add("F109", part=_printable(unsafe[0]))
    if _STRICT_NS in _decode_xml(heads.get(workbook, b"")):
        s.kind = "strict"
        s.add("F113")
    if "macroenabled" in workbook_type or any(
        n.endswith("vbaproject.bin") or n.startswith("xl/macrosheets/") for n in lower
    ):
        if s.kind == "xlsx":
            s.kind = "xlsm"
        s.add("F108")
    targets: list[str] = []
    for rels, part in sorted(link_rels.items(), key=lambda kv: kv[1]):
        # Relationship parts are parsed only when no part declares a DTD (they are tiny, and checked above).
        target = _printable(("" if unsafe else _link_target(heads.get(rels, b""))) or lower[part].filename, 200)
        if target not in targets:
            targets.append(target)
            s.add("F112", target=target)


def _read_head(
    zf: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int, whole: bytes | None = None
) -> tuple[bytes, bytes | None]:
    """The first ``limit`` bytes of a part, read in chunks (the CRC is checked later, by _stream); and the whole
    part when it was read straight from ``whole`` (CRC checked), else None.

    A part of at most ``limit`` bytes is read to its end, so zipfile checks its CRC here already; only such a part
    is read straight, so that a bad CRC is reported here just the same.
    """
    if whole is not None and info.file_size <= limit:
        _check_member(info)
        part = _plain_part(whole, info)
        if part is not None:
            return part, part
    out = bytearray()
    with _open_member(zf, info) as m:
        while len(out) < limit and (chunk := _guard(info, m.read, min(CHUNK, limit - len(out)))):
            out += chunk
    return bytes(out), None


def _stream(zf: zipfile.ZipFile, info: zipfile.ZipInfo, cap: int, keep: list[bytes] | None = None) -> tuple[bytes, int]:
    """Read a whole part in chunks so that zipfile checks its CRC; return its head and its size (and, into
    ``keep``, its chunks).

    zipfile itself stops at the declared size; the cap makes sure no header, lying or not, gets us further.
    """
    head = b""
    read = 0
    with _open_member(zf, info) as m:
        while chunk := _guard(info, m.read, CHUNK):
            read += len(chunk)
            if read > cap:
                raise _TooLarge(read)
            if not head:
                head = chunk[:XML_HEAD]
            if keep is not None:
                keep.append(chunk)
    return head, read


def _open_member(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> IO[bytes]:
    _check_member(info)
    return _guard(info, zf.open, info)


def _check_member(info: zipfile.ZipInfo) -> None:
    """Refuse what is never read: encrypted parts (F105) and compression methods other than stored/deflated."""
    if info.flag_bits & 0x1:
        # Zip-level encryption (not how Excel encrypts, but still a password on the file).
        raise _Encrypted
    if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        # bzip2/lzma members would be decompressed by zipfile without an output limit; Excel never writes them.
        raise _Damaged(
            _both(
                f"วิธีบีบอัดที่ไม่รองรับ ({info.compress_type}) ใน {_printable(info.filename)}",
                f"unsupported compression method {info.compress_type} in {_printable(info.filename)}",
            )
        )


# The local file header: signature, flags, method, CRC-32, compressed and uncompressed size, name and extra length.
_LOCAL_HEADER = struct.Struct("<4s2xHH4xLLLHH")
# Flags a plain part may have: deflate's compression-level hints (bits 1-2) and UTF-8 names (bit 11). Anything else
# (encryption, data descriptors, patched data, masked headers...) goes through zipfile.
_PLAIN_FLAGS = 0x0806


def _plain_part(whole: bytes, info: zipfile.ZipInfo) -> bytes | None:
    """A part decompressed straight from the file's bytes, exactly as zipfile would give it; None when it is not
    plain (then zipfile reads it, and reports whatever is wrong in its own words).

    Plain: stored or deflated, no flags but _PLAIN_FLAGS, a local header that agrees with the directory entry in
    signature, flags, method, CRC, both sizes and name (zipfile itself checks only the signature and the name, and
    reads with the directory's values: agreeing, the two give the same), data inside the file. The output is capped
    at the declared size + 1: a part giving any other size than declared (a lying header, a cut stream) is left to
    zipfile, whose output stops at the declared size. The CRC is then checked as zipfile checks it at the end of a
    part; a mismatch gives the same F106 as zipfile's "Bad CRC-32" (see _guard).
    """
    size = info.file_size
    if info.flag_bits & ~_PLAIN_FLAGS or info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        return None
    at = info.header_offset
    if at < 0 or at + _LOCAL_HEADER.size > len(whole):
        return None
    sig, flags, method, crc, csize, usize, name_len, extra_len = _LOCAL_HEADER.unpack_from(whole, at)
    if (
        sig != b"PK\x03\x04"
        or flags != info.flag_bits
        or method != info.compress_type
        or crc != info.CRC
        or csize != info.compress_size
        or usize != size
    ):
        return None
    start = at + _LOCAL_HEADER.size
    try:  # zipfile decodes the local name as it decoded the directory's (UTF-8 by flag bit 11, else cp437)
        name = info.orig_filename.encode("utf-8" if flags & 0x800 else "cp437")
    except UnicodeEncodeError:
        return None
    if name_len != len(name) or whole[start : start + name_len] != name:
        return None
    start += name_len + extra_len
    end = start + csize
    limit = getattr(info, "_end_offset", None)  # newer zipfiles refuse entries that overlap the next one
    if end > len(whole) or (limit is not None and end > limit):
        return None
    if method == zipfile.ZIP_STORED:
        if csize != size:
            return None
        part = whole[start:end]
    else:
        try:
            if _inflate_whole is not None and size:  # (the binding takes a size of 0 for "nothing to inflate")
                # Into a buffer of exactly the declared size: data that inflate to more fail, to less give less.
                # (It gives a bytearray: parts are bytes, immutable and hashable, a copy at memory speed.)
                part = bytes(_inflate_whole(memoryview(whole)[start:end], size))
            else:
                # max_length > 0 always (0 would mean unlimited): at most size + 1 bytes, however the data inflate.
                part = _zlib.decompressobj(-15).decompress(memoryview(whole)[start:end], size + 1)
        except (*_ZLIB_ERRORS, _DeflateError):
            return None
        if len(part) != size:
            return None
    if _zlib.crc32(part) != info.CRC:
        raise _Damaged(_bad_checksum(info))
    return part


def _guard(info: zipfile.ZipInfo, fn: Any, arg: Any) -> Any:
    """Call ``fn(arg)`` turning zipfile's and zlib's many errors into _Damaged naming the part."""
    try:
        return fn(arg)
    except zipfile.BadZipFile as exc:
        name = _printable(info.filename)  # named only on failure: this wraps every read
        if "CRC" in str(exc):
            raise _Damaged(_bad_checksum(info)) from None
        raise _Damaged(_both(f"ส่วน {name} เสียหาย", f"{name} is damaged")) from None
    except zlib.error:
        name = _printable(info.filename)
        raise _Damaged(_both(f"ข้อมูลบีบอัดใน {name} เสียหาย", f"damaged data in {name}")) from None
    except EOFError:
        name = _printable(info.filename)
        raise _Damaged(_both(f"ข้อมูลใน {name} ขาดหาย", f"{name} is cut short")) from None
    except (OSError, ValueError, NotImplementedError, RuntimeError, struct.error) as exc:
        name = _printable(info.filename)
        raise _Damaged(_both(f"อ่าน {name} ไม่ได้", f"cannot read {name}, {_class_name(exc)}")) from None


def _bad_checksum(info: zipfile.ZipInfo) -> str:
    name = _printable(info.filename)
    return _both(f"ข้อมูลใน {name} ไม่ตรงกับค่าตรวจสอบ", f"bad checksum in {name}")


def _printable(text: str, limit: int = 80) -> str:
    """A name from the file, fit to show in a message: no control characters, not endless."""
    text = "".join(ch if ch.isprintable() else "?" for ch in text[: limit + 1])
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _content_types(data: bytes) -> tuple[dict[str, str], dict[str, str]] | None:
    """(defaults by extension, overrides by part name), lower-cased; None when it does not parse. Shared between
    calls (never changed): the files of one template and application carry the very same part, and parsing it
    took ~0.1 ms a file; a part of a usual size is parsed once (by its bytes: equal bytes, equal answer).

    Only called on data already searched for DTDs, so the stdlib parser cannot be led into entity expansion.
    """
    if len(data) <= _CACHED_CONTENT_TYPES:
        return _content_types_cached(data)
    return _parse_content_types(data)


_CACHED_CONTENT_TYPES = 64 * KB  # Excel's and LibreOffice's are 1-3 KB


@functools.lru_cache(maxsize=16)
def _content_types_cached(data: bytes) -> tuple[dict[str, str], dict[str, str]] | None:
    return _parse_content_types(data)


def _parse_content_types(data: bytes) -> tuple[dict[str, str], dict[str, str]] | None:
    try:
        root = ElementTree.fromstring(data)
    except Exception:  # ParseError, or a codec error from a hostile encoding declaration
        return None
    defaults: dict[str, str] = {}
    overrides: dict[str, str] = {}
    for el in root:
        tag = el.tag.rpartition("}")[2] if isinstance(el.tag, str) else ""
        if tag == "Default":
            defaults[el.get("Extension", "").lower()] = el.get("ContentType", "").lower()
        elif tag == "Override":
            overrides[unquote(el.get("PartName", "")).lstrip("/").lower()] = el.get("ContentType", "").lower()
    return defaults, overrides


def _workbook_part(
    lower: dict[str, zipfile.ZipInfo], types: tuple[dict[str, str], dict[str, str]] | None
) -> tuple[str | None, str]:
    """The workbook part's (lower-cased) name and content type: as [Content_Types].xml says, else xl/workbook.xml."""
    if types is not None:
        for part, ctype in types[1].items():
            if ctype in _WORKBOOK_TYPES and part in lower:
                return part, ctype
    if "xl/workbook.xml" in lower:
        return "xl/workbook.xml", ""
    return None, ""


def _other_package(lower: dict[str, zipfile.ZipInfo]) -> tuple[str, str]:
    if "word/document.xml" in lower:
        return "docx", KIND_WORD
    if "ppt/presentation.xml" in lower:
        return "pptx", KIND_PPT
    if "xl/workbook.bin" in lower:
        return "zip", KIND_XLSB
    return "zip", KIND_ZIP


def _is_xml_part(name: str, types: tuple[dict[str, str], dict[str, str]] | None) -> bool:
    """Parts a reader may parse as XML: by extension, or by content type (pictures in SVG excepted)."""
    if name.endswith((".xml", ".rels", ".vml")):
        return True
    if types is None or name.endswith("/"):
        return False
    ctype = types[1].get(name) or types[0].get(name.rpartition(".")[2] if "." in name else "", "")
    return "xml" in ctype and "svg" not in ctype


def _xml_encoding(head: bytes) -> str | None:
    """The encoding an XML part announces by its BOM, its first bytes or its declaration."""
    if head.startswith(codecs.BOM_UTF16_LE) or head[:2] == b"<\x00":
        return "utf-16-le"
    if head.startswith(codecs.BOM_UTF16_BE) or head[:2] == b"\x00<":
        return "utf-16-be"
    m = _ENCODING_DECL.match(head.removeprefix(codecs.BOM_UTF8))
    return m.group(1).decode("ascii") if m else None


def _unsafe_xml(head: bytes, whole: bool) -> bool:
    """Whether an XML part declares a DTD or entities, judged from its head (``whole``: the head is all of it).

    A DOCTYPE, and so any entity, can only come before the root element. So the head is safe when it holds no
    '<!DOCTYPE' / '<!ENTITY' (as bytes, and decoded in the announced encoding, e.g. UTF-16) and either is the
    whole part or reaches the root element. A prolog running past the head (a 64 KB comment) is not trusted.
    """
    if _declares_dtd(head):
        return True
    if _PLAIN_PROLOG.match(head) is not None:  # UTF-8, and the root element starts in the head: safe
        return False
    if _is_utf8(head):
        # Decoded as UTF-8 (errors replaced), an ASCII text occurs where its bytes do: the search above sufficed.
        # The prolog is judged from the first few KB when they settle it (a cut character there is U+FFFD, which
        # can only make the answer False, and then the whole head is decoded).
        if whole:
            return False
        return not (_prolog_ends(_decode_xml(head[:4096])) or _prolog_ends(_decode_xml(head)))
    text = _decode_xml(head)
    if any(p in text for p in _XML_DECLS):
        return True
    return not whole and not _prolog_ends(text)


def _declares_dtd(head: bytes) -> bool:
    """Whether the bytes hold '<!DOCTYPE' or '<!ENTITY' anywhere. The accelerator finds them by a memchr for each
    '!' (~3 us in 64 KB of a worksheet with formulas; the expression took ~60 us: every sheet name in a formula
    has a '!'). Without it: a match has its '!' at or after the first '!' of the head, so the expression searches
    from there, or not at all."""
    acc = _accelerator()
    if acc is not None:
        return bool(acc.dtd_declared(head))
    bang = head.find(b"!")
    return bang >= 0 and _DTD_BYTES.search(head, max(bang - 1, 0)) is not None


def _is_utf8(head: bytes) -> bool:
    """Whether _decode_xml decodes ``head`` as UTF-8 (as announced, or by default)."""
    enc = _xml_encoding(head)
    if enc is None:
        return True
    try:
        return codecs.lookup(enc).name == "utf-8"
    except LookupError:
        return True  # _decode_xml falls back to UTF-8


def _prolog_ends(text: str) -> bool:
    """True when the root element starts in ``text`` after nothing but an XML declaration, PIs and comments."""
    i, n = 0, len(text)
    while True:
        while i < n and text[i] in "\ufeff \t\r\n":
            i += 1
        if text.startswith("<?", i):
            end, i = "?>", text.find("?>", i + 2)
        elif text.startswith("<!--", i):
            end, i = "-->", text.find("-->", i + 4)
        else:
            return i + 1 < n and text[i] == "<" and (text[i + 1].isalpha() or text[i + 1] in "_:")
        if i < 0:
            return False
        i += len(end)


def _decode_xml(head: bytes) -> str:
    """The head as text. bytes.decode refuses non-text codecs: encoding="bz2" must not decompress anything."""
    try:
        return head.removeprefix(codecs.BOM_UTF8).decode(_xml_encoding(head) or "utf-8", "replace")
    except Exception:  # LookupError: unknown, or not a text encoding
        return head.decode("utf-8", "replace")


def _link_target(rels: bytes) -> str:
    """The file an external link points to, from its part's relationships (already checked for DTDs)."""
    try:
        root = ElementTree.fromstring(rels)
    except Exception:
        return ""
    targets = [
        (el.get("Type", "").lower().endswith("externallinkpath"), el.get("Target", ""))
        for el in root
        if isinstance(el.tag, str) and el.tag.endswith("Relationship")
    ]
    targets = [t for t in targets if t[1]]
    if not targets:
        return ""
    return unquote(max(targets, key=lambda t: t[0])[1])
