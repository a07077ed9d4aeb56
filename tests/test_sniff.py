"""File-level sniffing against a corpus of hostile files: the right finding, fast, small, and never a traceback."""

from __future__ import annotations

import hashlib
import io
import os
import random
import string
import struct
import time
import tracemalloc
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest
from accel import pure
from hostile import BOMB_SIZE, CASES, LINK_TARGET, _bomb, _Member, _members, _raw_zip, build_corpus, build_extras
from hypothesis import given, settings
from hypothesis import strategies as st

from xlplan import sniff as sniff_module
from xlplan import xlsx
from xlplan.rules import RULES
from xlplan.sniff import KIND_HTML, KIND_TEXT, KIND_WORD, KINDS, Sniffed, human_size, sniff

SLOW = 2.0  # seconds any one sniff may take
MAX_PEAK = 50 * 1024 * 1024  # bytes tracemalloc may see at the peak of a sniff

# case -> (finding codes in order, kind, readable)
EXPECTED: dict[str, tuple[list[str], str, bool]] = {
    "empty": (["F101"], "empty", False),
    "random_bytes": (["F102"], "binary", False),
    "csv_renamed": (["F102"], "csv", False),
    "html_renamed": (["F102"], "html", False),
    "docx_renamed": (["F102"], "docx", False),
    "plain_zip": (["F102"], "zip", False),
    "xls": (["F103"], "xls", False),
    "encrypted": (["F105"], "encrypted", False),
    "ods": (["F104"], "ods", False),
    "truncated": (["F106"], "zip", False),
    "bad_crc": (["F106"], "xlsx", False),
    "excel_lock": (["F107"], "lock", False),
    "lo_lock": (["F107"], "lock", False),
    "macro": (["F108"], "xlsm", True),
    "entities": (["F109"], "xlsx", False),
    "zip_bomb": (["F110"], "xlsx", False),
    "external_link": (["F112"], "xlsx", True),
    "strict": (["F113"], "strict", False),
    "far_corner": ([], "xlsx", True),
    "million_rows": ([], "xlsx", True),
    "ok": ([], "xlsx", True),
}

EXPECTED_EXTRAS: dict[str, tuple[list[str], str, bool]] = {
    "lying_small": (["F106"], "xlsx", False),  # declares 1 KB, inflates to 1 GB: stops at 1 KB, CRC fails
    "lying_big": (["F106"], "xlsx", False),  # declares 150 MB (under every limit): read to there, CRC fails
    "bzip2_member": (["F106"], "xlsx", False),
    "zip_encrypted": (["F105"], "encrypted", False),
    "utf16_entities": (["F109"], "xlsx", False),
    "late_doctype": (["F109"], "xlsx", False),  # a 100 KB comment before the DOCTYPE
    "many_entries": (["F110"], "zip", False),
    "many_parts": ([], "xlsx", True),  # 1,900 extra parts: under the limit, and still fast
    "many_small_bombs": (["F110"], "xlsx", False),
    "directory_too_big": (["F106"], "zip", False),
    "no_content_types": (["F106"], "xlsx", False),
    "xlsb": (["F102"], "zip", False),
    "odt": (["F102"], "zip", False),
    "doc97": (["F102"], "binary", False),
    "csv_utf16": (["F102"], "csv", False),
    "csv_cp874": (["F102"], "csv", False),
    "xml2003": (["F102"], "text", False),
    "pdf": (["F102"], "pdf", False),
    "png": (["F102"], "binary", False),
    "lo_lock_content": (["F107"], "lock", False),
    "excel_lock_content": (["F107"], "lock", False),
    "lock_name_real": ([], "xlsx", True),  # named like a lock file, but a real workbook: content wins
    "macrosheet": (["F108"], "xlsm", True),
}


@pytest.fixture(scope="session")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return build_corpus(tmp_path_factory.mktemp("hostile"))


@pytest.fixture(scope="session")
def extras(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return build_extras(tmp_path_factory.mktemp("hostile-extras"))


def timed_sniff(path: Path) -> Sniffed:
    start = time.perf_counter()
    s = sniff(path)
    elapsed = time.perf_counter() - start
    assert elapsed < SLOW, f"sniffing {path.name} took {elapsed:.2f} s"
    return s


def peak_memory(fn: Callable[[], object]) -> int:
    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def assert_consistent(s: Sniffed, path: Path) -> None:
    """What holds for every result: a known kind, findings of file rules whose templates their params fill."""
    assert s.kind in KINDS
    assert s.path == path
    for f in s.findings:
        assert f.code in RULES and f.code.startswith("F1"), f.code
        assert f.file == str(path)
        rule = f.rule
        for template in (rule.message_th, rule.message_en, rule.hint_th, rule.hint_en):
            for _, name, _, _ in string.Formatter().parse(template):
                assert not name or name in f.params, f"{f.code} lacks {{{name}}}"
        if f.code == "F106":  # an unexpected exception would show as a bare class name
            assert " (" in f.params["detail"], f.params["detail"]
    assert s.readable == (s.kind in ("xlsx", "xlsm") and all(f.severity.value != "error" for f in s.findings))


# ------------------------------------------------------------------------------------------------ the corpus


def test_corpus_has_every_case(corpus: dict[str, Path]) -> None:
    assert set(corpus) == set(CASES) == set(EXPECTED)
    assert all(p.is_file() for p in corpus.values())


@pytest.mark.parametrize("case", list(EXPECTED))
def test_corpus_case(corpus: dict[str, Path], case: str) -> None:
    path = corpus[case]
    s = timed_sniff(path)
    codes, kind, readable = EXPECTED[case]
    assert [f.code for f in s.findings] == codes
    assert (s.kind, s.readable) == (kind, readable)
    assert_consistent(s, path)
    st = path.stat()
    assert s.size == st.st_size
    assert s.mtime == st.st_mtime
    assert s.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize("case", list(EXPECTED_EXTRAS))
def test_extra_case(extras: dict[str, Path], case: str) -> None:
    assert set(extras) == set(EXPECTED_EXTRAS)
    s = timed_sniff(extras[case])
    codes, kind, readable = EXPECTED_EXTRAS[case]
    assert [f.code for f in s.findings] == codes
    assert (s.kind, s.readable) == (kind, readable)
    assert_consistent(s, extras[case])


def test_finding_params(corpus: dict[str, Path]) -> None:
    def params(case: str) -> dict[str, object]:
        return sniff(corpus[case]).findings[0].params

    assert params("zip_bomb") == {"size": "1.0 GB"}
    assert params("external_link") == {"target": LINK_TARGET}
    assert params("entities") == {"part": "xl/sharedStrings.xml"}
    assert params("csv_renamed") == {"kind": KIND_TEXT}
    assert params("html_renamed") == {"kind": KIND_HTML}
    assert params("docx_renamed") == {"kind": KIND_WORD}
    assert "sheet1.xml" in str(params("bad_crc")["detail"])
    assert "1.0 GB" in sniff(corpus["zip_bomb"]).findings[0].message("en")


def test_readable_cases_open_in_openpyxl(corpus: dict[str, Path]) -> None:
    """The corpus's 'good' files are real workbooks, so sniffing them as readable means something."""
    for case in ("ok", "macro", "external_link", "far_corner"):
        wb = openpyxl.load_workbook(corpus[case])
        assert wb.worksheets[0]["A1"].value == "ลำดับ"
    assert openpyxl.load_workbook(corpus["far_corner"]).worksheets[0]["XFD1048576"].value == 1
    assert len(openpyxl.load_workbook(corpus["external_link"])._external_links) == 1
    ws = openpyxl.load_workbook(corpus["million_rows"], read_only=True).worksheets[0]
    assert ws.calculate_dimension() == "A1:A1000000"


def test_zip_bomb_is_what_it_claims(corpus: dict[str, Path]) -> None:
    import zipfile

    with zipfile.ZipFile(corpus["zip_bomb"]) as z:
        sheet = z.getinfo("xl/worksheets/sheet1.xml")
    assert sheet.file_size > BOMB_SIZE and sheet.compress_size < 1.5 * 1024 * 1024
    assert corpus["zip_bomb"].stat().st_size < 1.5 * 1024 * 1024


# ------------------------------------------------------------------------------------------------ resources


@pytest.mark.parametrize("case", ["zip_bomb", "million_rows"])
def test_memory_stays_small(corpus: dict[str, Path], case: str) -> None:
    assert peak_memory(lambda: sniff(corpus[case])) < MAX_PEAK


def test_lying_headers_are_read_in_chunks(extras: dict[str, Path]) -> None:
    """150 MB really inflated, under every limit: streamed in chunks, never held."""
    assert peak_memory(lambda: sniff(extras["lying_big"])) < MAX_PEAK
    assert peak_memory(lambda: sniff(extras["lying_small"])) < MAX_PEAK


def test_corpus_is_cached(corpus: dict[str, Path], tmp_path: Path) -> None:
    """A second build (as another test module may ask for) copies the big cases instead of rebuilding them."""
    start = time.perf_counter()
    again = build_corpus(tmp_path)
    assert time.perf_counter() - start < 5
    for case in ("zip_bomb", "million_rows"):
        assert again[case].read_bytes() == corpus[case].read_bytes()
    bomb_mtime = again["zip_bomb"].stat().st_mtime_ns
    build_corpus(tmp_path)
    assert again["zip_bomb"].stat().st_mtime_ns == bomb_mtime


def test_limits() -> None:
    assert sniff_module.MAX_TOTAL_UNCOMPRESSED == 200 * 1024 * 1024
    assert sniff_module.MAX_RATIO == 200
    assert sniff_module.RATIO_MIN_SIZE == 1024 * 1024


def test_human_size() -> None:
    assert human_size(0) == "0 bytes"
    assert human_size(1023) == "1023 bytes"
    assert human_size(1536) == "1.5 KB"
    assert human_size(1024**3 + 5000) == "1.0 GB"
    assert human_size(5 * 1024**4) == "5.0 TB"


# ------------------------------------------------------------------------------------------------ paths


def test_directory(tmp_path: Path) -> None:
    s = sniff(tmp_path)
    assert [f.code for f in s.findings] == ["F114"]
    assert (s.kind, s.readable, s.size, s.sha256, s.mtime) == ("missing", False, 0, "", 0.0)
    assert "folder" in s.findings[0].params["detail"]


def test_missing(tmp_path: Path) -> None:
    s = sniff(str(tmp_path / "nowhere.xlsx"))
    assert [f.code for f in s.findings] == ["F114"]
    assert (s.kind, s.readable, s.size, s.sha256, s.mtime) == ("missing", False, 0, "", 0.0)
    assert s.path == tmp_path / "nowhere.xlsx"
    assert_consistent(s, tmp_path / "nowhere.xlsx")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_fifo_does_not_block(tmp_path: Path) -> None:
    fifo = tmp_path / "plan.xlsx"
    os.mkfifo(fifo)
    s = timed_sniff(fifo)
    assert [f.code for f in s.findings] == ["F114"] and s.kind == "missing"


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root reads everything")
def test_unreadable(tmp_path: Path, corpus: dict[str, Path]) -> None:
    path = tmp_path / "locked.xlsx"
    path.write_bytes(corpus["ok"].read_bytes())
    path.chmod(0)
    s = sniff(path)
    assert [f.code for f in s.findings] == ["F114"] and s.kind == "missing" and s.sha256 == ""


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="no /dev/zero here")
def test_device_is_not_read() -> None:
    """/dev/zero never ends: a device is refused before the first read."""
    s = timed_sniff(Path("/dev/zero"))
    assert [f.code for f in s.findings] == ["F114"] and s.kind == "missing"


def test_odd_paths() -> None:
    assert [f.code for f in sniff("bad\0name.xlsx").findings] == ["F114"]
    assert [f.code for f in sniff(None).findings] == ["F114"]  # type: ignore[arg-type]


def test_hash_spans_chunks(tmp_path: Path) -> None:
    path = tmp_path / "big.bin"
    path.write_bytes(random.Random(1).randbytes(3 * 1024 * 1024 + 17))
    s = sniff(path)
    assert s.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert s.size == 3 * 1024 * 1024 + 17


def test_compound_file_names_across_chunks(tmp_path: Path) -> None:
    """The encryption stream name is found even when it straddles two reads."""
    name = "EncryptionInfo\0".encode("utf-16-le")
    split = sniff_module.CHUNK - 7
    data = bytearray(sniff_module._OLE_MAGIC + bytes(split - len(sniff_module._OLE_MAGIC)))
    data += name + bytes(100)
    path = tmp_path / "enc.xlsx"
    path.write_bytes(bytes(data))
    s = sniff(path)
    assert (s.kind, [f.code for f in s.findings]) == ("encrypted", ["F105"])


def test_oversized_file_is_only_hashed(corpus: dict[str, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sniff_module, "MAX_FILE_SIZE", 1000)
    s = sniff(corpus["ok"])
    assert ([f.code for f in s.findings], s.kind, s.readable) == (["F110"], "zip", False)
    assert s.sha256 == hashlib.sha256(corpus["ok"].read_bytes()).hexdigest()


def test_short_csv_is_not_a_lock_file(tmp_path: Path) -> None:
    """A byte that could be an owner file's name length (here '5' = 53) does not make a CSV a lock file."""
    path = tmp_path / "plan.xlsx"
    path.write_bytes(("5," + "x" * 150 + "\r\n" + " " * 11).encode())
    assert len(path.read_bytes()) == 165
    assert sniff(path).kind == "csv"


def test_non_text_encoding_is_not_decoded() -> None:
    """encoding="bz2" in an XML declaration must not make sniffing decompress anything."""
    import bz2

    bomb = bz2.compress(bytes(10_000_000)) * 10  # 100 MB once decompressed (bz2 reads concatenated streams)
    head = b'<?xml version="1.0" encoding="bz2"?>' + bomb
    assert peak_memory(lambda: sniff_module._unsafe_xml(head, whole=True)) < MAX_PEAK


# ------------------------------------------------------------------------------------------------ robustness


def test_never_raises_on_random_bytes(tmp_path: Path) -> None:
    rng = random.Random(2566)
    prefixes = [b"", b"PK\x03\x04", b"PK\x05\x06", sniff_module._OLE_MAGIC, b"<html>", b"%PDF-", b"\xff\xfe", b"\x01"]
    start = time.perf_counter()
    for i in range(200):
        path = tmp_path / f"r{i}.xlsx"
        path.write_bytes(rng.choice(prefixes) + rng.randbytes(rng.choice([0, 1, 10, 100, 1000, 5000])))
        assert_consistent(sniff(path), path)
    assert time.perf_counter() - start < 10


def test_never_raises_on_damaged_workbooks(tmp_path: Path, corpus: dict[str, Path]) -> None:
    rng = random.Random(2567)
    data = corpus["ok"].read_bytes()
    start = time.perf_counter()
    for i in range(100):  # cut anywhere
        path = tmp_path / f"t{i}.xlsx"
        path.write_bytes(data[: rng.randrange(len(data))])
        s = sniff(path)
        assert_consistent(s, path)
        assert not s.readable
    for i in range(200):  # a few bytes changed anywhere (headers, directory, data)
        damaged = bytearray(data)
        for _ in range(rng.randint(1, 8)):
            damaged[rng.randrange(len(damaged))] = rng.randrange(256)
        path = tmp_path / f"m{i}.xlsx"
        path.write_bytes(bytes(damaged))
        assert_consistent(sniff(path), path)
    assert time.perf_counter() - start < 10


# ------------------------------------------------------------------------------------------------ parts read straight

SHEET = "xl/worksheets/sheet1.xml"


def outcome(s: Sniffed) -> tuple[object, ...]:
    return (s.kind, s.readable, [(f.code, f.params) for f in s.findings], sorted(s.parts.items()), s.parts_complete)


def spy_stream(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The parts that go through zipfile's reader (_stream) from now on."""
    calls: list[str] = []
    real = sniff_module._stream

    def spy(zf: zipfile.ZipFile, info: zipfile.ZipInfo, cap: int, keep: list[bytes] | None = None) -> tuple[bytes, int]:
        calls.append(info.filename)
        return real(zf, info, cap, keep)

    monkeypatch.setattr(sniff_module, "_stream", spy)
    return calls


def via_zipfile(path: Path, keep_parts: bool, monkeypatch: pytest.MonkeyPatch) -> Sniffed:
    """sniff with every part read through zipfile, as before parts were read straight from the file's bytes."""
    with monkeypatch.context() as m:
        m.setattr(sniff_module, "_plain_part", lambda whole, info: None)
        return sniff(path, keep_parts=keep_parts)


def zip_members(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {i.filename: z.read(i) for i in z.infolist()}


def local_header(data: bytes, name: str) -> int:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return z.getinfo(name).header_offset


def patched(data: bytes, at: int, fmt: str, value: int) -> bytes:
    out = bytearray(data)
    struct.pack_into(fmt, out, at, value)
    return bytes(out)


def test_plain_parts_are_read_straight(corpus: dict[str, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    """A normal workbook's parts never go through zipfile's reader, and come out as zipfile gives them."""
    calls = spy_stream(monkeypatch)
    s = sniff(corpus["ok"], keep_parts=True)
    assert (s.findings, s.readable, s.parts_complete, calls) == ([], True, True, [])
    assert s.parts == zip_members(corpus["ok"])


def test_big_file_is_not_held_whole(extras: dict[str, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    """Over CHUNK, the file is read in chunks and every part through zipfile, as the memory bound wants."""
    assert extras["lying_small"].stat().st_size > sniff_module.CHUNK
    calls: list[str] = []
    monkeypatch.setattr(sniff_module, "_plain_part", lambda whole, info: calls.append(info.filename))
    assert [f.code for f in sniff(extras["lying_small"], keep_parts=True).findings] == ["F106"]
    assert calls == []


def test_bad_crc_read_straight_says_what_zipfile_says(
    corpus: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A CRC that both headers agree on but the data do not match: found by the straight read, in zipfile's words."""
    members = _members(corpus["ok"])
    path = _raw_zip(
        tmp_path / "crc.xlsx",
        [_one(n, b, crc=zlib.crc32(b) ^ 1 if n == SHEET else None) for n, b in members.items()],
    )
    detail = f"ข้อมูลใน {SHEET} ไม่ตรงกับค่าตรวจสอบ (bad checksum in {SHEET})"
    expected = via_zipfile(path, True, monkeypatch)
    calls = spy_stream(monkeypatch)
    s = sniff(path, keep_parts=True)
    assert [(f.code, f.params) for f in s.findings] == [("F106", {"detail": detail})]
    assert calls == []
    assert outcome(s) == outcome(expected)
    # Data flipped in the middle (the corpus's bad_crc) mostly fail to inflate to the declared size: zipfile's case.
    assert outcome(sniff(corpus["bad_crc"], keep_parts=True)) == outcome(
        via_zipfile(corpus["bad_crc"], True, monkeypatch)
    )


# A local header that disagrees with the zip directory: zipfile reads with the directory's values and checks only the
# header's signature and name, so some disagreements are harmless and some are damage. Either way the part is left to
# zipfile, and the finding is exactly zipfile's.
LOCAL_LIES: dict[str, tuple[int, str, Callable[[int], int], list[tuple[str, dict[str, str]]]]] = {
    "crc": (14, "<L", lambda v: v ^ 1, []),
    "method": (8, "<H", lambda v: 0, []),
    "flags": (6, "<H", lambda v: v | 0x2, []),
    "size": (22, "<L", lambda v: v + 1, []),
    "name": (30, "<B", lambda v: ord("X"), [("F106", {"detail": f"ส่วน {SHEET} เสียหาย ({SHEET} is damaged)"})]),
    "signature": (0, "<L", lambda v: 0, [("F106", {"detail": f"ส่วน {SHEET} เสียหาย ({SHEET} is damaged)"})]),
    "extra_length": (
        28,
        "<H",
        lambda v: v + 3,
        [("F106", {"detail": f"ข้อมูลบีบอัดใน {SHEET} เสียหาย (damaged data in {SHEET})"})],
    ),
}


@pytest.mark.parametrize("lie", list(LOCAL_LIES))
def test_local_header_disagreeing_goes_through_zipfile(
    lie: str, corpus: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    offset, fmt, change, findings = LOCAL_LIES[lie]
    data = corpus["ok"].read_bytes()
    at = local_header(data, SHEET) + offset
    path = tmp_path / f"{lie}.xlsx"
    path.write_bytes(patched(data, at, fmt, change(struct.unpack_from(fmt, data, at)[0])))
    expected = via_zipfile(path, True, monkeypatch)
    calls = spy_stream(monkeypatch)
    s = sniff(path, keep_parts=True)
    assert [(f.code, f.params) for f in s.findings] == findings
    assert calls == [SHEET]
    assert outcome(s) == outcome(expected)
    if not findings:
        assert s.parts == zip_members(corpus["ok"])


def test_lying_size_in_a_small_file(corpus: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """8 MB of blanks declared as 1,000 bytes, in a 30 KB file: read straight, capped at 1,001 bytes, then left to
    zipfile (which stops at 1,000 and finds the CRC wrong)."""
    path = tmp_path / "lying.xlsx"
    _bomb(corpus["ok"], path, 8 * 1024 * 1024, declare=1000)
    assert path.stat().st_size < sniff_module.CHUNK
    sizes: list[int] = []
    real = sniff_module._plain_part

    def spy(whole: bytes, info: zipfile.ZipInfo) -> bytes | None:
        part = real(whole, info)
        sizes.append(-1 if part is None else len(part))
        return part

    monkeypatch.setattr(sniff_module, "_plain_part", spy)
    calls = spy_stream(monkeypatch)
    s = sniff(path, keep_parts=True)
    detail = f"ข้อมูลใน {SHEET} ไม่ตรงกับค่าตรวจสอบ (bad checksum in {SHEET})"
    assert [(f.code, f.params) for f in s.findings] == [("F106", {"detail": detail})]
    assert calls == [SHEET] and -1 in sizes
    assert peak_memory(lambda: sniff(path, keep_parts=True)) < MAX_PEAK


@pytest.mark.parametrize("extra", [0, 500])
def test_stream_shorter_than_declared(
    extra: int, corpus: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A directory that declares more than the data give (CRC of what they give): zipfile's answer, not ours."""
    members = _members(corpus["ok"])
    sheet = members[SHEET]
    c = zlib.compressobj(6, zlib.DEFLATED, -15)
    packed = c.compress(sheet) + c.flush()
    path = _raw_zip(
        tmp_path / "short.xlsx",
        [
            _Member(n, packed, zlib.crc32(sheet), len(sheet) + extra) if n == SHEET else _one(n, b)
            for n, b in members.items()
        ],
    )
    expected = via_zipfile(path, True, monkeypatch)
    calls = spy_stream(monkeypatch)
    s = sniff(path, keep_parts=True)
    assert outcome(s) == outcome(expected)
    assert s.findings == [] and s.parts[SHEET] == sheet  # zipfile stops at the end of the data and checks the CRC
    assert calls == ([SHEET] if extra else [])


def _one(name: str, data: bytes, crc: int | None = None) -> _Member:
    c = zlib.compressobj(6, zlib.DEFLATED, -15)
    return _Member(name, c.compress(data) + c.flush(), zlib.crc32(data) if crc is None else crc, len(data))


class _Unseekable(io.RawIOBase):
    def __init__(self) -> None:
        self.data = bytearray()

    def writable(self) -> bool:
        return True

    def write(self, b: bytes) -> int:  # type: ignore[override]
        self.data += b
        return len(b)


@pytest.mark.parametrize("variant", ["data_descriptor", "zip64"])
def test_unusual_zips_go_through_zipfile(
    variant: str, corpus: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Data descriptors (flag bit 3: sizes and CRC after the data) and zip64 local headers are zipfile's to read."""
    members = _members(corpus["ok"])
    if variant == "data_descriptor":
        out = _Unseekable()  # zipfile writes data descriptors when it cannot seek back
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
            for name, data in members.items():
                z.writestr(name, data)
        raw = bytes(out.data)
    else:
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
            for name, data in members.items():
                with z.open(name, "w", force_zip64=True) as m:
                    m.write(data)
        raw = buf.getvalue()
    path = tmp_path / f"{variant}.xlsx"
    path.write_bytes(raw)
    with zipfile.ZipFile(path) as z:
        if variant == "data_descriptor":
            assert all(i.flag_bits & 0x8 for i in z.infolist())
    calls = spy_stream(monkeypatch)
    s = sniff(path, keep_parts=True)
    assert (s.findings, s.readable, s.parts_complete) == ([], True, True)
    assert s.parts == members
    assert sorted(calls) == sorted(members)


@pytest.mark.parametrize("inflater", ["libdeflate", "zlib-ng", "zlib"])
def test_straight_and_zipfile_agree_on_hostile_files(
    corpus: dict[str, Path], extras: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, inflater: str
) -> None:
    """Every small hostile file, and damaged workbooks (headers, directory, data), give exactly what reading every
    part through zipfile gives: with libdeflate inflating the parts read straight, with zlib-ng (without
    libdeflate), and with zlib (without either)."""
    assert sniff_module._zlib.__name__ == "zlib_ng.zlib_ng"  # dependencies: the tests run with them
    assert sniff_module._inflate_whole is not None
    if inflater != "libdeflate":
        monkeypatch.setattr(sniff_module, "_inflate_whole", None)
    if inflater == "zlib":
        monkeypatch.setattr(sniff_module, "_zlib", zlib)
    paths = [p for p in (*corpus.values(), *extras.values()) if p.stat().st_size <= sniff_module.CHUNK]
    data = corpus["ok"].read_bytes()
    with zipfile.ZipFile(corpus["ok"]) as z:
        offsets = [i.header_offset for i in z.infolist()]
    directory = struct.unpack_from("<L", data, data.rfind(b"PK\x05\x06") + 16)[0]  # where the directory starts
    rng = random.Random(2568)
    for i in range(120):
        damaged = bytearray(data)
        for _ in range(rng.randint(1, 3)):
            if i % 3 == 0:  # a local header
                at = rng.choice(offsets) + rng.randrange(30)
            elif i % 3 == 1:  # the zip directory
                at = rng.randrange(directory, len(data))
            else:
                at = rng.randrange(len(data))
            damaged[at] = rng.randrange(256)
        path = tmp_path / f"d{i}.xlsx"
        path.write_bytes(bytes(damaged))
        paths.append(path)
    for path in paths:
        for keep in (True, False):
            assert outcome(sniff(path, keep_parts=keep)) == outcome(via_zipfile(path, keep, monkeypatch)), path.name


@pytest.mark.parametrize(
    ("head", "whole", "unsafe"),
    [
        (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n<worksheet>', False, False),
        (b"<worksheet>", False, False),
        (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>', False, True),  # the root is past the head
        (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>', True, False),
        (b'<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE a [<!ENTITY b "c">]><a>&b;</a>', True, True),
        (b"<!ENTITY x 'y'>", True, True),  # at the very start: '!' at 1, searched from 0
        (b"<f>'Sheet 2'!A1</f><![CDATA[<!DOCTYPE]]>", True, True),  # after a '!' of a formula
        (b"<f>'Sheet 2'!A1</f><!-- no declaration -->", True, False),
        (b"<a>" + b"!" * 70_000 + b"<!ENTITY", False, True),
        ('<?xml version="1.0" encoding="UTF-16"?><a/>'.encode("utf-16"), True, False),
        ('<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE a><a/>'.encode("utf-16"), True, True),
        (b'<?xml version="1.0" encoding="UTF-8"?><!-- ' + b" " * 70_000, False, True),  # a comment past the head
    ],
)
@pytest.mark.parametrize("pure_python", [True, False])
def test_unsafe_xml(head: bytes, whole: bool, unsafe: bool, pure_python: bool) -> None:
    with pure(pure_python):
        assert sniff_module._unsafe_xml(head, whole=whole) is unsafe


_DTD_PIECES = [b"<", b"!", b"D", b"E", b"x", b"\xe0", b"<!DOCTYP", b"<!ENTIT", b"!DOCTYPE", b"<!DOCTYPE", b"<!ENTITY"]


@pytest.mark.skipif(xlsx._xlscan is None, reason="xlplan._xlscan is not built")
@settings(max_examples=3000, deadline=None)
@given(st.lists(st.sampled_from(_DTD_PIECES), max_size=12))
def test_compiled_dtd_search_finds_what_the_expression_finds(pieces: list[bytes]) -> None:
    """Pieces of the two declarations, cut anywhere, at either end and after stray '!' and '<'."""
    head = b"".join(pieces)
    assert xlsx._xlscan.dtd_declared(head) is (sniff_module._DTD_BYTES.search(head) is not None)
