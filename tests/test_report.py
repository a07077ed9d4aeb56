"""Text and JSON output of ``xlplan check``: columns that line up with Thai marks, and JSON that round-trips."""

from __future__ import annotations

import json
import os
import re

import pytest

from xlplan import report as report_mod
from xlplan.findings import FileReport, Finding
from xlplan.report import display_width, render_json, render_text, summary_line, truncate, wrap

ANSI = re.compile(r"\x1b\[[0-9;]*m")
BUDGET = "งบประมาณ 5 ปี"


def findings() -> list[Finding]:
    return [
        Finding(
            code="V306",
            sheet=BUDGET,
            row=6,
            col=4,
            column_th="ประเภท",
            column_en="Kind",
            params={"value": "โครงกร", "example": "โครงการ"},
        ),
        Finding(code="X401", sheet="ความเสี่ยง", row=5, col=5, column_th="คะแนน", column_en="Score", params={"value": 6}),
        Finding(code="N351", sheet="ตัวชี้วัด", row=10, col=5, column_th="ค่าเป้าหมาย", params={"value": "๘๐"}),
        Finding(
            code="A501", sheet=BUDGET, row=5, col=12, column_th="รวม 5 ปี\n(บาท)", params={"found": 1, "expected": 2}
        ),
        Finding(code="S209", sheet="ความเสี่ยง"),
        Finding(code="F108"),
    ]


def failing() -> FileReport:
    r = FileReport("plans/แม่ฮ้อย.xlsx", meta={"org_code": "6500101"})
    r.add(findings())
    return r


def verdicts() -> list[FileReport]:
    ok = FileReport("ok.xlsx")
    warn = FileReport("warn.xlsx", [Finding(code="F108")])
    bad = FileReport("bad.xlsx", [Finding(code="V307", sheet=BUDGET, row=4, col=1, column_th="ชื่อ")])
    unreadable = FileReport("x.xlsx", [Finding(code="F106", params={"detail": "zip"})], unreadable=True)
    return [ok, warn, bad, unreadable]


def message_column(text: str, lang: str = "th") -> int:
    """Where the message column starts: the display width before the header "ปัญหา"."""
    header = {"th": "ปัญหา", "en": "Problem"}[lang]
    return display_width(next(line[: line.index(header)] for line in text.splitlines() if line.endswith(header)))


def prefixes(text: str, report: FileReport, lang: str) -> list[str]:
    """What stands before the message on each finding's row and on the header row (messages unwrapped)."""
    header = {"th": "ปัญหา", "en": "Problem"}[lang]
    lines = text.splitlines()
    out = [next(line[: line.index(header)] for line in lines if line.endswith(header))]
    for f in report.sorted():
        first = wrap(f.message(lang), 10_000)[0]
        out.append(next(line[: line.index(first)] for line in lines if first in line and f.code in line))
    return out


# ------------------------------------------------------------------------------------------------ widths
@pytest.mark.parametrize(
    ("text", "width"),
    [
        ("abc", 3),
        ("ก", 1),
        ("กิ", 1),  # sara i above
        ("ที่", 1),  # sara ii and mai ek above
        ("น้ำ", 2),  # mai tho above; sara am is a spacing vowel
        ("ปัญหา", 4),  # mai han-akat above
        ("กุ", 1),  # sara u below
        ("ก็", 1),  # mai taikhu
        ("ข้อผิดพลาด", 8),
        ("中文", 4),  # East Asian wide
        ("Ａ", 2),  # fullwidth
        ("ก\u200bข", 2),  # zero-width space: an invisible Thai word break
        ("", 0),
    ],
)
def test_display_width(text: str, width: int) -> None:
    assert display_width(text) == width


def test_wrap_never_splits_a_mark_from_its_consonant() -> None:
    text = "คลิกช่องแล้วเลือกจากรายการที่ถูกต้องตามแม่แบบของกรมส่งเสริมการปกครองท้องถิ่น"
    lines = wrap(text, 9)
    assert "".join(lines) == text
    assert all(display_width(line) <= 9 for line in lines)
    assert all(display_width(line[0]) == 1 for line in lines)  # no line starts with a mark


def test_wrap_breaks_at_spaces_and_keeps_paragraphs() -> None:
    assert wrap("ไม่ได้กรอก ชื่อโครงการ", 12) == ["ไม่ได้กรอก", "ชื่อโครงการ"]
    assert wrap("a\nb c", 10) == ["a", "b c"]


def test_truncate_by_display_width() -> None:
    assert truncate("งบประมาณ 5 ปี", 20) == "งบประมาณ 5 ปี"
    cut = truncate("งบประมาณ 5 ปี", 6)
    assert cut.endswith("…") and display_width(cut) <= 6


# ------------------------------------------------------------------------------------------------ text
def test_text_rows_line_up_before_the_message() -> None:
    r = failing()
    for lang in ("th", "en"):
        text = render_text([r], lang=lang, width=200)
        widths = {display_width(p) for p in prefixes(text, r, lang)}
        assert len(widths) == 1, (lang, widths)


def test_text_continuation_lines_start_at_the_message_column() -> None:
    r = failing()
    text = render_text([r], width=70)
    column = message_column(text)
    table = text.splitlines()[1:]
    table = table[: table.index("")]
    for line in table[2:]:  # after header and rule: finding rows and their continuations
        if line.startswith(" " * column):
            assert display_width(line[: len(line) - len(line.lstrip())]) == column
        else:
            assert any(f.code in line for f in r.findings), line
    assert all(display_width(line) <= 70 for line in table)


def test_text_thai_words() -> None:
    text = render_text([failing()], width=100)
    lines = text.splitlines()
    assert lines[0] == "plans/แม่ฮ้อย.xlsx: ไม่ผ่าน (ข้อผิดพลาด 2, คำเตือน 3, ข้อมูล 1)"
    for word in ("ระดับ", "รหัส", "แผ่นงาน!ช่อง", "คอลัมน์", "ข้อผิดพลาด", "คำเตือน", "ข้อมูล", "ประเภท"):
        assert word in text
    assert f"{BUDGET}!E7" in text
    assert "วิธีแก้: คลิกช่องแล้วเลือกจากรายการ" in text
    assert "รวม 5 ปี (บาท)" in text  # a two-line header label stays on one line
    assert lines[-1] == "ตรวจ 1 ไฟล์: ผ่าน 0, มีคำเตือน 0, ไม่ผ่าน 1, อ่านไม่ได้ 0"
    assert all(display_width(line) <= 100 for line in lines)
    # findings in report order: file-level first, then by sheet, row, column
    codes = [code for line in lines for code in ["F108", "S209", "X401", "A501", "V306", "N351"] if code in line]
    assert codes == [f.code for f in failing().sorted()]


def test_text_english() -> None:
    text = render_text([failing()], lang="en", width=100)
    assert text.splitlines()[0] == "plans/แม่ฮ้อย.xlsx: failed (2 errors, 3 warnings, 1 info)"
    for word in ("Severity", "Code", "Sheet!Cell", "Column", "error", "warning", "info", "Kind", "How to fix:"):
        assert word in text
    assert "วิธีแก้" not in text
    assert text.splitlines()[-1] == "Checked 1 file: 0 passed, 0 with warnings, 1 failed, 0 unreadable"


def test_text_plain_unless_colour_is_asked_for() -> None:
    plain = render_text([failing()], width=100)
    assert "\x1b" not in plain
    coloured = render_text([failing()], width=100, color=True)
    for code in ("\x1b[31m", "\x1b[33m", "\x1b[34m"):
        assert code in coloured
    assert ANSI.sub("", coloured) == plain


def test_text_no_problems() -> None:
    assert "  ไม่พบปัญหา" in render_text([FileReport("ok.xlsx")]).splitlines()
    assert "  No problems found" in render_text([FileReport("ok.xlsx")], lang="en").splitlines()
    assert render_text([FileReport("ok.xlsx")]).splitlines()[0] == "ok.xlsx: ผ่าน (ข้อผิดพลาด 0, คำเตือน 0, ข้อมูล 0)"


def test_text_verdict_words() -> None:
    heads = [line for line in render_text(verdicts()).splitlines() if line.endswith(")") and ".xlsx:" in line]
    assert [h.split(": ", 1)[1].split(" (")[0] for h in heads] == ["ผ่าน", "ผ่าน มีคำเตือน", "ไม่ผ่าน", "อ่านไม่ได้"]


def test_narrow_terminal_keeps_the_cell_reference() -> None:
    text = render_text([failing()], width=60)
    assert "…!E7" in text or f"{BUDGET}!E7" in text
    assert message_column(text) <= 60 - 20
    assert all(display_width(line) <= 60 for line in text.splitlines() if not line.startswith("plans/"))


def test_width_defaults_to_100_when_not_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(report_mod.sys.stdout, "isatty", lambda: False, raising=False)
    assert render_text([failing()]) == render_text([failing()], width=100)
    monkeypatch.setattr(report_mod.sys.stdout, "isatty", lambda: True, raising=False)
    monkeypatch.setattr(report_mod.shutil, "get_terminal_size", lambda fallback=None: os.terminal_size((72, 24)))
    assert render_text([failing()]) == render_text([failing()], width=72)


# ------------------------------------------------------------------------------------------------ json, summary
def test_json_round_trips_with_the_required_keys() -> None:
    reports = [failing(), FileReport("ok.xlsx")]
    text = render_json(reports)
    data = json.loads(text)
    assert isinstance(data, list) and len(data) == 2
    assert data == [r.to_dict("th") for r in reports]
    first = data[0]
    assert first["file"] == "plans/แม่ฮ้อย.xlsx" and first["verdict"] == "errors"
    assert first["counts"] == {"error": 2, "warning": 3, "info": 1}
    for f in first["findings"]:
        assert {"code", "severity", "sheet", "cell", "message", "hint"} <= f.keys()
    v306 = next(f for f in first["findings"] if f["code"] == "V306")
    assert (v306["severity"], v306["sheet"], v306["cell"]) == ("error", BUDGET, "E7")
    assert v306["message"] == '"โครงกร" ไม่อยู่ในรายการของช่อง ประเภท'
    assert "ไม่ผ่าน" not in text and "แม่ฮ้อย" in text  # Thai as text, not \u escapes
    assert "\\u0e" not in text
    assert data[1]["findings"] == []
    assert text.startswith("[\n  {")  # indent=2


def test_json_english() -> None:
    data = json.loads(render_json([failing()], lang="en"))
    v306 = next(f for f in data[0]["findings"] if f["code"] == "V306")
    assert v306["message"] == '"โครงกร" is not in the list of Kind.'
    assert v306["message_th"] == '"โครงกร" ไม่อยู่ในรายการของช่อง ประเภท'


def test_summary_line() -> None:
    assert summary_line(verdicts()) == "ตรวจ 4 ไฟล์: ผ่าน 1, มีคำเตือน 1, ไม่ผ่าน 1, อ่านไม่ได้ 1"
    assert summary_line(verdicts(), "en") == "Checked 4 files: 1 passed, 1 with warnings, 1 failed, 1 unreadable"
    assert summary_line([]) == "ตรวจ 0 ไฟล์: ผ่าน 0, มีคำเตือน 0, ไม่ผ่าน 0, อ่านไม่ได้ 0"
