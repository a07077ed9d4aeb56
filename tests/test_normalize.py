"""Cell normalisation: exact values, notes and errors for what staff really type, and properties that must hold."""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable, Iterator
from decimal import Decimal as D
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from xlplan import normalize
from xlplan.normalize import (
    Parsed,
    format_amount,
    parse_amount,
    parse_code,
    parse_date,
    parse_int,
    parse_int_list,
    parse_number,
    parse_text,
    parse_year,
)
from xlplan.rules import RULES

NAN, INF = float("nan"), float("inf")
TO_THAI = str.maketrans("0123456789", "๐๑๒๓๔๕๖๗๘๙")
PARSERS: list[Callable[[Any], Parsed]] = [
    parse_text,
    parse_amount,
    parse_number,
    parse_int,
    parse_year,
    parse_date,
    parse_int_list,
    parse_code,
]


@pytest.fixture(autouse=True)
def strict() -> Iterator[None]:
    """Internal errors must fail the tests, not hide behind the parsers' safety net."""
    normalize._STRICT = True
    yield
    normalize._STRICT = False


def outcome(p: Parsed) -> tuple[Any, tuple[str, ...], str | None]:
    return p.value, tuple(code for code, _ in p.notes), p.error[0] if p.error else None


def check(parser: Callable[[Any], Parsed], raw: Any, value: Any, notes: tuple[str, ...], error: str | None) -> None:
    got = parser(raw)
    assert outcome(got) == (value, notes, error)
    if isinstance(value, D):  # one spelling: Decimal("19800"), never Decimal("19800.00")
        assert str(got.value) == str(value)
    if error:
        assert got.value is None and got.notes == ()


# ------------------------------------------------------------------------------------------------ amounts
N352 = ("N352",)
AMOUNTS = [
    (None, None, (), None),
    ("", None, (), None),
    ("   ", None, (), None),
    ("\u200b\u00a0", None, (), None),
    (19800, D("19800"), (), None),
    (19800.0, D("19800"), (), None),
    (0.1, D("0.1"), (), None),
    (1234.56, D("1234.56"), (), None),
    (0, D(0), (), None),
    (-0.0, D(0), (), None),
    (-500, D(-500), (), None),
    (1e20, D("100000000000000000000"), (), None),
    (D("19800.00"), D("19800"), (), None),
    ("19,800", D("19800"), N352, None),
    ("19,800.00", D("19800"), N352, None),
    ("19,800.-", D("19800"), N352, None),
    ("19800.-", D("19800"), N352, None),
    ("19800", D("19800"), N352, None),
    ("จำนวน 98,320.- บาท", D("98320"), N352, None),
    ("12,000.-บาท", D("12000"), N352, None),
    ("150,320.- บาท", D("150320"), N352, None),
    ("๑๙,๘๐๐", D("19800"), ("N351", "N352"), None),
    ("๑๙,๘๐๐.- บาท", D("19800"), ("N351", "N352"), None),
    ("19 800", D("19800"), N352, None),
    ("19\u00a0800", D("19800"), ("N354", "N352"), None),
    ("1 234 567", D("1234567"), N352, None),
    ("฿19,800", D("19800"), N352, None),
    ("฿ 19,800", D("19800"), N352, None),
    ("19,800 บาท", D("19800"), N352, None),
    ("19,800 บาทถ้วน", D("19800"), N352, None),
    ("เป็นเงิน 19,800 บาท", D("19800"), N352, None),
    (" 19,800 ", D("19800"), ("N354", "N352"), None),
    ("19,800\n", D("19800"), ("N354", "N352"), None),
    ("19,800.50", D("19800.5"), N352, None),
    ("0.25", D("0.25"), N352, None),
    ("0", D(0), N352, None),
    ("0.00 บาท", D(0), N352, None),
    ("19,800.- บาท (หนึ่งหมื่นเก้าพันแปดร้อยบาทถ้วน)", D("19800"), N352, None),
    ("101 บาท (หนึ่งร้อยหนึ่งบาทถ้วน)", D("101"), N352, None),  # LibreOffice's BAHTTEXT
    ("101 บาท (หนึ่งร้อยเอ็ดบาทถ้วน)", D("101"), N352, None),  # Excel's
    ("20.50 (ยี่สิบบาทห้าสิบสตางค์)", D("20.5"), N352, None),
    # no budget
    ("xxx", D(0), ("N353",), None),
    ("XXX", D(0), ("N353",), None),
    ("x", D(0), ("N353",), None),
    ("-", D(0), ("N353",), None),
    ("–", D(0), ("N353",), None),
    ("—", D(0), ("N353",), None),
    ("ไม่ใช้งบประมาณ", D(0), ("N353",), None),
    ("ไม่ใช้งบ", D(0), ("N353",), None),
    ("ไม่มีงบประมาณ", D(0), ("N353",), None),
    ("0.-", D(0), ("N353",), None),
    ("๐.-", D(0), ("N351", "N353"), None),
    ("จำนวน xxx บาท", D(0), ("N353",), None),
    (" xxx ", D(0), ("N354", "N353"), None),
    # negative amounts are read; V303 is for the range check
    ("-500", D(-500), N352, None),
    ("−500", D(-500), N352, None),
    ("(500)", D(-500), N352, None),
    ("(19,800.-)", D(-19800), N352, None),
    ("-฿500", D(-500), N352, None),
    ("-19,800.50", D("-19800.5"), N352, None),
    # unreadable
    ("สองหมื่น", None, (), "V301"),
    ("19,800 / 20,000", None, (), "V301"),
    ("N/A", None, (), "V301"),
    ("บาท", None, (), "V301"),
    ("(-500)", None, (), "V301"),
    ("- 500", None, (), "V301"),
    ("19,80", None, (), "V301"),
    ("1,98,00", None, (), "V301"),
    ("19800,50", None, (), "V301"),
    ("19,800.5.0", None, (), "V301"),
    ("1.98E+04", None, (), "V301"),
    ("19,800 (หนึ่งหมื่นบาทถ้วน)", None, (), "V301"),  # the words say another amount
    ("19,800 บาท 20,000 บาท", None, (), "V301"),
    (True, None, (), "V301"),
    (False, None, (), "V301"),
    (NAN, None, (), "V301"),
    (INF, None, (), "V301"),
    (-INF, None, (), "V301"),
    (D("NaN"), None, (), "V301"),
    (dt.datetime(2022, 8, 23), None, (), "V301"),
    # two amounts in one cell
    ("19,800 20,000", None, (), "V310"),
    ("19,800.- 20,000.-", None, (), "V310"),
    ("19,800, 20,000", None, (), "V310"),
    ("100 และ 200", None, (), "V310"),
    ("19,800\n20,000", None, (), "V310"),
    ("1 2", None, (), "V310"),
]


@pytest.mark.parametrize(("raw", "value", "notes", "error"), AMOUNTS)
def test_parse_amount(raw: Any, value: Any, notes: tuple[str, ...], error: str | None) -> None:
    check(parse_amount, raw, value, notes, error)


def test_amount_params() -> None:
    assert parse_amount("19,800.-").notes == (("N352", {"value": "19,800.-", "normalised": "19,800"}),)
    assert parse_amount(" ๑๙,๘๐๐ บาท").notes == (
        ("N354", {"value": " ๑๙,๘๐๐ บาท"}),
        ("N351", {"value": " ๑๙,๘๐๐ บาท", "normalised": "19,800 บาท"}),
        ("N352", {"value": " ๑๙,๘๐๐ บาท", "normalised": "19,800"}),
    )
    assert parse_amount("19800.5").notes[0][1]["normalised"] == "19,800.50"
    assert parse_amount("(500)").notes[0][1]["normalised"] == "-500"
    assert parse_amount("xxx").notes == (("N353", {"value": "xxx"}),)
    assert parse_amount("สองหมื่น").error == (
        "V301",
        {"value": "สองหมื่น", "expected": "จำนวนเงิน (ตัวเลข)", "expected_en": "an amount (a number)", "example": "19800"},
    )
    assert parse_amount("19,800 20,000").error == ("V310", {"value": "19,800 20,000"})


@pytest.mark.parametrize(
    ("amount", "text"),
    [
        (D(19800), "19,800"),
        (D("19800.00"), "19,800"),
        (D("19800.5"), "19,800.50"),
        (D("0.1"), "0.10"),
        (D("0.125"), "0.125"),
        (D("-1234567.89"), "-1,234,567.89"),
        (D(0), "0"),
        (D("1E+3"), "1,000"),
    ],
)
def test_format_amount(amount: D, text: str) -> None:
    assert format_amount(amount) == text


# ------------------------------------------------------------------------------------------------ numbers
NUMBERS = [
    (None, None, (), None),
    ("  ", None, (), None),
    (80, D(80), (), None),
    (0.8, D("0.8"), (), None),  # 80% in a percent-formatted cell: the caller knows the format
    (85.0, D(85), (), None),
    ("80", D(80), N352, None),
    ("ร้อยละ 80", D(80), N352, None),
    ("ร้อยละ80", D(80), N352, None),
    ("80%", D(80), N352, None),
    ("80 %", D(80), N352, None),
    ("85 คะแนน", D(85), N352, None),
    ("ไม่น้อยกว่า 2 ครั้ง", D(2), N352, None),
    ("ไม่น้อยกว่า 2 ครั้งต่อปี", D(2), N352, None),
    ("ไม่น้อยกว่า ร้อยละ 80", D(80), N352, None),
    ("อย่างน้อย 3 ช่องทาง", D(3), N352, None),
    ("ร้อยละ 80 (สำรวจโดยใช้แบบประเมินผล)", D(80), N352, None),
    ("(85 คะแนนขึ้นไป)", D(85), N352, None),
    ("ร้อยละ ๘๐", D(80), ("N351", "N352"), None),
    (" 80 ", D(80), ("N354", "N352"), None),
    ("80.5", D("80.5"), N352, None),
    ("80.50", D("80.5"), N352, None),
    ("1,000 คน", D(1000), N352, None),
    ("-10", D(-10), N352, None),
    ("(500)", D(-500), N352, None),
    ("19,800.-", D(19800), N352, None),
    ("0.-", D(0), N352, None),  # a number, not a no-budget marker, here
    ("xxx", None, (), "V301"),
    ("-", None, (), "V301"),
    ("ไม่ใช้งบประมาณ", None, (), "V301"),
    ("N/A", None, (), "V301"),
    ("สองหมื่น", None, (), "V301"),
    ("80/100", None, (), "V301"),
    ("80-90", None, (), "V301"),
    ("ITA2566", None, (), "V301"),
    ("80.5.6", None, (), "V301"),
    ("ปีละ 2 ครั้ง รวม 10 ครั้ง", None, (), "V301"),
    ("(-5)", None, (), "V301"),
    (True, None, (), "V301"),
    (NAN, None, (), "V301"),
    (INF, None, (), "V301"),
    (dt.datetime(2022, 8, 23), None, (), "V301"),
    ("80 90", None, (), "V310"),
    ("80, 90", None, (), "V310"),
    ("ร้อยละ 80 และ 90", None, (), "V310"),
]


@pytest.mark.parametrize(("raw", "value", "notes", "error"), NUMBERS)
def test_parse_number(raw: Any, value: Any, notes: tuple[str, ...], error: str | None) -> None:
    check(parse_number, raw, value, notes, error)


def test_number_params() -> None:
    assert parse_number("ร้อยละ 80").notes == (("N352", {"value": "ร้อยละ 80", "normalised": "80"}),)
    assert parse_number("1,000 คน").notes[0][1]["normalised"] == "1,000"
    assert parse_number("xxx").error == (
        "V301",
        {"value": "xxx", "expected": "ตัวเลข", "expected_en": "a number", "example": "80"},
    )


# ------------------------------------------------------------------------------------------------ whole numbers
INTS = [
    (None, None, (), None),
    ("", None, (), None),
    (3, 3, (), None),
    (3.0, 3, (), None),
    (0, 0, (), None),
    ("3", 3, N352, None),
    ("๓", 3, ("N351", "N352"), None),
    ("๑๒", 12, ("N351", "N352"), None),
    ("3.", 3, N352, None),
    ("3)", 3, N352, None),
    ("(3)", 3, N352, None),
    ("3.0", 3, N352, None),
    (" 3 ", 3, ("N354", "N352"), None),
    ("3\u200b", 3, ("N354", "N352"), None),
    ("-3", -3, N352, None),
    ("007", 7, N352, None),
    (3.5, None, (), "V301"),
    (True, None, (), "V301"),
    (NAN, None, (), "V301"),
    (INF, None, (), "V301"),
    (dt.datetime(2022, 8, 23), None, (), "V301"),
    ("3.5", None, (), "V301"),
    ("ข้อ 3", None, (), "V301"),
    ("สาม", None, (), "V301"),
    ("3a", None, (), "V301"),
    ("1-3", None, (), "V301"),
    ("3 4", None, (), "V310"),
    ("3,4", None, (), "V310"),
    ("3, 4", None, (), "V310"),
    ("3 และ 4", None, (), "V310"),
    ("1,200", None, (), "V310"),  # item numbers never need a thousands separator
]


@pytest.mark.parametrize(("raw", "value", "notes", "error"), INTS)
def test_parse_int(raw: Any, value: Any, notes: tuple[str, ...], error: str | None) -> None:
    check(parse_int, raw, value, notes, error)


def test_int_params() -> None:
    assert parse_int("๓").notes == (
        ("N351", {"value": "๓", "normalised": "3"}),
        ("N352", {"value": "๓", "normalised": "3"}),
    )
    assert parse_int("x").error == (
        "V301",
        {"value": "x", "expected": "เลขจำนวนเต็ม", "expected_en": "a whole number", "example": "3"},
    )
    assert parse_int("3 4").error == ("V310", {"value": "3 4"})


# ------------------------------------------------------------------------------------------------ years
YEARS = [
    (None, None, (), None),
    ("", None, (), None),
    (2566, 2566, (), None),
    (2400, 2400, (), None),
    (2700, 2700, (), None),
    (2566.0, 2566, (), None),
    (2023, 2566, ("N355",), None),
    (1900, 2443, ("N355",), None),
    (2200, 2743, ("N355",), None),
    (66, 2566, ("N355",), None),
    ("2566", 2566, N352, None),
    ("พ.ศ. 2566", 2566, N352, None),
    ("พ.ศ.2566", 2566, N352, None),
    ("ปี 2566", 2566, N352, None),
    ("ปี พ.ศ. 2566", 2566, N352, None),
    ("ปีงบประมาณ พ.ศ. 2566", 2566, N352, None),
    ("๒๕๖๖", 2566, ("N351", "N352"), None),
    ("พ.ศ. ๒๕๖๖", 2566, ("N351", "N352"), None),
    (" 2566", 2566, ("N354", "N352"), None),
    ("66", 2566, ("N352", "N355"), None),
    ("ปี 66", 2566, ("N352", "N355"), None),
    ("2023", 2566, ("N352", "N355"), None),
    ("ค.ศ. 2023", 2566, ("N352", "N355"), None),
    (2201, None, (), "V301"),
    (2399, None, (), "V301"),
    (2701, None, (), "V301"),
    (1899, None, (), "V301"),
    (5, None, (), "V301"),
    (0, None, (), "V301"),
    (-2566, None, (), "V301"),
    (2566.5, None, (), "V301"),
    (True, None, (), "V301"),
    (NAN, None, (), "V301"),
    (dt.datetime(2022, 8, 23), None, (), "V301"),
    ("พ.ศ. 2023", None, (), "V301"),  # says Buddhist era but is not one
    ("ค.ศ. 2566", None, (), "V301"),
    ("ค.ศ. 66", None, (), "V301"),
    ("2566-2570", None, (), "V301"),
    ("ปี", None, (), "V301"),
    ("256", None, (), "V301"),
    ("สองพันห้าร้อย", None, (), "V301"),
]


@pytest.mark.parametrize(("raw", "value", "notes", "error"), YEARS)
def test_parse_year(raw: Any, value: Any, notes: tuple[str, ...], error: str | None) -> None:
    check(parse_year, raw, value, notes, error)


def test_year_params_and_plan_years() -> None:
    assert parse_year(2023).notes == (("N355", {"value": 2023, "normalised": 2566}),)
    assert parse_year("66").notes == (
        ("N352", {"value": "66", "normalised": "66"}),
        ("N355", {"value": "66", "normalised": 2566}),
    )
    assert parse_year("x").error == (
        "V301",
        {"value": "x", "expected": "ปี พ.ศ.", "expected_en": "a Buddhist-era year", "example": "2566"},
    )
    plan = (2566, 2567, 2568, 2569, 2570)
    assert outcome(parse_year(2580, plan_years=plan)) == (2580, (), None)  # V305 is checked elsewhere


# ------------------------------------------------------------------------------------------------ dates
DATES = [
    (None, None, (), None),
    ("", None, (), None),
    (dt.datetime(2022, 8, 23), "2565-08-23", ("N355",), None),
    (dt.datetime(2022, 8, 23, 14, 30), "2565-08-23", ("N355",), None),  # the time of day is ignored
    (dt.date(2022, 8, 23), "2565-08-23", ("N355",), None),
    (dt.datetime(2565, 8, 23), "2565-08-23", (), None),  # a BE year typed into a CE date cell
    (dt.datetime(2568, 2, 29), None, (), "V313"),  # a leap day in CE 2568, not in BE 2568 (CE 2025)
    (dt.datetime(1800, 1, 1), None, (), "V313"),
    (dt.datetime(1, 1, 1), None, (), "V313"),
    ("23/08/2565", "2565-08-23", (), None),
    ("23-08-2565", "2565-08-23", (), None),
    ("23.08.2565", "2565-08-23", (), None),
    ("23 / 08 / 2565", "2565-08-23", (), None),
    ("1/1/2566", "2566-01-01", (), None),
    ("23/8/65", "2565-08-23", ("N355",), None),
    ("23/08/2565 ", "2565-08-23", ("N354",), None),
    ("๒๓ สิงหาคม ๒๕๖๕", "2565-08-23", ("N351",), None),
    ("๒๓/๐๘/๒๕๖๕", "2565-08-23", ("N351",), None),
    ("ณ วันที่ ๒๓ สิงหาคม พ.ศ. ๒๕๖๕", "2565-08-23", ("N351",), None),
    ("วันที่ 23/08/2565", "2565-08-23", (), None),
    ("23 สิงหาคม 2565", "2565-08-23", (), None),
    ("23สิงหาคม2565", "2565-08-23", (), None),
    ("23 เดือนสิงหาคม พ.ศ. 2565", "2565-08-23", (), None),
    ("23 ส.ค. 2565", "2565-08-23", (), None),
    ("23 ส.ค.2565", "2565-08-23", (), None),
    ("23 ส.ค 2565", "2565-08-23", (), None),
    ("23 สค 2565", "2565-08-23", (), None),
    ("23 ส.ค. 65", "2565-08-23", ("N355",), None),
    ("23 กรกฏาคม 2565", "2565-07-23", (), None),  # the usual misspelling of กรกฎาคม
    ("2565-08-23", "2565-08-23", (), None),
    ("2565/8/23", "2565-08-23", (), None),
    ("2022-08-23", "2565-08-23", ("N355",), None),
    ("23/08/2022", "2565-08-23", ("N355",), None),
    ("23 สิงหาคม 2022", "2565-08-23", ("N355",), None),
    ("23 ส.ค. ค.ศ. 2022", "2565-08-23", ("N355",), None),
    ("29/02/2567", "2567-02-29", (), None),  # CE 2024 is a leap year
    ("29/02/2566", None, (), "V313"),
    ("31/02/2565", None, (), "V313"),
    ("32/01/2565", None, (), "V313"),
    ("23/13/2565", None, (), "V313"),
    ("0/08/2565", None, (), "V313"),
    ("23/08-2565", None, (), "V313"),
    ("23/08/1565", None, (), "V313"),
    ("23/08/256", None, (), "V313"),
    ("23 ส.ค. พ.ศ. 2022", None, (), "V313"),
    ("23/08/2565 10:00", None, (), "V313"),
    ("สิงหาคม 2565", None, (), "V313"),
    ("23/08", None, (), "V313"),
    ("23 Aug 2022", None, (), "V313"),
    ("พรุ่งนี้", None, (), "V313"),
    (2565, None, (), "V313"),
    (44796, None, (), "V313"),
    (44796.0, None, (), "V313"),
    (True, None, (), "V313"),
    (NAN, None, (), "V313"),
    (dt.time(10, 0), None, (), "V313"),
]


@pytest.mark.parametrize(("raw", "value", "notes", "error"), DATES)
def test_parse_date(raw: Any, value: Any, notes: tuple[str, ...], error: str | None) -> None:
    check(parse_date, raw, value, notes, error)


MONTHS = [
    ("มกราคม", "ม.ค."),
    ("กุมภาพันธ์", "ก.พ."),
    ("มีนาคม", "มี.ค."),
    ("เมษายน", "เม.ย."),
    ("พฤษภาคม", "พ.ค."),
    ("มิถุนายน", "มิ.ย."),
    ("กรกฎาคม", "ก.ค."),
    ("สิงหาคม", "ส.ค."),
    ("กันยายน", "ก.ย."),
    ("ตุลาคม", "ต.ค."),
    ("พฤศจิกายน", "พ.ย."),
    ("ธันวาคม", "ธ.ค."),
]


@pytest.mark.parametrize(("month", "names"), list(enumerate(MONTHS, 1)))
def test_thai_month_names(month: int, names: tuple[str, str]) -> None:
    for name in names:
        assert outcome(parse_date(f"1 {name} 2566")) == (f"2566-{month:02d}-01", (), None)


def test_date_params() -> None:
    assert parse_date(dt.datetime(2022, 8, 23)).notes == (
        ("N355", {"value": "23/08/2022", "normalised": "2565-08-23"}),
    )
    assert parse_date("23/08/2022").notes == (("N355", {"value": "23/08/2022", "normalised": "2565-08-23"}),)
    assert parse_date("๒๓ สิงหาคม ๒๕๖๕").notes == (
        ("N351", {"value": "๒๓ สิงหาคม ๒๕๖๕", "normalised": "23 สิงหาคม 2565"}),
    )
    assert parse_date("31/02/2565").error == ("V313", {"value": "31/02/2565"})


# ------------------------------------------------------------------------------------------------ lists
LISTS = [
    (None, [], (), None),
    ("", [], (), None),
    ("  ", [], (), None),
    ("1, 2, 21", [1, 2, 21], (), None),
    ("1,2,21", [1, 2, 21], (), None),
    ("1 ,2 , 21", [1, 2, 21], (), None),
    ("1 2 21", [1, 2, 21], N352, None),
    ("1, 2 และ 21", [1, 2, 21], N352, None),
    ("1;2", [1, 2], N352, None),
    ("1, 2,", [1, 2], N352, None),
    ("๑, ๒", [1, 2], ("N351",), None),
    ("๑-๓", [1, 2, 3], ("N351", "N352"), None),
    (" 1, 2", [1, 2], ("N354",), None),
    ("1-3", [1, 2, 3], N352, None),
    ("1 - 3", [1, 2, 3], N352, None),
    ("1–3", [1, 2, 3], N352, None),
    ("1 ถึง 3", [1, 2, 3], N352, None),
    ("1, 3-5, 9", [1, 3, 4, 5, 9], N352, None),
    ("21, 2, 1", [21, 2, 1], (), None),  # order kept
    ("1, 1, 2", [1, 2], N352, None),  # repeats dropped, and said so
    ("1-3, 2", [1, 2, 3], N352, None),
    ("ลำดับที่ 1, 2", [1, 2], N352, None),
    ("โครงการที่ 4", [4], N352, None),
    ("7", [7], (), None),
    (5, [5], (), None),
    (5.0, [5], (), None),
    (0, [0], (), None),
    ("มาตรการ NO Gift Policy", None, (), "V312"),
    ("ข้อ ก", None, (), "V312"),
    ("ข้อ", None, (), "V312"),
    (",", None, (), "V312"),
    ("3-1", None, (), "V312"),
    ("-3", None, (), "V312"),
    ("1-5000", None, (), "V312"),
    ("1.2", None, (), "V312"),
    ("1/2", None, (), "V312"),
    (1.2, None, (), "V312"),  # could be "1,2" read as a decimal in another locale
    (-1, None, (), "V312"),
    (True, None, (), "V312"),
    (NAN, None, (), "V312"),
    (dt.datetime(2022, 8, 23), None, (), "V312"),
]


@pytest.mark.parametrize(("raw", "value", "notes", "error"), LISTS)
def test_parse_int_list(raw: Any, value: Any, notes: tuple[str, ...], error: str | None) -> None:
    check(parse_int_list, raw, value, notes, error)


def test_int_list_params() -> None:
    assert parse_int_list("1-3").notes == (("N352", {"value": "1-3", "normalised": "1, 2, 3"}),)
    assert parse_int_list("ข้อ ก").error == ("V312", {"value": "ข้อ ก"})
    many = ", ".join(str(n) for n in range(1, 1002))
    assert parse_int_list(many).error == ("V312", {"value": many})


# ------------------------------------------------------------------------------------------------ codes
CODES = [
    (None, None, (), None),
    ("", None, (), None),
    (6501001, "6501001", (), None),
    (6501001.0, "6501001", (), None),
    ("6501001", "6501001", (), None),
    ("06501001", "06501001", (), None),
    ("1.1.1", "1.1.1", (), None),
    ("2.1", "2.1", (), None),
    ("๑.๑.๑", "1.1.1", ("N351",), None),
    (" 1.1.1 ", "1.1.1", ("N354",), None),
    ("1. 1. 1", "1.1.1", ("N354",), None),
    ("6501 001", "6501001", ("N354",), None),
    ("1.1.1\u200b", "1.1.1", ("N354",), None),
    ("๑. ๑", "1.1", ("N354", "N351"), None),
    (1.1, "1.1", N352, None),  # a typed "1.1" that the spreadsheet made a number
    (2.1, "2.1", N352, None),
    (1.10, "1.1", N352, None),  # 1.10 and 1.1 are one number: the code 1.10 cannot be recovered
    (True, None, (), "V301"),
    (NAN, None, (), "V301"),
    (INF, None, (), "V301"),
    (dt.datetime(2022, 8, 23), None, (), "V301"),
]


@pytest.mark.parametrize(("raw", "value", "notes", "error"), CODES)
def test_parse_code(raw: Any, value: Any, notes: tuple[str, ...], error: str | None) -> None:
    check(parse_code, raw, value, notes, error)


def test_code_params() -> None:
    assert parse_code("๑. ๑").notes == (
        ("N354", {"value": "๑. ๑"}),
        ("N351", {"value": "๑. ๑", "normalised": "1.1"}),
    )
    assert parse_code(1.1).notes == (("N352", {"value": 1.1, "normalised": "1.1"}),)
    assert parse_code(True).error == (
        "V301",
        {"value": True, "expected": "รหัส", "expected_en": "a code", "example": "1.1.1"},
    )


# ------------------------------------------------------------------------------------------------ text
TEXTS = [
    (None, None, (), None),
    ("", None, (), None),
    (" \u00a0\u200b\n", None, (), None),
    ("สำนักปลัด", "สำนักปลัด", (), None),
    (" สำนักปลัด ", "สำนักปลัด", ("N354",), None),
    ("สำนักปลัด ", "สำนักปลัด", ("N354",), None),
    ("สำนัก\u00a0ปลัด", "สำนัก ปลัด", ("N354",), None),
    ("กอง\u2009คลัง", "กอง คลัง", ("N354",), None),
    ("กอง\tคลัง", "กอง คลัง", ("N354",), None),
    ("กอง   คลัง", "กอง คลัง", ("N354",), None),
    ("กอง\u200bคลัง", "กองคลัง", ("N354",), None),
    ("\ufeffกองคลัง", "กองคลัง", ("N354",), None),
    ("กอง\u2060คลัง\u200c\u200d", "กองคลัง", ("N354",), None),
    ("บรรทัด 1\nบรรทัด 2", "บรรทัด 1\nบรรทัด 2", (), None),
    ("บรรทัด 1  \nบรรทัด 2 ", "บรรทัด 1\nบรรทัด 2", ("N354",), None),
    ("บรรทัด 1\r\nบรรทัด 2", "บรรทัด 1\nบรรทัด 2", ("N354",), None),
    ("ย่อหน้า 1\n\nย่อหน้า 2", "ย่อหน้า 1\n\nย่อหน้า 2", (), None),
    ("\nบรรทัด\n\n", "บรรทัด", ("N354",), None),
    ("พ.ศ. ๒๕๖๖", "พ.ศ. ๒๕๖๖", (), None),  # Thai digits in a text stay as typed
    (30, "30", (), None),
    (30.0, "30", (), None),
    (1.5, "1.5", (), None),
    (dt.datetime(2022, 8, 23), "23/08/2565", ("N355",), None),
    (dt.datetime(2565, 8, 23), "23/08/2565", (), None),
    (dt.datetime(1800, 1, 1), None, (), "V301"),
    (True, None, (), "V301"),
    (NAN, None, (), "V301"),
    (INF, None, (), "V301"),
]


@pytest.mark.parametrize(("raw", "value", "notes", "error"), TEXTS)
def test_parse_text(raw: Any, value: Any, notes: tuple[str, ...], error: str | None) -> None:
    check(parse_text, raw, value, notes, error)


def test_text_params() -> None:
    assert parse_text(" ก ").notes == (("N354", {"value": " ก "}),)
    assert parse_text(True).error == (
        "V301",
        {"value": True, "expected": "ข้อความ", "expected_en": "a text", "example": "สำนักปลัด"},
    )


# ------------------------------------------------------------------------------------------------ across parsers
def test_every_code_used_is_a_rule_with_its_params() -> None:
    """Each note and error names a rule whose message templates can be filled from its params."""
    samples = [row[0] for table in (AMOUNTS, NUMBERS, INTS, YEARS, DATES, LISTS, CODES, TEXTS) for row in table]
    for parser in PARSERS:
        for raw in samples:
            p = parser(raw)
            for code, params in (*p.notes, *([p.error] if p.error else [])):
                rule = RULES[code]
                rule.message_th.format(**params)
                rule.message_en.format(**params)
                rule.hint_th.format(**params)
                rule.hint_en.format(**params)


def test_safety_net_reports_instead_of_raising(monkeypatch: pytest.MonkeyPatch, caplog: Any) -> None:
    """Outside tests, a bug met on a strange cell becomes that cell's error (and a logged traceback)."""
    monkeypatch.setattr(normalize, "_STRICT", False)

    def broken(*_: Any, **__: Any) -> Any:
        raise RuntimeError("bug")

    monkeypatch.setattr(normalize, "_prepare", broken)
    with caplog.at_level(logging.ERROR, logger="xlplan.normalize"):
        assert parse_amount("1").error == (
            "V301",
            {"value": "1", "expected": "จำนวนเงิน (ตัวเลข)", "expected_en": "an amount (a number)", "example": "19800"},
        )
        assert parse_int_list("1").error == ("V312", {"value": "1"})
        assert parse_date("1").error == ("V313", {"value": "1"})
    assert "parse_amount failed" in caplog.text


@pytest.mark.parametrize("parser", PARSERS, ids=lambda f: f.__name__)
def test_longest_cell_is_quick(parser: Callable[[Any], Parsed]) -> None:
    """Excel's longest cell text (32,767 characters) of the worst kinds for these patterns reads at once."""
    cells = [
        "1" * 32_767,
        "1 " * 16_383,
        "1-1000 " * 4_681,
        "(" * 32_767,
        "(" + "ก" * 32_765 + ")",
        "1," * 16_383,
        " " * 32_767,
        "๑" * 32_767,
    ]
    start = time.process_time()  # CPU time: other work on the machine does not count against the parser
    for cell in cells:
        assert isinstance(parser(cell), Parsed)
    assert time.process_time() - start < 2


# ------------------------------------------------------------------------------------------------ properties
RAW = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(),
    st.text(alphabet="0123456789๐๑๒๓๔๕๖๗๘๙,.-–() /%฿บาทxX พ.ศค\u00a0\u200b\n"),
    st.datetimes(),
    st.dates(),
    st.decimals(),
)
NOTE_CODES = {"N351", "N352", "N353", "N354", "N355"}
ERROR_CODES = {"V301", "V310", "V312", "V313"}


@settings(max_examples=300)
@given(raw=RAW)
def test_parsers_are_total(raw: Any) -> None:
    for parser in PARSERS:
        p = parser(raw)
        assert isinstance(p, Parsed)
        assert {code for code, _ in p.notes} <= NOTE_CODES
        if p.error is not None:
            assert p.error[0] in ERROR_CODES
            assert p.value is None
            assert p.notes == ()
    assert isinstance(parse_year(raw, plan_years=(2566, 2570)), Parsed)


@given(n=st.integers(min_value=0, max_value=10**9))
def test_typed_amounts_read_back(n: int) -> None:
    for text in (f"{n:,}", f"{n:,}.-", f"{n:,}.00 บาท", str(n).translate(TO_THAI)):
        p = parse_amount(text)
        assert p.error is None
        assert p.value == D(n)


@given(amount=st.decimals(places=2, min_value=-(10**12), max_value=10**12, allow_nan=False, allow_infinity=False))
def test_two_decimal_amounts_round_trip(amount: D) -> None:
    for text in (format_amount(amount), f"{amount:,.2f}", f"{amount:.2f}"):
        assert parse_amount(text).value == amount


@given(year=st.integers(min_value=2400, max_value=2700))
def test_buddhist_era_years_read_as_they_are(year: int) -> None:
    for raw in (year, str(year), str(year).translate(TO_THAI)):
        p = parse_year(raw)
        assert p.value == year
        assert "N355" not in {code for code, _ in p.notes}


@given(year=st.integers(min_value=1900, max_value=2157))
def test_common_era_years_are_converted(year: int) -> None:
    for raw in (year, str(year)):
        p = parse_year(raw)
        assert p.value == year + 543
        assert ("N355", {"value": raw, "normalised": year + 543}) in p.notes


@given(raw=st.text())
def test_text_cleaning_is_idempotent(raw: str) -> None:
    once = parse_text(raw).value
    if once is not None:
        assert parse_text(once) == Parsed(once)


@given(items=st.lists(st.integers(min_value=0, max_value=10**6), min_size=1, max_size=30, unique=True))
def test_canonical_lists_read_without_notes(items: list[int]) -> None:
    assert parse_int_list(", ".join(map(str, items))) == Parsed(items)


@given(n=st.integers(min_value=-(10**15), max_value=10**15))
def test_typed_whole_numbers(n: int) -> None:
    assert parse_int(str(n)).value == n
    assert parse_code(n) == Parsed(str(n))
    assert parse_number(str(n)).value == D(n)


@given(st.text(alphabet=st.sampled_from(list("ab กข\n\r\t\u00a0\u200b  ")), max_size=30), st.booleans())
def test_clean_fast_path_agrees_with_the_full_cleaning(text: str, multiline: bool) -> None:
    """_clean returns a clean text unchanged without doing the work: both paths must agree."""

    from xlplan.normalize import _INLINE_SPACES, _INVISIBLE_RE, _LINE_BREAK, _SPACES, _clean

    s = _INVISIBLE_RE.sub("", text)
    if multiline:
        s = _LINE_BREAK.sub("\n", s)
        s = "\n".join(_INLINE_SPACES.sub(" ", line).rstrip(" ") for line in s.split("\n"))
    else:
        s = _SPACES.sub(" ", s)
    assert _clean(text, multiline=multiline) == s.strip()
