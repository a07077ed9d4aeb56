"""What ``xlplan check`` prints: an aligned text table for people, JSON for programs, and a one-line summary.

Thai in a terminal: vowel and tone marks written above or below a consonant take no column and East Asian wide
characters take two, so every pad, cut and wrap goes by :func:`display_width`, never ``len``.
"""

from __future__ import annotations

import json
import shutil
import sys
import unicodedata
from collections import Counter
from collections.abc import Iterator

from xlplan.findings import VERDICTS, FileReport, Finding
from xlplan.rules import Severity

DEFAULT_WIDTH = 100
MIN_WIDTH = 40

VERDICT_WORDS: dict[str, dict[str, str]] = {
    "th": {"ok": "ผ่าน", "warnings": "ผ่าน มีคำเตือน", "errors": "ไม่ผ่าน", "unreadable": "อ่านไม่ได้"},
    "en": {"ok": "passed", "warnings": "passed with warnings", "errors": "failed", "unreadable": "unreadable"},
}
SEVERITY_WORDS: dict[str, dict[str, str]] = {
    "th": {"error": "ข้อผิดพลาด", "warning": "คำเตือน", "info": "ข้อมูล"},
    "en": {"error": "error", "warning": "warning", "info": "info"},
}
HINT_LABEL = {"th": "วิธีแก้:", "en": "How to fix:"}
NO_PROBLEMS = {"th": "ไม่พบปัญหา", "en": "No problems found"}
_HEADERS = {
    "th": ("ระดับ", "รหัส", "แผ่นงาน!ช่อง", "คอลัมน์", "ปัญหา"),
    "en": ("Severity", "Code", "Sheet!Cell", "Column", "Problem"),
}

_ANSI = {"error": "\033[31m", "warning": "\033[33m", "info": "\033[34m", "ok": "\033[32m"}
_ANSI_VERDICT = {"ok": "ok", "warnings": "warning", "errors": "error", "unreadable": "error"}
_RESET = "\033[0m"

# Thai marks above/below a consonant (U+0E31, U+0E34-0E3A, U+0E47-0E4E), listed even though unicodedata also
# calls them combining, so the rule the brief states is visible here; zero-width joiners/spaces (ZWSP is common
# in Thai text as an invisible word break) and the BOM take no column either.
_ZERO_WIDTH = frozenset(
    [0x0E31, *range(0x0E34, 0x0E3B), *range(0x0E47, 0x0E4F), 0x200B, 0x200C, 0x200D, 0x2060, 0xFEFF]
)

_SEP = "  "  # between table columns
_INDENT = "  "  # before each table row
_MIN_MESSAGE = 20
_WANT_MESSAGE = 30
_CAPS = {"where": (32, 10), "column": (20, 6)}  # (natural cap, smallest when the terminal is narrow)


def _lang(lang: str) -> str:
    return "en" if lang == "en" else "th"


def char_width(ch: str) -> int:
    """Columns one character takes in a terminal: 0 for marks and controls, 2 for wide East Asian, else 1."""
    o = ord(ch)
    if o in _ZERO_WIDTH or o < 0x20 or 0x7F <= o < 0xA0:
        return 0
    if unicodedata.combining(ch) or unicodedata.category(ch) in ("Mn", "Me", "Cf"):
        return 0
    return 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1


def display_width(text: str) -> int:
    """Columns ``text`` takes in a terminal (Thai marks above/below take none, wide characters two)."""
    return sum(char_width(ch) for ch in text)


def _clusters(text: str) -> Iterator[str]:
    """A base character with the marks that sit on it: never split apart when cutting or wrapping."""
    cluster = ""
    for ch in text:
        if cluster and char_width(ch) == 0:
            cluster += ch
            continue
        if cluster:
            yield cluster
        cluster = ch
    if cluster:
        yield cluster


def _take(text: str, width: int) -> tuple[str, str]:
    """Split ``text`` after at most ``width`` columns (at least one cluster, so wrapping always advances)."""
    head, used = "", 0
    parts = list(_clusters(text))
    for i, cl in enumerate(parts):
        w = display_width(cl)
        if head and used + w > width:
            return head, "".join(parts[i:])
        head += cl
        used += w
    return head, ""


def pad(text: str, width: int) -> str:
    """``text`` padded with spaces to ``width`` terminal columns."""
    return text + " " * max(0, width - display_width(text))


def truncate(text: str, width: int) -> str:
    """``text`` cut to ``width`` terminal columns, ending with "…" when something was cut."""
    if display_width(text) <= width:
        return text
    head, _ = _take(text, max(0, width - 1))
    return head + "…"


def wrap(text: str, width: int) -> list[str]:
    """Lines of at most ``width`` columns: breaks at spaces, and inside a word (Thai has no spaces between words)
    only when the word alone is too long."""
    width = max(1, width)
    out: list[str] = []
    for para in text.replace("\t", " ").split("\n"):
        line, used = "", 0
        for word in para.split():
            w = display_width(word)
            if line and used + 1 + w <= width:
                line, used = f"{line} {word}", used + 1 + w
                continue
            if line and w > width and width - used - 1 >= 4:  # too long for any line: start it on this one
                head, word = _take(word, width - used - 1)
                line, w = f"{line} {head}", display_width(word)
            if line:
                out.append(line)
            while w > width:
                head, word = _take(word, width)
                out.append(head)
                w = display_width(word)
            line, used = word, w
        out.append(line)
    return out


def _paint(text: str, key: str, color: bool) -> str:
    return f"{_ANSI[key]}{text}{_RESET}" if color else text


def verdict_word(verdict: str, lang: str = "th") -> str:
    return VERDICT_WORDS[_lang(lang)][verdict]


def severity_word(severity: Severity | str, lang: str = "th") -> str:
    return SEVERITY_WORDS[_lang(lang)][Severity(severity).value]


def counts_text(report: FileReport, lang: str = "th") -> str:
    """ "ข้อผิดพลาด 2, คำเตือน 1, ข้อมูล 0" / "2 errors, 1 warning, 0 info"."""
    c = report.counts()
    if _lang(lang) == "th":
        return ", ".join(f"{SEVERITY_WORDS['th'][s.value]} {c[s.value]}" for s in Severity)
    e, w, i = c["error"], c["warning"], c["info"]
    return f"{e} error{'' if e == 1 else 's'}, {w} warning{'' if w == 1 else 's'}, {i} info"


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _where(f: Finding, width: int | None = None) -> str:
    """งบประมาณ 5 ปี!E7; when too wide the sheet name is cut, never the cell."""
    if not (f.sheet and f.cell):
        return _one_line(f.sheet or f.cell) or "-"
    ref = "!" + f.cell
    sheet = _one_line(f.sheet)
    if width is not None:
        sheet = truncate(sheet, max(1, width - len(ref)))
    return sheet + ref


def _column(f: Finding, lang: str) -> str:
    return _one_line(f.column_en or f.column_th if lang == "en" else f.column_th) or "-"


def _terminal_width() -> int:
    if sys.stdout.isatty():
        return shutil.get_terminal_size((DEFAULT_WIDTH, 24)).columns
    return DEFAULT_WIDTH


def _table(report: FileReport, lang: str, color: bool, width: int) -> list[str]:
    findings = list(report.sorted())
    head = _HEADERS[lang]
    rows = [(severity_word(f.severity, lang), f.code, _where(f), _column(f, lang)) for f in findings]
    widths = [max(display_width(r[i]) for r in [head[:4], *rows]) for i in range(4)]
    widths[2] = min(widths[2], _CAPS["where"][0])
    widths[3] = min(widths[3], _CAPS["column"][0])

    def message_width() -> int:
        return width - len(_INDENT) - sum(widths) - len(_SEP) * 4

    # a narrow terminal squeezes the location and column cells before the message
    for i, key in ((2, "where"), (3, "column")):
        short = _WANT_MESSAGE - message_width()
        if short > 0:
            widths[i] = max(min(widths[i], _CAPS[key][1]), widths[i] - short)
    msg_w = max(_MIN_MESSAGE, message_width())
    blank = " " * (len(_INDENT) + sum(widths) + len(_SEP) * 4)

    def prefix(cells: tuple[str, ...], severity: str | None = None) -> str:
        out = []
        for i, (c, w) in enumerate(zip(cells, widths, strict=True)):
            cut = truncate(c, w)
            painted = _paint(cut, severity, color) if i == 0 and severity is not None else cut
            out.append(painted + " " * (w - display_width(cut)))
        return _INDENT + _SEP.join(out) + _SEP

    lines = [prefix(head[:4]) + head[4], prefix(tuple("-" * w for w in widths)) + "-" * display_width(head[4])]
    for f, cells in zip(findings, rows, strict=True):
        cells = (cells[0], cells[1], _where(f, widths[2]), cells[3])
        message = wrap(f.message(lang), msg_w)
        lines.append(prefix(cells, f.severity.value) + message[0])
        lines.extend(blank + m for m in message[1:])
        hint = f.hint(lang)
        if hint:
            lines.extend(blank + h for h in wrap(f"{HINT_LABEL[lang]} {hint}", msg_w))
    return lines


def render_text(reports: list[FileReport], lang: str = "th", color: bool = False, width: int | None = None) -> str:
    """Every file's verdict and an aligned table of its findings, for a terminal or a text file; then the summary.

    ``width`` is the total line width; None takes the terminal's when stdout is one, else 100.
    """
    lang = _lang(lang)
    width = max(MIN_WIDTH, width if width is not None else _terminal_width())
    lines: list[str] = []
    for report in reports:
        verdict = _paint(verdict_word(report.verdict, lang), _ANSI_VERDICT[report.verdict], color)
        lines.append(f"{report.path}: {verdict} ({counts_text(report, lang)})")
        if report.findings:
            lines.extend(_table(report, lang, color, width))
        else:
            lines.append(_INDENT + NO_PROBLEMS[lang])
        lines.append("")
    lines.append(summary_line(reports, lang))
    return "\n".join(lines)


def render_json(reports: list[FileReport], lang: str = "th") -> str:
    """A JSON array, one object per file (FileReport.to_dict); Thai kept readable, not \\u-escaped."""
    return json.dumps([r.to_dict(_lang(lang)) for r in reports], ensure_ascii=False, indent=2, default=str)


def summary_line(reports: list[FileReport], lang: str = "th") -> str:
    """ "ตรวจ 3 ไฟล์: ผ่าน 1, มีคำเตือน 1, ไม่ผ่าน 1, อ่านไม่ได้ 0" (every verdict listed, zeros too)."""
    n = Counter(r.verdict for r in reports)
    ok, warn, err, bad = (n[v] for v in VERDICTS)
    if _lang(lang) == "th":
        return f"ตรวจ {len(reports)} ไฟล์: ผ่าน {ok}, มีคำเตือน {warn}, ไม่ผ่าน {err}, อ่านไม่ได้ {bad}"
    files = "file" if len(reports) == 1 else "files"
    return f"Checked {len(reports)} {files}: {ok} passed, {warn} with warnings, {err} failed, {bad} unreadable"


__all__ = [
    "counts_text",
    "display_width",
    "pad",
    "render_json",
    "render_text",
    "severity_word",
    "summary_line",
    "truncate",
    "verdict_word",
    "wrap",
]
