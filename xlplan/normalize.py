"""Raw cell values to clean values, with a note for every normalisation made.

Staff type one value many ways ("19,800.-", "๑๙,๘๐๐ บาท", "xxx", "พ.ศ. 2566"). Checking needs one clean value, and
staff need to see what was read how, so each parser returns the value with N35x notes (nothing is changed silently),
or a V3xx error when the value cannot be read as asked. Parsers never raise: one odd cell must not stop the check of a
whole workbook.

Raw values are what a spreadsheet reader gives: None, bool, int, float, str or datetime.datetime (a date cell, in the
Common Era). Anything else is read as well as it can be and is never an exception.
"""

from __future__ import annotations

import datetime as _dt
import functools
import logging
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from itertools import pairwise
from typing import Any

from xlplan.thai import BE_OFFSET, THAI_DIGITS, arabic_digits, bahttext, ce_to_be

__all__ = [
    "Note",
    "Parsed",
    "format_amount",
    "parse_amount",
    "parse_code",
    "parse_date",
    "parse_int",
    "parse_int_list",
    "parse_number",
    "parse_text",
    "parse_year",
]

log = logging.getLogger(__name__)

Note = tuple[str, dict[str, Any]]  # (rule code, params for the rule's message template)


@dataclass(frozen=True)
class Parsed:
    """A cell read as asked: the clean value, what was normalised on the way, or why it could not be read."""

    value: Any  # the clean value, or None when empty or unreadable
    notes: tuple[Note, ...] = ()  # normalisations made (N35x info codes), in order
    error: Note | None = None  # set when the raw value cannot be read as asked (V301/V310/V312/V313)


# Buddhist-era years that can be meant in a plan, and the Common-Era years that are converted to them.
BE_YEARS = range(2400, 2701)
CE_YEARS = range(1900, 2201)
SHORT_YEAR_BASE = 2500  # "66" is 2566: two-digit years are Buddhist-era in Thai writing
MAX_LIST_ITEMS = 1000  # "1-100000" in a measure list is a typo, not a hundred thousand items

_EXPECTED_TEXT = {"expected": "ข้อความ", "expected_en": "a text", "example": "สำนักปลัด"}
_EXPECTED_AMOUNT = {"expected": "จำนวนเงิน (ตัวเลข)", "expected_en": "an amount (a number)", "example": "19800"}
_EXPECTED_NUMBER = {"expected": "ตัวเลข", "expected_en": "a number", "example": "80"}
_EXPECTED_INT = {"expected": "เลขจำนวนเต็ม", "expected_en": "a whole number", "example": "3"}
_EXPECTED_YEAR = {"expected": "ปี พ.ศ.", "expected_en": "a Buddhist-era year", "example": "2566"}
_EXPECTED_CODE = {"expected": "รหัส", "expected_en": "a code", "example": "1.1.1"}

# Test suites set this to let internal errors surface instead of being reported as an unreadable value.
_STRICT = False


def _wrong_type(expected: dict[str, str]) -> Callable[[Any], Note]:
    return lambda raw: ("V301", {"value": raw, **expected})


def _several(raw: Any) -> Note:
    return ("V310", {"value": raw})


def _bad_list(raw: Any) -> Note:
    return ("V312", {"value": raw})


def _bad_date(raw: Any) -> Note:
    return ("V313", {"value": raw})


def _total(error: Callable[[Any], Note]) -> Callable[[Callable[..., Parsed]], Callable[..., Parsed]]:
    """Make a parser total: a bug met on a strange cell reports that cell as unreadable and logs the bug."""

    def wrap(fn: Callable[..., Parsed]) -> Callable[..., Parsed]:
        @functools.wraps(fn)
        def parser(raw: Any, *args: Any, **kwargs: Any) -> Parsed:
            try:
                return fn(raw, *args, **kwargs)
            except Exception:
                if _STRICT:
                    raise
                log.exception("%s failed on %r", fn.__name__, raw)
                return Parsed(None, error=error(raw))

        return parser

    return wrap


# ------------------------------------------------------------------------------------------------ text cleaning
# Invisible characters: zero-width space/joiners, BOM, word joiner; also soft hyphen and direction marks, which
# come with text pasted from web pages and PDFs and are just as invisible.
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\ufeff\u2060\u00ad\u200e\u200f"))
_LINE_BREAK = re.compile(r"\r\n|[\r\n\v\f\x1c\x1d\x1e\x85\u2028\u2029]")
_INLINE_SPACES = re.compile(r"[^\S\n]+")  # any whitespace but a newline (NBSP, thin space, tab, ...)
_SPACES = re.compile(r"\s+")
_INVISIBLE_RE = re.compile("[\u200b\u200c\u200d\ufeff\u2060\u00ad\u200e\u200f]")
# anything _clean would change: invisible characters, whitespace other than a lone ASCII space (or, in multi-line
# text, a newline), two spaces, a space before a line break, white space at either end
_UNCLEAN_MULTI = re.compile("[\u200b\u200c\u200d\ufeff\u2060\u00ad\u200e\u200f]|[^\\S \n]|  | \n|^\\s|\\s$")
_UNCLEAN = re.compile("[\u200b\u200c\u200d\ufeff\u2060\u00ad\u200e\u200f]|[^\\S ]|  |^\\s|\\s$")


def _clean(text: str, *, multiline: bool = False) -> str:
    """Drop invisible characters, make every space an ASCII space, collapse runs, strip the ends.

    With ``multiline`` (texts staff break over lines in a cell) line breaks stay, as ``\\n``, and each line loses its
    trailing spaces; otherwise line breaks are spaces too.
    """
    # The usual case, nothing to clean, told cheaply first: str.isprintable() is False for every invisible
    # character above and every white space but the ASCII space (they are Unicode "Other" or "Separator"), so in a
    # printable text (line breaks aside, where they stay) only the spaces can need cleaning. The expression below
    # would tell the same, an alternation tried at every character of long texts.
    if (text.replace("\n", "") if multiline else text).isprintable():
        if not ("  " in text or (multiline and " \n" in text) or text[:1].isspace() or text[-1:].isspace()):
            return text
    elif (_UNCLEAN_MULTI if multiline else _UNCLEAN).search(text) is None:
        return text
    s = _INVISIBLE_RE.sub("", text)
    if multiline:
        s = _LINE_BREAK.sub("\n", s)
        s = "\n".join(_INLINE_SPACES.sub(" ", line).rstrip(" ") for line in s.split("\n"))
    else:
        s = _SPACES.sub(" ", s)
    return s.strip()


def _prepare(raw: str) -> tuple[str, list[Note]]:
    """Clean ``raw`` and turn Thai digits into Arabic ones (for values read as numbers, dates, codes); note both.

    A value that is empty once cleaned comes back as "" with no notes: it is an empty cell, not a normalisation.
    """
    s = _clean(raw)
    if not s:
        return "", []
    notes: list[Note] = []
    if s != raw:
        notes.append(("N354", {"value": raw}))
    if any(ch in THAI_DIGITS for ch in s):
        s = arabic_digits(s)
        notes.append(("N351", {"value": raw, "normalised": s}))
    return s, notes


# ------------------------------------------------------------------------------------------------ numbers
def _is_number(raw: Any) -> bool:
    """A number cell (bool is an int in Python but a TRUE/FALSE cell is not a number)."""
    return isinstance(raw, int | float | Decimal) and not isinstance(raw, bool)


def _tidy(d: Decimal) -> Decimal:
    """One spelling per value: 19800.00 -> 19800, 0.10 -> 0.1, 1E+3 -> 1000, -0 -> 0.

    Done on the digit tuple, because Decimal arithmetic would round to the context's 28 digits.
    """
    sign, digits, exp = d.as_tuple()
    if not isinstance(exp, int) or exp > 400:  # not finite, or absurdly large: left as it is
        return d
    if not any(digits):
        return Decimal(0)
    if exp > 0:
        return Decimal((sign, (*digits, *(0,) * exp), 0))
    kept = list(digits)
    while exp < 0 and kept[-1] == 0:
        kept.pop()
        exp += 1
    return Decimal((sign, tuple(kept), exp))


def _decimal_of(raw: int | float | Decimal) -> Decimal | None:
    """The exact value of a number cell, or None for NaN and infinities.

    Floats go through repr, the shortest text that reads back as the same float, so 0.1 is 0.1 and not
    0.1000000000000000055511151231257827, and 19800.0 is 19800.
    """
    if isinstance(raw, int):
        return Decimal(raw)
    if isinstance(raw, float):
        return _tidy(Decimal(repr(raw))) if math.isfinite(raw) else None
    if not raw.is_finite() or raw.adjusted() > 400:
        return None
    return _tidy(raw)


def format_amount(amount: Decimal) -> str:
    """An amount as staff write it, for messages: 19800 -> "19,800", 19800.5 -> "19,800.50".

    Whole amounts have no decimals, others two; an amount with more than two decimals shows them all rather than a
    rounded figure that is not what the cell holds.
    """
    d = _tidy(amount)
    exp = d.as_tuple().exponent
    if not isinstance(exp, int):
        return str(d)
    if -2 <= exp < 0:
        return f"{d:,.2f}"
    return f"{d:,f}"


def _format_number(d: Decimal) -> str:
    """A number for messages: thousands separators, the decimals it has."""
    return f"{_tidy(d):,f}"


def _is_whole(d: Decimal) -> bool:
    """A tidied finite Decimal without a fraction (tidying leaves a negative exponent only for real fractions)."""
    exp = d.as_tuple().exponent
    return isinstance(exp, int) and exp >= 0


def _digits_to_int(digits: str) -> int | None:
    """int() of a digit string, or None beyond Python's 4300-digit conversion limit (no cell holds such a number)."""
    return int(digits) if len(digits) <= 4000 else None


def _int_text(n: int) -> str:
    """str(n) without Python's 4300-digit limit (via Decimal, which has none)."""
    return str(Decimal(n))


# Digits with thousands separators (comma, or a space as in "19 800"), or plain digits; then decimals.
_INTEGER_PART = r"[0-9]{1,3}(?:,[0-9]{3})+|[0-9]{1,3}(?: [0-9]{3})+|[0-9]+"
_NUMBER = re.compile(rf"(?P<int>{_INTEGER_PART})(?:\.(?P<frac>[0-9]+))?")
_NUMBER_TOKEN = re.compile(
    rf"(?<![0-9A-Za-z.,])(?P<sign>[-−+])?(?P<int>{_INTEGER_PART})(?:\.(?P<frac>[0-9]+))?(?![0-9A-Za-z])"
)
_HAS_DIGIT = re.compile(r"[0-9]")
_PARENS = re.compile(r"\((.*)\)")
_LIST_GAP = re.compile(r"\s*(?:[,;]|และ|หรือ)?\s*")  # what may stand between two numbers listed in one cell


def _decimal_from(m: re.Match[str]) -> Decimal:
    text = m["int"].replace(",", "").replace(" ", "")
    if m["frac"]:
        text += "." + m["frac"]
    return _tidy(Decimal(text))


# ------------------------------------------------------------------------------------------------ amounts
_AMOUNT_PREFIX = re.compile(r"^(?:จำนวนเงิน|จำนวน|เป็นเงิน|งบประมาณ)\s*")
_AMOUNT_SUFFIX = re.compile(r"\s*(?:บาทถ้วน|บาท)$")
_DASH_SUFFIX = re.compile(r"\s*\.\s*-$")  # "19,800.-", the way Thai documents close an amount
_NO_BUDGET = re.compile(r"[xX×]+|[-–—−]+|ไม่ใช้งบประมาณ|ไม่ใช้งบ|ไม่มีงบประมาณ|ไม่มีงบ|0\.-")
# "19,800.- บาท (หนึ่งหมื่นเก้าพันแปดร้อยบาทถ้วน)": the amount followed by its words, as in Part 3 of a plan.
_WITH_WORDS = re.compile(r"(?P<amount>.*?)\s*\((?P<words>[^()0-9]*(?:ถ้วน|สตางค์))\)")
_AMOUNT_LIST_SEP = re.compile(r"\s*(?:;|และ|หรือ|,\s)\s*|\s+")


def _amount_of(text: str) -> Decimal | None:
    """The amount in "จำนวน 19,800.- บาท", "฿19,800", "-500", "(500)", or None."""
    s = _DASH_SUFFIX.sub("", _AMOUNT_SUFFIX.sub("", _AMOUNT_PREFIX.sub("", text)))
    negative = False
    if m := _PARENS.fullmatch(s):
        negative = True
        s = _DASH_SUFFIX.sub("", _AMOUNT_SUFFIX.sub("", m[1].strip()))
    s = s.removeprefix("฿").lstrip()
    if s[:1] in ("-", "−", "+"):
        if negative:  # "(-500)": which sign is meant?
            return None
        negative = s[0] != "+"
        s = s[1:].removeprefix("฿")
    m = _NUMBER.fullmatch(s)
    if not m:
        return None
    value = _decimal_from(m)
    return _tidy(value.copy_negate()) if negative else value


def _words_match(words: str, value: Decimal) -> bool:
    """The Thai words after an amount say the same amount (as Excel's or LibreOffice's BAHTTEXT writes it)."""
    if value.adjusted() >= 20:
        return False
    said = words.replace(" ", "")
    return any(said == bahttext(value, style) for style in ("libreoffice", "excel"))


def _numeric_start(raw: Any, wrong: Callable[[Any], Note]) -> Parsed | tuple[str, list[Note]]:
    """What amounts and numbers share: empty and number cells are done here; text comes back cleaned."""
    if raw is None:
        return Parsed(None)
    if _is_number(raw):
        value = _decimal_of(raw)
        return Parsed(value) if value is not None else Parsed(None, error=wrong(raw))
    if not isinstance(raw, str):
        return Parsed(None, error=wrong(raw))
    s, notes = _prepare(raw)
    if not s:
        return Parsed(None)
    return s, notes


@_total(_wrong_type(_EXPECTED_AMOUNT))
def parse_amount(raw: Any) -> Parsed:
    """Baht -> Decimal, from a number cell or from the many ways amounts are typed as text.

    No-budget markers ("xxx", "-", "ไม่ใช้งบประมาณ", "0.-") read as 0 with N353. Negative amounts are read (ranges
    are checked elsewhere). Two amounts in one cell are V310; anything else unreadable is V301.
    """
    wrong = _wrong_type(_EXPECTED_AMOUNT)
    start = _numeric_start(raw, wrong)
    if isinstance(start, Parsed):
        return start
    s, notes = start
    if _NO_BUDGET.fullmatch(_AMOUNT_SUFFIX.sub("", _AMOUNT_PREFIX.sub("", s))):
        return Parsed(Decimal(0), (*notes, ("N353", {"value": raw})))
    words = None
    if m := _WITH_WORDS.fullmatch(s):
        s, words = m["amount"], m["words"]
    value = _amount_of(s)
    if value is None:
        parts = [p for p in _AMOUNT_LIST_SEP.split(s) if p]
        if len(parts) > 1 and all(_amount_of(p) is not None for p in parts):
            return Parsed(None, error=_several(raw))
        return Parsed(None, error=wrong(raw))
    if words is not None and not _words_match(words, value):
        return Parsed(None, error=wrong(raw))
    return Parsed(value, (*notes, ("N352", {"value": raw, "normalised": format_amount(value)})))


# ------------------------------------------------------------------------------------------------ numbers
@_total(_wrong_type(_EXPECTED_NUMBER))
def parse_number(raw: Any) -> Parsed:
    """A target or actual value -> Decimal; in text, the one number among words ("ไม่น้อยกว่า ร้อยละ 80").

    The words around the number (units, "ร้อยละ", "ไม่น้อยกว่า") are dropped; N352 keeps the original text, so a
    reader still sees them. Text with no number, digits outside the number, or numbers joined by anything but a
    separator is V301; numbers side by side ("80 90", "80, 90") are V310. "(500)" alone is -500, as accounts write
    it. No-budget markers mean nothing here ("xxx" is V301). A percent-formatted number cell holds a
    fraction (80% is 0.8): only the caller, who knows the cell's format, can tell.
    """
    wrong = _wrong_type(_EXPECTED_NUMBER)
    start = _numeric_start(raw, wrong)
    if isinstance(start, Parsed):
        return start
    s, notes = start
    tokens = list(_NUMBER_TOKEN.finditer(s))
    outside = _NUMBER_TOKEN.sub(" ", s)
    if not tokens or _HAS_DIGIT.search(outside):
        return Parsed(None, error=wrong(raw))
    if len(tokens) > 1:
        gaps = (s[a.end() : b.start()] for a, b in pairwise(tokens))
        if all(_LIST_GAP.fullmatch(gap) for gap in gaps):
            return Parsed(None, error=_several(raw))
        return Parsed(None, error=wrong(raw))
    token = tokens[0]
    value = _decimal_from(token)
    negative = token["sign"] in ("-", "−")
    if _PARENS.fullmatch(s) and not outside.strip("() "):  # "(500)", as accounts write -500
        if token["sign"]:
            return Parsed(None, error=wrong(raw))
        negative = True
    if negative:
        value = _tidy(value.copy_negate())
    return Parsed(value, (*notes, ("N352", {"value": raw, "normalised": _format_number(value)})))


# ------------------------------------------------------------------------------------------------ whole numbers
_INT_TEXT = re.compile(r"(?P<sign>[-−])?(?P<n>[0-9]+)(?:\.0+)?\s*[.)]?|\(\s*(?P<p>[0-9]+)\s*\)")
_INT_LIST_SEP = re.compile(r"\s*(?:[,;]|และ)\s*|\s+")
_INT_IN_LIST = re.compile(r"[0-9]+(?:\.0+)?[.)]?")


@_total(_wrong_type(_EXPECTED_INT))
def parse_int(raw: Any) -> Parsed:
    """Item numbers, likelihood, impact, dimension -> int.

    Text may be digits with a closing "." or ")" as items are numbered ("3.", "3)", "(3)"); words ("ข้อ 3") are not
    read, since a cell that needs them is likely something else. "3 4" and "3,4" are two values (V310), so "1,200" is
    too: item numbers never need a thousands separator.
    """
    wrong = _wrong_type(_EXPECTED_INT)
    if raw is None:
        return Parsed(None)
    if _is_number(raw):
        value = _decimal_of(raw)
        if value is None or not _is_whole(value):
            return Parsed(None, error=wrong(raw))
        return Parsed(int(value))
    if not isinstance(raw, str):
        return Parsed(None, error=wrong(raw))
    s, notes = _prepare(raw)
    if not s:
        return Parsed(None)
    m = _INT_TEXT.fullmatch(s)
    if not m:
        parts = [p for p in _INT_LIST_SEP.split(s) if p]
        if len(parts) > 1 and all(_INT_IN_LIST.fullmatch(p) for p in parts):
            return Parsed(None, error=_several(raw))
        return Parsed(None, error=wrong(raw))
    n = _digits_to_int(m["n"] or m["p"])
    if n is None:
        return Parsed(None, error=wrong(raw))
    if m["sign"]:
        n = -n
    return Parsed(n, (*notes, ("N352", {"value": raw, "normalised": _int_text(n)})))


# ------------------------------------------------------------------------------------------------ years
_ERA = r"(?P<era>พ\.?\s?ศ\.?|ค\.?\s?ศ\.?)"
_YEAR_TEXT = re.compile(rf"(?:(?:ปีงบประมาณ|ปีงบ|ปี)\s*)?(?:{_ERA}\s*)?(?P<y>[0-9]{{4}}|[0-9]{{2}})")


def _be_year(year: int, two_digit: bool, era: str | None = None) -> tuple[int, bool] | None:
    """(Buddhist-era year, whether it was converted) or None; ``era`` is a written พ.ศ. or ค.ศ., if any."""
    ce_written = era is not None and era.startswith("ค")
    be_written = era is not None and era.startswith("พ")
    if two_digit:
        return None if ce_written else (SHORT_YEAR_BASE + year, True)
    if year in BE_YEARS and not ce_written:
        return year, False
    if year in CE_YEARS and not be_written:
        return ce_to_be(year), True
    return None


@_total(_wrong_type(_EXPECTED_YEAR))
def parse_year(raw: Any, plan_years: tuple[int, ...] = ()) -> Parsed:
    """A year -> int, Buddhist era. 2400-2700 are Buddhist-era, 1900-2200 Common-Era (converted, N355), and two
    digits are short Buddhist-era years ("66" is 2566, N355).

    ``plan_years`` is accepted for range checks to come; a year outside them is not an error here (V305 is).
    """
    del plan_years
    wrong = _wrong_type(_EXPECTED_YEAR)
    if raw is None:
        return Parsed(None)
    if _is_number(raw):
        value = _decimal_of(raw)
        if value is None or not _is_whole(value) or value.adjusted() > 5:
            return Parsed(None, error=wrong(raw))
        year = int(value)
        got = _be_year(year, 10 <= year <= 99)
        if got is None:
            return Parsed(None, error=wrong(raw))
        be, converted = got
        return Parsed(be, (("N355", {"value": raw, "normalised": be}),) if converted else ())
    if not isinstance(raw, str):
        return Parsed(None, error=wrong(raw))
    s, notes = _prepare(raw)
    if not s:
        return Parsed(None)
    m = _YEAR_TEXT.fullmatch(s)
    got = _be_year(int(m["y"]), len(m["y"]) == 2, m["era"]) if m else None
    if m is None or got is None:
        return Parsed(None, error=wrong(raw))
    be, converted = got
    notes.append(("N352", {"value": raw, "normalised": m["y"]}))
    if converted:
        notes.append(("N355", {"value": raw, "normalised": be}))
    return Parsed(be, tuple(notes))


# ------------------------------------------------------------------------------------------------ dates
_MONTH_NAMES = (
    "มกราคม",
    "กุมภาพันธ์",
    "มีนาคม",
    "เมษายน",
    "พฤษภาคม",
    "มิถุนายน",
    "กรกฎาคม",
    "สิงหาคม",
    "กันยายน",
    "ตุลาคม",
    "พฤศจิกายน",
    "ธันวาคม",
)
_MONTH_ABBREVIATIONS = (
    ("ม", "ค"),
    ("ก", "พ"),
    ("มี", "ค"),
    ("เม", "ย"),
    ("พ", "ค"),
    ("มิ", "ย"),
    ("ก", "ค"),
    ("ส", "ค"),
    ("ก", "ย"),
    ("ต", "ค"),
    ("พ", "ย"),
    ("ธ", "ค"),
)
_MONTHS: dict[str, int] = {
    **{name: i for i, name in enumerate(_MONTH_NAMES, 1)},
    "กรกฏาคม": 7,  # the common misspelling (ฏ for ฎ)
    **{a + b: i for i, (a, b) in enumerate(_MONTH_ABBREVIATIONS, 1)},
}
_MONTH_PATTERN = "|".join(
    [*sorted(_MONTHS.keys() - {a + b for a, b in _MONTH_ABBREVIATIONS}, key=len, reverse=True)]
    + [rf"{a}\.?\s?{b}\.?" for a, b in _MONTH_ABBREVIATIONS]
)
_DATE_PREFIX = r"(?:(?:ณ\s*)?วันที่\s*)?"
_YEAR = rf"(?:{_ERA}\s*)?(?P<y>[0-9]{{4}}|[0-9]{{2}})"
_NUMERIC_DATE = re.compile(
    rf"{_DATE_PREFIX}(?P<d>[0-9]{{1,2}})\s*(?P<sep>[/.-])\s*(?P<m>[0-9]{{1,2}})\s*(?P=sep)\s*{_YEAR}"
)
_ISO_DATE = re.compile(r"(?P<y>[0-9]{4})\s*(?P<sep>[/-])\s*(?P<m>[0-9]{1,2})\s*(?P=sep)\s*(?P<d>[0-9]{1,2})")
_THAI_DATE = re.compile(rf"{_DATE_PREFIX}(?P<d>[0-9]{{1,2}})\s*(?:เดือน\s*)?(?P<month>{_MONTH_PATTERN})\s*{_YEAR}")


def _iso(be: int, month: int, day: int) -> str | None:
    """The date as "2565-08-23" when it exists (leap years as in the Common Era), else None."""
    try:
        _dt.date(be - BE_OFFSET, month, day)
    except ValueError:
        return None
    return f"{be}-{month:02d}-{day:02d}"


def _read_date_text(s: str) -> tuple[str, bool] | None:
    """(ISO date with a Buddhist-era year, whether the year was converted) for a typed date, or None."""
    m = _NUMERIC_DATE.fullmatch(s) or _ISO_DATE.fullmatch(s)
    if m:
        month = int(m["m"])
    elif m := _THAI_DATE.fullmatch(s):
        month = _MONTHS[re.sub(r"[.\s]", "", m["month"])]
    else:
        return None
    groups = m.groupdict()
    got = _be_year(int(m["y"]), len(m["y"]) == 2, groups.get("era"))
    if got is None:
        return None
    text = _iso(got[0], month, int(m["d"]))
    return (text, got[1]) if text else None


@_total(_bad_date)
def parse_date(raw: Any) -> Parsed:
    """A date -> "YYYY-MM-DD" with a Buddhist-era year.

    Date cells hold Common-Era dates (converted, N355), except when staff typed a Buddhist-era year into a
    spreadsheet that took it as a Common-Era one (23/08/2565 became the year 2565): years 2400-2700 in a date cell
    are read as Buddhist-era already. The time of day in a date cell is ignored. Typed dates may be 23/08/2565,
    23-8-65, 2565-08-23, 23 ส.ค. 2565, ๒๓ สิงหาคม พ.ศ. ๒๕๖๕, and Common-Era 23/08/2022 (N355); two-digit years are
    Buddhist-era (N355). Anything else, or a day that does not exist, is V313.
    """
    if raw is None:
        return Parsed(None)
    if isinstance(raw, _dt.date):
        year = raw.year
        if year in BE_YEARS:
            text = _iso(year, raw.month, raw.day)
            return Parsed(text) if text else Parsed(None, error=_bad_date(raw))
        if year in CE_YEARS:
            text = _iso(ce_to_be(year), raw.month, raw.day)
            shown = f"{raw.day:02d}/{raw.month:02d}/{year}"
            return Parsed(text, (("N355", {"value": shown, "normalised": text}),))
        return Parsed(None, error=_bad_date(raw))
    if not isinstance(raw, str):
        return Parsed(None, error=_bad_date(raw))
    s, notes = _prepare(raw)
    if not s:
        return Parsed(None)
    got = _read_date_text(s)
    if got is None:
        return Parsed(None, error=_bad_date(raw))
    text, converted = got
    if converted:
        notes.append(("N355", {"value": raw, "normalised": text}))
    return Parsed(text, tuple(notes))


# ------------------------------------------------------------------------------------------------ lists
_LIST_LABEL = re.compile(r"^(?:โครงการลำดับที่|โครงการที่|ลำดับที่|ลำดับ|รายการที่|ข้อ)\s*")
_RANGE_DASH = re.compile(r"\s*(?:-|–|—|ถึง)\s*")
_LIST_SEP = re.compile(r"\s*(?:[,;&]|และ)\s*|\s+")
_LIST_ITEM = re.compile(r"(?P<a>[0-9]+)(?:-(?P<b>[0-9]+))?")


@_total(_bad_list)
def parse_int_list(raw: Any) -> Parsed:
    """The item numbers in a control-measure cell: "1, 2, 21" -> [1, 2, 21], "1-3" -> [1, 2, 3].

    Order is kept and repeats dropped. Separators may be commas, semicolons, spaces, "และ" or "&"; a leading label
    ("ลำดับที่", "ข้อ", "โครงการที่") is dropped. Whenever the list read differs from what was written beyond spacing,
    N352 shows it as "1, 2, 3". An empty cell is []. Text that is not such a list (a measure named in words), a range
    running backwards, or more than MAX_LIST_ITEMS items is V312.
    """
    if raw is None:
        return Parsed([])
    if _is_number(raw):  # one item typed alone; a fraction such as 1.2 could be "1,2" in another locale: unread
        value = _decimal_of(raw)
        if value is None or not _is_whole(value) or value < 0:
            return Parsed(None, error=_bad_list(raw))
        return Parsed([int(value)])
    if not isinstance(raw, str):
        return Parsed(None, error=_bad_list(raw))
    s, notes = _prepare(raw)
    if not s:
        return Parsed([])
    body = _RANGE_DASH.sub("-", _LIST_LABEL.sub("", s))
    items: dict[int, None] = {}  # ordered, without repeats
    parts = [p for p in _LIST_SEP.split(body) if p]
    if not parts:
        return Parsed(None, error=_bad_list(raw))
    for part in parts:
        m = _LIST_ITEM.fullmatch(part)
        if not m:
            return Parsed(None, error=_bad_list(raw))
        first = _digits_to_int(m["a"])
        last = _digits_to_int(m["b"]) if m["b"] else first
        if first is None or last is None or not 0 <= last - first <= MAX_LIST_ITEMS:
            return Parsed(None, error=_bad_list(raw))
        items.update(dict.fromkeys(range(first, last + 1)))
        if len(items) > MAX_LIST_ITEMS:
            return Parsed(None, error=_bad_list(raw))
    shown = ", ".join(_int_text(n) for n in items)
    if shown.replace(" ", "") != s.replace(" ", ""):
        notes.append(("N352", {"value": raw, "normalised": shown}))
    return Parsed(list(items), tuple(notes))


# ------------------------------------------------------------------------------------------------ codes
@_total(_wrong_type(_EXPECTED_CODE))
def parse_code(raw: Any) -> Parsed:
    """A code -> str: indicator "1.1.1", mission "2.1", government code "6501001". Codes are not checked here.

    Codes hold no spaces, so all spaces are removed (N354). A spreadsheet may have turned a typed "1.1" into the
    number 1.1: such a number is read back as "1.1" (N352). A number cannot say how it was typed, though: "1.10" and
    "1.1" are the same number (as are "2.0" and 2), so a mission code 1.10 comes back as "1.1"; leading zeros of a
    government code typed as a number are lost too (V311 reports a code of the wrong length).
    """
    wrong = _wrong_type(_EXPECTED_CODE)
    if raw is None:
        return Parsed(None)
    if _is_number(raw):
        value = _decimal_of(raw)
        if value is None:
            return Parsed(None, error=wrong(raw))
        text = f"{value:f}"
        if not _is_whole(value):
            return Parsed(text, (("N352", {"value": raw, "normalised": text}),))
        return Parsed(text)
    if not isinstance(raw, str):
        return Parsed(None, error=wrong(raw))
    s, notes = _prepare(raw)
    if not s:
        return Parsed(None)
    if " " in s:
        s = s.replace(" ", "")
        if not notes or notes[0][0] != "N354":
            notes.insert(0, ("N354", {"value": raw}))
        if notes[-1][0] == "N351":  # the digits note shows the code as finally read
            notes[-1] = ("N351", {"value": raw, "normalised": s})
    return Parsed(s, tuple(notes))


# ------------------------------------------------------------------------------------------------ text
@_total(_wrong_type(_EXPECTED_TEXT))
def parse_text(raw: Any) -> Parsed:
    """A text cell -> str, cleaned (N354) but keeping line breaks; Thai digits stay as typed.

    A number in a text cell is its text ("30", "1.5"). A date cell becomes the date as Thai documents write it,
    23/08/2565 (N355 when converted from the Common Era). TRUE/FALSE, NaN and infinities are V301.
    """
    wrong = _wrong_type(_EXPECTED_TEXT)
    if raw is None:
        return Parsed(None)
    if isinstance(raw, str):
        s = _clean(raw, multiline=True)
        if not s:
            return Parsed(None)
        return Parsed(s, (("N354", {"value": raw}),) if s != raw else ())
    if _is_number(raw):
        value = _decimal_of(raw)
        return Parsed(f"{value:f}") if value is not None else Parsed(None, error=wrong(raw))
    if isinstance(raw, _dt.date):
        year = raw.year
        if year in BE_YEARS:
            return Parsed(f"{raw.day:02d}/{raw.month:02d}/{year}")
        if year in CE_YEARS:
            shown = f"{raw.day:02d}/{raw.month:02d}/{year}"
            text = f"{raw.day:02d}/{raw.month:02d}/{ce_to_be(year)}"
            return Parsed(text, (("N355", {"value": shown, "normalised": text}),))
    return Parsed(None, error=wrong(raw))
