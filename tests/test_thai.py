from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from xlplan.thai import arabic_digits, bahttext, be_to_ce, ce_to_be, number_words

BAHTTEXT = [
    (0, "ศูนย์บาทถ้วน"),
    (1, "หนึ่งบาทถ้วน"),
    (10, "สิบบาทถ้วน"),
    (11, "สิบเอ็ดบาทถ้วน"),
    (20, "ยี่สิบบาทถ้วน"),
    (21, "ยี่สิบเอ็ดบาทถ้วน"),
    (101, "หนึ่งร้อยหนึ่งบาทถ้วน"),
    (111, "หนึ่งร้อยสิบเอ็ดบาทถ้วน"),
    (1001, "หนึ่งพันหนึ่งบาทถ้วน"),
    (1_000_001, "หนึ่งล้านหนึ่งบาทถ้วน"),
    (100_000_011, "หนึ่งร้อยล้านสิบเอ็ดบาทถ้วน"),
    (1_000_000_000_001, "หนึ่งล้านล้านหนึ่งบาทถ้วน"),
    (Decimal("0.01"), "หนึ่งสตางค์"),
    (Decimal("20.5"), "ยี่สิบบาทห้าสิบสตางค์"),
    (19800, "หนึ่งหมื่นเก้าพันแปดร้อยบาทถ้วน"),
    (150320, "หนึ่งแสนห้าหมื่นสามร้อยยี่สิบบาทถ้วน"),
    (751600, "เจ็ดแสนห้าหมื่นหนึ่งพันหกร้อยบาทถ้วน"),
    (1_000_000, "หนึ่งล้านบาทถ้วน"),
    (Decimal("0.25"), "ยี่สิบห้าสตางค์"),
    (Decimal("121.21"), "หนึ่งร้อยยี่สิบเอ็ดบาทยี่สิบเอ็ดสตางค์"),
    (Decimal("-5"), "ลบห้าบาทถ้วน"),
]


@pytest.mark.parametrize(("amount", "words"), BAHTTEXT)
def test_bahttext(amount: Decimal | int, words: str) -> None:
    assert bahttext(amount) == words


def test_excel_style_says_et_after_any_higher_digit() -> None:
    assert bahttext(101, style="excel") == "หนึ่งร้อยเอ็ดบาทถ้วน"
    assert bahttext(21, style="excel") == bahttext(21)


def test_digits_and_years() -> None:
    assert arabic_digits("๒๕๖๖ - ๒๕๗๐") == "2566 - 2570"
    assert arabic_digits("19,800.-") == "19,800.-"
    assert be_to_ce(2566) == 2023
    assert ce_to_be(2023) == 2566


@given(st.integers(min_value=0, max_value=10**12))
def test_thai_digits_round_trip(n: int) -> None:
    thai = str(n).translate(str.maketrans("0123456789", "๐๑๒๓๔๕๖๗๘๙"))
    assert int(arabic_digits(thai)) == n


@given(st.integers(min_value=1, max_value=10**13))
def test_number_words_use_only_thai_number_words(n: int) -> None:
    words = number_words(n)
    assert words and "ศูนย์" not in words
    # a whole amount always ends in ถ้วน and never holds digits
    text = bahttext(n)
    assert text.endswith("บาทถ้วน")
    assert not any(ch.isdigit() for ch in text)
