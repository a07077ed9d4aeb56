"""A corpus of hostile and awkward files, as district offices receive them by e-mail.

:func:`build_corpus` writes one file per case (the sniffing tests use them, and so may other tests). Most cases are
a few KB. The zip bomb (1 GB unpacked, 1 MB on disk) and the million-row sheet are built by streaming, never held
in memory, and are cached: a second call into the same directory reuses them, a call into another directory of the
same process copies them. :func:`build_extras` adds the rarer cases only the sniffing tests need.
"""

from __future__ import annotations

import functools
import io
import os
import random
import shutil
import struct
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import xlsxwriter

CASES = (
    "empty",
    "random_bytes",
    "csv_renamed",
    "html_renamed",
    "docx_renamed",
    "plain_zip",
    "xls",
    "encrypted",
    "ods",
    "truncated",
    "bad_crc",
    "excel_lock",
    "lo_lock",
    "macro",
    "entities",
    "zip_bomb",
    "external_link",
    "strict",
    "far_corner",
    "million_rows",
    "ok",
)

BOMB_SIZE = 1024**3  # what the zip bomb's sheet unpacks to
MILLION = 1_000_000
LINK_TARGET = "budget-2565.xlsx"

_MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_STRICT_NS = "http://purl.oclc.org/ooxml/spreadsheetml/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_WORKBOOK_CT = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
_SHEET = "xl/worksheets/sheet1.xml"
_EPOCH = (1980, 1, 1, 0, 0, 0)  # fixed zip timestamps: the corpus is the same bytes on every build
_CHUNK = 1024 * 1024

_BUILT: dict[str, Path] = {}  # expensive cases built by this process, by file name


# ------------------------------------------------------------------------------------------------ the corpus


def build_corpus(dirpath: Path) -> dict[str, Path]:
    """Write every case of CASES into ``dirpath``; returns case -> file."""
    d = Path(dirpath)
    d.mkdir(parents=True, exist_ok=True)
    ok = _workbook(d / "ok.xlsx")
    out: dict[str, Path] = {"ok": ok}

    out["empty"] = _write(d / "empty.xlsx", b"")
    out["random_bytes"] = _write(d / "random_bytes.xlsx", b"\x00" + random.Random(2566).randbytes(4095))
    csv = "ลำดับ,โครงการ,งบประมาณ (บาท)\r\n1,โครงการอบรมคุณธรรม,50000\r\n2,กิจกรรมเผยแพร่ประกาศ,0\r\n"
    out["csv_renamed"] = _write(d / "csv_renamed.xlsx", csv.encode("utf-8-sig"))
    html = (
        '<html xmlns:o="urn:schemas-microsoft-com:office:office" xmlns:x="urn:schemas-microsoft-com:office:excel">'
        '<head><meta charset="utf-8"></head><body><table><tr><td>ลำดับ</td><td>โครงการ</td></tr></table></body></html>'
    )
    out["html_renamed"] = _write(d / "html_renamed.xlsx", html.encode())
    out["docx_renamed"] = _zip(
        d / "docx_renamed.xlsx",
        {
            "[Content_Types].xml": _content_types(
                "/word/document.xml", "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
            ),
            "_rels/.rels": _rels(("rId1", f"{_REL}/officeDocument", "word/document.xml")),
            "word/document.xml": (
                '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
                "<w:body><w:p><w:r><w:t>แผนปฏิบัติการ</w:t></w:r></w:p></w:body></w:document>"
            ).encode(),
        },
    )
    out["plain_zip"] = _zip(d / "plain_zip.xlsx", {"readme.txt": "แผนอยู่ในไฟล์แนบ\n".encode(), "data/1.csv": b"a,b\n"})
    out["xls"] = _write(d / "xls.xls", _cfb({"Workbook": _BIFF8}))
    out["encrypted"] = _write(
        d / "encrypted.xlsx",
        _cfb({"EncryptionInfo": b"\x04\x00\x04\x00\x40\x00\x00\x00<encryption/>", "EncryptedPackage": bytes(4096)}),
    )
    out["ods"] = _zip(
        d / "ods.ods",
        {
            "mimetype": b"application/vnd.oasis.opendocument.spreadsheet",
            "META-INF/manifest.xml": b'<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:'
            b'manifest:1.0"><manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.'
            b'opendocument.spreadsheet"/></manifest:manifest>',
            "content.xml": b'<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"'
            b"/>",
        },
        stored=("mimetype",),
    )
    data = ok.read_bytes()
    out["truncated"] = _write(d / "truncated.xlsx", data[: len(data) * 6 // 10])
    out["bad_crc"] = _write(d / "bad_crc.xlsx", _corrupt(data, _SHEET))
    out["excel_lock"] = _write(d / "~$plan.xlsx", _excel_owner("somchai"))
    out["lo_lock"] = _write(d / ".~lock.plan.xlsx#", _LO_LOCK)
    out["macro"] = _macro(ok, d / "macro.xlsm")
    out["entities"] = _rezip(ok, d / "entities.xlsx", {"xl/sharedStrings.xml": _BILLION_LAUGHS})
    out["zip_bomb"] = _cached(d / "zip_bomb.xlsx", lambda p: _bomb(ok, p, BOMB_SIZE))
    out["external_link"] = _external_link(ok, d / "external_link.xlsx")
    wb = _read(ok, "xl/workbook.xml")
    out["strict"] = _rezip(
        ok, d / "strict.xlsx", {"xl/workbook.xml": wb.replace(_MAIN_NS.encode(), _STRICT_NS.encode())}
    )
    out["far_corner"] = _workbook(d / "far_corner.xlsx", far=True)
    out["million_rows"] = _cached(d / "million_rows.xlsx", _million_rows)
    assert set(out) == set(CASES)
    return out


def build_extras(dirpath: Path) -> dict[str, Path]:
    """Rarer hostile cases for the sniffing tests: lying zip headers, odd encodings, other file types."""
    d = Path(dirpath)
    d.mkdir(parents=True, exist_ok=True)
    ok = _workbook(d / "base.xlsx")
    members = _members(ok)
    out: dict[str, Path] = {}

    # Headers that lie: the sheet inflates to 1 GB but the directory says 1 KB, or 150 MB (under every limit).
    out["lying_small"] = _cached(d / "lying_small.xlsx", lambda p: _bomb(ok, p, BOMB_SIZE, declare=1000))
    out["lying_big"] = _cached(d / "lying_big.xlsx", lambda p: _bomb(ok, p, BOMB_SIZE, declare=150 * 1024**2))
    out["bzip2_member"] = _raw_zip(d / "bzip2_member.xlsx", [_member(n, b) for n, b in members.items()], bzip2=_SHEET)
    out["zip_encrypted"] = _raw_zip(
        d / "zip_encrypted.xlsx", [_member(n, b, flags=1 if n == _SHEET else 0) for n, b in members.items()]
    )
    utf16 = '<?xml version="1.0" encoding="UTF-16"?>' + _BILLION_LAUGHS.decode().split("?>", 1)[1]
    out["utf16_entities"] = _rezip(ok, d / "utf16_entities.xlsx", {"xl/sharedStrings.xml": utf16.encode("utf-16")})
    late = _BILLION_LAUGHS.replace(b"?>", b"?><!--" + b" " * 100_000 + b"-->", 1)
    out["late_doctype"] = _rezip(ok, d / "late_doctype.xlsx", {"xl/sharedStrings.xml": late})
    out["many_entries"] = _zip(d / "many_entries.xlsx", {f"xl/media/{i}.txt": b"" for i in range(12_000)})
    out["many_parts"] = _rezip(ok, d / "many_parts.xlsx", add={f"customXml/item{i}.xml": b"<a/>" for i in range(1_900)})
    # Parts just under 1 MB each (below the per-part ratio check) adding up to 150 MB from a 200 KB file.
    spaces = _member("x", b" " * 1_000_000)
    small_bombs = [_Member(f"xl/media/pad{i}.xml", spaces.data, spaces.crc, spaces.size) for i in range(150)]
    out["many_small_bombs"] = _raw_zip(
        d / "many_small_bombs.xlsx", [_member(n, b) for n, b in members.items()] + small_bombs
    )
    out["directory_too_big"] = _write(d / "directory_too_big.xlsx", _claim_directory(ok.read_bytes(), 50 * 1024**2))
    out["no_content_types"] = _rezip(ok, d / "no_content_types.xlsx", drop=("[Content_Types].xml",))
    out["xlsb"] = _zip(d / "xlsb.xlsx", {"[Content_Types].xml": _content_types(), "xl/workbook.bin": bytes(64)})
    out["odt"] = _zip(
        d / "odt.xlsx", {"mimetype": b"application/vnd.oasis.opendocument.text", "content.xml": b"<x/>"}, ("mimetype",)
    )
    out["doc97"] = _write(d / "doc97.xlsx", _cfb({"WordDocument": bytes(512), "1Table": bytes(512)}))
    out["csv_utf16"] = _write(d / "csv_utf16.xlsx", "ลำดับ\tโครงการ\r\n1\tอบรม\r\n".encode("utf-16"))
    out["csv_cp874"] = _write(d / "csv_cp874.xlsx", "ลำดับ,โครงการ\r\n1,อบรม\r\n".encode("cp874"))
    xml2003 = (
        '<?xml version="1.0"?><?mso-application progid="Excel.Sheet"?>'
        '<Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet"><Worksheet ss:Name="แผน"/></Workbook>'
    )
    out["xml2003"] = _write(d / "xml2003.xlsx", xml2003.encode())
    out["pdf"] = _write(d / "pdf.xlsx", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n%%EOF\n")
    out["png"] = _write(d / "png.xlsx", b"\x89PNG\r\n\x1a\n" + bytes(200))
    out["lo_lock_content"] = _write(d / "lo_lock_content.xlsx", _LO_LOCK)
    out["excel_lock_content"] = _write(d / "excel_lock_content.xlsx", _excel_owner("นายสมชาย".encode("cp874")))
    out["lock_name_real"] = _write(d / "~$real.xlsx", ok.read_bytes())
    out["macrosheet"] = _rezip(ok, d / "macrosheet.xlsx", add={"xl/macrosheets/sheet1.xml": b"<xm:macrosheet/>"})
    return out


# ------------------------------------------------------------------------------------------------ workbooks


def _workbook(path: Path, far: bool = False) -> Path:
    """A small normal workbook as xlsxwriter writes it (with shared strings, so there is a part to poison)."""
    # constant_memory: otherwise xlsxwriter walks all 1,048,576 rows of the far corner (~1 s); the price is inline
    # strings instead of a sharedStrings part, which only the far-corner workbook can do without.
    wb = xlsxwriter.Workbook(str(path), {"constant_memory": far})
    wb.set_properties({"created": datetime(2023, 1, 1)})
    ws = wb.add_worksheet()
    rows = [("ลำดับ", "โครงการ", "งบประมาณ"), (1, "โครงการอบรมคุณธรรม", 50000), (2, "กิจกรรมเผยแพร่", 0)]
    for r, row in enumerate(rows):
        ws.write_row(r, 0, row)
    if far:
        ws.write(1_048_575, 16_383, 1)  # XFD1048576
    wb.close()
    return path


def _macro(ok: Path, path: Path) -> Path:
    macro_ct = "application/vnd.ms-excel.sheet.macroEnabled.main+xml"
    ct = _read(ok, "[Content_Types].xml").decode().replace(_WORKBOOK_CT, macro_ct)
    ct = ct.replace(
        "<Default ", '<Default Extension="bin" ContentType="application/vnd.ms-office.vbaProject"/><Default ', 1
    )
    rels = _read(ok, "xl/_rels/workbook.xml.rels").decode()
    vba = '<Relationship Id="rId99" Type="http://schemas.microsoft.com/office/2006/relationships/vbaProject" '
    rels = rels.replace("</Relationships>", vba + 'Target="vbaProject.bin"/></Relationships>')
    project = b'ID="{00000000-0000-0000-0000-000000000000}"\r\nDocument=ThisWorkbook/&H00000000\r\n'
    return _rezip(
        ok,
        path,
        {"[Content_Types].xml": ct.encode(), "xl/_rels/workbook.xml.rels": rels.encode()},
        add={"xl/vbaProject.bin": _cfb({"PROJECT": project})},
    )


def _external_link(ok: Path, path: Path) -> Path:
    link_ct = "application/vnd.openxmlformats-officedocument.spreadsheetml.externalLink+xml"
    ct = _read(ok, "[Content_Types].xml").decode()
    ct = ct.replace(
        "</Types>", f'<Override PartName="/xl/externalLinks/externalLink1.xml" ContentType="{link_ct}"/></Types>'
    )
    rels = _read(ok, "xl/_rels/workbook.xml.rels").decode()
    rels = rels.replace(
        "</Relationships>",
        f'<Relationship Id="rId99" Type="{_REL}/externalLink" Target="externalLinks/externalLink1.xml"/>'
        "</Relationships>",
    )
    wb = _read(ok, "xl/workbook.xml").decode()
    wb = wb.replace("</sheets>", '</sheets><externalReferences><externalReference r:id="rId99"/></externalReferences>')
    link = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<externalLink xmlns="{_MAIN_NS}" xmlns:r="{_REL}">'
        '<externalBook r:id="rId1"><sheetNames><sheetName val="งบประมาณ"/></sheetNames><sheetDataSet>'
        '<sheetData sheetId="0"><row r="1"><cell r="A1"><v>50000</v></cell></row></sheetData></sheetDataSet>'
        "</externalBook></externalLink>"
    )
    link_rels = _rels(("rId1", f"{_REL}/externalLinkPath", LINK_TARGET), external=True)
    return _rezip(
        ok,
        path,
        {
            "[Content_Types].xml": ct.encode(),
            "xl/_rels/workbook.xml.rels": rels.encode(),
            "xl/workbook.xml": wb.encode(),
        },
        add={
            "xl/externalLinks/externalLink1.xml": link.encode(),
            "xl/externalLinks/_rels/externalLink1.xml.rels": link_rels,
        },
    )


def _million_rows(path: Path) -> None:
    """One sheet of 1,000,000 rows, its XML streamed into the zip in blocks (never the whole sheet in memory)."""
    base = _workbook(path.with_name(path.name + ".base.xlsx"))
    members = _members(base)
    base.unlink()
    head, tail = _split_sheet(members[_SHEET])
    head = head.replace(b'<dimension ref="A1:C3"/>', f'<dimension ref="A1:A{MILLION}"/>'.encode())
    with zipfile.ZipFile(path, "w") as z:
        for name, data in members.items():
            if name != _SHEET:
                z.writestr(_zinfo(name), data)
                continue
            with z.open(_zinfo(name), "w") as w:
                w.write(head)
                for start in range(1, MILLION + 1, 50_000):
                    rows = range(start, min(start + 50_000, MILLION + 1))
                    w.write("".join(f'<row r="{r}"><c r="A{r}"><v>{r % 10}</v></c></row>' for r in rows).encode())
                w.write(tail)


def _split_sheet(sheet: bytes) -> tuple[bytes, bytes]:
    """A worksheet's XML up to and including <sheetData>, and from </sheetData> on."""
    before, _, rest = sheet.partition(b"<sheetData>")
    _, _, after = rest.partition(b"</sheetData>")
    return before + b"<sheetData>", b"</sheetData>" + after


# ------------------------------------------------------------------------------------------------ zip bombs


@functools.cache
def _spaces_stream(size: int) -> bytes:
    """Raw deflate data for ``size`` spaces (a multiple of 1 MB), in milliseconds.

    zlib at level 9 needs ~7 s per GB here; but what it emits after a full flush depends on nothing before it, so
    1 MB of spaces is compressed once and those bytes repeated.
    """
    assert size % _CHUNK == 0
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    return (c.compress(b" " * _CHUNK) + c.flush(zlib.Z_FULL_FLUSH)) * (size // _CHUNK)


def _bomb(ok: Path, path: Path, size: int, declare: int | None = None) -> None:
    """The workbook with ``size`` bytes of whitespace inside its sheetData (1 GB -> a 1 MB file).

    ``declare`` makes the zip directory lie about the sheet's unpacked size.
    """
    members = _members(ok)
    head, tail = _split_sheet(members[_SHEET])
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    start = c.compress(head) + c.flush(zlib.Z_FULL_FLUSH)
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    end = c.compress(tail) + c.flush()
    crc, block = zlib.crc32(head), b" " * _CHUNK
    for _ in range(size // _CHUNK):
        crc = zlib.crc32(block, crc)
    crc = zlib.crc32(tail, crc)
    real = len(head) + size + len(tail)
    sheet = _Member(_SHEET, start + _spaces_stream(size) + end, crc, real if declare is None else declare)
    _raw_zip(path, [sheet if n == _SHEET else _member(n, b) for n, b in members.items()])


# ------------------------------------------------------------------------------------------------ zip writing


@dataclass
class _Member:
    name: str
    data: bytes  # as stored (compressed)
    crc: int
    size: int  # the uncompressed size the headers declare
    method: int = zipfile.ZIP_DEFLATED
    flags: int = 0


def _member(name: str, data: bytes, flags: int = 0) -> _Member:
    c = zlib.compressobj(6, zlib.DEFLATED, -15)
    return _Member(name, c.compress(data) + c.flush(), zlib.crc32(data), len(data), flags=flags)


def _raw_zip(path: Path, members: list[_Member], bzip2: str = "") -> Path:
    """A zip written by hand, so headers can say what the data is not (sizes, methods, flags)."""
    body, directory = bytearray(), bytearray()
    for m in members:
        name = m.name.encode()
        method = zipfile.ZIP_BZIP2 if m.name == bzip2 else m.method
        fixed = struct.pack("<HHHHLLL", m.flags, method, 0, 0x21, m.crc, len(m.data), m.size)
        directory += b"PK\x01\x02" + struct.pack("<HH", 20, 20) + fixed
        directory += struct.pack("<HHHHHLL", len(name), 0, 0, 0, 0, 0, len(body)) + name
        body += b"PK\x03\x04" + struct.pack("<H", 20) + fixed + struct.pack("<HH", len(name), 0) + name + m.data
    end = struct.pack("<4sHHHHLLH", b"PK\x05\x06", 0, 0, len(members), len(members), len(directory), len(body), 0)
    return _write(path, bytes(body + directory + end))


def _zinfo(name: str, method: int = zipfile.ZIP_DEFLATED) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, _EPOCH)
    info.compress_type = method
    return info


def _zip(path: Path, members: dict[str, bytes], stored: tuple[str, ...] = ()) -> Path:
    with zipfile.ZipFile(path, "w") as z:
        for name, data in members.items():
            z.writestr(_zinfo(name, zipfile.ZIP_STORED if name in stored else zipfile.ZIP_DEFLATED), data)
    return path


def _members(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {i.filename: z.read(i) for i in z.infolist()}


def _read(path: Path, name: str) -> bytes:
    with zipfile.ZipFile(path) as z:
        return z.read(name)


def _rezip(
    src: Path,
    dst: Path,
    replace: dict[str, bytes] | None = None,
    add: dict[str, bytes] | None = None,
    drop: tuple[str, ...] = (),
) -> Path:
    """A copy of ``src`` with some parts replaced, added or dropped (order kept, added parts last)."""
    members = {n: (replace or {}).get(n, b) for n, b in _members(src).items() if n not in drop}
    return _zip(dst, members | (add or {}))


def _corrupt(data: bytes, name: str) -> bytes:
    """Flip the bytes in the middle of one part's compressed data; every header stays as it was."""
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        info = z.getinfo(name)
    name_len, extra_len = struct.unpack("<HH", data[info.header_offset + 26 : info.header_offset + 30])
    start = info.header_offset + 30 + name_len + extra_len
    out = bytearray(data)
    for i in range(start + info.compress_size // 2, start + info.compress_size // 2 + 4):
        out[i] ^= 0xFF
    return bytes(out)


def _claim_directory(data: bytes, size: int) -> bytes:
    """The end record rewritten to claim a zip directory of ``size`` bytes."""
    at = data.rfind(b"PK\x05\x06")
    return data[: at + 12] + struct.pack("<L", size) + data[at + 16 :]


def _content_types(
    part: str = "/xl/workbook.bin", ctype: str = "application/vnd.ms-excel.sheet.binary.macroEnabled.main"
) -> bytes:
    return (
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="{part}" ContentType="{ctype}"/></Types>'
    ).encode()


def _rels(*rels: tuple[str, str, str], external: bool = False) -> bytes:
    mode = ' TargetMode="External"' if external else ""
    items = "".join(f'<Relationship Id="{i}" Type="{t}" Target="{target}"{mode}/>' for i, t, target in rels)
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">{items}</Relationships>'
    ).encode()


# ------------------------------------------------------------------------------------------------ other files


_BIFF8 = struct.pack("<HHHHHHLL", 0x0809, 16, 0x0600, 0x0005, 0x0DBB, 0x07CC, 0, 0) + struct.pack("<HH", 0x000A, 0)
_LO_LOCK = b",somchai,DISTRICT-PC,27.11.2026 10:00,file:///C:/Users/somchai/AppData/Roaming/LibreOffice/4;"
_BILLION_LAUGHS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<!DOCTYPE sst [\n<!ENTITY lol "lol">\n'
    + "".join(f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10 if i > 1 else "&lol;" * 10}">\n' for i in range(1, 10))
    + f']>\n<sst xmlns="{_MAIN_NS}" count="1" uniqueCount="1"><si><t>&lol9;</t></si></sst>'
).encode()


def _excel_owner(user: str | bytes) -> bytes:
    """Excel's ~$ owner file: the user name length-prefixed and space-padded to 54 bytes, then in UTF-16; 165 bytes."""
    ansi = user if isinstance(user, bytes) else user.encode("cp1252")
    wide = (user.decode("cp874") if isinstance(user, bytes) else user).encode("utf-16-le")
    data = bytes([len(ansi)]) + ansi.ljust(53, b" ") + struct.pack("<H", len(wide) // 2) + wide
    return (data + b" \x00" * 60)[:165]


def _cfb(streams: dict[str, bytes]) -> bytes:
    """A minimal compound file (version 3, 512-byte sectors) holding a few streams, each of at least 4096 bytes.

    Sector 0 is the FAT, sector 1 the directory, the streams follow; real readers (olefile) accept it.
    """
    free, end, fat_sect, none = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD, 0xFFFFFFFF
    names = sorted(streams, key=lambda n: (len(n), n.upper()))  # the directory's sibling order
    assert len(names) <= 3, "one directory sector holds the root and three streams"
    fat, body, starts = [fat_sect, end], b"", []
    for name in names:
        data = streams[name].ljust(4096, b"\0")
        data = data.ljust(-(-len(data) // 512) * 512, b"\0")
        first, count = len(fat), len(data) // 512
        starts.append((first, len(streams[name])))
        fat += [*range(first + 1, first + count), end]
        body += data
    assert len(fat) <= 128
    fat_sector = struct.pack("<128L", *(fat + [free] * (128 - len(fat))))

    def entry(name: str, kind: int, right: int, child: int, start: int, size: int) -> bytes:
        raw = (name + "\0").encode("utf-16-le") if name else b""
        return struct.pack(
            "<64sHBB3L16sL8s8sLLL", raw, len(raw), kind, 1, none, right, child, bytes(16), 0, bytes(8), bytes(8),
            start, size, 0,
        )  # fmt: skip

    directory = entry("Root Entry", 5, none, 1, end, 0)
    for i, (name, (start, size)) in enumerate(zip(names, starts, strict=True)):
        directory += entry(name, 2, i + 2 if i + 1 < len(names) else none, none, start, size)
    directory = directory.ljust(512, b"\0")
    header = struct.pack(
        "<8s16sHHHHH6sLLLLLLLLL109L", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", bytes(16), 0x3E, 3, 0xFFFE, 9, 6,
        bytes(6), 0, 1, 1, 0, 4096, end, 0, end, 0, 0, *([free] * 108),
    )  # fmt: skip
    return header + fat_sector + directory + body


# ------------------------------------------------------------------------------------------------ helpers


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def _cached(path: Path, build: Callable[[Path], object]) -> Path:
    """Build an expensive case once: reuse it in place, copy it from another directory, or build it atomically."""
    if path.exists():
        return path
    part = path.with_name(path.name + ".part")
    earlier = _BUILT.get(path.name)
    if earlier is not None and earlier.exists():
        shutil.copyfile(earlier, part)
    else:
        build(part)
    os.replace(part, path)
    _BUILT[path.name] = path
    return path
